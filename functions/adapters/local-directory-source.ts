import { createHash } from 'node:crypto';
import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import {
  NoSuchBucketError,
  NoSuchKeyError,
  NotModifiedError,
  PreconditionFailedError,
} from '../core/errors.ts';
import type {
  ListedObject,
  ListObjectsPage,
  ListObjectsRequest,
  ObjectLocation,
  ObjectSource,
  SourceConditions,
  SourceObject,
  SourceObjectHead,
} from '../core/ports/object-source.ts';
import { sameEtag } from '../core/views/view-id.ts';

const READ_CHUNK_BYTES = 256 * 1024;
const MAX_KEYS = 1000;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.ndjson': 'application/x-ndjson',
  '.jsonl': 'application/x-ndjson',
  '.log': 'text/plain',
  '.txt': 'text/plain',
  '.gz': 'application/gzip',
};

/**
 * An `ObjectSource` over local directories, one per bucket, for the local gateway and tests.
 *
 * Keys are `/`-separated paths relative to the bucket's directory. A key that could leave the
 * directory (`..`, `.` or empty segments, a leading `/`, NUL, a symlink resolving outside it)
 * reads as missing. Listing walks the tree on every call and returns keys in UTF-8 binary
 * order, as S3 does; `maxKeys` is clamped to 1–1000.
 *
 * @example
 * ```ts
 * const source = createLocalDirectorySource(new Map([['example', 'examples/bucket']]));
 * const object = await source.getObject({ bucket: 'example', key: 'people.csv' }, {});
 * ```
 */
export function createLocalDirectorySource(buckets: ReadonlyMap<string, string>): ObjectSource {
  async function bucketRoot(bucket: string): Promise<string> {
    const directory = buckets.get(bucket);
    if (directory === undefined) throw new NoSuchBucketError();
    try {
      return await realpath(directory);
    } catch (error) {
      throw new NoSuchBucketError(undefined, { cause: error });
    }
  }

  /** The real path of the key's file, proven to lie inside the bucket's directory. */
  async function resolveKey(location: ObjectLocation): Promise<string> {
    const root = await bucketRoot(location.bucket);
    const segments = location.key.split('/');
    if (location.key.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new NoSuchKeyError();
    }
    let path: string;
    try {
      path = await realpath(join(root, ...segments));
    } catch (error) {
      throw new NoSuchKeyError(undefined, { cause: error });
    }
    if (!path.startsWith(root + sep)) throw new NoSuchKeyError();
    return path;
  }

  return {
    async getObject(location, conditions): Promise<SourceObject> {
      const path = await resolveKey(location);
      // O_NOFOLLOW: the resolved path must not have become a symlink since it was checked.
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: unknown) => {
        throw new NoSuchKeyError(undefined, { cause: error });
      });
      try {
        const stats = await handle.stat();
        const head = headOf(path, stats, conditions);
        // Small objects get a small read buffer: the gateway serves many of them at once.
        const highWaterMark = Math.max(1, Math.min(READ_CHUNK_BYTES, stats.size));
        // Reading the size stat saw, the one the ETag names, ends without a read that finds EOF.
        const end = stats.size > 0 ? stats.size - 1 : undefined;
        return { ...head, body: handle.createReadStream({ highWaterMark, end }) };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    async headObject(location, conditions): Promise<SourceObjectHead> {
      const path = await resolveKey(location);
      const stats = await stat(path).catch((error: unknown) => {
        throw new NoSuchKeyError(undefined, { cause: error });
      });
      return headOf(path, stats, conditions);
    },

    async listObjects(request): Promise<ListObjectsPage> {
      const root = await bucketRoot(request.bucket);
      const prefix = request.prefix ?? '';
      const files = await listFiles(root, '', prefix);
      files.sort((a, b) => compareKeys(a.key, b.key));
      return paginate(files, request, prefix);
    },
  };
}

function headOf(path: string, stats: Stats, conditions: SourceConditions): SourceObjectHead {
  if (!stats.isFile()) throw new NoSuchKeyError();
  const lastModified = secondsPrecision(stats.mtimeMs);
  const etag = etagOf(stats);
  checkConditions(lastModified, etag, conditions);
  return {
    contentType: CONTENT_TYPES[extname(path).toLowerCase()],
    lastModified,
    etag,
  };
}

