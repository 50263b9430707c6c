import { MaskpointError } from '../core/errors.ts';

/** A gateway worker process exited before it was serving: the gateway does not start. */
export class WorkerStartError extends MaskpointError {
  constructor(message: string) {
    super('WorkerStart', message);
  }
}
