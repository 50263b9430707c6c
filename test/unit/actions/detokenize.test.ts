import { describe, expect, it } from 'vitest';
import { TokenError } from '../../../functions/core/errors.ts';
import { detokenizeText } from '../../../functions/core/redaction/actions/detokenize.ts';
import { sivTokenize } from '../../../functions/core/redaction/actions/siv-token.ts';
import { tokenSubkeys } from '../../../functions/core/redaction/actions/token-subkeys.ts';
import { testTokenKeys } from './test-token-keys.ts';

const keys = testTokenKeys('k1', 'k2');
const tokenize = (value: string, keyId = 'k1') => sivTokenize(value, keyId, tokenSubkeys(keys, keyId).siv);

describe('detokenizeText', () => {
  it('replaces every token in free text and counts them', () => {
    const text = `from ${tokenize('alice@example.com')} to ${tokenize('bob@example.com', 'k2')}, cc ${tokenize('Zoë')}\n`;

    expect(detokenizeText(text, keys)).toEqual({
      text: 'from alice@example.com to bob@example.com, cc Zoë\n',
      count: 3,
    });
  });

  it('leaves text without tokens unchanged', () => {
    expect(detokenizeText('no tokens here, tok:k1:short', keys)).toEqual({
      text: 'no tokens here, tok:k1:short',
      count: 0,
    });
  });

  it('reverses a token made with a rotated-out key', () => {
    const old = tokenize('alice@example.com', 'k1');

    expect(keys.currentKeyId).toBe('k2');
    expect(detokenizeText(`[${old}]`, keys).text).toBe('[alice@example.com]');
  });

  it('finds the end of a token followed by base64url characters', () => {
    const text = `${tokenize('alice')}_2024-05 ${tokenize('bob')}-x`;

    expect(detokenizeText(text, keys)).toEqual({ text: 'alice_2024-05 bob-x', count: 2 });
  });

  it('rejects a tampered token, naming key id and offset but not the value', () => {
    const token = tokenize('alice@example.com');
    const middle = 12;
    const tampered = token.slice(0, middle) + (token[middle] === 'A' ? 'B' : 'A') + token.slice(middle + 1);
    const run = () => detokenizeText(`mail: ${tampered}`, keys);

    expect(run).toThrow(TokenError);
    expect(run).toThrow('token at offset 6 with key id "k1" failed authentication');
    expect(run).not.toThrow(/alice/);
  });

  it('rejects a token with an unknown key id', () => {
    const token = tokenize('alice').replace('tok:k1:', 'tok:k9:');

    expect(() => detokenizeText(`x ${token}`, keys)).toThrow('token at offset 2: unknown key id "k9"');
  });
});