/** S3 compares Last-Modified at second precision; If-Match, then If-Unmodified-Since are evaluated first. */
function checkConditions(lastModified: Date, etag: string, conditions: SourceConditions): void {
  const modifiedMs = lastModified.getTime();
  const { ifModifiedSince, ifUnmodifiedSince, ifMatch } = conditions;
  if (ifMatch !== undefined && !sameEtag(ifMatch, etag)) throw new PreconditionFailedError();
  if (
    ifUnmodifiedSince !== undefined &&
    modifiedMs > secondsPrecision(ifUnmodifiedSince.getTime()).getTime()
  ) {
    throw new PreconditionFailedError();
  }
  if (ifModifiedSince !== undefined && modifiedMs <= secondsPrecision(ifModifiedSince.getTime()).getTime()) {
    throw new NotModifiedError();
  }
}

function secondsPrecision(epochMs: number): Date {
  return new Date(Math.floor(epochMs / 1000) * 1000);
}

/** Cheap and stable: changes whenever the file's size or modification time does, without reading it. */
function etagOf(stats: Stats): string {
  return `"${createHash('md5').update(`${stats.size}-${stats.mtimeMs}`).digest('hex')}"`;
}

/**
 * Files under `relative` whose keys can start with `prefix`; directories that cannot are not read.
 * Symlinked directories are not entered, so a link to an ancestor cannot loop the walk.
 */
async function listFiles(root: string, relative: string, prefix: string): Promise<ListedObject[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(root, relative), { withFileTypes: true });
  } catch {
    // A directory removed or unreadable while walking lists as empty, as its keys are gone.
    return [];
  }
  const nested = await Promise.all(
    entries.map(async (entry): Promise<ListedObject[]> => {
      const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const stats = await statInside(root, key);
      if (stats?.isDirectory() && !entry.isSymbolicLink()) {
        const directoryKey = `${key}/`;
        const canMatch = directoryKey.startsWith(prefix) || prefix.startsWith(directoryKey);
        return canMatch ? listFiles(root, key, prefix) : [];
      }
      if (stats?.isFile() && key.startsWith(prefix)) {
        return [{ key, lastModified: secondsPrecision(stats.mtimeMs), etag: etagOf(stats) }];
      }
      return [];
    }),
  );
  return nested.flat();
}

/** Stats of the entry, following symlinks only while they stay inside the root. */
async function statInside(root: string, key: string): Promise<Stats | undefined> {
  try {
    const path = await realpath(join(root, key));
    return path.startsWith(root + sep) ? await stat(path) : undefined;
  } catch {
    return undefined;
  }
}

function paginate(
  files: readonly ListedObject[],
  request: ListObjectsRequest,
  prefix: string,
): ListObjectsPage {
  const maxKeys = Math.min(Math.max(Math.trunc(request.maxKeys), 1), MAX_KEYS);
  const token = request.continuationToken;
  const marker = token !== undefined ? decodeToken(token) : request.startAfter;
  const entries: { name: string; object?: ListedObject }[] = [];
  for (const file of files) {
    const name = rollUp(file.key, prefix, request.delimiter);
    // A token names the last entry returned, which may be a common prefix covering later keys.
    if (marker !== undefined && compareKeys(token !== undefined ? name : file.key, marker) <= 0) continue;
    if (entries.at(-1)?.name === name) continue;
    if (entries.length === maxKeys + 1) break;
    entries.push(name === file.key ? { name, object: file } : { name });
  }
  const page = entries.slice(0, maxKeys);
  const isTruncated = entries.length > maxKeys;
  const last = page.at(-1);
  return {
    objects: page.flatMap((entry) => (entry.object ? [entry.object] : [])),
    commonPrefixes: page.flatMap((entry) => (entry.object ? [] : [entry.name])),
    isTruncated,
    nextContinuationToken: isTruncated && last !== undefined ? encodeToken(last.name) : undefined,
  };
}

/** The key itself, or its common prefix when the delimiter occurs after the requested prefix. */
function rollUp(key: string, prefix: string, delimiter: string | undefined): string {
  if (delimiter === undefined || delimiter === '') return key;
  const at = key.indexOf(delimiter, prefix.length);
  return at === -1 ? key : key.slice(0, at + delimiter.length);
}

/** S3 orders keys by their UTF-8 bytes, which differs from JavaScript's UTF-16 order above U+FFFF. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function encodeToken(entry: string): string {
  return Buffer.from(entry, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}
