import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretsManagerCredentialStore } from '../../../functions/adapters/secrets-manager-credential-store.ts';
import { createSecretsManagerKeyRegistry } from '../../../functions/adapters/secrets-manager-key-registry.ts';
import { KeyringError } from '../../../functions/core/errors.ts';

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:maskpoint-gateway-keys-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);

/**
 * A fake secret: `GetSecretValue` answers the current version, `PutSecretValue` makes a new one.
 * `afterPut` runs after each write, as a concurrent writer would.
 */
function fakeSecret(initial: string, afterPut: (secret: FakeSecret) => void = () => {}): FakeSecret {
  const secret = { value: initial, puts: 0 };
  secretsManager.on(GetSecretValueCommand).callsFake(() => ({ SecretString: secret.value }));
  secretsManager.on(PutSecretValueCommand).callsFake((input: { SecretString: string }) => {
    secret.value = input.SecretString;
    secret.puts += 1;
    afterPut(secret);
    return { VersionId: `v${secret.puts + 1}` };
  });
  return secret;
}

interface FakeSecret {
  value: string;
  puts: number;
}

const OTHER_WRITERS_KEY = {
  name: 'other-writer',
  accessKeyId: 'MPKZZZZZZZZZZZZZZZZZ',
  secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3Jl',
  buckets: ['reports'],
  createdAt: '2026-01-01T00:00:00.000Z',
};

function registry() {
  return createSecretsManagerKeyRegistry(new SecretsManagerClient({}), SECRET_ID, { retryDelayMs: 0 });
}

describe('createSecretsManagerKeyRegistry', () => {
  beforeEach(() => secretsManager.reset());
  afterEach(() => secretsManager.reset());

  it('creates a key in the stack-initialized secret that the gateway store then finds', async () => {
    const secret = fakeSecret('{"keys":[]}');

    const key = await registry().create('reports-reader', ['reports']);

    expect(key).toMatchObject({ name: 'reports-reader', buckets: ['reports'] });
    expect(JSON.parse(secret.value).keys).toEqual([{ ...key }]);
    const store = createSecretsManagerCredentialStore(new SecretsManagerClient({}), SECRET_ID);
    await expect(store.find(key.accessKeyId)).resolves.toEqual(key);
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretId).toBe(SECRET_ID);
  });

  it('keeps the keys already in the secret when creating another', async () => {
    const secret = fakeSecret('{"keys":[]}');
    const first = await registry().create('a', ['reports']);

    const second = await registry().create('b', ['archive']);

    expect(JSON.parse(secret.value).keys.map((key: { accessKeyId: string }) => key.accessKeyId)).toEqual([
      first.accessKeyId,
      second.accessKeyId,
    ]);
  });

  it('lists keys without their secrets', async () => {
    fakeSecret('{"keys":[]}');
    const key = await registry().create('reports-reader', ['reports']);

    const listed = await registry().list();

    expect(listed).toEqual([
      {
        name: 'reports-reader',
        accessKeyId: key.accessKeyId,
        buckets: ['reports'],
        createdAt: key.createdAt,
        isRevoked: false,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(key.secretAccessKey);
  });

  it('revokes a key by keeping its entry with revokedAt, so the gateway store stops finding it', async () => {
    const secret = fakeSecret('{"keys":[]}');
    const key = await registry().create('reports-reader', ['reports']);

    await registry().revoke('reports-reader');

    const [stored] = JSON.parse(secret.value).keys;
    expect(stored).toMatchObject({ name: 'reports-reader', secretAccessKey: key.secretAccessKey });
    expect(stored.revokedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await expect(registry().list()).resolves.toMatchObject([
      { isRevoked: true, revokedAt: stored.revokedAt },
    ]);
    const store = createSecretsManagerCredentialStore(new SecretsManagerClient({}), SECRET_ID);
    await expect(store.find(key.accessKeyId)).resolves.toBeUndefined();
  });

  it('does not write when revoking a key that is already revoked', async () => {
    fakeSecret('{"keys":[]}');
    await registry().create('a', ['reports']);
    await registry().revoke('a');
    secretsManager.resetHistory();

    await registry().revoke('a');

    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('detects a write lost to a concurrent writer and makes the change again on top of theirs', async () => {
    const theirs = JSON.stringify({ keys: [OTHER_WRITERS_KEY] });
    const secret = fakeSecret('{"keys":[]}', (secret) => {
      // Another `keys create` read the empty registry before our first write and lands just after it.
      if (secret.puts === 1) secret.value = theirs;
    });

    const key = await registry().create('reports-reader', ['reports']);

    expect(JSON.parse(secret.value).keys).toEqual([OTHER_WRITERS_KEY, { ...key }]);
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(2);
  });

  it('fails with a clear message when every write is lost, after a bounded number of attempts', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"keys":[]}' });
    secretsManager.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
    const limited = createSecretsManagerKeyRegistry(new SecretsManagerClient({}), SECRET_ID, {
      maxAttempts: 3,
      retryDelayMs: 0,
    });

    const error = await limited.create('reports-reader', ['reports']).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KeyringError);
    expect((error as Error).message).toMatch(
      /secret arn:aws:secretsmanager:.* was replaced by another writer after each of 3 writes.*run the command again/,
    );
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(3);
  });

  it('rejects a name already taken, revoked names included, without writing', async () => {
    fakeSecret('{"keys":[]}');
    await registry().create('a', ['reports']);
    await registry().revoke('a');
    secretsManager.resetHistory();

    await expect(registry().create('a', ['reports'])).rejects.toThrow(/already exists/);
    await expect(registry().revoke('missing')).rejects.toThrow(/no gateway key is named "missing"/);
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('fails naming the secret and the AWS error when the write is refused, never a secret value', async () => {
    fakeSecret('{"keys":[]}');
    secretsManager
      .on(PutSecretValueCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));

    const error = await registry()
      .create('a', ['reports'])
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KeyringError);
    expect((error as Error).message).toBe(`cannot write secret ${SECRET_ID} (AccessDeniedException)`);
  });
});
