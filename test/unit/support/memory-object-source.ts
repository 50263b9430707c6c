import { createHash } from 'node:crypto';
import { NoSuchKeyError, NotModifiedError, PreconditionFailedError } from '../../../functions/core/errors.ts';
import type {
  ListedObject,
  ListObjectsPage,
  ObjectSource,
  SourceConditions,
} from '../../../functions/core/ports/object-source.ts';

/** One stored object of the in-memory bucket. */
export interface MemoryObject {
  readonly body: Uint8Array;
  readonly contentType?: string | undefined;
  readonly contentEncoding?: string | undefined;
  readonly lastModified?: Date | undefined;
}

/** An in-memory `ObjectSource` and what the core did with it. */
export interface MemoryObjectSource extends ObjectSource {
  /** Bodies opened and bodies closed (read to the end, or returned early). */
  readonly bodies: { opened: number; closed: number };
  /** Every listing asked of the source, in order. */
  readonly listings: { prefix?: string | undefined; delimiter?: string | undefined }[];
}

const LAST_MODIFIED = new Date('2026-01-02T03:04:05Z');

/**
 * A bucket in memory with S3's read semantics: conditions (If-Match, then If-Unmodified-Since, at
 * second precision), ETags that change with the content, and ListObjectsV2 with prefix,
 * delimiter, start-after, max-keys and continuation tokens. Bodies come in `chunkBytes` pieces.
 */
export function memoryObjectSource(
  objects: ReadonlyMap<string, MemoryObject>,
  options: { chunkBytes?: number } = {},
): MemoryObjectSource {
  const bodies = { opened: 0, closed: 0 };
  const listings: MemoryObjectSource['listings'] = [];
  const chunkBytes = options.chunkBytes ?? 64;

  function head(key: string, conditions: SourceConditions) {
    const object = objects.get(key);
    if (object === undefined) throw new NoSuchKeyError();
    const lastModified = object.lastModified ?? LAST_MODIFIED;
    // The MD5 of the body, as S3 gives a single-part object: any change of content changes it.
    const etag = `"${createHash('md5').update(object.body).digest('hex')}"`;
    const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
    if (conditions.ifMatch !== undefined && conditions.ifMatch !== etag) throw new PreconditionFailedError();
    if (conditions.ifUnmodifiedSince && seconds(lastModified) > seconds(conditions.ifUnmodifiedSince)) {
      throw new PreconditionFailedError();
    }
    if (conditions.ifModifiedSince && seconds(lastModified) <= seconds(conditions.ifModifiedSince)) {
      throw new NotModifiedError();
    }
    return {
      object,
      head: {
        contentType: object.contentType,
        contentEncoding: object.contentEncoding,
        lastModified,
        etag,
      },
    };
  }

  return {
    bodies,
    listings,
    async getObject(location, conditions) {
      const { object, head: metadata } = head(location.key, conditions);
      bodies.opened++;
      return {
        ...metadata,
        body: (async function* () {
          try {
            for (let at = 0; at < object.body.byteLength; at += chunkBytes) {
              yield object.body.subarray(at, at + chunkBytes);
            }
          } finally {
            bodies.closed++;
          }
        })(),
      };
    },

    async headObject(location, conditions) {
      return head(location.key, conditions).head;
    },

    async listObjects(request): Promise<ListObjectsPage> {
      listings.push({ prefix: request.prefix, delimiter: request.delimiter });
      const prefix = request.prefix ?? '';
      const after = request.continuationToken ?? request.startAfter ?? '';
      const entries: ({ kind: 'object'; object: ListedObject } | { kind: 'prefix'; prefix: string })[] = [];
      const seenPrefixes = new Set<string>();
      for (const key of [...objects.keys()].sort()) {
        if (!key.startsWith(prefix) || key <= after) continue;
        const at = request.delimiter ? key.indexOf(request.delimiter, prefix.length) : -1;
        if (at >= 0) {
          const common = key.slice(0, at + (request.delimiter?.length ?? 0));
          if (!seenPrefixes.has(common) && common > after) {
            seenPrefixes.add(common);
            entries.push({ kind: 'prefix', prefix: common });
          }
          continue;
        }
        const { head: metadata } = head(key, {});
        entries.push({
          kind: 'object',
          object: {
            key,
            lastModified: metadata.lastModified,
            etag: metadata.etag,
            size: objects.get(key)?.body.byteLength,
          },
        });
      }
      const page = entries.slice(0, request.maxKeys);
      const last = page.at(-1);
      const isTruncated = entries.length > page.length;
      return {
        objects: page.flatMap((entry) => (entry.kind === 'object' ? [entry.object] : [])),
        commonPrefixes: page.flatMap((entry) => (entry.kind === 'prefix' ? [entry.prefix] : [])),
        isTruncated,
        nextContinuationToken:
          isTruncated && last ? (last.kind === 'object' ? last.object.key : last.prefix) : undefined,
      };
    },
  };
}
