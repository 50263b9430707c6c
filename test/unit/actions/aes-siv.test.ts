import { aessiv } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAesSiv } from '../../../functions/core/redaction/actions/aes-siv.ts';
import { hexToBytes } from './test-token-keys.ts';

describe('createAesSiv', () => {
  it('matches the RFC 5297 A.1 deterministic test vector', () => {
    const key = hexToBytes('fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
    const ad = hexToBytes('101112131415161718191a1b1c1d1e1f2021222324252627');
    const plaintext = hexToBytes('112233445566778899aabbccddee');
    const expected = '85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c';
    const siv = createAesSiv(key, [ad]);

    expect(siv.encrypt(plaintext).toString('hex')).toBe(expected);
    expect(siv.decrypt(hexToBytes(expected))).toEqual(Buffer.from(plaintext));
  });

  it('seals exactly as noble aessiv, for every key size and plaintext length, on one reused instance', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(32, 48, 64).chain((size) => fc.uint8Array({ minLength: size, maxLength: size })),
        fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 4 }),
        (key, plaintexts) => {
          const siv = createAesSiv(key);
          for (const plaintext of plaintexts) {
            const sealed = siv.encrypt(plaintext);
            expect(sealed.toString('hex')).toBe(Buffer.from(aessiv(key).encrypt(plaintext)).toString('hex'));
            expect(siv.decrypt(sealed)).toEqual(Buffer.from(plaintext));
          }
        },
      ),
    );
  });

  it('rejects a sealed value with any one bit flipped, or shorter than a tag', () => {
    const siv = createAesSiv(new Uint8Array(64).map((_, i) => i));
    const sealed = siv.encrypt(Buffer.from('alice@example.com'));
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const tampered = Buffer.from(sealed);
      tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(siv.decrypt(tampered), `bit ${bit}`).toBeUndefined();
    }
    expect(siv.decrypt(sealed.subarray(0, 15))).toBeUndefined();
  });

  it('fails for a key that is not 32, 48 or 64 bytes', () => {
    expect(() => createAesSiv(new Uint8Array(16))).toThrow(/16 bytes; expected 32, 48 or 64/);
  });
});
