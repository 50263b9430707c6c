import { createHmac, hkdfSync } from 'node:crypto';
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
});
