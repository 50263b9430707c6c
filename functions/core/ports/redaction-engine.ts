import type { DetectedFormat } from '../redaction/formats/detect-format.ts';
import type { CompiledRuleSet, Redactor } from '../redaction/redactor.ts';

export interface RedactionStreamOptions {
  readonly ruleSet: CompiledRuleSet;
  readonly contentType?: string | undefined;
  readonly contentEncoding?: string | undefined;
  readonly key?: string | undefined;
  /** Serve an unsupported format unredacted (an operator's explicit passthrough rule matched). */
  readonly allowPassthrough?: boolean;
}

/** A redacted object body, ready to stream; an error from `body` means: abort the transfer. */
export interface RedactionStream {
  /** `undefined` when the object passes through unredacted. */
  readonly format: DetectedFormat | undefined;
  /** Counts per rule id, final once `body` is consumed. */
  readonly redactor: Redactor;
  readonly body: AsyncIterable<Uint8Array>;
  /** Bytes read from the source and written to the body so far. */
  readonly bytes: { in: number; out: number };
}

/**
 * Port: the streaming engine around the format redactors (byte decoding, gzip). Refusals
 * (`UnsupportedFormatError`) happen before it resolves, so no byte of a refused object is produced.
 */
export type OpenRedaction = (
  source: AsyncIterable<Uint8Array>,
  options: RedactionStreamOptions,
) => Promise<RedactionStream>;
