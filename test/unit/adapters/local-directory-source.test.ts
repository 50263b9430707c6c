import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDirectorySource } from '../../../functions/adapters/local-directory-source.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import {
  InvalidArgumentError,
  NoSuchBucketError,
  NoSuchKeyError,
  NotModifiedError,
  PreconditionFailedError,
  ServiceUnavailableError,
} from '../../../functions/core/errors.ts';
import type { ListObjectsRequest, ObjectSource } from '../../../functions/core/ports/object-source.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';

const MTIME = new Date('2026-03-01T10:00:00.750Z');

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Every byte a body gave before it ended or failed, and how it failed. */
async function drain(body: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk);
    return { bytes: Buffer.concat(chunks), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

function freshBucket(): string {
  return mkdtempSync(join(tmpdir(), 'maskpoint-local-bucket-'));
}

function writeKey(bucket: string, key: string, content: string | Uint8Array): string {
  const path = join(bucket, ...key.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe('createLocalDirectorySource', () => {
  let root: string;
  let bucketDir: string;
  let source: ObjectSource;

  function put(key: string, content: string): void {
    const path = join(bucketDir, ...key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    utimesSync(path, MTIME, MTIME);
  }

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'maskpoint-local-source-'));
    bucketDir = join(root, 'bucket');
    mkdirSync(bucketDir);
    writeFileSync(join(root, 'secret.txt'), 'outside the bucket');
    put('people.csv', 'name,email\nAda,ada@example.com\n');
    put('events.ndjson', '{"a":1}\n');
    put('events.jsonl', '{"a":1}\n');
    put('config.json', '{}');
    put('app.log', 'line\n');
    put('notes.txt', 'note');
    put('archive.csv.gz', 'gz');
    put('Upper.CSV', 'x');
    put('image.png', 'png');
    put('logs/2026/01/a.log', 'a');
    put('logs/2026/01/b.log', 'b');
    put('logs/2026/02/c.log', 'c');
    put('logs/readme.txt', 'r');
    put('z\uFFFD.txt', 'bmp');
    put('z\u{1F600}.txt', 'astral');
    symlinkSync(join(root, 'secret.txt'), join(bucketDir, 'escape.txt'));
    symlinkSync(root, join(bucketDir, 'escape-dir'));
    symlinkSync(join(bucketDir, 'people.csv'), join(bucketDir, 'alias.csv'));
    symlinkSync(join(bucketDir, 'logs'), join(bucketDir, 'logs', 'loop'));
    source = createLocalDirectorySource(new Map([['data', bucketDir]]));
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  describe('getObject', () => {
    it('streams the file with its content type, second-precision mtime and a quoted ETag', async () => {
      const object = await source.getObject({ bucket: 'data', key: 'people.csv' }, {});

      expect(await collect(object.body)).toBe('name,email\nAda,ada@example.com\n');
      expect(object.contentType).toBe('text/csv');
      expect(object.lastModified).toEqual(new Date('2026-03-01T10:00:00.000Z'));
      expect(object.etag).toMatch(/^"[0-9a-f]{32}"$/);
    });

    it('reads a nested key and a symlink that stays inside the bucket', async () => {
      const nested = await source.getObject({ bucket: 'data', key: 'logs/2026/01/a.log' }, {});
      const alias = await source.getObject({ bucket: 'data', key: 'alias.csv' }, {});

      expect(await collect(nested.body)).toBe('a');
      expect(await collect(alias.body)).toContain('Ada');
    });

    it('gives the same ETag on every read and a new one when the file changes', async () => {
      put('changing.txt', 'one');
      const first = await source.headObject({ bucket: 'data', key: 'changing.txt' }, {});
      const again = await source.headObject({ bucket: 'data', key: 'changing.txt' }, {});
      put('changing.txt', 'three');
      const changed = await source.headObject({ bucket: 'data', key: 'changing.txt' }, {});

      expect(again.etag).toBe(first.etag);
      expect(changed.etag).not.toBe(first.etag);
    });

    it.each([
      ['events.ndjson', 'application/x-ndjson'],
      ['events.jsonl', 'application/x-ndjson'],
      ['config.json', 'application/json'],
      ['app.log', 'text/plain'],
      ['notes.txt', 'text/plain'],
      ['archive.csv.gz', 'application/gzip'],
      ['Upper.CSV', 'text/csv'],
      ['image.png', undefined],
    ])('gives %s the content type %s', async (key, contentType) => {
      const head = await source.headObject({ bucket: 'data', key }, {});

      expect(head.contentType).toBe(contentType);
    });

    it('rejects an unknown bucket with NoSuchBucketError', async () => {
      await expect(source.getObject({ bucket: 'other', key: 'people.csv' }, {})).rejects.toBeInstanceOf(
        NoSuchBucketError,
      );
    });

    it('rejects a bucket whose directory is missing with NoSuchBucketError', async () => {
      const missing = createLocalDirectorySource(new Map([['gone', join(root, 'no-such-dir')]]));

      await expect(missing.headObject({ bucket: 'gone', key: 'a' }, {})).rejects.toBeInstanceOf(
        NoSuchBucketError,
      );
    });

    it.each([
      ['a missing key', 'missing.csv'],
      ['a directory', 'logs'],
      ['a directory with a trailing slash', 'logs/'],
      ['a parent segment', '../secret.txt'],
      ['a parent segment inside the path', 'logs/../../secret.txt'],
      ['an absolute path', '/etc/passwd'],
      ['an empty segment', 'logs//readme.txt'],
      ['a dot segment', './people.csv'],
      ['a NUL byte', 'people.csv\0.txt'],
      ['a symlink to a file outside the bucket', 'escape.txt'],
      ['a path through a symlinked directory outside the bucket', 'escape-dir/secret.txt'],
      ['an empty key', ''],
    ])('rejects %s with NoSuchKeyError', async (_, key) => {
      await expect(source.getObject({ bucket: 'data', key }, {})).rejects.toBeInstanceOf(NoSuchKeyError);
      await expect(source.headObject({ bucket: 'data', key }, {})).rejects.toBeInstanceOf(NoSuchKeyError);
    });

    it('fails with NotModifiedError when not modified since the given second', async () => {
      const location = { bucket: 'data', key: 'people.csv' };

      await expect(
        source.getObject(location, { ifModifiedSince: new Date('2026-03-01T10:00:00.000Z') }),
      ).rejects.toBeInstanceOf(NotModifiedError);
      await expect(
        source.headObject(location, { ifModifiedSince: new Date('2026-03-02T00:00:00Z') }),
      ).rejects.toBeInstanceOf(NotModifiedError);
      const modified = await source.getObject(location, {
        ifModifiedSince: new Date('2026-03-01T09:59:59.999Z'),
      });
      expect(await collect(modified.body)).toContain('Ada');
    });

    it('fails with PreconditionFailedError when modified after the If-Unmodified-Since second', async () => {
      const location = { bucket: 'data', key: 'people.csv' };

      await expect(
        source.getObject(location, { ifUnmodifiedSince: new Date('2026-03-01T09:59:59.999Z') }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      const unmodified = await source.headObject(location, {
        ifUnmodifiedSince: new Date('2026-03-01T10:00:00.000Z'),
      });
      expect(unmodified.contentType).toBe('text/csv');
    });

    it('fails with PreconditionFailedError when If-Match names another ETag, quoted or not', async () => {
      const location = { bucket: 'data', key: 'people.csv' };
      const { etag } = await source.headObject(location, {});
      const bare = etag?.replaceAll('"', '') ?? '';

      await expect(source.getObject(location, { ifMatch: '"0123456789abcdef"' })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      await expect(source.headObject(location, { ifMatch: 'other' })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect(await collect((await source.getObject(location, { ifMatch: bare })).body)).toContain('Ada');
    });
  });

  describe('listObjects', () => {
    async function listAll(request: Omit<ListObjectsRequest, 'bucket' | 'continuationToken'>) {
      const keys: string[] = [];
      const prefixes: string[] = [];
      let continuationToken: string | undefined;
      let pages = 0;
      do {
        const page = await source.listObjects({ bucket: 'data', ...request, continuationToken });
        keys.push(...page.objects.map((object) => object.key));
        prefixes.push(...page.commonPrefixes);
        continuationToken = page.nextContinuationToken;
        pages++;
        expect(page.isTruncated).toBe(continuationToken !== undefined);
      } while (continuationToken !== undefined);
      return { keys, prefixes, pages };
    }

    it('lists every key in UTF-8 byte order, skipping symlinks that leave the bucket and linked directories', async () => {
      const page = await source.listObjects({ bucket: 'data', maxKeys: 1000 });
      const keys = page.objects.map((object) => object.key);

      expect(keys).toContain('alias.csv');
      expect(keys).toContain('logs/2026/01/a.log');
      expect(keys).not.toContain('escape.txt');
      expect(keys.some((key) => key.startsWith('escape-dir'))).toBe(false);
      expect(keys.some((key) => key.startsWith('logs/loop'))).toBe(false);
      expect(keys.indexOf('z\uFFFD.txt')).toBeLessThan(keys.indexOf('z\u{1F600}.txt'));
      expect(keys.indexOf('Upper.CSV')).toBeLessThan(keys.indexOf('alias.csv'));
      expect(page.isTruncated).toBe(false);
      expect(page.objects[0]?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    });

    it('lists keys under a prefix', async () => {
      const page = await source.listObjects({ bucket: 'data', prefix: 'logs/2026/', maxKeys: 1000 });

      expect(page.objects.map((object) => object.key)).toEqual([
        'logs/2026/01/a.log',
        'logs/2026/01/b.log',
        'logs/2026/02/c.log',
      ]);
    });

    it('rolls keys up into common prefixes at the delimiter', async () => {
      const page = await source.listObjects({
        bucket: 'data',
        prefix: 'logs/',
        delimiter: '/',
        maxKeys: 1000,
      });

      expect(page.objects.map((object) => object.key)).toEqual(['logs/readme.txt']);
      expect(page.commonPrefixes).toEqual(['logs/2026/']);
    });

    it('starts after the given key', async () => {
      const page = await source.listObjects({
        bucket: 'data',
        prefix: 'logs/',
        startAfter: 'logs/2026/01/b.log',
        maxKeys: 1000,
      });

      expect(page.objects.map((object) => object.key)).toEqual(['logs/2026/02/c.log', 'logs/readme.txt']);
    });

    it('pages with opaque continuation tokens, one key per page', async () => {
      const { keys, pages } = await listAll({ prefix: 'logs/', maxKeys: 1 });

      expect(keys).toEqual([
        'logs/2026/01/a.log',
        'logs/2026/01/b.log',
        'logs/2026/02/c.log',
        'logs/readme.txt',
      ]);
      expect(pages).toBe(4);
    });

    it('pages past a common prefix without repeating it', async () => {
      const { keys, prefixes } = await listAll({ prefix: 'logs/2026/', delimiter: '/', maxKeys: 1 });
      const root = await listAll({ delimiter: '/', maxKeys: 2 });

      expect(prefixes).toEqual(['logs/2026/01/', 'logs/2026/02/']);
      expect(keys).toEqual([]);
      expect(root.prefixes).toEqual(['logs/']);
      expect(root.keys).toContain('people.csv');
      expect(root.keys.some((key) => key.includes('/'))).toBe(false);
    });

    it('clamps maxKeys to 1–1000', async () => {
      const none = await source.listObjects({ bucket: 'data', prefix: 'logs/', maxKeys: 0 });
      const many = await source.listObjects({ bucket: 'data', maxKeys: 5000 });

      expect(none.objects).toHaveLength(1);
      expect(none.isTruncated).toBe(true);
      expect(many.isTruncated).toBe(false);
    });

    it('rejects an unknown bucket with NoSuchBucketError', async () => {
      await expect(source.listObjects({ bucket: 'other', maxKeys: 10 })).rejects.toBeInstanceOf(
        NoSuchBucketError,
      );
    });
  });
});

const keyName = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
/** A key with one segment, at a random depth, that starts with a dot. */
const dotKey = fc
  .tuple(
    fc.array(keyName, { minLength: 1, maxLength: 4 }),
    fc.nat(),
    fc.stringMatching(/^\.[a-z0-9._-]{0,8}$/),
  )
  .filter(([, , dotName]) => dotName !== '.' && dotName !== '..')
  .map(([segments, at, dotName]) => {
    const index = at % segments.length;
    return segments.map((segment, i) => (i === index ? dotName : segment)).join('/');
  });

describe('createLocalDirectorySource dot-files', () => {
  it('never serves nor lists a dot-file or anything under a dot-directory, at any depth', async () => {
    await fc.assert(
      fc.asyncProperty(dotKey, async (key) => {
        const bucket = freshBucket();
        try {
          writeKey(bucket, key, 'dot secret');
          writeKey(bucket, 'visible.txt', 'visible');
          symlinkSync(join(bucket, ...key.split('/')), join(bucket, 'link-to-dot.txt'));
          const source = createLocalDirectorySource(new Map([['data', bucket]]));

          for (const hidden of [key, 'link-to-dot.txt']) {
            await expect(source.getObject({ bucket: 'data', key: hidden }, {})).rejects.toBeInstanceOf(
              NoSuchKeyError,
            );
            await expect(source.headObject({ bucket: 'data', key: hidden }, {})).rejects.toBeInstanceOf(
              NoSuchKeyError,
            );
          }
          const parent = key.slice(0, key.lastIndexOf('/') + 1);
          for (const prefix of ['', parent]) {
            const page = await source.listObjects({ bucket: 'data', prefix, maxKeys: 1000 });
            const rolled = await source.listObjects({
              bucket: 'data',
              prefix,
              delimiter: '/',
              maxKeys: 1000,
            });
            const listed = [...page.objects, ...rolled.objects].map((object) => object.key);
            expect(listed.filter((listedKey) => listedKey !== 'visible.txt')).toEqual([]);
            expect(rolled.commonPrefixes.filter((common) => /(^|\/)\./.test(common))).toEqual([]);
          }
        } finally {
          rmSync(bucket, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });

  it('serves and lists dot-files of a bucket that allows them', async () => {
    await fc.assert(
      fc.asyncProperty(dotKey, async (key) => {
        const bucket = freshBucket();
        try {
          writeKey(bucket, key, 'dot content');
          const source = createLocalDirectorySource(
            new Map([['data', { directory: bucket, allowDotFiles: true }]]),
          );

          const object = await source.getObject({ bucket: 'data', key }, {});
          const page = await source.listObjects({ bucket: 'data', maxKeys: 1000 });

          expect(await collect(object.body)).toBe('dot content');
          expect(page.objects.map((listed) => listed.key)).toEqual([key]);
        } finally {
          rmSync(bucket, { recursive: true, force: true });
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('createLocalDirectorySource versions', () => {
  const bucket = freshBucket();
  writeKey(bucket, 'people.csv', 'name\nAda\n');
  const source = createLocalDirectorySource(new Map([['data', bucket]]));

  afterAll(() => {
    rmSync(bucket, { recursive: true, force: true });
  });

  it('serves the file as S3’s null version', async () => {
    const object = await source.getObject({ bucket: 'data', key: 'people.csv', versionId: 'null' }, {});

    expect(await collect(object.body)).toBe('name\nAda\n');
  });

  it('rejects any other version id with InvalidArgumentError, on GET and on HEAD', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 0, maxLength: 40 }).filter((id) => id !== 'null'),
        async (versionId) => {
          const location = { bucket: 'data', key: 'people.csv', versionId };

          await expect(source.getObject(location, {})).rejects.toBeInstanceOf(InvalidArgumentError);
          await expect(source.headObject(location, {})).rejects.toBeInstanceOf(InvalidArgumentError);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('createLocalDirectorySource truncated files', () => {
  it('fails with ServiceUnavailableError and no byte past the cut when the file is truncated after opening', async () => {
    const bucket = freshBucket();
    const source = createLocalDirectorySource(new Map([['data', bucket]]));
    try {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.nat(), async (content, at) => {
          const cut = at % content.byteLength;
          const path = writeKey(bucket, 'object.bin', content);
          const object = await source.getObject({ bucket: 'data', key: 'object.bin' }, {});

          truncateSync(path, cut);
          const { bytes, error } = await drain(object.body);

          expect(error).toBeInstanceOf(ServiceUnavailableError);
          expect(bytes).toEqual(Buffer.from(content.subarray(0, cut)));
        }),
        { numRuns: 60 },
      );
    } finally {
      rmSync(bucket, { recursive: true, force: true });
    }
  });

  it('fails with ServiceUnavailableError when the file is truncated while it streams', async () => {
    const bucket = freshBucket();
    const source = createLocalDirectorySource(new Map([['data', bucket]]));
    // Past what the first chunk and the stream's read-ahead (256 KiB each) have already read.
    const readAheadBytes = 3 * 256 * 1024;
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1_000_000, max: 2_000_000 }), fc.nat(), async (size, at) => {
          const cut = readAheadBytes + (at % (size - readAheadBytes));
          const path = writeKey(bucket, 'large.log', Buffer.alloc(size, 'a'));
          const object = await source.getObject({ bucket: 'data', key: 'large.log' }, {});
          let receivedBytes = 0;
          let error: unknown;
          try {
            for await (const chunk of object.body) {
              if (receivedBytes === 0) truncateSync(path, cut);
              receivedBytes += chunk.byteLength;
            }
          } catch (caught) {
            error = caught;
          }

          expect(error).toBeInstanceOf(ServiceUnavailableError);
          expect(receivedBytes).toBe(cut);
        }),
        { numRuns: 10 },
      );
    } finally {
      rmSync(bucket, { recursive: true, force: true });
    }
  });

  it('never lets a value cut by a truncation out of the redactor in clear', async () => {
    const ruleSet = await shippedRuleSet();
    const planted = ['planted.victim@example.com', '4111111111111111'];
    const text = `first line\nmail ${planted[0]} card ${planted[1]}\n`;
    const bucket = freshBucket();
    const source = createLocalDirectorySource(new Map([['data', bucket]]));
    try {
      for (let cut = text.indexOf(planted[0] as string) + 4; cut < text.length - 1; cut++) {
        const path = writeKey(bucket, 'app.log', text);
        const object = await source.getObject({ bucket: 'data', key: 'app.log' }, {});
        truncateSync(path, cut);
        let served = '';
        let error: unknown;
        try {
          const redaction = await openRedactionStream(object.body, { ruleSet, key: 'app.log' });
          for await (const chunk of redaction.body) served += Buffer.from(chunk).toString('utf8');
        } catch (caught) {
          error = caught;
        }

        expect(error).toBeInstanceOf(ServiceUnavailableError);
        for (const value of planted) {
          for (let start = 0; start + 6 <= value.length; start++) {
            expect(served).not.toContain(value.slice(start, start + 6));
          }
        }
      }
    } finally {
      rmSync(bucket, { recursive: true, force: true });
    }
  });
});

describe('createLocalDirectorySource special files', () => {
  const bucket = freshBucket();
  const fifo = join(bucket, 'pipe.txt');
  writeKey(bucket, 'people.csv', 'name\nAda\n');
  execFileSync('mkfifo', [fifo]);
  const source = createLocalDirectorySource(new Map([['data', bucket]]));
  const isRoot = process.getuid?.() === 0;

  afterAll(() => {
    // Releases any read the code under test left waiting on the FIFO.
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader was waiting.
    }
    rmSync(bucket, { recursive: true, force: true });
  });

  it('rejects a FIFO without waiting for a writer: eight concurrent GETs, then a file is still served', async () => {
    const refused = await Promise.allSettled([
      ...Array.from({ length: 8 }, () => source.getObject({ bucket: 'data', key: 'pipe.txt' }, {})),
      source.headObject({ bucket: 'data', key: 'pipe.txt' }, {}),
    ]);
    const served = await source.getObject({ bucket: 'data', key: 'people.csv' }, {});

    for (const result of refused) {
      expect(result.status).toBe('rejected');
      expect(result.status === 'rejected' && result.reason).toBeInstanceOf(NoSuchKeyError);
    }
    expect(await collect(served.body)).toBe('name\nAda\n');
  });

  it('rejects a socket with NoSuchKeyError', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(bucket, 'socket.txt'), resolve));
    try {
      await expect(source.getObject({ bucket: 'data', key: 'socket.txt' }, {})).rejects.toBeInstanceOf(
        NoSuchKeyError,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.skipIf(!isRoot)('rejects a character device with NoSuchKeyError', async () => {
    execFileSync('mknod', [join(bucket, 'zero.txt'), 'c', '1', '5']);

    await expect(source.getObject({ bucket: 'data', key: 'zero.txt' }, {})).rejects.toBeInstanceOf(
      NoSuchKeyError,
    );
    await expect(source.headObject({ bucket: 'data', key: 'zero.txt' }, {})).rejects.toBeInstanceOf(
      NoSuchKeyError,
    );
  });

  it('lists only the regular file', async () => {
    const page = await source.listObjects({ bucket: 'data', maxKeys: 1000 });

    expect(page.objects.map((object) => object.key)).toEqual(['people.csv']);
  });
});

describe('createLocalDirectorySource symlink swaps', () => {
  it('never serves a file outside the bucket while a directory on the way is swapped for a symlink (2,000 reads)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'maskpoint-swap-'));
    const bucket = join(root, 'bucket');
    writeKey(bucket, 'sub/f.txt', 'inside');
    writeKey(root, 'outside/f.txt', 'OUTSIDE');
    symlinkSync(join(root, 'outside'), join(bucket, 'link'));
    const stop = new Int32Array(new SharedArrayBuffer(4));
    // `sub` turns from the real directory into a symlink to `outside` and back, missing in between.
    const swapper = new Worker(
      `const { renameSync } = require('node:fs');
       const { workerData } = require('node:worker_threads');
       const stop = new Int32Array(workerData.stop);
       const at = (name) => workerData.bucket + '/' + name;
       for (let i = 0; i < 1e6 && Atomics.load(stop, 0) === 0; i++) {
         renameSync(at('sub'), at('parked'));
         renameSync(at('link'), at('sub'));
         renameSync(at('sub'), at('link'));
         renameSync(at('parked'), at('sub'));
       }`,
      { eval: true, workerData: { bucket, stop: stop.buffer } },
    );
    const swapperExited = new Promise((resolve) => swapper.once('exit', resolve));
    const source = createLocalDirectorySource(new Map([['data', bucket]]));
    const served: string[] = [];
    try {
      // Four readers at once: the thread pool then runs one's check beside another's open.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 500; i++) {
            const object = await source
              .getObject({ bucket: 'data', key: 'sub/f.txt' }, {})
              .catch((error: unknown) => {
                expect(error).toBeInstanceOf(NoSuchKeyError);
                return undefined;
              });
            if (object !== undefined) served.push(await collect(object.body));
          }
        }),
      );
    } finally {
      Atomics.store(stop, 0, 1);
      await swapperExited;
      rmSync(root, { recursive: true, force: true });
    }

    expect(served.filter((body) => body !== 'inside')).toEqual([]);
  });
});
