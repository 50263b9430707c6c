import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalCredentialStore } from '../../../functions/adapters/local-credential-store.ts';

// Every read of the key file, counted; the file system otherwise as it is.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, readFile: vi.fn(actual.readFile) };
});

describe('createLocalCredentialStore, reading its key file', () => {
  let root: string;
  let home: string;
  const keyFileReads = () =>
    vi.mocked(fs.readFile).mock.calls.filter(([file]) => file === join(home, 'gateway-keys.json')).length;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'maskpoint-gateway-key-reads-'));
    home = join(root, '.maskpoint');
    vi.mocked(fs.readFile).mockClear();
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('finds the keys it wrote itself without reading the file back, whatever it created and revoked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), async (isRevokedAfter) => {
        rmSync(home, { recursive: true, force: true });
        const store = createLocalCredentialStore(home);
        const keys = [];
        for (const [index, isRevoked] of isRevokedAfter.entries()) {
          const key = await store.create(`key-${index}`, ['reports']);
          if (isRevoked) await store.revoke(key.name);
          keys.push({ key, isRevoked });
        }
        const readsBefore = keyFileReads();

        for (const { key, isRevoked } of keys) {
          await expect(store.find(key.accessKeyId)).resolves.toEqual(isRevoked ? undefined : key);
        }
        expect(keyFileReads()).toBe(readsBefore);
      }),
      { numRuns: 20 },
    );
  });

  it('reads the file again once another store has written it', async () => {
    const server = createLocalCredentialStore(home);
    const cli = createLocalCredentialStore(home);
    const first = await server.create('first', ['reports']);
    const readsBefore = keyFileReads();

    const second = await cli.create('second', ['reports']);
    await cli.revoke('first');

    await expect(server.find(first.accessKeyId)).resolves.toBeUndefined();
    await expect(server.find(second.accessKeyId)).resolves.toEqual(second);
    expect(keyFileReads()).toBeGreaterThan(readsBefore);
  });
});
