import { createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashAction } from '../../../functions/core/redaction/actions/hash-action.ts';
import { tokenSubkeys } from '../../../functions/core/redaction/actions/token-subkeys.ts';
import { testTokenKeys } from './test-token-keys.ts';

describe('hashAction', () => {
  const keys = testTokenKeys('k1', 'k2');
  const hmacK1 = tokenSubkeys(keys, 'k1').hmac;

  it('is HMAC-SHA256 under the HKDF "maskpoint/hmac" subkey, truncated to `bytes` as lowercase hex', () => {
    const master = keys.keys.get('k1') as Uint8Array;
    const subkey = Buffer.from(hkdfSync('sha256', master, new Uint8Array(0), 'maskpoint/hmac', 32));
    const full = createHmac('sha256', subkey).update('alice@example.com').digest('hex');

    expect(hashAction({ type: 'hash', bytes: 8 }, hmacK1)('alice@example.com')).toBe(full.slice(0, 16));
    expect(hashAction({ type: 'hash', bytes: 32 }, hmacK1)('alice@example.com')).toBe(full);
  });

  it('gives equal hashes for equal values and different ones for different values or keys', () => {
    const hash = hashAction({ type: 'hash', bytes: 8 }, hmacK1);
    const hashK2 = hashAction({ type: 'hash', bytes: 8 }, tokenSubkeys(keys, 'k2').hmac);

    expect(hash('alice')).toBe(hash('alice'));
    expect(hash('alice')).not.toBe(hash('alicf'));
    expect(hashK2('alice')).not.toBe(hash('alice'));
    expect(hash('alice')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is HMAC-SHA256 for any value (lone surrogates, any length) and any key length (property)', () => {
    // Code units, not code points, so that unpaired surrogates occur; lengths straddle the
    // values hashed in one shot (up to 256 code units) and those hashed with createHmac.
    // Lengths are drawn first: fast-check keeps arrays short unless told their size.
    const sized = <T>(max: number, of: (length: number) => fc.Arbitrary<T>) =>
      fc.integer({ min: 0, max }).chain(of);
    const value = fc.oneof(
      sized(300, (length) =>
        fc
          .array(fc.integer({ min: 0, max: 0xffff }), { minLength: length, maxLength: length })
          .map((units) => String.fromCharCode(...units)),
      ),
      fc.string({ unit: 'grapheme', minLength: 70, maxLength: 120, size: 'max' }),
    );
    const key = sized(100, (length) => fc.uint8Array({ minLength: length + 1, maxLength: length + 1 }));
    const bytes = fc.integer({ min: 4, max: 32 });
    fc.assert(
      fc.property(key, bytes, fc.array(value, { minLength: 1, maxLength: 4 }), (hmacKey, size, values) => {
        const hash = hashAction({ type: 'hash', bytes: size }, hmacKey);
        for (const text of values) {
          const full = createHmac('sha256', hmacKey).update(text, 'utf8').digest('hex');
          expect(hash(text)).toBe(full.slice(0, 2 * size));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hashes many values at once as it hashes each (property: batches of any size, any value and key)', () => {
    // Values on both sides of the 55 UTF-8 bytes the batch kernel takes (ASCII, 2-, 3- and
    // 4-byte characters and lone surrogates, which UTF-8 writes as U+FFFD), and batches on both
    // sides of its 256 values and of its groups of four.
    const unit = fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.integer({ min: 0x80, max: 0x7ff }),
      fc.integer({ min: 0x800, max: 0xffff }),
    );
    const value = fc.oneof(
      fc
        .integer({ min: 0, max: 60 })
        .chain((length) =>
          fc
            .array(unit, { minLength: length, maxLength: length })
            .map((units) => String.fromCharCode(...units)),
        ),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.string({ minLength: 250, maxLength: 300, size: 'max' }),
    );
    // Batches of ASCII alone too (ids, names), which the kernel's memory takes joined, on both
    // sides of the characters that fit there at once.
    const asciiValue = fc.oneof(
      {
        arbitrary: fc.string({
          unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)),
          maxLength: 60,
        }),
        weight: 9,
      },
      { arbitrary: fc.string({ minLength: 250, maxLength: 300, size: 'max' }), weight: 1 },
    );
    const values = fc.oneof(
      fc.array(value, { maxLength: 9 }),
      fc
        .integer({ min: 250, max: 520 })
        .chain((length) => fc.array(value, { minLength: length, maxLength: length })),
      fc
        .integer({ min: 1, max: 520 })
        .chain((length) => fc.array(asciiValue, { minLength: length, maxLength: length })),
    );
    const key = fc
      .integer({ min: 1, max: 101 })
      .chain((length) => fc.uint8Array({ minLength: length, maxLength: length }));
    fc.assert(
      fc.property(key, fc.integer({ min: 4, max: 32 }), values, (hmacKey, size, texts) => {
        const hash = hashAction({ type: 'hash', bytes: size }, hmacKey);
        const expected = texts.map((text) =>
          createHmac('sha256', hmacKey)
            .update(text, 'utf8')
            .digest('hex')
            .slice(0, 2 * size),
        );

        expect(hash.many?.(texts)).toEqual(expected);
        // Twice: the kernel's memory holds no state from the batch before.
        expect(hash.many?.(texts)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
