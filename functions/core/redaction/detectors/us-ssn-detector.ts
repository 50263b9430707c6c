import type { Detector } from '../detector.ts';
import { digitShapes } from './digit-shapes.ts';
import { createRegexDetector } from './regex-detector.ts';

/**
 * `AAA-GG-SSSS` or `AAA GG SSSS` with the ranges the SSA never issues excluded: area 000, 666
 * and 900–999, group 00, serial 0000. Nine digits without separators are not matched: too many
 * order numbers and ZIP+4 codes look the same (an operator can add a custom rule with context).
 */
const ssnPattern =
  /(?<![0-9]-?)(?!000|666|9)[0-9]{3}(?:-(?!00)[0-9]{2}-(?!0000)[0-9]{4}| (?!00)[0-9]{2} (?!0000)[0-9]{4})(?!-?[0-9])/;

/** US Social Security numbers in their printed form. */
export function createUsSsnDetector(): Detector {
  return createRegexDetector(ssnPattern, {
    id: 'us-ssn',
    label: 'SSN',
    minLength: 11,
    maxLength: 11,
    lookbehind: 2,
    lookahead: 2,
    candidates: digitShapes.ssn,
  });
}
