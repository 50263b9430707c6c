import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hasPlaceholderRun,
  placeholderRunLength,
} from '../../../functions/core/redaction/validators/placeholder-run.ts';
import { validatorNamed } from '../../../functions/core/redaction/validators/validator-registry.ts';
import { shippedMembers } from './shipped-packs.ts';

const keyAlphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'];
const lowerRun = 'abcdefghijklmnopqrstuvwxyz';
const digitRun = '0123456789';

/** A run of `length` characters ascending through the digits or the letters, each in either case. */
function ascendingRun(length: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: digitRun.length - length }).map((start) => digitRun.slice(start, start + length)),
    fc
      .tuple(
        fc.nat({ max: lowerRun.length - length }),
        fc.array(fc.boolean(), { minLength: length, maxLength: length }),
      )
      .map(([start, upper]) =>
        [...lowerRun.slice(start, start + length)]
          .map((char, i) => (upper[i] ? char.toUpperCase() : char))
          .join(''),
      ),
  );
}

/** One character of any kind written `length` times (`xxxxxxxx`, `########`). */
function repeatedRun(length: number): fc.Arbitrary<string> {
  return fc
    .oneof(fc.constantFrom(...keyAlphabet), fc.constantFrom('#', '*', '.'))
    .map((char) => char.repeat(length));
}

const keyBody = fc.string({ unit: fc.constantFrom(...keyAlphabet), maxLength: 60 });

describe('hasPlaceholderRun', () => {
  it('finds an ascending or repeated run of eight anywhere in a key body (property)', () => {
    fc.assert(
      fc.property(
        keyBody,
        fc.oneof(ascendingRun(placeholderRunLength), repeatedRun(placeholderRunLength)),
        keyBody,
        (before, run, after) => {
          expect(hasPlaceholderRun(`${before}${run}${after}`)).toBe(true);
          expect(validatorNamed('no-placeholder-run')(`${before}${run}${after}`)).toBe(false);
          expect(validatorNamed('not-placeholder')(`${before}${run}${after}`)).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('finds no run of seven between separators (generated near misses)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ascendingRun(placeholderRunLength - 1), repeatedRun(placeholderRunLength - 1)), {
          maxLength: 6,
        }),
        (runs) => {
          const value = `sk~${runs.join('~')}~`;
          expect(hasPlaceholderRun(value), value).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('neither wraps from 9 to a nor from z to 0, and reads no other characters as ascending', () => {
    for (const value of ['6789abcd', 'wxyz0123', 'wxyzABCD', '89:;<=>?', 'XYZ[\\]^_', '-./01234', 'abcdXYZ0'])
      expect(hasPlaceholderRun(value), value).toBe(false);
    for (const value of ['23456789', 'stuvwxyz', 'KlMnOpQr', 'AIzaSyQ0x_Mq7-12345678-jR4vTn2LbKw9Pe5'])
      expect(hasPlaceholderRun(value), value).toBe(true);
  });

  // The bound written in placeholder-run.ts: a random body of n characters from A holds a run
  // with probability at most n * ((c/A)^(L-1) + (1/A)^(L-1)), c = 2 for an alphabet with both cases.
  const membersChecked = shippedMembers.filter(
    ({ entry }) => 'validator' in entry.detector && entry.detector.validator === 'no-placeholder-run',
  );

  it('is used by detectors whose random bodies hold a run with probability below 1e-8', () => {
    expect(membersChecked.map(({ entry }) => entry.id).sort()).toEqual([
      'anthropic-api-key',
      'gcp-api-key',
      'openai-api-key',
    ]);
    for (const { entry } of membersChecked) {
      const detector = entry.detector as { pattern: string; maxLength: number };
      // Bodies drawn from the 64 characters A-Z a-z 0-9 _ -, no longer than the whole value.
      expect(detector.pattern, entry.id).toMatch(/\[(?:A-Za-z0-9|0-9A-Za-z)_-\]\{\d+(?:,\d+)?\}/);
      const bound =
        detector.maxLength *
        ((2 / 64) ** (placeholderRunLength - 1) + (1 / 64) ** (placeholderRunLength - 1));
      expect(bound, entry.id).toBeLessThan(1e-8);
    }
  });
});
