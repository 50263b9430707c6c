import { createHash } from 'node:crypto';
import { constants, readlinkSync, type Stats } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  InvalidArgumentError,
  NoSuchBucketError,
  NoSuchKeyError,
  NotModifiedError,
  PreconditionFailedError,
} from '../core/errors.ts';
import type {
  ListedObject,
  ListObjectsPage,
  ObjectLocation,
  ObjectSource,
  SourceConditions,
  SourceObject,
  SourceObjectHead,
} from '../core/ports/object-source.ts';
import { sameEtag } from '../core/views/view-id.ts';
import { exactLengthBody } from './exact-length-body.ts';
import { isVisibleInside, type KeyFloor, walkSortedKeys } from './sorted-key-walk.ts';

const READ_CHUNK_BYTES = 256 * 1024;
const MAX_KEYS = 1000;
/**
 * O_NONBLOCK: opening a FIFO returns at once instead of holding a file-system thread until a
 * writer comes (four such opens would stop the server). O_NOFOLLOW: the checked path's last
 * component must not have become a symlink. Neither changes how a regular file reads.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.ndjson': 'application/x-ndjson',
  '.jsonl': 'application/x-ndjson',
  '.log': 'text/plain',
  '.txt': 'text/plain',
  '.gz': 'application/gzip',
};

/** A local directory served as a bucket. */
export interface LocalBucket {
  /** The directory whose regular files are the bucket's objects. */
  readonly directory: string;
  /** Serve and list names starting with `.` (dot-files and dot-directories). @default false */
  readonly allowDotFiles?: boolean | undefined;
}

/**
 * An `ObjectSource` over local directories, one per bucket (a directory path, or a
 * `LocalBucket`), for the local gateway and tests.
 *
 * Keys are `/`-separated paths relative to the bucket's directory. A key reads as missing when
 * it could leave the directory (`..`, `.` or empty segments, a leading `/`, NUL, a symlink
 * resolving outside it), names a dot-file or passes a dot-directory (unless the bucket allows
 * them; a symlink cannot lead to one either), or is not a regular file (directories, FIFOs,
 * sockets, devices are refused without waiting on them). The file opened is proven to be the
 * one checked, so swapping a directory on the way for a symlink cannot serve a file outside.
 * A body that ends before the size the file had when opened fails instead of ending.
 * Listing walks directories lazily in UTF-8 binary order, as S3 orders keys, and stops after
 * the page; `maxKeys` is clamped to 1–1000. Only S3's `null` version id exists.
 *
 * @example
 * ```ts
 * const source = createLocalDirectorySource(new Map([['example', 'examples/bucket']]));
 * const object = await source.getObject({ bucket: 'example', key: 'people.csv' }, {});
 * ```
 */
