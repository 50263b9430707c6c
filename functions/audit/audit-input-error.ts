import { MaskpointError } from '../core/errors.ts';

/**
 * An audit input (authorization details, credential report, CloudTrail file or live answer) is
 * malformed. The message names the file or field and what was expected, never the content.
 */
export class AuditInputError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidAuditInput', message, options);
  }
}
