import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalCredentialStore } from '../../../functions/adapters/local-credential-store.ts';
import { KeyringError } from '../../../functions/core/errors.ts';

describe('createLocalCredentialStore', () => {
  let root: string;
  let home: string;
  let path: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'maskpoint-gateway-keys-'));
    home = join(root, '.maskpoint');
    path = join(home, 'gateway-keys.json');
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates a key with an MPK id and a 40-character secret in a 0600 file in a 0700 directory', async () => {
    const key = await createLocalCredentialStore(home).create('reports-reader', ['reports', 'archive']);

    expect(key.name).toBe('reports-reader');
    expect(key.accessKeyId).toMatch(/^MPK[A-Z2-7]{17}$/);
    expect(key.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(key.buckets).toEqual(['reports', 'archive']);
    expect(Number.isNaN(Date.parse(key.createdAt))).toBe(false);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('finds a key by access key id, from this or another store on the same home', async () => {
    const key = await createLocalCredentialStore(home).create('reports-reader', ['reports']);

    await expect(createLocalCredentialStore(home).find(key.accessKeyId)).resolves.toEqual(key);
  });

  it('gives every key its own id and secret', async () => {
    const store = createLocalCredentialStore(home);
    const a = await store.create('a', ['reports']);
    const b = await store.create('b', ['reports']);

    expect(b.accessKeyId).not.toBe(a.accessKeyId);
    expect(b.secretAccessKey).not.toBe(a.secretAccessKey);
  });

  it('finds nothing when no key file exists yet', async () => {
    await expect(createLocalCredentialStore(home).find('MPKAAAAAAAAAAAAAAAAA')).resolves.toBeUndefined();
  });

  it('sees keys created and revoked by another process without a restart', async () => {
    const server = createLocalCredentialStore(home);
    const cli = createLocalCredentialStore(home);
    await cli.create('first', ['reports']);
    await server.find('MPKAAAAAAAAAAAAAAAAA');

    const key = await cli.create('reports-reader', ['reports']);
    await expect(server.find(key.accessKeyId)).resolves.toEqual(key);

    await cli.revoke('reports-reader');
    await expect(server.find(key.accessKeyId)).resolves.toBeUndefined();
  });

  it('keeps a revoked key in the file and in list(), with revokedAt', async () => {
    const store = createLocalCredentialStore(home);
    const key = await store.create('reports-reader', ['reports']);

    await store.revoke('reports-reader');
    await store.revoke('reports-reader');

    const [listed] = await store.list();
    expect(listed).toMatchObject({ name: 'reports-reader', accessKeyId: key.accessKeyId, isRevoked: true });
    expect(Number.isNaN(Date.parse(listed?.revokedAt ?? ''))).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8')).keys).toHaveLength(1);
  });

  it('lists keys in creation order without secrets', async () => {
    const store = createLocalCredentialStore(home);
    const a = await store.create('a', ['reports']);
    const b = await store.create('b', ['archive']);

    const listed = await store.list();

    expect(listed.map((key) => key.name)).toEqual(['a', 'b']);
    expect(listed[1]).toEqual({
      name: 'b',
      accessKeyId: b.accessKeyId,
      buckets: ['archive'],
      createdAt: b.createdAt,
      isRevoked: false,
    });
    expect(JSON.stringify(listed)).not.toContain(a.secretAccessKey);
    expect(JSON.stringify(listed)).not.toContain(b.secretAccessKey);
  });

  it('keeps every key when many are created at once', async () => {
    const store = createLocalCredentialStore(home);

    await Promise.all(
      Array.from({ length: 12 }, (_, i) => createLocalCredentialStore(home).create(`k${i}`, ['reports'])),
    );

    expect(await store.list()).toHaveLength(12);
  });

  it('rejects a duplicate name, revoked names included', async () => {
    const store = createLocalCredentialStore(home);
    await store.create('reports-reader', ['reports']);
    await store.revoke('reports-reader');

    await expect(store.create('reports-reader', ['reports'])).rejects.toThrow(/already exists/);
  });

  it('rejects names that are not kebab-case and bucket names S3 would refuse', async () => {
    const store = createLocalCredentialStore(home);

    await expect(store.create('Reports_Reader', ['reports'])).rejects.toThrow(/kebab-case/);
    await expect(store.create('reports-', ['reports'])).rejects.toThrow(/kebab-case/);
    await expect(store.create('reports', [])).rejects.toThrow(/at least one bucket/);
    await expect(store.create('reports', ['Reports'])).rejects.toThrow(/not an S3 bucket name/);
  });

  it('rejects revoking a name that does not exist', async () => {
    await expect(createLocalCredentialStore(home).revoke('nobody')).rejects.toThrow(
      /no gateway key is named "nobody"/,
    );
  });

  it('refuses a key file readable by group or others, telling the operator to chmod 600', async () => {
    const store = createLocalCredentialStore(home);
    const key = await store.create('reports-reader', ['reports']);
    chmodSync(path, 0o644);

    const error = await createLocalCredentialStore(home)
      .find(key.accessKeyId)
      .catch((e) => e);

    expect(error).toBeInstanceOf(KeyringError);
    expect(error.message).toContain(`chmod 600 ${path}`);
  });

  it('rejects an invalid key file without quoting its values', async () => {
    const store = createLocalCredentialStore(home);
    await store.create('reports-reader', ['reports']);
    const secret = 'short-secret-value';
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.keys[0].secretAccessKey = secret;
    writeFileSync(path, JSON.stringify(file), { mode: 0o600 });

    const error = await createLocalCredentialStore(home)
      .find(file.keys[0].accessKeyId)
      .catch((e) => e);

    expect(error).toBeInstanceOf(KeyringError);
    expect(error.message).toContain('keys.0.secretAccessKey');
    expect(error.message).not.toContain(secret);
  });

  it('fails when another writer holds the lock for too long', async () => {
    const store = createLocalCredentialStore(home);
    await store.create('a', ['reports']);
    writeFileSync(`${path}.lock`, '1', { mode: 0o600 });

    await expect(store.create('b', ['reports'])).rejects.toThrow(/holds .*gateway-keys\.json\.lock/);
  }, 10_000);
});
