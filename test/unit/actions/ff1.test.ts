import { FF1 } from '@noble/ciphers/ff1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFf1 } from '../../../functions/core/redaction/actions/ff1.ts';
import { hexToBytes } from './test-token-keys.ts';

const K128 = '2B7E151628AED2A6ABF7158809CF4F3C';
const K192 = '2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F';
const K256 = '2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94';
const NO_TWEAK = '';
const TWEAK_10 = '39383736353433323130';
const TWEAK_11 = '3737373770717273373737';

// NIST SP 800-38G FF1 samples (FF1samples.pdf), numbered as published.
const RADIX_10_SAMPLES = [
  { sample: 1, key: K128, tweak: NO_TWEAK, plaintext: '0123456789', ciphertext: '2433477484' },
  { sample: 2, key: K128, tweak: TWEAK_10, plaintext: '0123456789', ciphertext: '6124200773' },
  { sample: 4, key: K192, tweak: NO_TWEAK, plaintext: '0123456789', ciphertext: '2830668132' },
  { sample: 5, key: K192, tweak: TWEAK_10, plaintext: '0123456789', ciphertext: '2496655549' },
  { sample: 7, key: K256, tweak: NO_TWEAK, plaintext: '0123456789', ciphertext: '6657667009' },
  { sample: 8, key: K256, tweak: TWEAK_10, plaintext: '0123456789', ciphertext: '1001623463' },
];
const RADIX_36_SAMPLES = [
  { sample: 3, key: K128, plaintext: '0123456789abcdefghi', ciphertext: 'a9tv40mll9kdu509eum' },
  { sample: 6, key: K192, plaintext: '0123456789abcdefghi', ciphertext: 'xbj3kv35jrawxv32ysr' },
  { sample: 9, key: K256, plaintext: '0123456789abcdefghi', ciphertext: 'xs8a0azh2avyalyzuwd' },
];

const aesKeys = fc
  .constantFrom(16, 24, 32)
  .chain((size) => fc.uint8Array({ minLength: size, maxLength: size }));
const digitStrings = (minLength: number, maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength, maxLength }).map((digits) => digits.join(''));
const toNumerals = (text: string, radix: number) => Array.from(text, (char) => Number.parseInt(char, radix));
const fromNumerals = (numerals: number[], radix: number) => numerals.map((n) => n.toString(radix)).join('');

/** Noble's FF1, the reference implementation, on digit strings. */
function nobleFf1(key: Uint8Array, tweak?: Uint8Array) {
  const cipher = FF1(10, key, tweak);
  return {
    encrypt: (digits: string) => fromNumerals(cipher.encrypt(toNumerals(digits, 10)), 10),
    decrypt: (digits: string) => fromNumerals(cipher.decrypt(toNumerals(digits, 10)), 10),
  };
}

describe('createFf1', () => {
  it.each(RADIX_10_SAMPLES)('matches NIST FF1 sample $sample', (vector) => {
    const ff1 = createFf1(hexToBytes(vector.key), hexToBytes(vector.tweak));

    expect(ff1.encrypt(vector.plaintext)).toBe(vector.ciphertext);
    expect(ff1.decrypt(vector.ciphertext)).toBe(vector.plaintext);
  });

  it('encrypts and decrypts exactly as noble FF1(10, key), for every key size and 6 to 40 digits', () => {
    fc.assert(
      fc.property(aesKeys, fc.array(digitStrings(6, 40), { minLength: 1, maxLength: 4 }), (key, values) => {
        const ff1 = createFf1(key);
        const noble = nobleFf1(key);
        for (const digits of values) {
          const encrypted = ff1.encrypt(digits);
          expect(encrypted).toBe(noble.encrypt(digits));
          expect(ff1.decrypt(digits)).toBe(noble.decrypt(digits));
          expect(ff1.decrypt(encrypted)).toBe(digits);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches noble FF1 with any tweak and up to 200 digits, where Q and S span several blocks', () => {
    fc.assert(
      fc.property(aesKeys, fc.uint8Array({ maxLength: 40 }), digitStrings(2, 200), (key, tweak, digits) => {
        const ff1 = createFf1(key, tweak);
        const noble = nobleFf1(key, tweak);

        expect(ff1.encrypt(digits)).toBe(noble.encrypt(digits));
        expect(ff1.decrypt(digits)).toBe(noble.decrypt(digits));
      }),
    );
  });

  it('keeps leading zeros and the all-nines value in both halves', () => {
    const ff1 = createFf1(hexToBytes(K256));
    const noble = nobleFf1(hexToBytes(K256));
    for (const digits of ['000000', '999999', '000000000000000000000000000000', '9'.repeat(31)]) {
      const encrypted = ff1.encrypt(digits);

      expect(encrypted).toBe(noble.encrypt(digits));
      expect(ff1.decrypt(encrypted)).toBe(digits);
    }
  });

  it('does not change when the caller later overwrites its tweak', () => {
    const tweak = hexToBytes(TWEAK_10);
    const ff1 = createFf1(hexToBytes(K128), tweak);
    tweak.fill(0);

    expect(ff1.encrypt('0123456789')).toBe('6124200773');
  });

  it('fails for input that is not at least 2 decimal digits', () => {
    const ff1 = createFf1(hexToBytes(K128));

    expect(() => ff1.encrypt('1')).toThrow(RangeError);
    expect(() => ff1.encrypt('12a4')).toThrow(/at least 2 decimal digits/);
    expect(() => ff1.decrypt(' 1234')).toThrow(RangeError);
  });

  it('fails for a key that is not 16, 24 or 32 bytes', () => {
    expect(() => createFf1(new Uint8Array(64))).toThrow(/64 bytes; expected 16, 24 or 32/);
  });
});

describe('noble FF1, the reference above', () => {
  it.each(RADIX_36_SAMPLES)('matches NIST FF1 sample $sample (radix 36)', (vector) => {
    const cipher = FF1(36, hexToBytes(vector.key), hexToBytes(TWEAK_11));

    expect(fromNumerals(cipher.encrypt(toNumerals(vector.plaintext, 36)), 36)).toBe(vector.ciphertext);
    expect(fromNumerals(cipher.decrypt(toNumerals(vector.ciphertext, 36)), 36)).toBe(vector.plaintext);
  });
});
