import { TokenError } from '../../errors.ts';
import { createFf1, type Ff1 } from './ff1.ts';
import { sivTokenize } from './siv-token.ts';
import type { TokenSubkeys } from './token-subkeys.ts';

/**
 * Fewest digits FF1 is used on: NIST SP 800-38G Rev. 1 requires radix^minlen >= 1,000,000,
 * so a smaller domain could be enumerated.
 */
export const FF1_MIN_DIGITS = 6;

const DIGITS_AND_SEPARATORS = /^[0-9 \-.()/+]*$/;
const SEPARATORS = /[^0-9]/g;
// Keyed by the subkey's bytes object, which `tokenSubkeys` derives once per master key.
const ciphers = new WeakMap<Uint8Array, Ff1>();

/**
 * Format-preserving token (NIST SP 800-38G FF1, radix 10, AES-256, empty tweak): the digits of
 * `value` are encrypted together and written back in place; separators ` -.()/+` stay where
 * they are, so the length and the layout are preserved (`+1 (555) 123-4567` becomes another `+d (ddd) ddd-dddd`).
 *
 * Values FF1 does not fit — any other character, or fewer than {@link FF1_MIN_DIGITS} digits —
 * fall back to the SIV token `tok:<keyId>:…`, which names its key.
 *
 * An FF1 token cannot name its key without breaking the format: a rule's tokens use the key
 * current when the rule was bound, and reversing one (`detokenizeDigits`) needs that key id.
 * FF1 tokens are not authenticated: reversing a tampered one yields other digits, not an error.
 *
 * @example
 * ```ts
 * ff1Tokenize('4111-1111-1111-1111', 'k1', tokenSubkeys(keys, 'k1')); // 'dddd-dddd-dddd-dddd'
 * ff1Tokenize('abc', 'k1', tokenSubkeys(keys, 'k1')); // 'tok:k1:…'
 * ```
 */
export function ff1Tokenize(value: string, keyId: string, subkeys: TokenSubkeys): string {
  const digits = digitsOf(value);
  if (digits === undefined) return sivTokenize(value, keyId, subkeys.siv);
  return withDigits(value, cipherFor(subkeys.ff1).encrypt(digits));
}

/**
 * The value an FF1 token stands for, given the `ff1` subkey of the key that made it.
 * Fails with `TokenError` when `token` is not digits and separators with enough digits.
 */
export function ff1Detokenize(token: string, ff1Key: Uint8Array): string {
  const digits = digitsOf(token);
  if (digits === undefined) {
    throw new TokenError(
      `not an FF1 token: expected at least ${FF1_MIN_DIGITS} digits and only digits and separators " -.()/+"`,
    );
  }
  return withDigits(token, cipherFor(ff1Key).decrypt(digits));
}

function cipherFor(ff1Key: Uint8Array): Ff1 {
  let cipher = ciphers.get(ff1Key);
  if (cipher === undefined) {
    cipher = createFf1(ff1Key);
    ciphers.set(ff1Key, cipher);
  }
  return cipher;
}

function digitsOf(value: string): string | undefined {
  if (!DIGITS_AND_SEPARATORS.test(value)) return undefined;
  const digits = value.replace(SEPARATORS, '');
  return digits.length >= FF1_MIN_DIGITS ? digits : undefined;
}

function withDigits(layout: string, digits: string): string {
  if (layout.length === digits.length) return digits;
  let next = 0;
  return layout.replace(/[0-9]/g, () => digits[next++] as string);
}
