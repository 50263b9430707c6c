// The `max` metadata carries each country's number patterns, so `isValidPhoneNumber` checks the
// digits, not only the length, as the `min` metadata does (libphonenumber-js README, "isValid()").
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { isDigit, isWordCharacter } from '../ascii-classes.ts';
import type { Detector, Match } from '../detector.ts';
import { firstCandidate, needleSearch } from './candidate-search.ts';
import { digitShapes } from './digit-shapes.ts';

/** Longest international number kept as one match: `+`, 15 digits and their separators. */
const maxInternationalLength = 32;

/**
 * A NANP number with separators — `(555) 234-5678`, `555-234-5678`, `555.234.5678`,
 * `+1 555 234 5678`, `1-555-234-5678`; area and exchange start with 2–9. A 10-digit run
 * without separators or `+` is not a phone number (order numbers). Not preceded by a letter,
 * digit, dot, dash or plus, so dates, timestamps, versions, UUIDs and IPv4 addresses do not
 * match. Sticky: tried only at the starts {@link findCore} points to.
 */
const nanpPattern =
  /(?<![0-9A-Za-z_.+-])(?:\+?1[ .-]?)?(?:\([2-9][0-9]{2}\)[ .-]?|[2-9][0-9]{2}[ .-])[2-9][0-9]{2}[ .-][0-9]{4}(?![0-9A-Za-z_]|[.-][0-9])/y;

/**
 * What every phone number contains: the separator before a NANP exchange and line
 * (`-234-5678`, `)234-5678`), or a `+` (then a digit). Searching for it rather than for the
 * number avoids starting a match attempt at every digit of digit-heavy text.
 */
const findCore = firstCandidate(digitShapes.nanpCore, needleSearch('+'));

/** Characters from a NANP number's start to its core: `+1 (555)` at most. */
const maxNanpPrefix = 8;

/**
 * Phone numbers: NANP numbers with separators, and international numbers in E.164 style —
 * `+`, 8 to 15 digits in groups separated by single spaces, dashes or dots, a group possibly in
 * parentheses (`+44 (0)20 7946 0958`) — that the numbering plan of their country calling code
 * admits (libphonenumber-js): `+99 1234 5678` (no such code) or `+1 23 456 7890` is no phone.
 */
export function createPhoneDetector(): Detector {
  return {
    id: 'phone',
    label: 'PHONE',
    // `+` and 8 digits
    minLength: 9,
    maxLength: maxInternationalLength,
    lookbehind: 1,
    lookahead: 2,
    findFrom(text: string, from: number): Match | undefined {
      for (let core = findCore(text, from); core !== -1; core = findCore(text, core + 1)) {
        const isPlus = text.charCodeAt(core) === 43;
        const first = isPlus ? core : Math.max(from, core - maxNanpPrefix);
        const last = isPlus ? core : core - 3;
        for (let start = first; start <= last; start++) {
          const match = phoneAt(text, start);
          if (match !== undefined) return match;
        }
      }
      return undefined;
    },
  };
}

/** The phone number starting at `start`: NANP first, else international after a `+`. */
function phoneAt(text: string, start: number): Match | undefined {
  nanpPattern.lastIndex = start;
  const nanp = nanpPattern.exec(text);
  if (nanp !== null) return { start, end: start + nanp[0].length };
  if (text.charCodeAt(start) !== 43 || !isBoundaryBefore(text.charCodeAt(start - 1))) return undefined;
  const firstDigit = text.charCodeAt(start + 1);
  if (firstDigit < 49 || firstDigit > 57) return undefined;
  const ends = internationalEnds(text, start);
  for (let index = ends.length - 1; index >= 0; index--) {
    const end = ends[index] as number;
    if (isValidPhoneNumber(text.slice(start, end))) return { start, end };
  }
  return undefined;
}

function isBoundaryBefore(code: number): boolean {
  return !(isWordCharacter(code) || code === 43 || code === 45 || code === 46);
}

/**
 * Ends of the international numbers starting with the `+` at `plus`, shortest first: whole
 * groups, at most 15 digits and {@link maxInternationalLength} characters, at least 8 digits,
 * not followed by a letter or digit.
 */
function internationalEnds(text: string, plus: number): number[] {
  const limit = plus + maxInternationalLength;
  let digits = 0;
  const ends: number[] = [];
  let index = plus + 1;
  for (;;) {
    let end = index;
    let count: number;
    if (isDigit(text.charCodeAt(index))) {
      while (end <= limit && isDigit(text.charCodeAt(end))) end++;
      count = end - index;
    } else if (text.charCodeAt(index) === 40 /* ( */) {
      end = index + 1;
      while (end <= limit && isDigit(text.charCodeAt(end))) end++;
      count = end - index - 1;
      if (count === 0 || text.charCodeAt(end) !== 41 /* ) */) return ends;
      end++;
    } else {
      return ends;
    }
    digits += count;
    if (digits > 15 || end > limit) return ends;
    const next = text.charCodeAt(end);
    if (digits >= 8 && !isWordCharacter(next)) ends.push(end);
    const after = text.charCodeAt(end + 1);
    if ((next === 32 || next === 45 || next === 46) && (isDigit(after) || after === 40)) index = end + 1;
    else if (next === 40 || (isDigit(next) && text.charCodeAt(end - 1) === 41)) index = end;
    else return ends;
  }
}
