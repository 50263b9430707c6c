import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRangeError } from '../core/errors.ts';
import type { ViewMetadata, ViewRange, ViewStore, ViewWriter } from '../core/ports/view-store.ts';
import { VIEW_ID_PATTERN } from '../core/views/view-id.ts';
import { parseViewMetadataJson, viewMetadataToJson } from './view-metadata-json.ts';

export interface LocalViewStoreOptions {
  /** Directory of the views (created 0700), e.g. `<maskpoint home>/views`. */
  readonly directory: string;
  /**
   * Size cap of the directory's views in bytes. Past it, the views read least recently are
   * removed until they take 90% of it. Several processes sharing the directory each enforce it
   * on their own commits, so it may be exceeded briefly.
   */
  readonly maxBytes: number;
  /** @default Date.now */
  readonly now?: (() => number) | undefined;
}

const VIEW_SUFFIX = '.view';
const TEMP_SUFFIX = '.tmp';
/** Closes every view file, after the bytes and the metadata JSON: the JSON's length, then this. */
const TRAILER_MAGIC = Buffer.from('MPVIEW1\n');
const TRAILER_BYTES = 4 + TRAILER_MAGIC.byteLength;
const EVICT_TO_FRACTION = 0.9;
/** A temporary file this old belongs to a process that died; live writers touch theirs on every write. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * A `ViewStore` in a local directory, one file per view (0600): the redacted bytes, then the
 * metadata JSON and a fixed trailer, so bytes and metadata are committed by one `rename` of a
 * complete, fsynced temporary file, and a damaged file is never taken for a view. Reads and
 * lookups mark a view as used (its mtime); after a commit that takes the directory over
 * `maxBytes`, the least recently used views are removed. A body already opened keeps reading a
 * removed view (the open file outlives its name).
 *
 * @example
 * ```ts
 * const store = createLocalViewStore({ directory: join(resolveMaskpointHome(), 'views'), maxBytes: 10 * 2 ** 30 });
 * const writer = await store.create(id);
 * await writer.write(redacted);
 * await writer.commit(metadata);
 * for await (const chunk of (await store.read(id, { first: 0, last: 99 })) ?? []) sink.write(chunk);
 * ```
 */
