import { aessiv } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../../functions/core/errors.ts';
import { sivDetokenize, sivTokenize } from '../../../functions/core/redaction/actions/siv-token.ts';
import { tokenSubkeys } from '../../../functions/core/redaction/actions/token-subkeys.ts';
import { hexToBytes, testTokenKeys } from './test-token-keys.ts';

describe('AES-SIV (RFC 5297)', () => {
  it('matches the RFC 5297 A.1 deterministic test vector through noble aessiv', () => {
    const key = hexToBytes('fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
    const ad = hexToBytes('101112131415161718191a1b1c1d1e1f2021222324252627');
    const plaintext = hexToBytes('112233445566778899aabbccddee');
    const expected = '85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c';

    const sealed = aessiv(key, ad).encrypt(plaintext);

    expect(Buffer.from(sealed).toString('hex')).toBe(expected);
    expect(aessiv(key, ad).decrypt(hexToBytes(expected))).toEqual(plaintext);
  });
});

describe('sivTokenize', () => {
  const keys = testTokenKeys('k1', 'k2');
  const k1 = tokenSubkeys(keys, 'k1').siv;
  const k2 = tokenSubkeys(keys, 'k2').siv;

  it('writes tok:<keyId>:<base64url> holding the 16-byte SIV tag and the ciphertext', () => {
    const token = sivTokenize('alice@example.com', 'k1', k1);

    const [prefix, keyId, body] = token.split(':');
    expect(prefix).toBe('tok');
    expect(keyId).toBe('k1');
    expect(body).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(body as string, 'base64url')).toHaveLength(16 + 'alice@example.com'.length);
  });

  it('round trips any string, including empty and non-ASCII ones', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        expect(sivDetokenize(sivTokenize(value, 'k1', k1), keys)).toBe(value);
      }),
    );
    expect(sivDetokenize(sivTokenize('', 'k1', k1), keys)).toBe('');
  });

  it('gives equal tokens for equal values and different tokens for different values', () => {
    expect(sivTokenize('4111111111111111', 'k1', k1)).toBe(sivTokenize('4111111111111111', 'k1', k1));
    expect(sivTokenize('4111111111111111', 'k1', k1)).not.toBe(sivTokenize('4111111111111112', 'k1', k1));
  });

  it('gives different tokens under different key ids', () => {
    const underK1 = sivTokenize('alice@example.com', 'k1', k1);
    const underK2 = sivTokenize('alice@example.com', 'k2', k2);

    expect(underK2).not.toBe(underK1);
    expect(underK2.slice('tok:k2:'.length)).not.toBe(underK1.slice('tok:k1:'.length));
    expect(sivDetokenize(underK1, keys)).toBe('alice@example.com');
    expect(sivDetokenize(underK2, keys)).toBe('alice@example.com');
  });

  it('never contains the value', () => {
    expect(sivTokenize('planted-secret-9f3k', 'k1', k1)).not.toContain('planted');
  });
});

describe('sivDetokenize', () => {
  const keys = testTokenKeys('k1', 'k2');
  const token = sivTokenize('alice@example.com', 'k1', tokenSubkeys(keys, 'k1').siv);

  it('rejects a token with any one character of its body changed', () => {
    const bodyStart = 'tok:k1:'.length;
    for (let i = bodyStart; i < token.length; i++) {
      const replacement = token[i] === 'A' ? 'B' : 'A';
      const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
      expect(() => sivDetokenize(tampered, keys), `position ${i}`).toThrow(TokenError);
    }
  });

  it('rejects a token relabelled with another key id, without echoing the value', () => {
    const relabelled = token.replace('tok:k1:', 'tok:k2:');

    expect(() => sivDetokenize(relabelled, keys)).toThrow(/key id "k2" failed authentication/);
    expect(() => sivDetokenize(relabelled, keys)).toThrow(TokenError);
  });

  it('rejects a token naming an unknown key id', () => {
    expect(() => sivDetokenize(token.replace('tok:k1:', 'tok:k9:'), keys)).toThrow(
      /unknown token key id "k9"/,
    );
  });

  it('rejects text that is not a whole token', () => {
    expect(() => sivDetokenize(`x ${token}`, keys)).toThrow(TokenError);
    expect(() => sivDetokenize('tok:k1:short', keys)).toThrow(TokenError);
  });
});
