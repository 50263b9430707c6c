import type { Detector } from '../detector.ts';
import { digitShapes } from './digit-shapes.ts';
import { createRegexDetector } from './regex-detector.ts';
import { createUnionDetector } from './union-detector.ts';
import { withContext } from './with-context.ts';

/**
 * `AAA-GG-SSSS` or `AAA GG SSSS` with the ranges the SSA never issues excluded: area 000, 666
 * and 900–999, group 00, serial 0000.
 */
const ssnPattern =
  /(?<![0-9]-?)(?!000|666|9)[0-9]{3}(?:-(?!00)[0-9]{2}-(?!0000)[0-9]{4}| (?!00)[0-9]{2} (?!0000)[0-9]{4})(?!-?[0-9])/;

/** Nine digits in a row, with the same ranges excluded. */
const compactSsnPattern = /(?<![0-9])(?!000|666|9)[0-9]{3}(?!00)[0-9]{2}(?!0000)[0-9]{4}(?![0-9])/;

/**
 * What must come shortly before nine digits in a row for them to be an SSN, as in Presidio's
 * US SSN recognizer: too many order numbers and ZIP+4 codes look the same. The digits are
 * searched first (in the scan shared with the card and phone detectors) and the keyword only
 * before them, so text pays no keyword scan.
 */
const compactKeywords = ['ssn', 'social security'];
const compactWindowChars = 32;

/**
 * US Social Security numbers: in their printed form anywhere, and as nine digits in a row
 * shortly after the keyword `SSN` or `social security` in any case (`ssn: 219099999`) or in a
 * field named for one (`ssn`, `social_security_number`).
 */
export function createUsSsnDetector(): Detector {
  const printed = createRegexDetector(ssnPattern, {
    id: 'us-ssn',
    label: 'SSN',
    minLength: 11,
    maxLength: 11,
    lookbehind: 2,
    lookahead: 2,
    candidates: digitShapes.ssn,
  });
  const compact = createRegexDetector(compactSsnPattern, {
    id: 'us-ssn',
    label: 'SSN',
    minLength: 9,
    maxLength: 9,
    lookbehind: 1,
    lookahead: 1,
    candidates: digitShapes.compactSsn,
  });
  return createUnionDetector([
    printed,
    withContext(compact, compactKeywords, compactWindowChars, { isMatchFirst: true }),
  ]);
}
