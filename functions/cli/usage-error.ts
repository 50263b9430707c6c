import { MaskpointError } from '../core/errors.ts';

/** The command line was wrong: the message says what a command takes. */
export class UsageError extends MaskpointError {
  constructor(message: string) {
    super('Usage', message);
  }
}
