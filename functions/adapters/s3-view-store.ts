import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { InvalidRangeError, ServiceUnavailableError } from '../core/errors.ts';
import type { ViewMetadata, ViewRange, ViewStore, ViewWriter } from '../core/ports/view-store.ts';
import { VIEW_ID_PATTERN } from '../core/views/view-id.ts';
import { parseViewMetadataJson, viewMetadataToJson } from './view-metadata-json.ts';

export interface S3ViewStoreOptions {
  readonly client: S3Client;
  /** The cache bucket: encrypted, Block Public Access, TLS only, expiring, front-door roles only. */
  readonly bucket: string;
  /** Key prefix of the views inside the bucket. @default 'views/' */
  readonly prefix?: string | undefined;
  /**
   * Part size of the multipart upload of a view: at least 5 MiB, and a view holds at most
   * 10,000 parts (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html), so the
   * default allows views up to about 78 GiB. @default 8 MiB
   */
  readonly partSizeBytes?: number | undefined;
  /** Parts of one view uploaded at once; a view being written holds about (this + 1) parts in memory. @default 2 */
  readonly partsInParallel?: number | undefined;
}

const DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024;
const DEFAULT_PARTS_IN_PARALLEL = 2;
/** DeleteObjects takes at most 1,000 keys (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html). */
const DELETE_BATCH = 1000;

/**
 * A `ViewStore` in an S3 cache bucket: the bytes at `<prefix><id>`, written with a managed
 * multipart upload that is completed only by `commit` and aborted otherwise (a failed upload
 * leaves parts only until the bucket's abort-incomplete-multipart-upload rule), and the
 * metadata as JSON at `<prefix><id>.json`, written after the bytes. The JSON document is the
 * commit: S3 reads are strongly consistent after a write
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel), so
 * whoever finds it finds the bytes. The metadata is not kept as `x-amz-meta-*` headers: S3
 * caps those at 2 KB per object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html),
 * and counts per rule id can exceed that, and it is known only once the bytes are written.
 *
 * @example
 * ```ts
 * const store = createS3ViewStore({ client: createS3Client(), bucket: 'maskpoint-views-123' });
 * const metadata = await store.get(id);
 * const body = metadata && (await store.read(id, { first: 0, last: 99 }));
 * ```
 */
export function createS3ViewStore(options: S3ViewStoreOptions): ViewStore {
  const { client, bucket } = options;
  const prefix = options.prefix ?? 'views/';
  const partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES;
  const queueSize = options.partsInParallel ?? DEFAULT_PARTS_IN_PARALLEL;

  function dataKey(id: string): string {
    if (!VIEW_ID_PATTERN.test(id)) throw new Error('not a view id');
    return `${prefix}${id}`;
  }

  async function get(id: string): Promise<ViewMetadata | undefined> {
    let text: string;
    try {
      const response = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: `${dataKey(id)}.json` }),
      );
      text = (await response.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw storeError(error);
    }
    return parseViewMetadataJson(text);
  }

  async function read(id: string, range?: ViewRange): Promise<AsyncIterable<Uint8Array> | undefined> {
    if (range !== undefined && !(range.first >= 0 && range.first <= range.last))
      throw new InvalidRangeError();
    let response: GetObjectCommandOutput;
    try {
      response = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: dataKey(id),
          Range: range === undefined ? undefined : `bytes=${range.first}-${range.last}`,
        }),
      );
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      if (statusOf(error) === 416) throw new InvalidRangeError(undefined, { cause: error });
      throw storeError(error);
    }
    const body = response.Body as (Readable & AsyncIterable<Uint8Array>) | undefined;
    if (body === undefined) return undefined;
    if (range !== undefined && response.ContentLength !== range.last - range.first + 1) {
      // S3 shortens a range that runs past the end: the view is not the one the range was resolved against.
      body.destroy();
      return undefined;
    }
    return body;
  }

  async function create(id: string): Promise<ViewWriter> {
    const key = dataKey(id);
    const body = new PassThrough();
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: 'application/octet-stream' },
      partSize,
      queueSize,
      leavePartsOnError: false,
    });
    const uploadFailed = new AbortController();
    const uploaded = upload.done();
    uploaded.catch((error: unknown) => uploadFailed.abort(error));
    let writtenBytes = 0;
    let isOpen = true;

    async function abort(): Promise<void> {
      if (!isOpen) return;
      isOpen = false;
      // An error, not an end: the upload then aborts its multipart upload (leavePartsOnError false)
      // and settles once the abort was sent, instead of completing what was written.
      body.destroy(new Error('the view was aborted'));
      await uploaded.catch(() => undefined);
    }

    return {
      async write(chunk) {
        if (!isOpen) throw new Error('the view writer is closed');
        if (uploadFailed.signal.aborted) {
          await abort();
          throw storeError(uploadFailed.signal.reason);
        }
        writtenBytes += chunk.byteLength;
        if (body.write(chunk)) return;
        try {
          await once(body, 'drain', { signal: uploadFailed.signal });
        } catch (error) {
          await abort();
          throw storeError(uploadFailed.signal.aborted ? uploadFailed.signal.reason : error);
        }
      },

      async commit(metadata) {
        if (!isOpen) throw new Error('the view writer is closed');
        if (metadata.redactedBytes !== writtenBytes) {
          await abort();
          throw new Error(`the view has ${writtenBytes} bytes, its metadata says ${metadata.redactedBytes}`);
        }
        isOpen = false;
        body.end();
        try {
          await uploaded;
        } catch (error) {
          throw storeError(error);
        }
        try {
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: `${key}.json`,
              Body: viewMetadataToJson(metadata),
              ContentType: 'application/json',
            }),
          );
        } catch (error) {
          // Bytes without metadata are never served; removing them now only saves storage.
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
          throw storeError(error);
        }
      },

      abort,
    };
  }

  async function remove(id: string): Promise<void> {
    const key = dataKey(id);
    // Metadata first: from then on the view is absent, whatever happens to its bytes.
    await deleteKeys([`${key}.json`]);
    await deleteKeys([key]);
  }

  async function deleteObjectViews(objectPrefix: string): Promise<void> {
    if (!/^[0-9a-f]{32}-$/.test(objectPrefix)) throw new Error('not an object views prefix');
    let continuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: `${prefix}${objectPrefix}`,
            ContinuationToken: continuationToken,
            MaxKeys: DELETE_BATCH,
          }),
        );
      } catch (error) {
        throw storeError(error);
      }
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
      // Within a page, metadata documents sort after their bytes; delete them first.
      await deleteKeys(keys.filter((key) => key.endsWith('.json')));
      await deleteKeys(keys.filter((key) => !key.endsWith('.json')));
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  async function deleteKeys(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    let response: DeleteObjectsCommandOutput;
    try {
      response = await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      );
    } catch (error) {
      throw storeError(error);
    }
    if ((response.Errors ?? []).length > 0) {
      throw new ServiceUnavailableError(`the view store could not delete ${response.Errors?.length} views`);
    }
  }

  return { get, read, create, delete: remove, deleteObjectViews };
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** The view store's failures as a 503: the request may be retried, nothing unredacted is at stake. */
function storeError(error: unknown): ServiceUnavailableError {
  const status = statusOf(error);
  const answered = status === undefined ? 'could not be reached' : `answered ${status}`;
  return new ServiceUnavailableError(`the view store ${answered}`, { cause: error });
}
