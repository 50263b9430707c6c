import { KeyringError } from '../../errors.ts';
import type { TokenKeys } from '../../ports/token-keyring.ts';
import type { ValueAction } from '../redactor.ts';
import type { Action } from '../rule-schema.ts';
import { ff1Tokenize } from './ff1-token.ts';
import { hashAction } from './hash-action.ts';
import { maskAction } from './mask-action.ts';
import { memoizeValueAction } from './memoize-value-action.ts';
import { redactAction } from './redact-action.ts';
import { sivTokenize } from './siv-token.ts';
import { type TokenSubkeys, tokenSubkeys } from './token-subkeys.ts';

/**
 * Binds a rule's action to its label and keys, once per rule set: subkeys are derived here,
 * not per value. `hash` and `tokenize` use `keys.currentKeyId` and remember recent results
 * (see `memoizeValueAction`).
 * Fails with `KeyringError` when a keyed action's current key id has no key.
 *
 * @example
 * ```ts
 * const apply = bindAction({ type: 'tokenize', mode: 'siv' }, { id: 'email', label: 'EMAIL' }, keys);
 * apply('alice@example.com'); // 'tok:k1:…'
 * bindAction({ type: 'drop' }, rule, keys)('x'); // undefined
 * ```
 */
export function bindAction(
  action: Action,
  rule: { id: string; label: string },
  keys: TokenKeys,
): ValueAction {
  switch (action.type) {
    case 'redact':
      return redactAction(action, rule);
    case 'mask':
      return maskAction(action);
    case 'hash':
      return memoizeValueAction(hashAction(action, currentSubkeys(rule.id, keys).hmac));
    case 'tokenize': {
      const keyId = keys.currentKeyId;
      const subkeys = currentSubkeys(rule.id, keys);
      return memoizeValueAction(
        action.mode === 'ff1'
          ? (value) => ff1Tokenize(value, keyId, subkeys)
          : (value) => sivTokenize(value, keyId, subkeys.siv),
      );
    }
    case 'drop':
      return () => undefined;
    case 'keep':
      return (value) => value;
  }
}

function currentSubkeys(ruleId: string, keys: TokenKeys): TokenSubkeys {
  if (!keys.keys.has(keys.currentKeyId)) {
    throw new KeyringError(`rule "${ruleId}": current token key id "${keys.currentKeyId}" has no key`);
  }
  return tokenSubkeys(keys, keys.currentKeyId);
}
