import type { Redactor } from '../redactor.ts';

/** Strings longer than this are not remembered: long values rarely repeat. */
const MAX_REMEMBERED_CHARS = 128;
/** Entries remembered before the memory is cleared, bounding it at a few hundred kilobytes. */
const MAX_REMEMBERED = 4096;

/**
 * Runs the detectors over JSON strings and encodes the result, remembering the strings in which
 * the detectors found nothing. Keys and enum-like values repeat on every record, and the
 * detectors cost more than the rest of JSON redaction together. Skipping them for a remembered
 * string is exact: a detector's verdict depends only on the text, and a string without
 * matches changes no rule count.
 */
export class JsonStringEncoder {
  private readonly redactor: Redactor;
  private readonly clean = new Map<string, string>();

  constructor(redactor: Redactor) {
    this.redactor = redactor;
  }

  /** `text` after the detectors, as a JSON string literal. */
  encode(text: string): string {
    const known = this.clean.get(text);
    if (known !== undefined) return known;
    const { matches } = this.redactor.scanner.scan(text);
    if (matches.length > 0) return JSON.stringify(this.redactor.replace(text, matches, 0, text.length));
    const encoded = JSON.stringify(text);
    if (text.length <= MAX_REMEMBERED_CHARS) {
      if (this.clean.size >= MAX_REMEMBERED) this.clean.clear();
      this.clean.set(text, encoded);
    }
    return encoded;
  }

  /** A number's raw text after the detectors: unchanged, or the replacement as a JSON string. */
  encodeNumber(raw: string): string {
    const { matches } = this.redactor.scanner.scan(raw);
    return matches.length === 0 ? raw : JSON.stringify(this.redactor.replace(raw, matches, 0, raw.length));
  }
}
