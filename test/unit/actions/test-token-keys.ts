import type { TokenKeys } from '../../../functions/core/ports/token-keyring.ts';

/** Fixed, distinct 32-byte master keys for the given ids; the last id is current. */
export function testTokenKeys(...keyIds: [string, ...string[]]): TokenKeys {
  const keys = new Map<string, Uint8Array>();
  keyIds.forEach((keyId, index) => {
    keys.set(
      keyId,
      Uint8Array.from({ length: 32 }, (_, byte) => (byte * 7 + index * 31 + 1) & 0xff),
    );
  });
  return { currentKeyId: keyIds[keyIds.length - 1] as string, keys };
}

export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
