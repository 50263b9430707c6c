import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import {
  TOKEN_KEY_ID_PATTERN,
  TOKEN_MASTER_KEY_BYTES,
  type TokenKeyring,
  type TokenKeys,
} from '../core/ports/token-keyring.ts';
import { readSecretsManagerJson } from './secrets-manager-json.ts';

const masterKeySchema = z.string().refine(
  (encoded) => {
    const bytes = Buffer.from(encoded, 'base64');
    return bytes.length === TOKEN_MASTER_KEY_BYTES && bytes.toString('base64') === encoded;
  },
  { message: `expected ${TOKEN_MASTER_KEY_BYTES} bytes of standard base64` },
);

const tokenKeysSecretSchema = z
  .object({
    currentKeyId: z.string(),
    keys: z.record(z.string().regex(TOKEN_KEY_ID_PATTERN, 'key ids are 1-16 of a-z, 0-9'), masterKeySchema),
  })
  .refine((secret) => Object.hasOwn(secret.keys, secret.currentKeyId), {
    message: 'must name one of the keys',
    path: ['currentKeyId'],
  });

/**
 * Token keys from a Secrets Manager secret holding
 * `{ "currentKeyId": "k1", "keys": { "k1": "<base64 of 32 bytes>" } }` (the local key file's
 * shape). Each `load()` reads the secret's current version; rotation adds a key and moves
 * `currentKeyId`, keeping old keys so earlier tokens still reverse.
 *
 * @throws KeyringError (from `load`) naming the secret when it cannot be read or is malformed.
 *
 * @example
 * ```ts
 * const keyring = createSecretsManagerTokenKeyring(createSecretsManagerClient(), process.env.MASKPOINT_TOKEN_SECRET_ARN);
 * const keys = await keyring.load();
 * ```
 */
export function createSecretsManagerTokenKeyring(
  client: SecretsManagerClient,
  secretId: string,
): TokenKeyring {
  return {
    async load(): Promise<TokenKeys> {
      const secret = await readSecretsManagerJson(client, secretId, tokenKeysSecretSchema);
      const keys = new Map<string, Uint8Array>();
      for (const [keyId, encoded] of Object.entries(secret.keys)) {
        keys.set(keyId, new Uint8Array(Buffer.from(encoded, 'base64')));
      }
      return { currentKeyId: secret.currentKeyId, keys };
    },
  };
}
