import { MaskpointError } from '../core/errors.ts';

/**
 * A function URL response reached the most Lambda streams: thrown from its body after the first
 * byte, so the transfer is aborted, never ended as if the object were whole.
 */
export class FunctionUrlCapError extends MaskpointError {
  constructor(maxBodyBytes: number) {
    super(
      'ResponseTooLarge',
      `the response passed the ${maxBodyBytes} bytes a function URL streams; aborted`,
    );
  }
}
