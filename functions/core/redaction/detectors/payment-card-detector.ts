import { isAlphanumeric } from '../ascii-classes.ts';
import type { Detector } from '../detector.ts';
import { digitShapes } from './digit-shapes.ts';
import { isLuhnValidIn } from './luhn.ts';
import { createRegexDetector } from './regex-detector.ts';

/**
 * 13–19 digits starting 2–6 (every issuer below), compact or in the printed groupings
 * (4-4-4-4, 4-4-4-4-3, 4-6-5, 4-6-4, 4-4-4-1..4) separated by single spaces, dashes or dots (the
 * scanner folds no-break and thin spaces to spaces before detectors run). It must
 * not follow a digit, or a dash after a digit, so a longer digit run is not mined for a
 * card-length piece. Nor may it follow a dot after a digit, or come before an exponent
 * (`e21`, `E-7`): those digits are the fraction or mantissa of a number, as JavaScript and
 * Python print doubles (`0.4111111111111111`, `1.4111111111111111e+21`), whose 16–17 digits
 * would pass Luhn one time in ten.
 */
const cardPattern =
  /(?<![0-9]|[0-9][.-])[2-6][0-9]{3}(?:[0-9]{9,15}|[ .-][0-9]{4}[ .-][0-9]{4}[ .-](?:[0-9]{4}[ .-][0-9]{3}|[0-9]{1,4})|[ .-][0-9]{6}[ .-][0-9]{4,5})(?!-?[0-9]|[eE][+-]?[0-9])/;

/**
 * Hex digits around a digit run that {@link isInHexString} reads on each side: a run at least
 * this long is taken for hex whatever lies beyond it.
 */
const HEX_CONTEXT_CHARS = 16;

/**
 * Hex digits besides the card's that make a hex string: a word or abbreviation of the letters
 * a–f glued to a card (`cc4111…`, `acc`, `cafe`) is shorter, a digest (32 hex digits or more)
 * longer.
 */
const MIN_OTHER_HEX_CHARS = 6;

/** Payment card numbers (PAN) that pass the Luhn check and belong to a known issuer range. */
export function createPaymentCardDetector(): Detector {
  return createRegexDetector(cardPattern, {
    id: 'payment-card',
    label: 'CARD',
    minLength: 13,
    maxLength: 23,
    // `0x` and the character before it, past the hex digits before a match.
    lookbehind: HEX_CONTEXT_CHARS + 2,
    lookahead: HEX_CONTEXT_CHARS,
    candidates: digitShapes.card,
    isValid(text, start, end) {
      // Read in place, nothing copied: the digits as a string, their prefixes as numbers and the
      // test for a compact run each made a string per candidate (2,700 per 16 MB of the bench CSV).
      let length = 0;
      let prefix = 0;
      for (let at = start; at < end; at++) {
        const code = text.charCodeAt(at);
        if (code < 48 || code > 57) continue;
        if (length < ISSUER_PREFIX_DIGITS) prefix = prefix * 10 + code - 48;
        length++;
      }
      return (
        isKnownIssuer(prefix, length) &&
        isLuhnValidIn(text, start, end) &&
        !(length === end - start && isInHexString(text, start, end))
      );
    },
  });
}

/** Leading digits of a number that tell its card scheme. */
const ISSUER_PREFIX_DIGITS = 6;

/**
 * True when a number of `length` digits whose first {@link ISSUER_PREFIX_DIGITS} are `prefix`
 * (as a number) belongs to a card scheme.
 */
function isKnownIssuer(prefix: number, length: number): boolean {
  const p6 = prefix;
  const p4 = Math.floor(prefix / 100);
  const p3 = Math.floor(prefix / 1000);
  const p2 = Math.floor(prefix / 10000);
  const long = length >= 16 && length <= 19;
  if (p2 >= 40 && p2 <= 49) return length === 13 || length === 16 || length === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return length === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return length === 15; // American Express
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) return long; // Discover
  if (p4 >= 3528 && p4 <= 3589) return long; // JCB
  if ((p3 >= 300 && p3 <= 305) || p4 === 3095 || p2 === 36 || p2 === 38 || p2 === 39) {
    return length >= 14 && length <= 19; // Diners Club
  }
  if (p2 === 62) return long; // UnionPay
  if (p4 >= 2200 && p4 <= 2204) return long; // Mir
  if (MAESTRO_PREFIXES.has(p4)) return length >= 13; // Maestro
  return false;
}

const MAESTRO_PREFIXES: ReadonlySet<number> = new Set([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763]);

/**
 * True when the digits `text[start, end)` (digits only) are a run inside a hex string such as a
 * digest (`de0f4111111111111111ab…`, `sha 4111111111111111aa00ff`), where one in a few dozen
 * holds a Luhn-valid card-length run: the word they stand in (letters and digits) is hex digits
 * only, with at least {@link MIN_OTHER_HEX_CHARS} besides the card's or an `0x` prefix.
 * A card glued to other letters stays a card (`card4111…`, `x4111…y`, `4111…exp`), and so
 * does one glued to a short run of a–f (`cc4111…`). The regex leaves no digit next to the run,
 * so hex digits next to it are letters.
 */
function isInHexString(text: string, start: number, end: number): boolean {
  const before = hexCharsBefore(text, start);
  if (before === undefined) return false;
  const after = hexCharsAfter(text, end);
  return after !== undefined && before + after >= MIN_OTHER_HEX_CHARS;
}

/**
 * Hex digits right before `start`, at most {@link HEX_CONTEXT_CHARS}; `Infinity` when an `0x`
 * prefix starts them (it says hex, however few follow); `undefined` when another letter or
 * digit does, as they are then part of another word.
 */
function hexCharsBefore(text: string, start: number): number | undefined {
  let first = start;
  while (first > Math.max(0, start - HEX_CONTEXT_CHARS) && isHexDigit(text.charCodeAt(first - 1))) first--;
  const count = start - first;
  if (count === HEX_CONTEXT_CHARS || !isAlphanumeric(text.charCodeAt(first - 1))) return count;
  const isHexPrefix = /[xX]/.test(text.charAt(first - 1)) && text.charAt(first - 2) === '0';
  return isHexPrefix && !isAlphanumeric(text.charCodeAt(first - 3)) ? Number.POSITIVE_INFINITY : undefined;
}

/**
 * Hex digits right after `end`, at most {@link HEX_CONTEXT_CHARS}; `undefined` when another
 * letter follows them.
 */
function hexCharsAfter(text: string, end: number): number | undefined {
  let last = end;
  while (last < Math.min(text.length, end + HEX_CONTEXT_CHARS) && isHexDigit(text.charCodeAt(last))) last++;
  const count = last - end;
  return count === HEX_CONTEXT_CHARS || !isAlphanumeric(text.charCodeAt(last)) ? count : undefined;
}

function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 102);
}
