/**
 * Domain errors. Each carries a stable `code`; `s3-error-map.ts` maps codes to S3 responses.
 * Messages never contain object content or matched values: they name files, lines, rule ids
 * and byte offsets only.
 */
export class MaskpointError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A rule file or rule set is invalid. The message names file, line, column, value and what is allowed. */
export class RuleValidationError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidRuleSet', message, options);
  }
}

/** The object's content is malformed for its format (bad JSON, unterminated CSV quote, invalid UTF-8). */
export class MalformedObjectError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MalformedObject', message, options);
  }
}

/** The object's format is binary or unknown and no passthrough rule covers it. */
export class UnsupportedFormatError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UnsupportedFormat', message, options);
  }
}

/** A record, field or decompression bound was exceeded; memory stays bounded by refusing. */
export class LimitExceededError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LimitExceeded', message, options);
  }
}

/** A token could not be reversed (unknown key id, tampered token). */
export class TokenError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidToken', message, options);
  }
}

/** A key store (token keys, gateway keys) is missing, malformed or stored insecurely; the message names the file or key id, never key bytes. */
export class KeyringError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidKeyring', message, options);
  }
}

/** The caller may not read this object (no rule set covers it, geo fence, refused content). */
export class AccessDeniedError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AccessDenied', message, options);
  }
}

/** The object does not exist in the protected bucket. */
export class NoSuchKeyError extends MaskpointError {
  constructor(message = 'The specified key does not exist.', options?: { cause?: unknown }) {
    super('NoSuchKey', message, options);
  }
}

/** The bucket is not one this front door protects. */
export class NoSuchBucketError extends MaskpointError {
  constructor(message = 'The specified bucket does not exist.', options?: { cause?: unknown }) {
    super('NoSuchBucket', message, options);
  }
}

/**
 * A rate limit for this caller is exhausted, or the answer needs a redacted view still being made;
 * S3 clients retry 503 SlowDown with backoff.
 */
export class SlowDownError extends MaskpointError {
  /** Seconds after which a retry may succeed: sent as `Retry-After` (RFC 9110 §10.2.3) when set. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message = 'Please reduce your request rate.',
    options?: { cause?: unknown; retryAfterSeconds?: number | undefined },
  ) {
    super('SlowDown', message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A dependency (rate-limit store, source) is unreachable; the request is refused, never served unchecked. */
export class ServiceUnavailableError extends MaskpointError {
  constructor(message = 'Service is unable to handle request.', options?: { cause?: unknown }) {
    super('ServiceUnavailable', message, options);
  }
}

/** If-Match / If-Unmodified-Since did not hold. */
export class PreconditionFailedError extends MaskpointError {
  constructor(
    message = 'At least one of the pre-conditions you specified did not hold',
    options?: { cause?: unknown },
  ) {
    super('PreconditionFailed', message, options);
  }
}

/** The requested range is not satisfiable for the redacted object. */
export class InvalidRangeError extends MaskpointError {
  constructor(message = 'The requested range is not satisfiable', options?: { cause?: unknown }) {
    super('InvalidRange', message, options);
  }
}

/** The request uses a feature this proxy does not implement. */
export class NotImplementedError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotImplemented', message, options);
  }
}

/** The response could not be finished in time (Object Lambda allows 60 s); the transfer is aborted. */
export class DeadlineExceededError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RequestTimeout', message, options);
  }
}

/**
 * The client closed the connection or stopped reading before the response was complete: the
 * work for it stops and the source is released. Nothing is answered, as nobody is listening.
 */
export class ClientDisconnectedError extends MaskpointError {
  constructor(
    message = 'the client closed the connection or stopped reading before the response was complete',
    options?: { cause?: unknown },
  ) {
    super('ClientDisconnected', message, options);
  }
}

/**
 * If-None-Match / If-Modified-Since held: the caller's copy is current (304, no body). A 304 carries
 * the validators a 200 would have sent (RFC 9110 §15.4.5): the redacted view's ETag and Last-Modified.
 */
export class NotModifiedError extends MaskpointError {
  readonly etag: string | undefined;
  readonly lastModified: Date | undefined;

  constructor(
    message = 'Not Modified',
    options?: { cause?: unknown; etag?: string | undefined; lastModified?: Date | undefined },
  ) {
    super('NotModified', message, options);
    this.etag = options?.etag;
    this.lastModified = options?.lastModified;
  }
}

/** The access key id is unknown or revoked (gateway SigV4). */
export class InvalidAccessKeyIdError extends MaskpointError {
  constructor(
    message = 'The AWS Access Key Id you provided does not exist in our records.',
    options?: { cause?: unknown },
  ) {
    super('InvalidAccessKeyId', message, options);
  }
}

/** The request signature does not match the one computed with the key's secret. */
export class SignatureDoesNotMatchError extends MaskpointError {
  constructor(
    message = 'The request signature we calculated does not match the signature you provided.',
    options?: { cause?: unknown },
  ) {
    super('SignatureDoesNotMatch', message, options);
  }
}

/** The Authorization header or presigned query is malformed (wrong region, service, algorithm). */
export class AuthorizationMalformedError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AuthorizationHeaderMalformed', message, options);
  }
}

/** The request time is more than 15 minutes away from the server's clock. */
export class RequestTimeTooSkewedError extends MaskpointError {
  constructor(
    message = 'The difference between the request time and the current time is too large.',
    options?: { cause?: unknown },
  ) {
    super('RequestTimeTooSkewed', message, options);
  }
}

/** The HTTP method is not one the read-only proxy serves. */
export class MethodNotAllowedError extends MaskpointError {
  constructor(
    message = 'The specified method is not allowed against this resource.',
    options?: { cause?: unknown },
  ) {
    super('MethodNotAllowed', message, options);
  }
}

/** A request parameter is malformed or out of range (max-keys, encoding-type, a key's percent-encoding). */
export class InvalidArgumentError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidArgument', message, options);
  }
}

/** The request uses an authentication mechanism S3 no longer accepts (Signature Version 2). */
export class InvalidRequestError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidRequest', message, options);
  }
}

/** The query-string (presigned) authentication parameters are malformed. */
export class AuthorizationQueryParametersError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AuthorizationQueryParametersError', message, options);
  }
}
