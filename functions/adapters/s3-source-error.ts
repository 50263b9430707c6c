import {
  AccessDeniedError,
  InvalidArgumentError,
  NoSuchBucketError,
  NoSuchKeyError,
  NotModifiedError,
  PreconditionFailedError,
  ServiceUnavailableError,
} from '../core/errors.ts';

/**
 * A refused read of the protected bucket as a domain error, from S3's HTTP status and error
 * code, whichever client asked (the SDK or a fetch of a presigned URL). S3's own message is not
 * kept: the status and code say enough. No status at all means S3 was not reached.
 */
export function sourceErrorOf(status: number | undefined, code: string | undefined, cause?: unknown): Error {
  const options = { cause };
  if (status === 304) return new NotModifiedError(undefined, options);
  if (status === 412) return new PreconditionFailedError(undefined, options);
  if (status === 404 && code === 'NoSuchBucket') return new NoSuchBucketError(undefined, options);
  if (status === 404 && code === 'NoSuchVersion') {
    return new NoSuchKeyError('The specified version does not exist.', options);
  }
  if (status === 404) return new NoSuchKeyError(undefined, options);
  if (status === 403) {
    return new AccessDeniedError(`access to the source object was denied (${code ?? 403})`, options);
  }
  // The caller's own arguments (a malformed versionId: InvalidArgument); HEAD answers name no code.
  if (status === 400) {
    return new InvalidArgumentError(
      `the source bucket refused the request's arguments (${code ?? 400})`,
      options,
    );
  }
  if (status === undefined || status >= 500) {
    const answered = status === undefined ? 'could not be reached' : `answered ${status}`;
    return new ServiceUnavailableError(`the source bucket ${answered}`, options);
  }
  return new Error(`the source bucket answered ${status}${code === undefined ? '' : ` ${code}`}`, options);
}
