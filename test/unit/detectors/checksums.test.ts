import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ibanLengthOf,
  isValidIban,
  isValidIbanText,
} from '../../../functions/core/redaction/detectors/iban-checksum.ts';
import { isLuhnValid } from '../../../functions/core/redaction/detectors/luhn.ts';

describe('isLuhnValid', () => {
  it('accepts published test card numbers', () => {
    for (const pan of [
      '4111111111111111',
      '5555555555554444',
      '378282246310005',
      '6011111111111117',
      '79927398713',
    ]) {
      expect(isLuhnValid(pan), pan).toBe(true);
    }
  });

  it('rejects a number with any single digit changed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (index, delta) => {
        const pan = '4111111111111111';
        const digit = (Number(pan[index]) + delta) % 10;
        expect(isLuhnValid(pan.slice(0, index) + digit + pan.slice(index + 1))).toBe(false);
      }),
    );
  });

  it('rejects non-digits and inputs shorter than two digits', () => {
    expect(isLuhnValid('4111 1111 1111 1111')).toBe(false);
    expect(isLuhnValid('0')).toBe(false);
    expect(isLuhnValid('')).toBe(false);
  });
});

describe('isValidIban', () => {
  it('accepts registry examples of several countries', () => {
    for (const iban of [
      'DE89370400440532013000',
      'GB82WEST12345698765432',
      'NO9386011117947',
      'FR1420041010050500013M02606',
      'SA0380000000608010167519',
      'LC55HEMM000100010012001200023015',
      'RU0204452560040702810412345678901',
    ]) {
      expect(isValidIban(iban), iban).toBe(true);
    }
  });

  it('rejects a wrong check digit, a wrong length, an unknown country and lower case', () => {
    expect(isValidIban('DE88370400440532013000')).toBe(false);
    expect(isValidIban('DE8937040044053201300')).toBe(false);
    expect(isValidIban('DE893704004405320130000')).toBe(false);
    expect(isValidIban('US89370400440532013000')).toBe(false);
    expect(isValidIban('de89370400440532013000')).toBe(false);
  });

  it('knows the length of every country it validates', () => {
    expect(ibanLengthOf('DE')).toBe(22);
    expect(ibanLengthOf('MT')).toBe(31);
    expect(ibanLengthOf('US')).toBeUndefined();
    expect(ibanLengthOf('constructor')).toBeUndefined();
  });
});

describe('isValidIbanText', () => {
  it('decides as isValidIban of the letters and digits copied out in upper case (property)', () => {
    const valid = [
      'GB82WEST12345698765432',
      'DE89370400440532013000',
      'NO9386011117947',
      'FR1420041010050500013M02606',
    ];
    // A valid IBAN spelt in any case with separators inside, or such a string with one character changed.
    const written = fc
      .tuple(
        fc.constantFrom(...valid),
        fc.array(fc.tuple(fc.nat(40), fc.constantFrom(' ', '-', '.', '/', 'é', 'Ł', '\u0130')), {
          maxLength: 4,
        }),
        fc.array(fc.boolean(), { minLength: 34, maxLength: 34 }),
        fc.option(fc.tuple(fc.nat(40), fc.constantFrom('0', '9', 'A', 'z', 'ı', ' '))),
      )
      .map(([iban, inserts, lower, change]) => {
        let text = Array.from(iban, (char, i) => (lower[i] ? char.toLowerCase() : char)).join('');
        for (const [at, char] of inserts) text = text.slice(0, at) + char + text.slice(at);
        if (change !== null) text = text.slice(0, change[0]) + change[1] + text.slice(change[0] + 1);
        return text;
      });
    fc.assert(
      fc.property(fc.oneof(written, fc.string({ maxLength: 40 })), (value) => {
        expect(isValidIbanText(value)).toBe(isValidIban(value.replace(/[^A-Za-z0-9]/g, '').toUpperCase()));
      }),
      { numRuns: 2000 },
    );
  });
});
