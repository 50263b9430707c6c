import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openRedactionStream } from '../../functions/adapters/node-redaction-stream.ts';
import { createS3ObjectSource } from '../../functions/adapters/s3-object-source.ts';
import { createS3ViewStore } from '../../functions/adapters/s3-view-store.ts';
import { ServiceUnavailableError } from '../../functions/core/errors.ts';
import type { ViewMetadata, ViewStore } from '../../functions/core/ports/view-store.ts';
import { objectViewsPrefix, type ViewIdentity, viewId } from '../../functions/core/views/view-id.ts';
import { createViewMaterializer, type ViewSource } from '../../functions/core/views/view-materializer.ts';
import { shippedRuleSet } from '../support/shipped-rules.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';

const BUCKET = 'views-cache';
const MIB = 1024 * 1024;
/** lib-storage refuses parts under 5 MiB, as S3 does (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html). */
const PART_BYTES = 5 * MIB;

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
    counts: { email: 3 },
    createdAt: new Date('2026-05-01T10:00:00.000Z'),
    format: 'ndjson',
    contentType: 'application/x-ndjson',
    contentEncoding: 'gzip',
    sourceLastModified: new Date('2026-04-30T09:00:00.000Z'),
  };
}

function bytesOf(length: number, seed = 7): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}

async function collect(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer | undefined> {
  if (body === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function write(
  store: ViewStore,
  id: string,
  bytes: Uint8Array,
  chunkBytes = 256 * 1024,
): Promise<void> {
  const writer = await store.create(id);
  for (let offset = 0; offset < bytes.byteLength; offset += chunkBytes) {
    await writer.write(bytes.subarray(offset, offset + chunkBytes));
  }
  await writer.commit(metadataOf(bytes));
}

describe('createS3ViewStore against s3rver', () => {
  let s3: LocalS3;
  let store: ViewStore;
  /** Names of the S3 commands the store sent, in order (the SDK's own middleware stack). */
  const sent: string[] = [];

  beforeAll(async () => {
    s3 = await startS3rver([BUCKET]);
    s3.client.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    store = createS3ViewStore({ client: s3.client, bucket: BUCKET, partSizeBytes: PART_BYTES });
  });

  afterAll(async () => {
    await s3.stop();
  });

  beforeEach(async () => {
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    for (const object of listed.Contents ?? []) {
      await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: object.Key }));
    }
    sent.length = 0;
  });

  async function keysInBucket(): Promise<string[]> {
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return (listed.Contents ?? []).map((object) => object.Key ?? '');
  }

  it('shows a view only once it is committed, with its metadata and bytes', async () => {
    const id = idOf('people/secret-customers.ndjson');
    const bytes = bytesOf(1000);
    const writer = await store.create(id);
    await writer.write(bytes);

    expect(await store.get(id)).toBeUndefined();
    expect(await store.read(id)).toBeUndefined();

    await writer.commit(metadataOf(bytes));

    expect(await store.get(id)).toEqual(metadataOf(bytes));
    expect(await collect(await store.read(id))).toEqual(bytes);
  });

  it('names cache objects by view id only, never by bucket or key', async () => {
    const id = idOf('people/secret-customers.ndjson');
    await write(store, id, bytesOf(10));

    expect((await keysInBucket()).sort()).toEqual([`views/${id}`, `views/${id}.json`]);
  });

  it('uploads a large view in several parts and reads back exact ranges across them', async () => {
    const id = idOf('large.ndjson');
    const bytes = bytesOf(2 * PART_BYTES + 123_457);
    await write(store, id, bytes);

    expect(sent.filter((name) => name === 'UploadPartCommand')).toHaveLength(3);
    expect(sent).toContain('CompleteMultipartUploadCommand');
    expect(await store.get(id)).toMatchObject({
      redactedBytes: bytes.byteLength,
      md5: createHash('md5').update(bytes).digest('hex'),
    });
    await fc.assert(
      fc.asyncProperty(fc.nat(bytes.byteLength - 1), fc.nat(bytes.byteLength - 1), async (a, b) => {
        const range = { first: Math.min(a, b), last: Math.max(a, b) };
        const read = await collect(await store.read(id, range));
        expect(read?.equals(bytes.subarray(range.first, range.last + 1))).toBe(true);
      }),
      {
        numRuns: 8,
        examples: [
          [PART_BYTES - 1, PART_BYTES],
          [0, bytes.byteLength - 1],
        ],
      },
    );
  });

  it('aborts a multipart upload: nothing is completed and no object is left', async () => {
    const id = idOf('aborted.ndjson');
    const writer = await store.create(id);
    for (let i = 0; i < 6; i += 1) await writer.write(bytesOf(MIB, i));
    await writer.abort();

    expect(sent).toContain('CreateMultipartUploadCommand');
    // s3rver answers AbortMultipartUpload 405; S3 removes the parts (and the bucket's lifecycle rule
    // removes parts of an abort that never arrived).
    expect(sent).toContain('AbortMultipartUploadCommand');
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
    expect(await keysInBucket()).toEqual([]);
    expect(await store.get(id)).toBeUndefined();
  });

  it('aborts a small view without sending anything', async () => {
    const id = idOf('small.ndjson');
    const writer = await store.create(id);
    await writer.write(bytesOf(10));
    await writer.abort();

    expect(sent).toEqual([]);
    expect(await keysInBucket()).toEqual([]);
  });

  it('rejects a commit whose size is not the number of bytes written, and leaves nothing', async () => {
    const id = idOf('short.ndjson');
    const writer = await store.create(id);
    await writer.write(bytesOf(100));

    await expect(writer.commit(metadataOf(bytesOf(101)))).rejects.toThrow('100 bytes');
    expect(await keysInBucket()).toEqual([]);
  });

  it('stores an empty view', async () => {
    const id = idOf('empty.ndjson');
    await write(store, id, Buffer.alloc(0));

    expect(await store.get(id)).toMatchObject({ redactedBytes: 0 });
    expect(await collect(await store.read(id))).toEqual(Buffer.alloc(0));
  });

  it('answers a miss when the bytes of a view are gone (expired before its metadata)', async () => {
    const id = idOf('expired.ndjson');
    await write(store, id, bytesOf(100));
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `views/${id}` }));

    expect(await store.read(id)).toBeUndefined();
    expect(await store.read(id, { first: 0, last: 9 })).toBeUndefined();
  });

  it('deletes one view, and every view of one object', async () => {
    await write(store, idOf('a.ndjson', '"v1"'), bytesOf(10));
    await write(store, idOf('a.ndjson', '"v2"'), bytesOf(10));
    await write(store, idOf('b.ndjson', '"v1"'), bytesOf(10));
    await write(store, idOf('c.ndjson', '"v1"'), bytesOf(10));

    await store.deleteObjectViews(objectViewsPrefix('data', 'a.ndjson'));
    await store.delete(idOf('c.ndjson', '"v1"'));

    expect(await keysInBucket()).toEqual([
      `views/${idOf('b.ndjson', '"v1"')}`,
      `views/${idOf('b.ndjson', '"v1"')}.json`,
    ]);
  });

  it('fails with ServiceUnavailableError when the cache bucket cannot be reached', async () => {
    const unreachable = new S3Client({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      forcePathStyle: true,
      maxAttempts: 1,
    });
    const offline = createS3ViewStore({ client: unreachable, bucket: BUCKET });

    await expect(offline.get(idOf('a.ndjson'))).rejects.toBeInstanceOf(ServiceUnavailableError);
    unreachable.destroy();
  });
});

