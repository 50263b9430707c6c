import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { createLocalTokenKeyring } from '../../functions/adapters/local-token-keyring.ts';
import { createLocalViewStore } from '../../functions/adapters/local-view-store.ts';
import { createS3ViewStore } from '../../functions/adapters/s3-view-store.ts';
import type { GatewayOptions } from '../../functions/gateway/dependencies.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';
import { gatewayClient, send, signRequest, startTestGateway, type TestGateway } from './gateway-client.ts';

const EXAMPLE_BUCKET = new URL('../../examples/bucket/', import.meta.url).pathname;
const EXAMPLE_KEYS = ['app.log', 'customers.csv', 'events.csv.gz', 'orders.ndjson', 'profile.json'];
const SSN = '078-05-1120';
const EMAIL = 'jane.doe@example.com';

const md5Etag = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporaryDirectory(name: string): string {
  const directory = mkdtempSync(join(tmpdir(), `maskpoint-${name}-`));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** A gateway with a local view store in `viewsDir`, a reader key for `buckets` and an SDK client. */
async function gatewayWithViews(
  options: Omit<GatewayOptions, 'region' | 'audit' | 'credentials'>,
  buckets: string[],
  clientOptions: { maxAttempts?: number } = { maxAttempts: 1 },
): Promise<{ gateway: TestGateway; client: S3Client }> {
  const gateway = await startTestGateway(options);
  const key = await gateway.store.create('reader', buckets);
  const client = gatewayClient(gateway.server.url, key, clientOptions);
  cleanups.push(async () => {
    client.destroy();
    await gateway.stop();
  });
  return { gateway, client };
}

async function getBytes(client: S3Client, bucket: string, key: string, range?: string) {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
  return { ...object, bytes: Buffer.from((await object.Body?.transformToByteArray()) ?? []) };
}

/** Reads an object as served by every S3 call: GET, HEAD, ranges at generated positions, LIST. */
async function expectConsistentAnswers(client: S3Client, bucket: string, keys: readonly string[]) {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const key of keys) {
    const full = await getBytes(client, bucket, key);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(full.bytes.byteLength);
    expect(head.ETag).toBe(md5Etag(full.bytes));
    const listed = page.Contents?.find((object) => object.Key === key);
    expect(listed).toMatchObject({ Size: head.ContentLength, ETag: head.ETag });
    const again = await getBytes(client, bucket, key);
    expect(again.bytes).toEqual(full.bytes);
    expect(again.ContentLength).toBe(full.bytes.byteLength);
    expect(again.ETag).toBe(head.ETag);
  }
}

