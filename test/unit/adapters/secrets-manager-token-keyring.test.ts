import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretsManagerTokenKeyring } from '../../../functions/adapters/secrets-manager-token-keyring.ts';
import { KeyringError } from '../../../functions/core/errors.ts';

const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:maskpoint/token-keys-AbCdEf';
const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');

const secretsManager = mockClient(SecretsManagerClient);

function keyringWith(secretString: string) {
  secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: secretString });
  return createSecretsManagerTokenKeyring(new SecretsManagerClient({}), SECRET_ID);
}

describe('createSecretsManagerTokenKeyring', () => {
  afterEach(() => {
    secretsManager.reset();
  });

  it('loads every key and the current key id from the secret', async () => {
    const keyring = keyringWith(JSON.stringify({ currentKeyId: 'k2', keys: { k1: K1, k2: K2 } }));

    const keys = await keyring.load();

    expect(keys.currentKeyId).toBe('k2');
    expect([...keys.keys.keys()]).toEqual(['k1', 'k2']);
    expect(keys.keys.get('k2')).toEqual(new Uint8Array(32).fill(2));
  });

  it('reads a secret stored as binary', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretBinary: new TextEncoder().encode(JSON.stringify({ currentKeyId: 'k1', keys: { k1: K1 } })),
    });
    const keys = await createSecretsManagerTokenKeyring(new SecretsManagerClient({}), SECRET_ID).load();
    expect(keys.keys.get('k1')).toHaveLength(32);
  });

  it('rejects a secret that is not JSON, naming the secret and not its content', async () => {
    const keyring = keyringWith(`{"currentKeyId":"k1","keys":{"k1":"${K1}"`);

    const error = await keyring.load().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KeyringError);
    expect((error as Error).message).toBe(`secret ${SECRET_ID} is not valid JSON`);
    expect((error as Error).message).not.toContain(K1);
  });

  it('rejects a key that is not 32 bytes of base64, naming the key id and not the material', async () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const keyring = keyringWith(JSON.stringify({ currentKeyId: 'k1', keys: { k1: short } }));

    const error = await keyring.load().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KeyringError);
    expect((error as Error).message).toContain(SECRET_ID);
    expect((error as Error).message).toContain('keys.k1: expected 32 bytes of standard base64');
    expect((error as Error).message).not.toContain(short);
  });

  it('rejects a current key id that names no key', async () => {
    const keyring = keyringWith(JSON.stringify({ currentKeyId: 'k9', keys: { k1: K1 } }));
    await expect(keyring.load()).rejects.toThrow(/currentKeyId: must name one of the keys/);
  });

  it('rejects a key id outside a-z0-9', async () => {
    const keyring = keyringWith(JSON.stringify({ currentKeyId: 'K1', keys: { K1: K1 } }));
    await expect(keyring.load()).rejects.toThrow(KeyringError);
  });

  it('rejects with the error type when the secret cannot be read', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const keyring = createSecretsManagerTokenKeyring(new SecretsManagerClient({}), SECRET_ID);

    await expect(keyring.load()).rejects.toThrow(
      new KeyringError(`cannot read secret ${SECRET_ID} (AccessDeniedException)`),
    );
  });
});
