import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import type { z } from 'zod';
import { KeyringError } from '../core/errors.ts';
import { AWS_CLIENT_TIMEOUTS } from './aws-client-timeouts.ts';

/**
 * The Secrets Manager client for key registries and signing keys, every call bounded by
 * `AWS_CLIENT_TIMEOUTS`. `config` adds to or overrides those settings (region, endpoint).
 */
export function createSecretsManagerClient(config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({ ...AWS_CLIENT_TIMEOUTS, ...config });
}

/**
 * Reads the current version of a Secrets Manager secret holding JSON (as `SecretString`, or UTF-8
 * `SecretBinary`) and validates it with `schema`. Errors name the secret, the field and the rule
 * broken, never a value: every value here is key material.
 *
 * @throws KeyringError when the secret cannot be read, is not JSON or does not match the schema.
 */
export async function readSecretsManagerJson<T>(
  client: SecretsManagerClient,
  secretId: string,
  schema: z.ZodType<T>,
): Promise<T> {
  let text: string | undefined;
  try {
    const secret = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = secret.SecretString ?? (secret.SecretBinary && Buffer.from(secret.SecretBinary).toString('utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown error';
    throw new KeyringError(`cannot read secret ${secretId} (${reason})`, { cause: error });
  }
  if (text === undefined) throw new KeyringError(`secret ${secretId} has no value`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error: key material, so it is dropped.
    throw new KeyringError(`secret ${secretId} is not valid JSON`);
  }
  const result = schema.safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new KeyringError(`secret ${secretId} is invalid:\n${problems.join('\n')}`);
  }
  return result.data;
}
