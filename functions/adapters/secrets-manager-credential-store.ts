import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KeyringError } from '../core/errors.ts';
import type { CredentialStore, GatewayKey } from '../core/ports/credential-store.ts';
import { gatewayKeyFileSchema } from './gateway-key-file-schema.ts';
import { readSecretsManagerJson } from './secrets-manager-json.ts';

/** How often deployed gateways re-read the key registry unless told otherwise. */
export const DEFAULT_KEY_REFRESH_SECONDS = 60;

/** How often the registry is re-read. */
export interface SecretsManagerCredentialStoreOptions {
  /** @default DEFAULT_KEY_REFRESH_SECONDS - a revocation reaches every running instance within this many seconds */
  readonly refreshSeconds?: number;
}

/**
 * The gateway's key registry in one Secrets Manager secret, in the shape of the local
 * `gateway-keys.json` (`{ "keys": [{ name, accessKeyId, secretAccessKey, buckets, createdAt, revokedAt? }] }`).
 * The secret is read on first use and again once `refreshSeconds` have passed, so keys added or
 * revoked (`revokedAt` set) take effect without a redeploy. Revoked keys are never returned.
 * Concurrent lookups share one read. A failed read is not papered over with the previous copy:
 * it could still hold a revoked key.
 *
 * @throws KeyringError (from `find`) naming the secret when it cannot be read or is malformed.
 *
 * @example
 * ```ts
 * const store = createSecretsManagerCredentialStore(createSecretsManagerClient(), secretArn, { refreshSeconds: 30 });
 * const key = await store.find('MPKABCDEFGHIJKLMNOPQ');
 * ```
 */
export function createSecretsManagerCredentialStore(
  client: SecretsManagerClient,
  secretId: string,
  options: SecretsManagerCredentialStoreOptions = {},
): CredentialStore {
  const refreshMs = (options.refreshSeconds ?? DEFAULT_KEY_REFRESH_SECONDS) * 1000;
  let cached: { readAtMs: number; activeKeys: Promise<ReadonlyMap<string, GatewayKey>> } | undefined;

  async function readActiveKeys(): Promise<ReadonlyMap<string, GatewayKey>> {
    const registry = await readSecretsManagerJson(client, secretId, gatewayKeyFileSchema);
    const activeKeys = new Map<string, GatewayKey>();
    const seenIds = new Set<string>();
    for (const { revokedAt, ...key } of registry.keys) {
      if (seenIds.has(key.accessKeyId)) {
        throw new KeyringError(`secret ${secretId} lists access key id of key "${key.name}" twice`);
      }
      seenIds.add(key.accessKeyId);
      if (revokedAt === undefined) activeKeys.set(key.accessKeyId, key);
    }
    return activeKeys;
  }

  return {
    async find(accessKeyId) {
      const nowMs = Date.now();
      if (cached === undefined || nowMs - cached.readAtMs >= refreshMs) {
        const read = { readAtMs: nowMs, activeKeys: readActiveKeys() };
        cached = read;
        // A failed read is dropped at once, so the next lookup retries instead of failing for refreshSeconds.
        read.activeKeys.catch(() => {
          if (cached === read) cached = undefined;
        });
      }
      return (await cached.activeKeys).get(accessKeyId);
    },
  };
}
