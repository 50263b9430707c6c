import { TokenError } from '../../errors.ts';
import type { TokenKeys } from '../../ports/token-keyring.ts';
import { ff1Detokenize } from './ff1-token.ts';
import { openSivBody, SIV_MIN_BODY_CHARS, SIV_TOKEN_PATTERN, sivDetokenize } from './siv-token.ts';
import { tokenSubkeys } from './token-subkeys.ts';

/**
 * Base64url characters glued after a token (`tok:k1:…_2024`) are indistinguishable from its
 * body; when the whole run fails authentication, up to this many trailing characters are tried
 * off. Bounded so a long forged run costs a bounded number of decryptions.
 */
const MAX_GLUED_CHARS = 64;

/**
 * Replaces every SIV token (`tok:<keyId>:<base64url>`) in free text by the value it stands for.
 * Fails with `TokenError` naming the key id and offset when a key id is unknown or a token does
 * not authenticate (tampered, truncated, or made with another key).
 *
 * @example
 * ```ts
 * detokenizeText('mail tok:k1:… today', keys); // { text: 'mail alice@example.com today', count: 1 }
 * ```
 */
export function detokenizeText(text: string, keys: TokenKeys): { text: string; count: number } {
  let out = '';
  let position = 0;
  let count = 0;
  for (const match of text.matchAll(SIV_TOKEN_PATTERN)) {
    const keyId = match[1] as string;
    const body = match[2] as string;
    const bodyStart = match.index + match[0].length - body.length;
    if (!keys.keys.has(keyId)) {
      throw new TokenError(`token at offset ${match.index}: unknown key id "${keyId}"`);
    }
    const opened = openGluedBody(keyId, body, bodyStart, keys);
    if (opened === undefined) {
      throw new TokenError(
        `token at offset ${match.index} with key id "${keyId}" failed authentication (tampered or another key)`,
      );
    }
    out += text.slice(position, match.index) + opened.plaintext;
    position = opened.end;
    count++;
  }
  return { text: out + text.slice(position), count };
}

/**
 * Reverses a value tokenized by a `tokenize: { mode: ff1 }` rule. FF1 tokens do not name their
 * key, so `keyId` is the key that was current when the rule ran; a value that is a whole SIV
 * token (the fallback for short or lettered values) is reversed with the key it names.
 * Fails with `TokenError` for an unknown key id or a value that is neither kind of token.
 *
 * @example
 * ```ts
 * detokenizeDigits(ff1Token, 'k1', keys); // '4111-1111-1111-1111'
 * ```
 */
export function detokenizeDigits(value: string, keyId: string, keys: TokenKeys): string {
  if (value.startsWith('tok:')) return sivDetokenize(value, keys);
  return ff1Detokenize(value, tokenSubkeys(keys, keyId).ff1);
}

function openGluedBody(
  keyId: string,
  body: string,
  bodyStart: number,
  keys: TokenKeys,
): { plaintext: string; end: number } | undefined {
  const shortest = Math.max(SIV_MIN_BODY_CHARS, body.length - MAX_GLUED_CHARS);
  for (let length = body.length; length >= shortest; length--) {
    // Unpadded base64 never has a length of 1 mod 4.
    if (length % 4 === 1) continue;
    const plaintext = openSivBody(keyId, body.slice(0, length), keys);
    if (plaintext !== undefined) return { plaintext, end: bodyStart + length };
  }
  return undefined;
}
