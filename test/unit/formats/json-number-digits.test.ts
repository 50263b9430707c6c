import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainJsonNumber } from '../../../functions/core/redaction/formats/json-number-digits.ts';

/** A decimal string as an exact fraction `numerator / 10^scale`. */
function fraction(decimal: string): { numerator: bigint; scale: number } {
  const [whole = '', decimals = ''] = decimal.replace('-', '').split('.');
  const sign = decimal.startsWith('-') ? -1n : 1n;
  return { numerator: sign * BigInt(whole + decimals), scale: decimals.length };
}

describe('plainJsonNumber', () => {
  it('writes a number with an exponent as its exact plain digits', () => {
    expect(plainJsonNumber('4.111111111111111e15')).toBe('4111111111111111');
    expect(plainJsonNumber('41.11111111111111E+14')).toBe('4111111111111111');
    expect(plainJsonNumber('-1.5e-2')).toBe('-0.015');
    expect(plainJsonNumber('0.004111111111111111e18')).toBe('4111111111111111');
    expect(plainJsonNumber('12')).toBeUndefined();
    expect(plainJsonNumber('1e400')).toBeUndefined();
  });

  it('keeps the value exactly, whatever the exponent (property)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.stringMatching(/^(0|[1-9][0-9]{0,19})$/),
        fc.stringMatching(/^[0-9]{0,12}$/),
        fc.integer({ min: -30, max: 30 }),
        (isNegative, whole, decimals, exponent) => {
          const raw = `${isNegative ? '-' : ''}${whole}${decimals === '' ? '' : `.${decimals}`}e${exponent}`;
          const plain = plainJsonNumber(raw);
          if (plain === undefined) return;
          expect(plain).toMatch(/^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/);
          const written = fraction(`${isNegative ? '-' : ''}${whole}.${decimals}`);
          const expected = { numerator: written.numerator, scale: written.scale - exponent };
          const actual = fraction(plain);
          // a / 10^s = b / 10^t  ⇔  a · 10^t = b · 10^s (scales may be negative: move them across).
          const shift = actual.scale - expected.scale;
          const left = shift >= 0 ? expected.numerator * 10n ** BigInt(shift) : expected.numerator;
          const right = shift >= 0 ? actual.numerator : actual.numerator * 10n ** BigInt(-shift);
          expect(left === right || (left === 0n && right === 0n)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
