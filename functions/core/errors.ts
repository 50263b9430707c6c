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