describe('views of a protected bucket in an s3rver cache bucket', () => {
  const PLANTED = ['jane.planted@example.com', '219-09-9999', '4111 1111 1111 1111'];
  const DOCUMENTS: Record<string, string> = {
    'app.log': `INFO mail ${PLANTED[0]}, ssn ${PLANTED[1]}, card ${PLANTED[2]}\n`.repeat(200),
    'people.csv': `id,email,notes\n${`1,${PLANTED[0]},"ssn ${PLANTED[1]}"\n`.repeat(200)}`,
    'people.ndjson': `${JSON.stringify({ email: PLANTED[0], card: PLANTED[2] })}\n`.repeat(200),
  };
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startS3rver(['data', BUCKET]);
    for (const [key, text] of Object.entries(DOCUMENTS)) {
      await s3.client.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: text }));
    }
  });

  afterAll(async () => {
    await s3.stop();
  });

  it('keeps only redacted bytes: no planted value in any cache object, views equal a direct redaction', async () => {
    const ruleSet = await shippedRuleSet('default');
    const source = createS3ObjectSource(s3.client);
    const store = createS3ViewStore({ client: s3.client, bucket: BUCKET });
    const materializer = createViewMaterializer(store);
    const open = async (key: string): Promise<ViewSource> => {
      const object = await source.getObject({ bucket: 'data', key }, {});
      const redaction = await openRedactionStream(object.body, {
        ruleSet,
        contentType: object.contentType,
        key,
      });
      return { source: object, redaction, contentType: 'text/plain' };
    };
    const identityOf = async (key: string): Promise<ViewIdentity> => ({
      bucket: 'data',
      key,
      sourceEtag: (await source.headObject({ bucket: 'data', key }, {})).etag ?? '',
      ruleSetName: ruleSet.name,
      ruleSetVersion: ruleSet.versionHash,
      tokenKeyIds: ['k1'],
    });

    const served = await collect(materializer.tee(await identityOf('app.log'), await open('app.log')));
    await materializer.materialize(await identityOf('people.csv'), () => open('people.csv'));
    await materializer.materializeWithin(
      await identityOf('people.ndjson'),
      () => open('people.ndjson'),
      30_000,
    );

    for (const key of Object.keys(DOCUMENTS)) {
      const id = viewId(await identityOf(key));
      const direct = await collect((await open(key)).redaction.body);
      expect(await collect(await store.read(id))).toEqual(direct);
      expect((await store.get(id))?.md5).toBe(
        createHash('md5')
          .update(direct ?? '')
          .digest('hex'),
      );
    }
    expect(served).toEqual(await collect(await store.read(viewId(await identityOf('app.log')))));
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents).toHaveLength(6);
    for (const object of listed.Contents ?? []) {
      const body = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }));
      const text = (await body.Body?.transformToString()) ?? '';
      for (const value of PLANTED) expect(text).not.toContain(value);
      for (const key of Object.keys(DOCUMENTS)) expect(object.Key).not.toContain(key);
    }
  });
});
