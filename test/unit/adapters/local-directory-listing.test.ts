import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalDirectorySource } from '../../../functions/adapters/local-directory-source.ts';
import type { ListObjectsRequest, ObjectSource } from '../../../functions/core/ports/object-source.ts';

/** Calls the source makes to node:fs/promises, by function: the cost of a listing, not its time. */
const fsCalls = vi.hoisted(() => new Map<string, number>());

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const counted = <F extends (...args: never[]) => unknown>(name: string, fn: F) =>
    ((...args: Parameters<F>) => {
      fsCalls.set(name, (fsCalls.get(name) ?? 0) + 1);
      return fn(...args);
    }) as F;
  const spied = {
    ...actual,
    stat: counted('stat', actual.stat),
    lstat: counted('lstat', actual.lstat),
    realpath: counted('realpath', actual.realpath),
    readdir: counted('readdir', actual.readdir),
    open: counted('open', actual.open),
  };
  return { ...spied, default: spied };
});

function callsOf(...names: string[]): number {
  return names.reduce((sum, name) => sum + (fsCalls.get(name) ?? 0), 0);
}

function writeKeys(bucket: string, keys: readonly string[]): void {
  for (const key of keys) {
    const path = join(bucket, ...key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, key);
  }
}

async function listAll(
  source: ObjectSource,
  request: Omit<ListObjectsRequest, 'bucket' | 'continuationToken'>,
): Promise<string[]> {
  const entries: string[] = [];
  let continuationToken: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await source.listObjects({ bucket: 'data', ...request, continuationToken });
    expect(page.objects.length + page.commonPrefixes.length).toBeLessThanOrEqual(
      Math.min(Math.max(request.maxKeys, 1), 1000),
    );
    // Objects and common prefixes interleave in key order; the oracle's order decides below.
    entries.push(...[...page.objects.map((object) => object.key), ...page.commonPrefixes].sort(byteOrder));
    continuationToken = page.nextContinuationToken;
    expect(page.isTruncated).toBe(continuationToken !== undefined);
    if (continuationToken === undefined) return entries;
  }
  throw new Error('the listing did not end');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** S3's listing, from a full sort: keys after startAfter under the prefix, rolled up at the delimiter. */
function expectedListing(
  keys: readonly string[],
  request: { prefix: string; delimiter?: string | undefined; startAfter?: string | undefined },
): string[] {
  const entries: string[] = [];
  for (const key of [...keys].sort(byteOrder)) {
    if (!key.startsWith(request.prefix)) continue;
    if (request.startAfter !== undefined && byteOrder(key, request.startAfter) <= 0) continue;
    const at = request.delimiter ? key.indexOf(request.delimiter, request.prefix.length) : -1;
    const entry = at === -1 ? key : key.slice(0, at + (request.delimiter as string).length);
    if (entries.at(-1) !== entry) entries.push(entry);
  }
  return entries;
}

describe('createLocalDirectorySource listing cost', () => {
  let bucket: string;
  let source: ObjectSource;
  const keys: string[] = [];

  beforeAll(() => {
    bucket = mkdtempSync(join(tmpdir(), 'maskpoint-listing-'));
    for (let directory = 0; directory < 100; directory++) {
      for (let file = 0; file < 200; file++) {
        keys.push(`d${String(directory).padStart(3, '0')}/f${String(file).padStart(3, '0')}.log`);
      }
    }
    writeKeys(bucket, keys);
    source = createLocalDirectorySource(new Map([['data', bucket]]));
  });

  afterAll(() => {
    rmSync(bucket, { recursive: true, force: true });
  });

  beforeEach(() => {
    fsCalls.clear();
  });

  it.each([
    ['from the start', {}],
    ['under a prefix', { prefix: 'd050/' }],
    ['after a key deep in the tree', { startAfter: 'd070/f150.log' }],
    ['rolled up at a delimiter', { delimiter: '/' }],
    ['rolled up after a common prefix', { delimiter: '/', startAfter: 'd042/' }],
  ])(
    'lists a page of 10 of 20,000 files %s with file-system calls in proportion to the page',
    async (_, query) => {
      const page = await source.listObjects({ bucket: 'data', maxKeys: 10, ...query });

      expect([...page.objects.map((object) => object.key), ...page.commonPrefixes]).toEqual(
        expectedListing(keys, { prefix: '', ...query }).slice(0, 10),
      );
      expect(page.isTruncated).toBe(true);
      // The page's 10 entries and the one that shows it is truncated, the directories on the way.
      expect(callsOf('stat', 'lstat', 'realpath', 'open')).toBeLessThanOrEqual(11 + 2);
      expect(callsOf('readdir')).toBeLessThanOrEqual(12);
    },
  );

  it('continues from a continuation token at the same cost', async () => {
    const first = await source.listObjects({ bucket: 'data', prefix: 'd099/', maxKeys: 10 });
    fsCalls.clear();

    const next = await source.listObjects({
      bucket: 'data',
      prefix: 'd099/',
      maxKeys: 10,
      continuationToken: first.nextContinuationToken,
    });

    expect(next.objects.map((object) => object.key)).toEqual(
      keys.filter((key) => key.startsWith('d099/')).slice(10, 20),
    );
    expect(callsOf('stat', 'lstat', 'realpath', 'open')).toBeLessThanOrEqual(11 + 2);
  });
});

/** Names whose byte order differs from a naive walk: `-` < `/` < `0`, and astral vs high BMP. */
const segment = fc
  .array(fc.constantFrom('a', 'b', '-', '0', '!', '~', '.', ' ', 'é', '\uFFFD', '\uE000', '\u{1F600}'), {
    minLength: 1,
    maxLength: 3,
  })
  .map((chars) => chars.join(''))
  .filter((name) => !name.startsWith('.'));
const key = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join('/'));
/** Keys that can coexist as files: none is a directory on the path of another. */
const keySet = fc
  .uniqueArray(key, { minLength: 1, maxLength: 25 })
  .map((keys) => keys.filter((candidate) => !keys.some((other) => other.startsWith(`${candidate}/`))));

describe('createLocalDirectorySource listing order', () => {
  it('pages through exactly what a full byte-order sort lists, for any keys, prefix, delimiter and start', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySet,
        fc.nat(),
        fc.nat(),
        fc.constantFrom(undefined, '/', '-', 'a', '/a'),
        fc.integer({ min: 1, max: 4 }),
        fc.option(key, { nil: undefined }),
        async (keys, pick, length, delimiter, maxKeys, startAfter) => {
          const picked = keys[pick % keys.length] as string;
          const prefix = picked.slice(0, length % (picked.length + 1));
          const bucket = mkdtempSync(join(tmpdir(), 'maskpoint-order-'));
          try {
            writeKeys(bucket, keys);
            const source = createLocalDirectorySource(new Map([['data', bucket]]));

            const listed = await listAll(source, { prefix, delimiter, startAfter, maxKeys });

            expect(listed).toEqual(expectedListing(keys, { prefix, delimiter, startAfter }));
          } finally {
            rmSync(bucket, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
