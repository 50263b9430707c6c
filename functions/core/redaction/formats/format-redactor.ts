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
}

/** Formats the engine can parse. */
export type TextFormat = 'text' | 'csv' | 'ndjson' | 'json' | 'mail' | 'ldif';
