import { setTimeout as sleep } from 'node:timers/promises';
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KeyringError } from '../core/errors.ts';
import { type GatewayKeyFile, gatewayKeyFileSchema } from './gateway-key-file-schema.ts';
import {
  addGatewayKey,
  type GatewayKeyRegistry,
  issueGatewayKey,
  revokeGatewayKey,
  summarizeGatewayKeys,
} from './local-credential-store.ts';
import { readSecretsManagerJson } from './secrets-manager-json.ts';

/** How hard a change is pushed through concurrent writers. */
export interface SecretsManagerKeyRegistryOptions {
  /** @default 5 - writes tried before giving up while other writers keep replacing this one's */
  readonly maxAttempts?: number;
  /** @default 200 - pause before the second attempt, doubled for each further one, with jitter */
  readonly retryDelayMs?: number;
}

/**
 * `maskpoint keys` against a deployed stack: the gateway key registry in one Secrets Manager
 * secret, in the local file's shape (`gatewayKeyFileSchema`; the stack starts it as `{"keys":[]}`).
 * Running gateways see a change when they next re-read the secret (every 60 s by default).
 *
 * Secrets Manager has no compare-and-swap, so each change is read → modify → `PutSecretValue` →
 * re-read `AWSCURRENT` and check the change is there. When another writer's version replaced
 * this one in between, the change is made again on top of theirs, up to `maxAttempts` times.
 * Remaining race: a writer that read the secret before this change was written and writes after
 * this command checked it replaces the change, and neither notices (each checks only its own).
 * The window is about one Secrets Manager round trip; `maskpoint keys list` shows what stuck.
 *
 * Errors name the secret and never a secret value.
 *
 * @example
 * ```ts
 * const registry = createSecretsManagerKeyRegistry(createSecretsManagerClient(), secretArn);
 * const key = await registry.create('reports-reader', ['reports']);
 * await registry.revoke('reports-reader');
 * ```
 */
export function createSecretsManagerKeyRegistry(
  client: SecretsManagerClient,
  secretId: string,
  options: SecretsManagerKeyRegistryOptions = {},
): GatewayKeyRegistry {
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;

  function read(): Promise<GatewayKeyFile> {
    return readSecretsManagerJson(client, secretId, gatewayKeyFileSchema);
  }

  async function write(file: GatewayKeyFile): Promise<void> {
    try {
      await client.send(
        new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(file) }),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown error';
      throw new KeyringError(`cannot write secret ${secretId} (${reason})`, { cause: error });
    }
  }

  /** Applies a change until the current version shows it; `isApplied` recognizes it in any version. */
  async function update(
    isApplied: (file: GatewayKeyFile) => boolean,
    apply: (file: GatewayKeyFile) => GatewayKeyFile,
  ): Promise<void> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // Jitter keeps two retrying writers from colliding again in lockstep.
      if (attempt > 1) await sleep(retryDelayMs * 2 ** (attempt - 2) * (0.5 + Math.random()));
      const current = await read();
      if (isApplied(current)) return;
      await write(apply(current));
      if (isApplied(await read())) return;
    }
    throw new KeyringError(
      `secret ${secretId} was replaced by another writer after each of ${maxAttempts} writes, so its current version lacks this change; run the command again`,
    );
  }

  return {
    async create(name, buckets) {
      const key = issueGatewayKey(name, buckets);
      await update(
        (file) => file.keys.some((stored) => stored.accessKeyId === key.accessKeyId),
        (file) => addGatewayKey(file, key),
      );
      return key;
    },

    async list() {
      return summarizeGatewayKeys(await read());
    },

    async revoke(name) {
      const revokedAt = new Date().toISOString();
      await update(
        (file) => file.keys.find((stored) => stored.name === name)?.revokedAt !== undefined,
        (file) => revokeGatewayKey(file, name, revokedAt),
      );
    },
  };
}
