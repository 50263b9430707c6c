import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { TokenKeyring } from '../core/ports/token-keyring.ts';
import { createLocalCredentialStore } from './local-credential-store.ts';
import { createLocalTokenKeyring } from './local-token-keyring.ts';
import { resolveMaskpointHome } from './maskpoint-home.ts';

/**
 * Token keys for a function: the Secrets Manager secret named by `MASKPOINT_TOKEN_KEYS_SECRET_ARN`
 * (deployed stacks set it), else the local key file in `$MASKPOINT_HOME`. The Secrets Manager
 * client is loaded only when the secret is named: a local `serve` or `redact` starts without it.
 */
export async function tokenKeyringFromEnv(env: NodeJS.ProcessEnv): Promise<TokenKeyring> {
  const secretId = env.MASKPOINT_TOKEN_KEYS_SECRET_ARN;
  if (!secretId) return createLocalTokenKeyring(resolveMaskpointHome(env));
  const [{ createSecretsManagerTokenKeyring }, { createSecretsManagerClient }] = await Promise.all([
    import('./secrets-manager-token-keyring.ts'),
    import('./secrets-manager-json.ts'),
  ]);
  return createSecretsManagerTokenKeyring(createSecretsManagerClient(), secretId);
}

/**
 * Gateway keys for a function: the Secrets Manager secret named by
 * `MASKPOINT_GATEWAY_KEYS_SECRET_ARN`, else the local key file in `$MASKPOINT_HOME` (the
 * Secrets Manager client loaded only when the secret is named).
 */
export async function credentialStoreFromEnv(env: NodeJS.ProcessEnv): Promise<CredentialStore> {
  const secretId = env.MASKPOINT_GATEWAY_KEYS_SECRET_ARN;
  if (!secretId) return createLocalCredentialStore(resolveMaskpointHome(env));
  const [{ createSecretsManagerCredentialStore }, { createSecretsManagerClient }] = await Promise.all([
    import('./secrets-manager-credential-store.ts'),
    import('./secrets-manager-json.ts'),
  ]);
  return createSecretsManagerCredentialStore(createSecretsManagerClient(), secretId);
}
