import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalViewStore } from '../../../functions/adapters/local-view-store.ts';
import { InvalidRangeError } from '../../../functions/core/errors.ts';
import type { ViewMetadata, ViewStore } from '../../../functions/core/ports/view-store.ts';
import { objectViewsPrefix, viewId } from '../../../functions/core/views/view-id.ts';

function idOf(key: string, etag = '"e1"'): string {
  return viewId({
    bucket: 'data',
    key,
    sourceEtag: etag,
    ruleSetName: 'pii',
    ruleSetVersion: 'v1',
    tokenKeyIds: ['k1'],
  });
}

function metadataOf(bytes: Uint8Array): ViewMetadata {
  return {
    redactedBytes: bytes.byteLength,
    md5: createHash('md5').update(bytes).digest('hex'),
    counts: { email: 2, 'us-ssn': 1 },
    createdAt: new Date('2026-05-01T10:00:00.000Z'),
    format: 'csv',
    contentType: 'text/csv',
    contentEncoding: undefined,
    sourceLastModified: new Date('2026-04-30T09:00:00.000Z'),
  };
}

async function put(store: ViewStore, id: string, bytes: Uint8Array, chunkBytes = 1000): Promise<void> {
  const writer = await store.create(id);
  for (let offset = 0; offset < bytes.byteLength; offset += chunkBytes) {
    await writer.write(bytes.subarray(offset, offset + chunkBytes));
  }
  await writer.commit(metadataOf(bytes));
}