describe('the gateway with a local view store (transparent S3)', () => {
  let client: S3Client;
  let viewsDir: string;

  beforeAll(async () => {
    viewsDir = temporaryDirectory('views');
    ({ client } = await gatewayWithViews(
      {
        rulesDir: DEFAULT_RULES_DIR,
        localBuckets: new Map([['example', EXAMPLE_BUCKET]]),
        views: createLocalViewStore({ directory: viewsDir, maxBytes: 2 ** 30 }),
      },
      ['example'],
    ));
  });

  it('answers HEAD with the GET body length and the MD5 of the body, and lists the same Size and ETag, for every example object', async () => {
    await expectConsistentAnswers(client, 'example', EXAMPLE_KEYS);
  });

  it('answers ranges at generated positions with exactly the slices of the full GET', async () => {
    const full = (await getBytes(client, 'example', 'customers.csv')).bytes;
    const total = full.byteLength;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: total - 1 }), fc.nat({ max: total }), async (first, length) => {
        const last = first + length;
        const part = await getBytes(client, 'example', 'customers.csv', `bytes=${first}-${last}`);
        const end = Math.min(last, total - 1);
        expect(part.ContentRange).toBe(`bytes ${first}-${end}/${total}`);
        expect(part.ContentLength).toBe(end - first + 1);
        expect(part.bytes).toEqual(full.subarray(first, end + 1));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the views as owner-only files holding no planted value', async () => {
    const files = readdirSync(viewsDir);
    expect(files.length).toBeGreaterThanOrEqual(EXAMPLE_KEYS.length);
    for (const name of files) {
      const text = readFileSync(join(viewsDir, name), 'utf8');
      for (const planted of [EMAIL, SSN, '4111 1111 1111 1111', 'AKIAIOSFODNN7EXAMPLE']) {
        expect(text).not.toContain(planted);
      }
      expect(statSync(join(viewsDir, name)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(viewsDir).mode & 0o777).toBe(0o700);
  });
});

describe('views never go stale through the gateway', () => {
  const RULES_V1 = `name: default
priority: 0
scope: { buckets: ['*'], keys: ['**'], callers: ['*'] }
detectors:
  - id: email
    action: { type: redact }
`;
  const RULES_V2 = `${RULES_V1}  - id: us-ssn
    action: { type: redact }
`;

  let bucketDir: string;
  let viewsDir: string;
  let keyHome: string;

  function rulesDir(text: string): string {
    const directory = temporaryDirectory('rules');
    writeFileSync(join(directory, 'default.yaml'), text);
    return directory;
  }

  /** A gateway over the shared bucket, views and token keys, with the rules `text`. */
  async function gatewayWith(text: string) {
    const { client } = await gatewayWithViews(
      {
        rulesDir: rulesDir(text),
        localBuckets: new Map([['data', bucketDir]]),
        keyring: createLocalTokenKeyring(keyHome),
        views: createLocalViewStore({ directory: viewsDir, maxBytes: 2 ** 30 }),
      },
      ['data'],
    );
    return client;
  }

  beforeAll(() => {
    bucketDir = temporaryDirectory('bucket');
    viewsDir = temporaryDirectory('views');
    keyHome = temporaryDirectory('keys');
    writeFileSync(join(bucketDir, 'people.csv'), `name,ssn,email\nAda,${SSN},${EMAIL}\n`);
  });

  it('serves the rules of the gateway answering, not those a view was made under, and a new version of the object', async () => {
    const v1 = await gatewayWith(RULES_V1);
    const before = await getBytes(v1, 'data', 'people.csv');
    await expectConsistentAnswers(v1, 'data', ['people.csv']);
    expect(before.bytes.toString()).toContain(SSN);
    expect(before.bytes.toString()).not.toContain(EMAIL);
    const viewsOfV1 = readdirSync(viewsDir).length;

    // The same rules and keys in another process find the views already made.
    const sameRules = await gatewayWith(RULES_V1);
    await expectConsistentAnswers(sameRules, 'data', ['people.csv']);
    expect(readdirSync(viewsDir)).toHaveLength(viewsOfV1);

    const v2 = await gatewayWith(RULES_V2);
    const after = await getBytes(v2, 'data', 'people.csv', 'bytes=0-');
    expect(after.bytes.toString()).not.toContain(SSN);
    expect(after.ETag).not.toBe(md5Etag(before.bytes));
    await expectConsistentAnswers(v2, 'data', ['people.csv']);
    expect(readdirSync(viewsDir).length).toBeGreaterThan(viewsOfV1);

    writeFileSync(join(bucketDir, 'people.csv'), `name,ssn,email\nBo,${SSN},${EMAIL}\nCy,1,2\n`);
    utimesSync(join(bucketDir, 'people.csv'), new Date('2030-01-01'), new Date('2030-01-01'));
    const newVersion = await getBytes(v2, 'data', 'people.csv', 'bytes=0-');
    expect(newVersion.bytes.toString()).toContain('Cy,1,2');
    expect(newVersion.bytes.toString()).not.toContain(SSN);
    await expectConsistentAnswers(v2, 'data', ['people.csv']);
    const head = await v1.send(new HeadObjectCommand({ Bucket: 'data', Key: 'people.csv' }));
    const old = await getBytes(v1, 'data', 'people.csv');
    expect(old.bytes.toString()).toContain('Cy,1,2');
    expect(head.ContentLength).toBe(old.bytes.byteLength);
  });
});

describe('listing objects that cannot have a view', () => {
  it('leaves out an object GET refuses for its content and lists a passthrough object with its stored size', async () => {
    const bucketDir = temporaryDirectory('bucket');
    const rules = temporaryDirectory('rules');
    writeFileSync(
      join(rules, 'default.yaml'),
      `name: default
priority: 0
scope: { buckets: ['*'], keys: ['**'], callers: ['*'] }
passthrough: { prefixes: ['raw/'] }
detectors:
  - id: email
    action: { type: redact }
`,
    );
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);
    mkdirSync(join(bucketDir, 'raw'));
    writeFileSync(join(bucketDir, 'raw', 'logo.png'), png);
    writeFileSync(join(bucketDir, 'logo.png'), png);
    writeFileSync(join(bucketDir, 'people.csv'), `name,email\nAda,${EMAIL}\n`);
    const { client } = await gatewayWithViews(
      {
        rulesDir: rules,
        localBuckets: new Map([['data', bucketDir]]),
        views: createLocalViewStore({ directory: temporaryDirectory('views'), maxBytes: 2 ** 30 }),
      },
      ['data'],
    );

    const page = await client.send(new ListObjectsV2Command({ Bucket: 'data' }));
    expect(page.Contents?.map((object) => object.Key)).toEqual(['people.csv', 'raw/logo.png']);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'data', Key: 'raw/logo.png' }));
    const raw = await getBytes(client, 'data', 'raw/logo.png');
    expect(raw.bytes).toEqual(png);
    expect(page.Contents?.[1]).toMatchObject({ Size: png.byteLength, ETag: head.ETag });
    expect(head.ContentLength).toBe(png.byteLength);
    await expectConsistentAnswers(client, 'data', ['people.csv']);
  });
});

