import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDirectorySource } from '../../../functions/adapters/local-directory-source.ts';
import {
  NoSuchBucketError,
  NoSuchKeyError,
  NotModifiedError,
  PreconditionFailedError,
} from '../../../functions/core/errors.ts';
import type { ListObjectsRequest, ObjectSource } from '../../../functions/core/ports/object-source.ts';

const MTIME = new Date('2026-03-01T10:00:00.750Z');

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
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
