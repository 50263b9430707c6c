import { MaskpointError } from './errors.ts';

/** How a refusal is answered: HTTP status, S3 error code and a message safe to show. */
export interface ErrorReason {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * The one table from domain error codes to S3 responses. Refused content (unsupported,
 * malformed, over a limit) is 403 AccessDenied: retrying cannot help, and the reason is given.
 */
const S3_ERRORS: Record<string, { status: number; code: string }> = {
  AccessDenied: { status: 403, code: 'AccessDenied' },
  UnsupportedFormat: { status: 403, code: 'AccessDenied' },
  MalformedObject: { status: 403, code: 'AccessDenied' },
  LimitExceeded: { status: 403, code: 'AccessDenied' },
  NoSuchKey: { status: 404, code: 'NoSuchKey' },
  NoSuchBucket: { status: 404, code: 'NoSuchBucket' },
  NotModified: { status: 304, code: 'NotModified' },
  PreconditionFailed: { status: 412, code: 'PreconditionFailed' },
  InvalidRange: { status: 416, code: 'InvalidRange' },
  NotImplemented: { status: 501, code: 'NotImplemented' },
  MethodNotAllowed: { status: 405, code: 'MethodNotAllowed' },
  InvalidArgument: { status: 400, code: 'InvalidArgument' },
  InvalidAccessKeyId: { status: 403, code: 'InvalidAccessKeyId' },
  SignatureDoesNotMatch: { status: 403, code: 'SignatureDoesNotMatch' },
  AuthorizationHeaderMalformed: { status: 400, code: 'AuthorizationHeaderMalformed' },
  AuthorizationQueryParametersError: { status: 400, code: 'AuthorizationQueryParametersError' },
  InvalidRequest: { status: 400, code: 'InvalidRequest' },
  RequestTimeTooSkewed: { status: 403, code: 'RequestTimeTooSkewed' },
  SlowDown: { status: 503, code: 'SlowDown' },
  ServiceUnavailable: { status: 503, code: 'ServiceUnavailable' },
  RequestTimeout: { status: 500, code: 'InternalError' },
  InvalidRuleSet: { status: 500, code: 'InternalError' },
  InvalidKeyring: { status: 500, code: 'InternalError' },
  InvalidToken: { status: 500, code: 'InternalError' },
};

/**
 * Maps any error to its S3 answer. Unknown errors become 500 InternalError with a generic
 * message: their text might quote content, so it is never shown.
 */
export function errorReason(error: unknown): ErrorReason {
  if (error instanceof MaskpointError) {
    const mapped = S3_ERRORS[error.code];
    if (mapped !== undefined) {
      const message =
        mapped.code === 'InternalError' && error.code !== 'RequestTimeout'
          ? 'We encountered an internal error. Please try again.'
          : error.message;
      return { ...mapped, message };
    }
  }
  return {
    status: 500,
    code: 'InternalError',
    message: 'We encountered an internal error. Please try again.',
  };
}
