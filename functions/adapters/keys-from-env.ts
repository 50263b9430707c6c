import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { TokenKeyring } from '../core/ports/token-keyring.ts';
import { createLocalCredentialStore } from './local-credential-store.ts';
import { createLocalTokenKeyring } from './local-token-keyring.ts';
import { resolveMaskpointHome } from './maskpoint-home.ts';
import { createSecretsManagerCredentialStore } from './secrets-manager-credential-store.ts';
import { createSecretsManagerClient } from './secrets-manager-json.ts';
import { createSecretsManagerTokenKeyring } from './secrets-manager-token-keyring.ts';

/**
 * Token keys for a function: the Secrets Manager secret named by `MASKPOINT_TOKEN_KEYS_SECRET_ARN`
 * (deployed stacks set it), else the local key file in `$MASKPOINT_HOME`.
 */
export function tokenKeyringFromEnv(env: NodeJS.ProcessEnv): TokenKeyring {
  const secretId = env.MASKPOINT_TOKEN_KEYS_SECRET_ARN;
  return secretId
    ? createSecretsManagerTokenKeyring(createSecretsManagerClient(), secretId)
    : createLocalTokenKeyring(resolveMaskpointHome(env));
}

/**
 * Gateway keys for a function: the Secrets Manager secret named by
 * `MASKPOINT_GATEWAY_KEYS_SECRET_ARN`, else the local key file in `$MASKPOINT_HOME`.
 */
export function credentialStoreFromEnv(env: NodeJS.ProcessEnv): CredentialStore {
  const secretId = env.MASKPOINT_GATEWAY_KEYS_SECRET_ARN;
  return secretId
    ? createSecretsManagerCredentialStore(createSecretsManagerClient(), secretId)
    : createLocalCredentialStore(resolveMaskpointHome(env));
}
