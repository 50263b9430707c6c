import { createHmac, createSecretKey } from 'node:crypto';
import type { ValueAction } from '../redactor.ts';
import type { Action } from '../rule-schema.ts';

/** The `hash` action as configured in a rule file (defaults applied). */
export type HashAction = Extract<Action, { type: 'hash' }>;

/**
 * One-way keyed pseudonym: HMAC-SHA256 of the UTF-8 value, first `bytes` bytes as lowercase hex.
 * Equal values give equal hashes under one key; without the key they cannot be guessed by
 * hashing candidates.
 *
 * @param hmacKey - the `hmac` subkey of the current token key (see `tokenSubkeys`)
 * @example
 * ```ts
 * hashAction({ type: 'hash', bytes: 8 }, tokenSubkeys(keys, 'k1').hmac)('alice'); // 16 hex digits
 * ```
 */
export function hashAction(action: HashAction, hmacKey: Uint8Array): ValueAction {
  const key = createSecretKey(hmacKey);
  return (value) =>
    createHmac('sha256', key).update(value, 'utf8').digest().subarray(0, action.bytes).toString('hex');
}