async function collect(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer | undefined> {
  if (body === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Byte-for-byte equality; `toEqual` walks large buffers element by element. */
function expectSameBytes(actual: Buffer | undefined, expected: Uint8Array): void {
  expect(actual?.byteLength).toBe(expected.byteLength);
  expect(actual?.equals(expected)).toBe(true);
}

function bytesOf(length: number, seed = 7): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}

describe('createLocalViewStore', () => {
  let directory: string;

  beforeEach(() => {
    directory = join(mkdtempSync(join(tmpdir(), 'maskpoint-views-')), 'views');
  });

  afterEach(() => {
    rmSync(join(directory, '..'), { recursive: true, force: true });
  });

  it('shows a view only once it is committed, with its metadata and bytes', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    const id = idOf('people.csv');
    const bytes = bytesOf(2500);
    const writer = await store.create(id);
    await writer.write(bytes.subarray(0, 1000));
    await writer.write(bytes.subarray(1000));

    expect(await store.get(id)).toBeUndefined();
    expect(await store.read(id)).toBeUndefined();

    await writer.commit(metadataOf(bytes));

    expect(await store.get(id)).toEqual(metadataOf(bytes));
    expect(await collect(await store.read(id))).toEqual(bytes);
  });

  it('leaves nothing, not even a temporary file, after an abort at any point', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    for (let written = 0; written <= 3; written += 1) {
      const id = idOf(`aborted-${written}.csv`);
      const writer = await store.create(id);
      for (let i = 0; i < written; i += 1) await writer.write(bytesOf(500, i));
      await writer.abort();
      await writer.abort();

      expect(await store.get(id)).toBeUndefined();
      expect(await readdir(directory)).toEqual([]);
      await expect(writer.write(bytesOf(1))).rejects.toThrow('closed');
    }
  });

  it('rejects a commit whose size is not the number of bytes written, and leaves nothing', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    const id = idOf('short.csv');
    const writer = await store.create(id);
    await writer.write(bytesOf(100));

    await expect(writer.commit(metadataOf(bytesOf(101)))).rejects.toThrow('100 bytes');
    expect(await store.get(id)).toBeUndefined();
    expect(await readdir(directory)).toEqual([]);
  });

  it('reads exactly the bytes of any range, across stream chunk boundaries', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    const id = idOf('large.csv');
    const bytes = bytesOf(200_000);
    await put(store, id, bytes, 65_000);

    await fc.assert(
      fc.asyncProperty(fc.nat(bytes.byteLength - 1), fc.nat(bytes.byteLength - 1), async (a, b) => {
        const range = { first: Math.min(a, b), last: Math.max(a, b) };
        expectSameBytes(
          await collect(await store.read(id, range)),
          bytes.subarray(range.first, range.last + 1),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a range that is not inside the view', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    const id = idOf('small.csv');
    await put(store, id, bytesOf(10));

    await expect(store.read(id, { first: 5, last: 10 })).rejects.toBeInstanceOf(InvalidRangeError);
    await expect(store.read(id, { first: 6, last: 5 })).rejects.toBeInstanceOf(InvalidRangeError);
  });

  it('stores an empty view and reads it back empty', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    const id = idOf('empty.csv');
    await put(store, id, Buffer.alloc(0));

    expect(await store.get(id)).toMatchObject({ redactedBytes: 0, md5: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(await collect(await store.read(id))).toEqual(Buffer.alloc(0));
  });

  it('writes view files 0600 in a 0700 directory', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    await put(store, idOf('people.csv'), bytesOf(10));

    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    const [name] = await readdir(directory);
    expect((await stat(join(directory, name ?? ''))).mode & 0o777).toBe(0o600);
  });

  it('treats a damaged or foreign file as a miss', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    const truncated = idOf('truncated.csv');
    await put(store, truncated, bytesOf(3000));
    await truncate(join(directory, `${truncated}.view`), 2900);
    const foreign = idOf('foreign.csv');
    await writeFile(join(directory, `${foreign}.view`), 'name,email\nAda,ada@example.com\n');

    expect(await store.get(truncated)).toBeUndefined();
    expect(await store.read(truncated)).toBeUndefined();
    expect(await store.get(foreign)).toBeUndefined();
  });

  it('keeps streaming a body opened before its view was removed', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    const id = idOf('busy.csv');
    const bytes = bytesOf(300_000);
    await put(store, id, bytes, 50_000);
    const body = await store.read(id);
    await store.delete(id);

    expect(await store.get(id)).toBeUndefined();
    expectSameBytes(await collect(body), bytes);
  });

  it('lets the last of two writers of one view win, leaving no temporary file', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    const id = idOf('twice.csv');
    const first = await store.create(id);
    const second = await store.create(id);
    await first.write(bytesOf(10, 1));
    await second.write(bytesOf(10, 2));
    await first.commit(metadataOf(bytesOf(10, 1)));
    await second.commit(metadataOf(bytesOf(10, 2)));

    expect(await collect(await store.read(id))).toEqual(bytesOf(10, 2));
    expect(await readdir(directory)).toEqual([`${id}.view`]);
  });

  it('removes every view of one object, and only those', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    await put(store, idOf('a.csv', '"v1"'), bytesOf(10));
    await put(store, idOf('a.csv', '"v2"'), bytesOf(10));
    await put(store, idOf('b.csv', '"v1"'), bytesOf(10));

    await store.deleteObjectViews(objectViewsPrefix('data', 'a.csv'));

    expect(await store.get(idOf('a.csv', '"v1"'))).toBeUndefined();
    expect(await store.get(idOf('a.csv', '"v2"'))).toBeUndefined();
    expect(await store.get(idOf('b.csv', '"v1"'))).toBeDefined();
  });

  it('removes temporary files of a dead process when it sweeps, and keeps live ones', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    const live = await store.create(idOf('live.csv'));
    await live.write(bytesOf(10));
    const dead = join(directory, `${idOf('dead.csv')}.0d5f6a6e-3c1c-4d2e-9b7a-1f2e3d4c5b6a.tmp`);
    await writeFile(dead, 'raw bytes of a crashed write');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(dead, twoHoursAgo, twoHoursAgo);

    await put(store, idOf('people.csv'), bytesOf(10));

    const names = await readdir(directory);
    expect(names).not.toContain(dead.slice(directory.length + 1));
    expect(names.filter((name) => name.endsWith('.tmp'))).toHaveLength(1);
    await live.abort();
  });

  it('evicts least recently used views past the cap: never one used after a view it keeps', async () => {
    const maxBytes = 40_000;
    type Step = { kind: 'commit'; bytes: number } | { kind: 'use'; pick: number };
    const steps = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('commit' as const), bytes: fc.integer({ min: 0, max: 12_000 }) }),
        fc.record({ kind: fc.constant('use' as const), pick: fc.nat() }),
      ),
      { minLength: 1, maxLength: 25 },
    );
    await fc.assert(
      fc.asyncProperty(steps, async (plan: Step[]) => {
        rmSync(directory, { recursive: true, force: true });
        let clockMs = Date.UTC(2026, 0, 1);
        const store = createLocalViewStore({ directory, maxBytes, now: () => clockMs });
        const lastUsedMs = new Map<string, number>();
        for (const [index, step] of plan.entries()) {
          clockMs += 1000;
          if (step.kind === 'use') {
            const ids = [...lastUsedMs.keys()];
            const id = ids[step.pick % Math.max(1, ids.length)];
            if (id !== undefined && (await store.get(id)) !== undefined) lastUsedMs.set(id, clockMs);
            continue;
          }
          const id = idOf(`object-${index}.csv`);
          await put(store, id, bytesOf(step.bytes, index));
          lastUsedMs.set(id, clockMs);
          const kept = new Set(
            (await readdir(directory))
              .map((name) => name.replace(/\.view$/, ''))
              .filter((id) => lastUsedMs.has(id)),
          );
          const sizes = await Promise.all(
            [...kept].map(async (id) => (await stat(join(directory, `${id}.view`))).size),
          );
          expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(maxBytes);
          expect(kept.has(id)).toBe(true);
          const oldestKeptMs = Math.min(...[...kept].map((id) => lastUsedMs.get(id) ?? 0));
          for (const [evicted, usedMs] of lastUsedMs) {
            if (kept.has(evicted)) continue;
            expect(usedMs).toBeLessThan(oldestKeptMs);
            lastUsedMs.delete(evicted);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('evicts nothing while the views fit under the cap', async () => {
    const store = createLocalViewStore({ directory, maxBytes: 1e9 });
    for (let i = 0; i < 20; i += 1) await put(store, idOf(`fits-${i}.csv`), bytesOf(5000, i));

    expect(await readdir(directory)).toHaveLength(20);
  });
});
