import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSecretsManagerCredentialStore } from '../../../functions/adapters/secrets-manager-credential-store.ts';
import { KeyringError } from '../../../functions/core/errors.ts';

const SECRET_ID = 'maskpoint/gateway-keys';
const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3Jl';

function storedKey(name: string, accessKeyId: string, revokedAt?: string) {
  return {
    name,
    accessKeyId,
    secretAccessKey: SECRET,
    buckets: ['reports'],
    createdAt: '2026-01-01T00:00:00.000Z',
    ...(revokedAt === undefined ? {} : { revokedAt }),
  };
}

const PARTNER_ID = 'MPKAAAAAAAAAAAAAAAAA';
const OTHER_ID = 'MPKBBBBBBBBBBBBBBBBB';
const secretsManager = mockClient(SecretsManagerClient);

function serve(keys: unknown[]): void {
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ keys }) });
}

describe('createSecretsManagerCredentialStore', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T00:00:00Z'));
  });

  afterEach(() => {
    vi.useRealTimers();
    secretsManager.reset();
  });

  it('finds an active key by access key id', async () => {
    serve([storedKey('partner-a', PARTNER_ID)]);
    const store = createSecretsManagerCredentialStore(new SecretsManagerClient({}), SECRET_ID);

    await expect(store.find(PARTNER_ID)).resolves.toEqual({
      name: 'partner-a',
      accessKeyId: PARTNER_ID,
      secretAccessKey: SECRET,
      buckets: ['reports'],
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await expect(store.find(OTHER_ID)).resolves.toBeUndefined();
  });

  it('ignores revoked keys', async () => {
    serve([storedKey('partner-a', PARTNER_ID, '2026-02-01T00:00:00.000Z')]);
    const store = createSecretsManagerCredentialStore(new SecretsManagerClient({}), SECRET_ID);

    await expect(store.find(PARTNER_ID)).resolves.toBeUndefined();
  });

  it('reads the secret once per refresh period, sharing one read between concurrent lookups', async () => {
    serve([storedKey('partner-a', PARTNER_ID)]);
    const store = createSecretsManagerCredentialStore(new SecretsManagerClient({}), SECRET_ID, {
      refreshSeconds: 30,
    });

    await Promise.all([store.find(PARTNER_ID), store.find(PARTNER_ID), store.find(OTHER_ID)]);
    vi.advanceTimersByTime(29_000);
    await store.find(PARTNER_ID);

    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('stops returning a key revoked in the secret after the refresh period', async () => {
    serve([storedKey('partner-a', PARTNER_ID)]);
    const store = createSecretsManagerCredentialStore(new SecretsManagerClient({}), SECRET_ID, {
      refreshSeconds: 60,
    });
    await expect(store.find(PARTNER_ID)).resolves.toBeDefined();

    serve([storedKey('partner-a', PARTNER_ID, '2026-06-01T00:00:10.000Z'), storedKey('partner-b', OTHER_ID)]);
    vi.advanceTimersByTime(30_000);
    await expect(store.find(PARTNER_ID)).resolves.toBeDefined();
    vi.advanceTimersByTime(30_000);

    await expect(store.find(PARTNER_ID)).resolves.toBeUndefined();
    await expect(store.find(OTHER_ID)).resolves.toMatchObject({ name: 'partner-b' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('rejects a malformed registry naming the secret and the field, never the secret value', async () => {
    serve([{ ...storedKey('partner-a', PARTNER_ID), secretAccessKey: 'short-secret' }]);
    const store = createSecretsManagerCredentialStore(new SecretsManagerClient({}), SECRET_ID);

    const error = await store.find(PARTNER_ID).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KeyringError);
    expect((error as Error).message).toContain(`secret ${SECRET_ID} is invalid`);
    expect((error as Error).message).toContain('keys.0.secretAccessKey');
    expect((error as Error).message).not.toContain('short-secret');
  });

  it('rejects a registry listing one access key id twice', async () => {
    serve([
      storedKey('partner-a', PARTNER_ID, '2026-02-01T00:00:00.000Z'),
      storedKey('partner-b', PARTNER_ID),
    ]);
    const store = createSecretsManagerCredentialStore(new SecretsManagerClient({}), SECRET_ID);

    await expect(store.find(PARTNER_ID)).rejects.toThrow(KeyringError);
  });

  it('fails closed when a refresh fails, and retries on the next lookup', async () => {
    serve([storedKey('partner-a', PARTNER_ID)]);
    const store = createSecretsManagerCredentialStore(new SecretsManagerClient({}), SECRET_ID, {
      refreshSeconds: 1,
    });
    await store.find(PARTNER_ID);
    vi.advanceTimersByTime(1_000);
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    await expect(store.find(PARTNER_ID)).rejects.toThrow(
      /cannot read secret maskpoint\/gateway-keys \(ThrottlingException\)/,
    );

    serve([storedKey('partner-a', PARTNER_ID)]);
    await expect(store.find(PARTNER_ID)).resolves.toBeDefined();
  });
});
