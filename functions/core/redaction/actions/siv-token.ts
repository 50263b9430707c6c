import { TokenError } from '../../errors.ts';
import type { TokenKeys } from '../../ports/token-keyring.ts';
import { type AesSiv, createAesSiv } from './aes-siv.ts';
import { tokenSubkeys } from './token-subkeys.ts';

/** Shortest token body: base64url of the 16-byte SIV tag alone (empty plaintext). */
export const SIV_MIN_BODY_CHARS = 22;

/**
 * SIV tokens in free text: `tok:<keyId>:<body>`, the body being base64url without padding of
 * the SIV tag and ciphertext. Global: use with `matchAll`/`replace`, which do not share state.
 */
export const SIV_TOKEN_PATTERN = new RegExp(
  `tok:([a-z0-9]{1,16}):([A-Za-z0-9_-]{${SIV_MIN_BODY_CHARS},})`,
  'g',
);

const WHOLE_TOKEN = new RegExp(`^${SIV_TOKEN_PATTERN.source}$`);
// Keyed by the subkey's bytes object, which `tokenSubkeys` derives once per master key.
const ciphers = new WeakMap<Uint8Array, AesSiv>();

/**
 * Deterministic, authenticated token for `value` with AES-SIV (RFC 5297), no nonce and no
 * associated data, so equal values under one key give equal tokens (joins still work on them).
 *
 * @param sivKey - the 64-byte `siv` subkey of key `keyId` (see `tokenSubkeys`)
 * @example
 * ```ts
 * sivTokenize('alice@example.com', 'k1', tokenSubkeys(keys, 'k1').siv); // 'tok:k1:…'
 * ```
 */
export function sivTokenize(value: string, keyId: string, sivKey: Uint8Array): string {
  const sealed = cipherFor(sivKey).encrypt(Buffer.from(value, 'utf8'));
  return `tok:${keyId}:${sealed.toString('base64url')}`;
}

/**
 * The value a whole SIV token stands for, with the key its token names.
 * Fails with `TokenError` for a malformed token, an unknown key id or a tampered token.
 *
 * @example
 * ```ts
 * sivDetokenize('tok:k1:…', keys); // 'alice@example.com'
 * ```
 */
export function sivDetokenize(token: string, keys: TokenKeys): string {
  const match = WHOLE_TOKEN.exec(token);
  if (match === null) throw new TokenError('not a SIV token: expected "tok:<keyId>:<base64url>"');
  const plaintext = openSivBody(match[1] as string, match[2] as string, keys);
  if (plaintext === undefined) {
    throw new TokenError(
      `SIV token for key id "${match[1]}" failed authentication (tampered or another key)`,
    );
  }
  return plaintext;
}

/**
 * Decrypts a token body; `undefined` when it is not canonical base64url or fails authentication.
 * Fails with `TokenError` when the key id is unknown.
 */
export function openSivBody(keyId: string, body: string, keys: TokenKeys): string | undefined {
  const { siv } = tokenSubkeys(keys, keyId);
  const sealed = Buffer.from(body, 'base64url');
  // Buffer ignores unused trailing bits; re-encoding makes every character of the body count.
  if (sealed.toString('base64url') !== body) return undefined;
  return cipherFor(siv).decrypt(sealed)?.toString('utf8');
}

function cipherFor(sivKey: Uint8Array): AesSiv {
  let cipher = ciphers.get(sivKey);
  if (cipher === undefined) {
    cipher = createAesSiv(sivKey);
    ciphers.set(sivKey, cipher);
  }
  return cipher;
}
