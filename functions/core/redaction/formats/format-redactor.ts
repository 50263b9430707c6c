/**
 * A format-aware redaction state machine over decoded text (sans-I/O). The stream invariant:
 * for any split of an input into chunks, `push(c1) + push(c2) + … + end()` is the same string.
 * Output is emitted as soon as no pending match or record can change it; memory stays bounded
 * by the longest match or record, never by object size.
 */
export interface FormatRedactor {
  /** Feeds the next piece of text; returns redacted text that is final. */
  push(text: string): string;
  /** Ends the input; returns the rest. Throws `MalformedObjectError` when the input is incomplete. */
  end(): string;
  /**
   * `push`'s output as the strings it joins, for a caller that encodes each apart: a redactor
   * that emits long outputs (the text redactor's scans) gives them in pieces that V8 need not
   * flatten outside its young generation.
   */
  pushPieces?(text: string): readonly string[];
  /** `end`'s output as the strings it joins (see `pushPieces`). */
  endPieces?(): readonly string[];
}

/** Formats the engine can parse. */
export type TextFormat = 'text' | 'csv' | 'ndjson' | 'json' | 'mail' | 'ldif';
