import { FF1 } from '@noble/ciphers/ff1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../../functions/core/errors.ts';
import { detokenizeDigits } from '../../../functions/core/redaction/actions/detokenize.ts';
import { ff1Detokenize, ff1Tokenize } from '../../../functions/core/redaction/actions/ff1-token.ts';
import { sivDetokenize } from '../../../functions/core/redaction/actions/siv-token.ts';
import { type TokenSubkeys, tokenSubkeys } from '../../../functions/core/redaction/actions/token-subkeys.ts';
import { hexToBytes, testTokenKeys } from './test-token-keys.ts';

const K256 = '2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94';

describe('ff1Tokenize and ff1Detokenize', () => {
  it('encrypt digits as radix-10 FF1 with an empty tweak, keeping separators in place (NIST sample 7)', () => {
    const subkeys = { ...tokenSubkeys(testTokenKeys('k1'), 'k1'), ff1: hexToBytes(K256) };

    expect(ff1Tokenize('0123456789', 'k1', subkeys)).toBe('6657667009');
    expect(ff1Tokenize('(012) 345-6789', 'k1', subkeys)).toBe('(665) 766-7009');
    expect(ff1Detokenize('665.766.7009', hexToBytes(K256))).toBe('012.345.6789');
  });

  it('make the same tokens as noble FF1(10, key), so tokens made before still reverse', () => {
    const keys = testTokenKeys('k1');
    const subkeys = tokenSubkeys(keys, 'k1');
    const noble = FF1(10, subkeys.ff1);
    const digits = (value: string) => Array.from(value.replace(/\D/g, ''), Number);
    const cardNumbers = fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 16, maxLength: 16 })
      .map((d) => d.join('').replace(/(\d{4})(?!$)/g, '$1-'));

    fc.assert(
      fc.property(cardNumbers, (card) => {
        const token = ff1Tokenize(card, 'k1', subkeys);

        expect(digits(token)).toEqual(noble.encrypt(digits(card)));
        expect(ff1Detokenize(token, subkeys.ff1)).toBe(card);
      }),
    );
  });
});

describe('ff1Tokenize', () => {
  const keys = testTokenKeys('k1');
  const subkeys: TokenSubkeys = tokenSubkeys(keys, 'k1');
  const digitsAndSeparators = fc
    .array(fc.constantFrom(...'0123456789 -.()/+'), { maxLength: 40 })
    .map((chars) => chars.join(''))
    .filter((value) => value.replace(/\D/g, '').length >= 6);

  it('preserves length, separators and digit positions, and round trips through detokenizeDigits', () => {
    fc.assert(
      fc.property(digitsAndSeparators, (value) => {
        const token = ff1Tokenize(value, 'k1', subkeys);

        expect(token).toHaveLength(value.length);
        expect(token.replace(/\d/g, '0')).toBe(value.replace(/\d/g, '0'));
        expect(detokenizeDigits(token, 'k1', keys)).toBe(value);
      }),
    );
  });

  it('changes the digits of a card number and keeps its layout', () => {
    const token = ff1Tokenize('4111-1111-1111-1111', 'k1', subkeys);

    expect(token).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
    expect(token).not.toBe('4111-1111-1111-1111');
    expect(ff1Tokenize('4111-1111-1111-1111', 'k1', subkeys)).toBe(token);
  });

  it('falls back to the SIV token for values with letters', () => {
    const token = ff1Tokenize('AB-123456', 'k1', subkeys);

    expect(token).toMatch(/^tok:k1:[A-Za-z0-9_-]+$/);
    expect(sivDetokenize(token, keys)).toBe('AB-123456');
    expect(detokenizeDigits(token, 'k1', keys)).toBe('AB-123456');
  });

  it('falls back to the SIV token for values with fewer than six digits', () => {
    const token = ff1Tokenize('12-345', 'k1', subkeys);

    expect(token).toMatch(/^tok:k1:/);
    expect(detokenizeDigits(token, 'k1', keys)).toBe('12-345');
    expect(ff1Tokenize('123-456', 'k1', subkeys)).toMatch(/^\d{3}-\d{3}$/);
  });
});

describe('detokenizeDigits', () => {
  it('reverses a token made with a rotated-out key when given its key id', () => {
    const before = testTokenKeys('k1');
    const token = ff1Tokenize('555-0100-2345', 'k1', tokenSubkeys(before, 'k1'));
    const after = testTokenKeys('k1', 'k2');

    expect(detokenizeDigits(token, 'k1', after)).toBe('555-0100-2345');
    expect(detokenizeDigits(token, 'k2', after)).not.toBe('555-0100-2345');
  });

  it('rejects an unknown key id', () => {
    expect(() => detokenizeDigits('123456', 'k7', testTokenKeys('k1'))).toThrow(/unknown token key id "k7"/);
  });

  it('rejects a value that is neither an FF1 token nor a SIV token', () => {
    expect(() => detokenizeDigits('12345', 'k1', testTokenKeys('k1'))).toThrow(TokenError);
    expect(() => detokenizeDigits('12a456789', 'k1', testTokenKeys('k1'))).toThrow(TokenError);
  });
});
