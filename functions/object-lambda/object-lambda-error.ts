import { InvalidArgumentError } from '../core/errors.ts';
import { errorReason } from '../core/s3-error-map.ts';

/**
 * The status codes WriteGetObjectResponse accepts for a GetObject answer
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_WriteGetObjectResponse.html, `StatusCode`).
 * 501 is not among them, although S3 itself answers 501 NotImplemented.
 */
export const WRITE_GET_OBJECT_RESPONSE_STATUSES: ReadonlySet<number> = new Set([
  200, 206, 304, 400, 401, 403, 404, 405, 409, 411, 412, 416, 500, 503,
]);

/**
 * The error as S3 Object Lambda can answer it. The only status the core gives outside the
 * accepted list is 501 NotImplemented (partNumber, several ranges, a range over the size cap):
 * the request asks for what this access point does not offer, which no retry changes, so it
 * becomes 400 InvalidArgument with the same message. Any other error is returned as it is.
 *
 * @example
 * await sink.sendError(objectLambdaError(new NotImplementedError('multiple byte ranges are not supported')));
 * // StatusCode 400, ErrorCode InvalidArgument
 */
export function objectLambdaError(error: unknown): unknown {
  const reason = errorReason(error);
  if (WRITE_GET_OBJECT_RESPONSE_STATUSES.has(reason.status)) return error;
  return new InvalidArgumentError(reason.message, { cause: error });
}
