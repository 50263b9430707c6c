import { isDigit } from '../ascii-classes.ts';
import type { Detector } from '../detector.ts';
import { type CandidateSearch, classSequenceSearch, shapeSearch } from './candidate-search.ts';
import { ibanLengthOfLetters, maxIbanLength, minIbanLength, mod97Step } from './iban-checksum.ts';
import { createRegexDetector } from './regex-detector.ts';
import { builtInClassSequences, type SharedClassSequences } from './shared-class-sequences.ts';
import { createUnionDetector } from './union-detector.ts';
import { withContext } from './with-context.ts';

/** Where an IBAN can start: a country code and check digits at a word start. */
const ibanStartPattern = /(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?= ?[A-Z0-9])/;

/** The first eight characters of every IBAN, compact or grouped (the shortest has 15). */
const ibanShape = /[A-Z][A-Z][0-9][0-9] ?[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]/;

/** The same in lower case. */
const lowerIbanStartPattern = /(?<![A-Za-z0-9])[a-z]{2}[0-9]{2}(?= ?[a-z0-9])/;
const lowerIbanShape = /[a-z][a-z][0-9][0-9] ?[0-9a-z][0-9a-z][0-9a-z][0-9a-z]/;

/**
 * What must come shortly before an IBAN in lower case, as written: searching prose for
 * lower-case letters followed by digits, or for a keyword in any case, costs a scan that all
 * text pays (5 % of log throughput); V8 skips through text looking for `IBAN` six times faster
 * than for `iban` in any case. A field named for one (`iban`, `payee_iban`) counts too, in any
 * spelling (see `withContext`).
 */
const lowerKeywords = ['IBAN'];
const lowerWindowChars = 32;

/**
 * Text in which digits and spaces are common and capitals are not: compiled on it, the shape
 * scans 1.5× faster than on prose.
 */
const digitText = 'order 1234 5678 on 12-34 at 5.60 ';

/**
 * IBANs, compact (`DE89370400440532013000`) or in groups of four separated by single spaces
 * (`DE89 3704 0044 0532 0130 00`), with the country's length and a valid mod-97 check; in
 * lower case too (`gb82west12345698765432`) after the keyword `IBAN` or in a field named for one.
 */
export function createIbanDetector(): Detector {
  const upper = ibanDetector(ibanStartPattern, ibanCandidates(ibanShape, builtInClassSequences));
  const lower = ibanDetector(lowerIbanStartPattern, ibanCandidates(lowerIbanShape));
  return createUnionDetector([
    upper,
    withContext(lower, lowerKeywords, lowerWindowChars, { isCaseSensitive: true }),
  ]);
}

/**
 * Where `shape` matches: in a long text where the kernel finds its classes in a row (V8 tries
 * a regex of classes at nearly every offset: 7-8 ms per 16 MB of the bench CSV), in a short one
 * by the regex; in the pass `shared` makes for other detectors too, when given.
 */
function ibanCandidates(shape: RegExp, shared?: SharedClassSequences): CandidateSearch {
  return classSequenceSearch(shape, shapeSearch(shape, digitText), undefined, shared);
}

/** IBANs that start where `startPattern` matches, at the candidates of `candidates`. */
function ibanDetector(startPattern: RegExp, candidates: CandidateSearch): Detector {
  const starts = createRegexDetector(startPattern, {
    id: 'iban',
    label: 'IBAN',
    minLength: 4,
    maxLength: 4,
    lookbehind: 1,
    lookahead: 2,
    candidates,
  });
  return {
    ...starts,
    minLength: minIbanLength,
    maxLength: maxIbanLength + Math.floor((maxIbanLength - 1) / 4),
    lookahead: 1,
    findFrom(text, from) {
      let position = from;
      for (;;) {
        const candidate = starts.findFrom(text, position);
        if (candidate === undefined) return undefined;
        const end = ibanEnd(text, candidate.start);
        if (end !== -1) return { start: candidate.start, end };
        position = candidate.start + 1;
      }
    },
  };
}

/**
 * End of the IBAN starting at `start` (upper or lower case, not mixed), or -1: its characters
 * are checked and their mod-97 remainder taken as they are read, case folded, with nothing
 * copied (the IBAN as a string built a character at a time and upper-cased, checked by
 * `isValidIban`, cost about a string per character of every candidate).
 */
function ibanEnd(text: string, start: number): number {
  const isLower = text.charCodeAt(start) >= 97;
  // Upper case: the letters' codes less 32 when lower (the start pattern read two letters).
  const fold = isLower ? 32 : 0;
  const first = text.charCodeAt(start) - fold;
  const second = text.charCodeAt(start + 1) - fold;
  const length = ibanLengthOfLetters(first, second);
  if (length === undefined || !isDigit(text.charCodeAt(start + 2)) || !isDigit(text.charCodeAt(start + 3)))
    return -1;
  const spaced = text.charCodeAt(start + 4) === 32;
  // The remainder of the rearranged IBAN: its characters from the fifth on, then its first four.
  let remainder = 0;
  let count = 4;
  let index = start + 4;
  while (count < length) {
    if (spaced && count % 4 === 0) {
      if (text.charCodeAt(index) !== 32) return -1;
      index++;
    }
    const code = text.charCodeAt(index);
    const isLetter = isLower ? code >= 97 && code <= 122 : code >= 65 && code <= 90;
    if (!(isDigit(code) || isLetter)) return -1;
    remainder = mod97Step(remainder, isLetter ? code - fold : code);
    count++;
    index++;
  }
  const next = text.charCodeAt(index);
  if (isDigit(next) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122)) return -1;
  remainder = mod97Step(remainder, first);
  remainder = mod97Step(remainder, second);
  remainder = mod97Step(remainder, text.charCodeAt(start + 2));
  remainder = mod97Step(remainder, text.charCodeAt(start + 3));
  return remainder === 1 ? index : -1;
}