export function createLocalViewStore(options: LocalViewStoreOptions): ViewStore {
  const { directory, maxBytes } = options;
  const now = options.now ?? Date.now;
  let directoryReady: Promise<unknown> | undefined;
  /** Bytes of the views in the directory: from the last sweep, plus this process's commits since. */
  let knownBytes: number | undefined;
  let sweeping: Promise<void> | undefined;

  function pathOf(id: string): string {
    if (!VIEW_ID_PATTERN.test(id)) throw new Error('not a view id');
    return join(directory, `${id}${VIEW_SUFFIX}`);
  }

  /** Opens a committed view and marks it used; `undefined` when there is none. */
  async function openView(id: string): Promise<{ handle: FileHandle; metadata: ViewMetadata } | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(pathOf(id), 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    }
    try {
      const metadata = await readTrailer(handle);
      if (metadata === undefined) {
        await handle.close();
        return undefined;
      }
      const usedAt = new Date(now());
      await handle.utimes(usedAt, usedAt);
      return { handle, metadata };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async function get(id: string): Promise<ViewMetadata | undefined> {
    const opened = await openView(id);
    if (opened === undefined) return undefined;
    await opened.handle.close();
    return opened.metadata;
  }

  async function read(id: string, range?: ViewRange): Promise<AsyncIterable<Uint8Array> | undefined> {
    const opened = await openView(id);
    if (opened === undefined) return undefined;
    const { handle, metadata } = opened;
    const first = range?.first ?? 0;
    const last = range?.last ?? metadata.redactedBytes - 1;
    if (range !== undefined && !(first >= 0 && first <= last && last < metadata.redactedBytes)) {
      await handle.close();
      throw new InvalidRangeError();
    }
    if (last < first) {
      await handle.close();
      return (async function* () {})();
    }
    return handle.createReadStream({ start: first, end: last, autoClose: true });
  }

  async function create(id: string): Promise<ViewWriter> {
    const finalPath = pathOf(id);
    directoryReady ??= mkdir(directory, { recursive: true, mode: 0o700 });
    await directoryReady;
    const temporary = join(directory, `${id}.${randomUUID()}${TEMP_SUFFIX}`);
    const handle = await open(temporary, 'wx', 0o600);
    let writtenBytes = 0;
    let isOpen = true;

    async function discard(): Promise<void> {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
    }

    return {
      async write(chunk) {
        if (!isOpen) throw new Error('the view writer is closed');
        try {
          await writeAll(handle, chunk);
        } catch (error) {
          isOpen = false;
          await discard();
          throw error;
        }
        writtenBytes += chunk.byteLength;
      },

      async commit(metadata) {
        if (!isOpen) throw new Error('the view writer is closed');
        isOpen = false;
        let fileBytes: number;
        try {
          if (metadata.redactedBytes !== writtenBytes) {
            throw new Error(
              `the view has ${writtenBytes} bytes, its metadata says ${metadata.redactedBytes}`,
            );
          }
          const json = Buffer.from(viewMetadataToJson(metadata));
          const trailer = Buffer.alloc(TRAILER_BYTES);
          trailer.writeUInt32BE(json.byteLength, 0);
          TRAILER_MAGIC.copy(trailer, 4);
          await writeAll(handle, Buffer.concat([json, trailer]));
          fileBytes = writtenBytes + json.byteLength + TRAILER_BYTES;
          const committedAt = new Date(now());
          await handle.utimes(committedAt, committedAt);
          await handle.sync();
          await handle.close();
          await rename(temporary, finalPath);
        } catch (error) {
          await discard();
          throw error;
        }
        await afterCommit(fileBytes);
      },

      async abort() {
        if (!isOpen) return;
        isOpen = false;
        await discard();
      },
    };
  }

  async function remove(id: string): Promise<void> {
    await rm(pathOf(id), { force: true });
  }

  async function deleteObjectViews(prefix: string): Promise<void> {
    if (!/^[0-9a-f]{32}-$/.test(prefix)) throw new Error('not an object views prefix');
    for (const name of await listDirectory()) {
      if (name.startsWith(prefix) && name.endsWith(VIEW_SUFFIX))
        await rm(join(directory, name), { force: true });
    }
  }

  async function afterCommit(fileBytes: number): Promise<void> {
    if (knownBytes !== undefined) knownBytes += fileBytes;
    if (knownBytes !== undefined && knownBytes <= maxBytes) return;
    sweeping ??= sweep().finally(() => {
      sweeping = undefined;
    });
    await sweeping;
  }

  /** Measures the directory, removes stale temporary files, and evicts the least recently used views past the cap. */
  async function sweep(): Promise<void> {
    const views: { path: string; bytes: number; usedAtMs: number }[] = [];
    for (const name of await listDirectory()) {
      const path = join(directory, name);
      const stats = await stat(path).catch((error: unknown) => {
        if (isErrno(error, 'ENOENT')) return undefined;
        throw error;
      });
      if (stats === undefined) continue;
      if (name.endsWith(TEMP_SUFFIX) && Date.now() - stats.mtimeMs > STALE_TEMP_MS)
        await rm(path, { force: true });
      else if (name.endsWith(VIEW_SUFFIX)) views.push({ path, bytes: stats.size, usedAtMs: stats.mtimeMs });
    }
    let total = views.reduce((sum, view) => sum + view.bytes, 0);
    if (total > maxBytes) {
      views.sort((a, b) => a.usedAtMs - b.usedAtMs);
      for (const view of views) {
        if (total <= maxBytes * EVICT_TO_FRACTION) break;
        await rm(view.path, { force: true });
        total -= view.bytes;
      }
    }
    knownBytes = total;
  }

  async function listDirectory(): Promise<string[]> {
    try {
      return await readdir(directory);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw error;
    }
  }

  return { get, read, create, delete: remove, deleteObjectViews };
}

/** The metadata a view file ends with; `undefined` when the file is not a whole view. */
async function readTrailer(handle: FileHandle): Promise<ViewMetadata | undefined> {
  const { size } = await handle.stat();
  if (size < TRAILER_BYTES) return undefined;
  const trailer = Buffer.alloc(TRAILER_BYTES);
  await handle.read(trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES);
  if (!trailer.subarray(4).equals(TRAILER_MAGIC)) return undefined;
  const jsonBytes = trailer.readUInt32BE(0);
  const jsonStart = size - TRAILER_BYTES - jsonBytes;
  if (jsonStart < 0) return undefined;
  const json = Buffer.alloc(jsonBytes);
  await handle.read(json, 0, jsonBytes, jsonStart);
  const metadata = await parseViewMetadataJson(json.toString('utf8'));
  return metadata?.redactedBytes === jsonStart ? metadata : undefined;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