export function createLocalDirectorySource(buckets: ReadonlyMap<string, string | LocalBucket>): ObjectSource {
  async function bucketOf(name: string): Promise<{ root: string; allowDotFiles: boolean }> {
    const bucket = buckets.get(name);
    if (bucket === undefined) throw new NoSuchBucketError();
    const { directory, allowDotFiles = false } = typeof bucket === 'string' ? { directory: bucket } : bucket;
    try {
      return { root: await realpath(directory), allowDotFiles };
    } catch (error) {
      throw new NoSuchBucketError(undefined, { cause: error });
    }
  }

  /** The key's regular file, open, proven to lie inside the bucket's directory. */
  async function openKey(
    location: ObjectLocation,
  ): Promise<{ handle: FileHandle; path: string; stats: Stats }> {
    refuseVersion(location.versionId);
    const { root, allowDotFiles } = await bucketOf(location.bucket);
    const segments = location.key.split('/');
    const isRefused = (segment: string) =>
      segment === '' || segment === '.' || segment === '..' || (!allowDotFiles && segment.startsWith('.'));
    if (location.key.includes('\0') || segments.some(isRefused)) throw new NoSuchKeyError();
    let path: string;
    try {
      path = await realpath(join(root, ...segments));
    } catch (error) {
      throw new NoSuchKeyError(undefined, { cause: error });
    }
    if (!isVisibleInside(root, path, allowDotFiles)) throw new NoSuchKeyError();
    const handle = await open(path, OPEN_FLAGS).catch((error: unknown) => {
      throw new NoSuchKeyError(undefined, { cause: error });
    });
    try {
      const stats = await handle.stat();
      if (!stats.isFile() || !(await isOpenedAt(handle, stats, path))) throw new NoSuchKeyError();
      return { handle, path, stats };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  return {
    async getObject(location, conditions): Promise<SourceObject> {
      const { handle, path, stats } = await openKey(location);
      try {
        const head = headOf(path, stats, conditions);
        // Small objects get a small read buffer: the gateway serves many of them at once.
        const highWaterMark = Math.max(1, Math.min(READ_CHUNK_BYTES, stats.size));
        // Reading the size fstat saw, the one the ETag names, ends without a read that finds EOF.
        const body = handle.createReadStream({ highWaterMark, end: Math.max(0, stats.size - 1) });
        return { ...head, body: exactLengthBody(body, stats.size) };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    async headObject(location, conditions): Promise<SourceObjectHead> {
      const { handle, path, stats } = await openKey(location);
      await handle.close();
      return headOf(path, stats, conditions);
    },

    async listObjects(request): Promise<ListObjectsPage> {
      const { root, allowDotFiles } = await bucketOf(request.bucket);
      const prefix = request.prefix ?? '';
      const delimiter = request.delimiter;
      const maxKeys = Math.min(Math.max(Math.trunc(request.maxKeys), 1), MAX_KEYS);
      const token = request.continuationToken;
      let floor: KeyFloor | undefined;
      if (token !== undefined) {
        // A token names the last entry returned, which may be a common prefix covering later keys.
        const marker = decodeToken(token);
        floor = { key: marker, isPrefixPassed: commonPrefixOf(marker, prefix, delimiter) === marker };
      } else if (request.startAfter !== undefined) {
        floor = { key: request.startAfter, isPrefixPassed: false };
      }
      const entries: { name: string; object?: ListedObject }[] = [];
      for await (const file of walkSortedKeys(root, { prefix, floor: () => floor, allowDotFiles })) {
        const commonPrefix = commonPrefixOf(file.key, prefix, delimiter);
        entries.push(
          commonPrefix === undefined
            ? { name: file.key, object: listedObject(file.key, file.stats) }
            : { name: commonPrefix },
        );
        floor = { key: commonPrefix ?? file.key, isPrefixPassed: commonPrefix !== undefined };
        if (entries.length > maxKeys) break;
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
    },
  };
}

/**
 * A directory holds one version of each file, S3's `null` version. S3 answers another version
 * id on a store without it with 400 InvalidArgument "Invalid version id specified"
 * (https://github.com/versity/versitygw/issues/1698 quotes the answer of S3 itself).
 */
function refuseVersion(versionId: string | undefined): void {
  if (versionId !== undefined && versionId !== 'null')
    throw new InvalidArgumentError('Invalid version id specified');
}

/**
 * Whether the open file is the one at `path`: no directory on the way was swapped for a symlink
 * between the check and the open. Linux names an open file's location in /proc/self/fd. Without
 * it (macOS), the path must still resolve, symlink-free, to the same file: this narrows the race
 * to a swap and a swap back between the open and this check, rather than closing it.
 */
async function isOpenedAt(handle: FileHandle, stats: Stats, path: string): Promise<boolean> {
  try {
    // procfs answers from memory: a synchronous call costs less than a hop to the thread pool.
    return readlinkSync(`/proc/self/fd/${handle.fd}`) === path;
  } catch {
    const now = await realpath(path)
      .then((real) => (real === path ? stat(path) : undefined))
      .catch(() => undefined);
    return now !== undefined && now.dev === stats.dev && now.ino === stats.ino;
  }
}

function headOf(path: string, stats: Stats, conditions: SourceConditions): SourceObjectHead {
  const lastModified = secondsPrecision(stats.mtimeMs);
  const etag = etagOf(stats);
  checkConditions(lastModified, etag, conditions);
  return {
    contentType: CONTENT_TYPES[extname(path).toLowerCase()],
    lastModified,
    etag,
  };
}

function listedObject(key: string, stats: Stats): ListedObject {
  return { key, lastModified: secondsPrecision(stats.mtimeMs), etag: etagOf(stats), size: stats.size };
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

/** The common prefix the key rolls up into: up to the delimiter's first occurrence after the prefix. */
function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (delimiter === undefined || delimiter === '') return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at === -1 ? undefined : key.slice(0, at + delimiter.length);
}

function encodeToken(entry: string): string {
  return Buffer.from(entry, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}
