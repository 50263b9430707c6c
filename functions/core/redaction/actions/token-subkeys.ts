import { hkdfSync } from 'node:crypto';
import { KeyringError, TokenError } from '../../errors.ts';
import { TOKEN_MASTER_KEY_BYTES, type TokenKeys } from '../../ports/token-keyring.ts';

/** Keys derived from one master key, one per purpose, so no key is used by two algorithms. */
export interface TokenSubkeys {
  /** 32 bytes, HMAC-SHA256 for `hash`. */
  readonly hmac: Uint8Array;
  /** 64 bytes, AES-SIV (RFC 5297): an AES-256 key for S2V and one for CTR. */
  readonly siv: Uint8Array;
  /** 32 bytes, AES-256 for FF1. */
  readonly ff1: Uint8Array;
}

// Keyed by the master key's bytes object: a keyring is loaded once and its keys reused for every
// value and every detokenized token, so derivation runs once per master key.
const derived = new WeakMap<Uint8Array, TokenSubkeys>();

/**
 * The subkeys of key `keyId`, derived with HKDF-SHA256 (`info` = `maskpoint/<purpose>`).
 * Fails with `TokenError` when the keyring has no such key id.
 */
export function tokenSubkeys(keys: TokenKeys, keyId: string): TokenSubkeys {
  const master = keys.keys.get(keyId);
  if (master === undefined) throw new TokenError(`unknown token key id "${keyId}"`);
  let subkeys = derived.get(master);
  if (subkeys === undefined) {
    if (master.length !== TOKEN_MASTER_KEY_BYTES) {
      throw new KeyringError(
        `token key "${keyId}" is ${master.length} bytes; master keys are ${TOKEN_MASTER_KEY_BYTES} bytes`,
      );
    }
    subkeys = {
      hmac: derive(master, 'hmac', 32),
      siv: derive(master, 'aes-siv', 64),
      ff1: derive(master, 'ff1', 32),
    };
    derived.set(master, subkeys);
  }
  return subkeys;
}

function derive(master: Uint8Array, purpose: string, bytes: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', master, new Uint8Array(0), `maskpoint/${purpose}`, bytes));
}