describe('a view still being made past the budget', () => {
  it('answers 503 SlowDown with Retry-After, and the SDK retry gets the exact length', async () => {
    const bucketDir = temporaryDirectory('bucket');
    const rows = Array.from({ length: 60_000 }, (_, at) => `row ${at},${SSN},user${at}@example.com`);
    writeFileSync(join(bucketDir, 'large.csv'), `name,ssn,email\n${rows.join('\n')}\n`);
    writeFileSync(join(bucketDir, 'other.csv'), `name,ssn,email\n${rows.join('\n')}\nlast,1,2\n`);
    const options = {
      rulesDir: DEFAULT_RULES_DIR,
      localBuckets: new Map([['data', bucketDir]]),
      views: createLocalViewStore({ directory: temporaryDirectory('views'), maxBytes: 2 ** 30 }),
      viewBudgetMs: 0,
    };
    // Retries enough for a slow machine, where the view may not be made by the SDK's second attempt.
    const { gateway, client } = await gatewayWithViews(options, ['data'], { maxAttempts: 6 });
    const key = await gateway.store.create('raw-reader', ['data']);
    const host = new URL(gateway.server.url).host;

    const refused = await send(
      gateway.server.url,
      await signRequest({ key, host, method: 'HEAD', path: '/data/large.csv' }),
    );
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');

    const head = await client.send(new HeadObjectCommand({ Bucket: 'data', Key: 'other.csv' }));
    const attempts = gateway.audit.filter((event) => event.key === 'other.csv').map((event) => event.status);
    // Refused while the view is being made (CI once needed a third attempt), then answered.
    expect(attempts.join(',')).toMatch(/^(503,)+200$/);
    const body = await getBytes(client, 'data', 'other.csv');
    expect(head.ContentLength).toBe(body.bytes.byteLength);
    expect(head.ETag).toBe(md5Etag(body.bytes));
  });
});

describe('the gateway over S3 with an S3 view store (s3rver)', () => {
  let s3: LocalS3;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3rver(['protected', 'view-cache']);
    cleanups.push(() => s3.stop());
    for (const key of EXAMPLE_KEYS) {
      const body = readFileSync(join(EXAMPLE_BUCKET, key));
      await s3.client.send(new PutObjectCommand({ Bucket: 'protected', Key: key, Body: body }));
    }
    ({ client } = await gatewayWithViews(
      {
        rulesDir: DEFAULT_RULES_DIR,
        s3Buckets: ['protected'],
        s3Client: s3.client,
        views: createS3ViewStore({ client: s3.client, bucket: 'view-cache', partSizeBytes: 5 * 1024 * 1024 }),
      },
      ['protected'],
    ));
  });

  it('answers HEAD, GET, ranges and LIST from views kept in the cache bucket, with nothing raw in it', async () => {
    await expectConsistentAnswers(client, 'protected', EXAMPLE_KEYS);
    const full = (await getBytes(client, 'protected', 'profile.json')).bytes;
    const part = await getBytes(client, 'protected', 'profile.json', 'bytes=7-70');
    expect(part.bytes).toEqual(full.subarray(7, 71));
    const cached = await s3.client.send(new ListObjectsV2Command({ Bucket: 'view-cache' }));
    expect(cached.Contents?.length).toBeGreaterThanOrEqual(EXAMPLE_KEYS.length * 2);
    for (const object of cached.Contents ?? []) {
      const stored = await s3.client.send(new GetObjectCommand({ Bucket: 'view-cache', Key: object.Key }));
      const text = Buffer.from((await stored.Body?.transformToByteArray()) ?? []).toString('latin1');
      for (const planted of [EMAIL, SSN, 'AKIAIOSFODNN7EXAMPLE']) expect(text).not.toContain(planted);
    }
  });
});
