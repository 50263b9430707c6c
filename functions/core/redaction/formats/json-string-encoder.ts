import type { Redactor } from '../redactor.ts';
import type { ScanMatch, Scanner } from '../scanner.ts';
import { plainJsonNumber } from './json-number-digits.ts';

/** Strings longer than this are not remembered: long values rarely repeat. */
const MAX_REMEMBERED_CHARS = 128;
/** Entries remembered before the memory is cleared, bounding it at a few hundred kilobytes. */
const MAX_REMEMBERED = 4096;

/**
 * Runs the detectors over JSON strings, remembering the strings in which they found nothing.
 * Keys and enum-like values repeat on every record, and the detectors cost more than the rest
 * of JSON redaction together. Skipping them for a remembered string is exact: a detector's
 * verdict depends only on the text, and a string without matches changes no rule count.
 */
export class JsonStringEncoder {
  private readonly redactor: Redactor;
  private readonly clean = new Set<string>();

  constructor(redactor: Redactor) {
    this.redactor = redactor;
  }

  /**
   * `text` after the detectors (the same string when they find nothing). `scanner` is the rule
   * set's, or a `named` one for a value under a field name that is context. `isVouched`: the
   * rule set's scanner finds nothing in `text` (see `Scanner.scanNamedOnly`).
   */
  redact(text: string, scanner: Scanner = this.redactor.scanner, isVouched = false): string {
    // Only verdicts of the rule set's own scanner are remembered.
    const isRemembered = scanner === this.redactor.scanner;
    if (isRemembered && this.clean.has(text)) return text;
    const { matches } = isVouched ? scanner.scanNamedOnly(text) : scanner.scan(text);
    if (matches.length > 0) return this.redactor.replace(text, matches, 0, text.length);
    if (isRemembered && text.length <= MAX_REMEMBERED_CHARS) {
      if (this.clean.size >= MAX_REMEMBERED) this.clean.clear();
      this.clean.add(text);
    }
    return text;
  }

  /**
   * A number's raw text after the detectors: unchanged, or the replacement as a JSON string.
   * A number with an exponent is scanned as its plain digits first (see `plainJsonNumber`), so
   * a card number written `4.111111111111111e15` is found and replaced whole; as written when
   * its digits hold nothing.
   */
  encodeNumber(raw: string, scanner: Scanner = this.redactor.scanner): string {
    const plain = plainJsonNumber(raw);
    for (const text of plain === undefined ? [raw] : [plain, raw]) {
      const { matches } = scanner.scan(text);
      if (matches.length > 0) return JSON.stringify(this.redactor.replace(text, matches, 0, text.length));
    }
    return raw;
  }
}

/** `text` as a JSON string literal, exactly as `JSON.stringify` writes it. */
export function quote(text: string): string {
  return needsEscape(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * `quote(redactor.replace(text, matches, from, to))` of a string literal's text `text[from, to)`
 * that holds no escape, control character or surrogate (see `JsonTokenRewriter.plainString`):
 * only the replacements are checked for what JSON escapes, not the whole value again.
 */
export function quoteReplaced(
  redactor: Redactor,
  text: string,
  matches: readonly ScanMatch[],
  from: number,
  to: number,
): string {
  let out = '"';
  let position = from;
  let isEscaped = false;
  for (const match of matches) {
    out += text.slice(position, match.start);
    const replacement = redactor.replacement(text, match);
    isEscaped ||= needsEscape(replacement);
    out += replacement;
    position = match.end;
  }
  out += text.slice(position, to);
  return isEscaped ? JSON.stringify(out.slice(1)) : `${out}"`;
}

/**
 * Whether `text` holds what JSON.stringify escapes, or paired surrogates, which it keeps but are
 * costly to tell from unpaired ones: without any, `text` between quotes is its literal.
 */
export function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}
