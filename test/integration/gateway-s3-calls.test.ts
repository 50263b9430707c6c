import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  type ListObjectsCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import { gatewayClient, startTestGateway, type TestGateway } from './gateway-client.ts';

/**
 * `open` shows every key of bucket `calls`; in bucket `paged`, `partial` shows only keys under
 * `v/`, top-level keys starting with `w` and keys under a top-level directory starting with `a`:
 * every other key is hidden from listings, as GET would refuse it.
 */
const RULES = {
  'open.yaml': `name: open
scope: { buckets: ['calls'] }
detectors:
  - id: email
    action: { type: redact }
`,
  'partial.yaml': `name: partial
scope: { buckets: ['paged'], keys: ['v/', 'w*', 'a*/**'] }
detectors:
  - id: email
    action: { type: redact }
`,
};
const isShownInPaged = (key: string) => key.startsWith('v/') || /^(w[^/]*|a[^/]*\/.*)$/.test(key);

/** Names that need encoding in XML and URLs: spaces, `+`, `%`, accents, CJK, astral emoji. */
const ENCODED_KEYS = [
  'enc/100%.txt',
  'enc/%2F not a slash.txt',
  'enc/a b.txt',
  'enc/a+b.txt',
  'enc/dir one/x.txt',
  'enc/é/日本.txt',
  'enc/😀 +%20.txt',
];

const status = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
/** `encoding-type=url` as S3 writes it: percent-encoding with a space as `+`. */
const urlDecode = (value: string) => decodeURIComponent(value.replaceAll('+', ' '));
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function writeBucket(dir: string, keys: readonly string[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const key of keys) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), 'id,contact\n1,jane.doe@example.com\n');
  }
}

interface Listed {
  readonly keys: string[];
  readonly prefixes: string[];
  /** Each truncated v2 page's NextContinuationToken and the last entry that page showed. */
  readonly tokens: { token: string; lastEntry: string | undefined }[];
  pages: number;
}

interface ListInput {
  readonly bucket: string;
  readonly prefix?: string | undefined;
  readonly delimiter?: string | undefined;
  readonly maxKeys?: number | undefined;
  readonly isUrlEncoded?: boolean | undefined;
  /** v1's first Marker; v2's StartAfter, sent with every page as SDK paginators do. */
  readonly startAfter?: string | undefined;
}

/**
 * Pages a listing to the end as clients do: v1 from NextMarker, else from the last Key (both
 * URL-decoded when encoded); v2 with continuation tokens.
 */
async function listAll(client: S3Client, version: 1 | 2, input: ListInput): Promise<Listed> {
  const decode = input.isUrlEncoded ? urlDecode : (value: string) => value;
  const common = {
    Bucket: input.bucket,
    Prefix: input.prefix,
    Delimiter: input.delimiter,
    MaxKeys: input.maxKeys,
    EncodingType: input.isUrlEncoded ? ('url' as const) : undefined,
  };
  const listed: Listed = { keys: [], prefixes: [], tokens: [], pages: 0 };
  let position: string | undefined = version === 1 ? input.startAfter : undefined;
  for (let page = 0; page < 1000; page++) {
    const output: ListObjectsCommandOutput | ListObjectsV2CommandOutput =
      version === 1
        ? await client.send(new ListObjectsCommand({ ...common, Marker: position }))
        : await client.send(
            new ListObjectsV2Command({
              ...common,
              StartAfter: input.startAfter,
              ContinuationToken: position,
            }),
          );
    listed.pages++;
    const keys = (output.Contents ?? []).map((object) => decode(object.Key ?? ''));
    const prefixes = (output.CommonPrefixes ?? []).map((common) => decode(common.Prefix ?? ''));
    listed.keys.push(...keys);
    listed.prefixes.push(...prefixes);
    if (!output.IsTruncated) return listed;
    if (version === 2) {
      position = (output as ListObjectsV2CommandOutput).NextContinuationToken;
      listed.tokens.push({ token: position ?? '', lastEntry: [...keys, ...prefixes].sort(utf8Order).at(-1) });
      continue;
    }
    const next = (output as ListObjectsCommandOutput).NextMarker ?? output.Contents?.at(-1)?.Key;
    expect(next, 'a truncated v1 page names where the next one starts').toBeDefined();
    position = decode(next ?? '');
  }
  throw new Error(`v${version} paging did not end`);
}

function deniedOrThrow(error: unknown): 'denied' {
  if (status(error) === 403) return 'denied';
  throw error;
}

/**
 * What a listing must show: the shown keys under the prefix, rolled up at the delimiter, after
 * `startAfter` when given.
 */
function expectedListing(
  keys: readonly string[],
  isShown: (key: string) => boolean,
  prefix: string,
  delimiter: string | undefined,
  startAfter?: string | undefined,
): { keys: string[]; prefixes: string[] } {
  const expected = { keys: [] as string[], prefixes: [] as string[] };
  for (const key of keys.filter((k) => k.startsWith(prefix) && isShown(k)).sort(utf8Order)) {
    const at = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
    const entry = at < 0 ? key : key.slice(0, at + (delimiter?.length ?? 0));
    if (startAfter !== undefined && utf8Order(entry, startAfter) <= 0) continue;
    if (at < 0) expected.keys.push(key);
    else if (expected.prefixes.at(-1) !== entry) expected.prefixes.push(entry);
  }
  return expected;
}

describe('the S3 calls clients make, through the real SDK', () => {
  let rulesDir: string;
  let bucketsDir: string;
  let gateway: TestGateway;
  let key: GatewayKey;
  let client: S3Client;
  const callsKeys = [...ENCODED_KEYS, 'top.csv', 'logs/2026/a.log', 'logs/2026/b.log', 'logs/z.log'];

  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'maskpoint-calls-rules-'));
    for (const [name, text] of Object.entries(RULES)) writeFileSync(join(rulesDir, name), text);
    bucketsDir = mkdtempSync(join(tmpdir(), 'maskpoint-calls-buckets-'));
    writeBucket(join(bucketsDir, 'calls'), callsKeys);
    writeBucket(join(bucketsDir, 'paged'), []);
    writeBucket(join(bucketsDir, 'other'), ['secret.csv']);
    gateway = await startTestGateway({
      rulesDir,
      localBuckets: new Map(['calls', 'paged', 'other'].map((name) => [name, join(bucketsDir, name)])),
    });
    key = await gateway.store.create('reader', ['calls', 'paged', 'unserved']);
    await gateway.store.create('other-reader', ['other']);
    client = gatewayClient(gateway.server.url, key, { maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await gateway.stop();
    rmSync(rulesDir, { recursive: true, force: true });
    rmSync(bucketsDir, { recursive: true, force: true });
  });

  describe('ListObjects (v1)', () => {
    it('pages with marker over a random key set to exactly the keys ListObjectsV2 lists', async () => {
      const name = fc
        .array(fc.constantFrom('a', 'b', '0', ' ', '+', '%', 'é', '日', '😀', '-'), {
          minLength: 1,
          maxLength: 5,
        })
        .map((chars) => chars.join(''));
      const [keys = []] = fc.sample(
        fc.uniqueArray(
          fc.tuple(name, fc.option(name)).map(([dir, file]) => (file === null ? dir : `${dir}/${file}`)),
          { minLength: 30, maxLength: 30 },
        ),
        { seed: 9, numRuns: 1 },
      );
      const files = keys.filter((k) => !keys.some((other) => other.startsWith(`${k}/`)));
      writeBucket(
        join(bucketsDir, 'paged'),
        files.map((k) => `v/${k}`),
      );

      const v1 = await listAll(client, 1, { bucket: 'paged', maxKeys: 4 });
      const v2 = await listAll(client, 2, { bucket: 'paged', maxKeys: 4 });

      expect(v1.keys).toEqual(files.map((k) => `v/${k}`).sort(utf8Order));
      expect(v1.keys).toEqual(v2.keys);
      expect(v1.pages).toBe(Math.ceil(files.length / 4));
    });

    it('pages to exactly the keys and prefixes ListObjectsV2 pages to, for any max-keys, delimiter, prefix and encoding, with hidden keys among them', async () => {
      const segment = fc.constantFrom('v', 'w', 'wx', 'a', 'x', 'a b', 'a+b', '50%', 'é', '日', '😀', 'v.w');
      // Directories never end in ".f", so no key is also another's directory.
      const objectKey = fc
        .tuple(fc.array(segment, { maxLength: 2 }), segment)
        .map(([dirs, file]) => [...dirs, `${file}.f`].join('/'));
      const scenario = fc
        .uniqueArray(objectKey, { minLength: 1, maxLength: 40, size: 'large' })
        .chain((keys) =>
          fc.record({
            keys: fc.constant(keys),
            maxKeys: fc.integer({ min: 1, max: 6 }),
            delimiter: fc.constantFrom(undefined, '/', 'x', ' ', '%', 'é', '/w'),
            prefix: fc.oneof(
              fc.constantFrom('', 'v', 'v/', 'w', 'a'),
              // The start of a key, cut at code points: half an emoji is no string a client can send.
              fc.constantFrom(...keys).chain((k) => fc.nat(4).map((cut) => [...k].slice(0, cut).join(''))),
            ),
            isUrlEncoded: fc.boolean(),
          }),
        );

      await fc.assert(
        fc.asyncProperty(scenario, async ({ keys, ...input }) => {
          writeBucket(join(bucketsDir, 'paged'), keys);
          const listing = { bucket: 'paged', ...input };

          const v1 = await listAll(client, 1, listing).catch(deniedOrThrow);
          const v2 = await listAll(client, 2, listing).catch(deniedOrThrow);

          const expected = expectedListing(keys, isShownInPaged, input.prefix, input.delimiter);
          // Under a prefix no rule set lets this caller read, both listings are refused.
          if (v2 === 'denied') {
            expect(v1).toBe('denied');
            expect(expected).toEqual({ keys: [], prefixes: [] });
            return;
          }
          expect(v2.keys).toEqual(expected.keys);
          expect(v2.prefixes).toEqual(expected.prefixes);
          expect(v1).not.toBe('denied');
          if (v1 === 'denied') return;
          expect(v1.keys).toEqual(v2.keys);
          expect(v1.prefixes).toEqual(v2.prefixes);
        }),
        { numRuns: 40 },
      );
    });

    it('reads on past a run of hidden keys longer than 16 pages of max-keys, v1 and v2 alike, to the first page that shows a key', async () => {
      // The bound (16 source pages, the first of max-keys and then 1,000 each) is in the unit tests.
      const hidden = Array.from({ length: 100 }, (_, i) => `h/${String(i).padStart(3, '0')}`);
      writeBucket(join(bucketsDir, 'paged'), [...hidden, 'w-shown', 'w-then']);

      const v1 = await client.send(new ListObjectsCommand({ Bucket: 'paged', MaxKeys: 1 }));
      const v2 = await client.send(new ListObjectsV2Command({ Bucket: 'paged', MaxKeys: 1 }));

      expect(v1.Contents?.map((object) => object.Key)).toEqual(['w-shown']);
      expect(v1.IsTruncated).toBe(true);
      expect(v2.Contents?.map((object) => object.Key)).toEqual(['w-shown']);
      expect(Buffer.from(v2.NextContinuationToken ?? '', 'base64url').toString()).toBe('w-shown');
    });

    it('round-trips keys with spaces, unicode, + and % through encoding-type=url, and through plain XML', async () => {
      const expected = [...ENCODED_KEYS].sort(utf8Order);
      for (const isUrlEncoded of [true, false]) {
        const v1 = await listAll(client, 1, { bucket: 'calls', prefix: 'enc/', maxKeys: 2, isUrlEncoded });
        expect(v1.keys).toEqual(expected);
        expect((await listAll(client, 2, { bucket: 'calls', prefix: 'enc/', isUrlEncoded })).keys).toEqual(
          expected,
        );
      }
      const rolled = (marker: string) =>
        client.send(
          new ListObjectsCommand({
            Bucket: 'calls',
            Prefix: 'enc/',
            Delimiter: ' ',
            Marker: marker,
            MaxKeys: 1,
            EncodingType: 'url',
          }),
        );
      const first = await rolled('enc/100%.txt');
      expect(first).toMatchObject({
        EncodingType: 'url',
        Prefix: 'enc%2F',
        Delimiter: '+',
        Marker: 'enc%2F100%25.txt',
        IsTruncated: true,
        NextMarker: 'enc%2Fa+',
        CommonPrefixes: [{ Prefix: 'enc%2Fa+' }],
      });
      expect(first.Contents).toBeUndefined();
      // The common prefix as marker passes every key under it ("enc/a b.txt").
      const second = await rolled(urlDecode(first.NextMarker ?? ''));
      expect(second.Contents?.map((object) => object.Key)).toEqual(['enc%2Fa%2Bb.txt']);
    });

    it('answers with the bucket, the request echoed and redacted-view ETags, and records ListObjects', async () => {
      const page = await client.send(
        new ListObjectsCommand({ Bucket: 'calls', Prefix: 'logs/', Delimiter: '/' }),
      );

      expect(page).toMatchObject({
        Name: 'calls',
        Prefix: 'logs/',
        Delimiter: '/',
        Marker: '',
        MaxKeys: 1000,
        IsTruncated: false,
        CommonPrefixes: [{ Prefix: 'logs/2026/' }],
      });
      expect(page.NextMarker).toBeUndefined();
      expect(page.Contents?.map((object) => object.Key)).toEqual(['logs/z.log']);
      const v2 = await client.send(new ListObjectsV2Command({ Bucket: 'calls', Prefix: 'logs/z' }));
      expect(page.Contents?.[0]?.ETag).toBe(v2.Contents?.[0]?.ETag);
      expect(gateway.audit).toContainEqual(
        expect.objectContaining({
          operation: 'ListObjects',
          bucket: 'calls',
          decision: 'allow',
          status: 200,
        }),
      );
    });

    it('rejects a bucket the key may not read with 403 AccessDenied, as v2 does', async () => {
      const error = await client.send(new ListObjectsCommand({ Bucket: 'other' })).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    });
  });

  describe('ListObjectsV2 continuation tokens', () => {
    it('never names a hidden key or prefix in a token: each names the last entry its page showed, and paging with StartAfter on every page ends at exactly the shown entries', async () => {
      const segment = fc.constantFrom('v', 'w', 'wx', 'a', 'x', 'a b', '50%', 'é', '😀');
      const objectKey = fc
        .tuple(fc.array(segment, { maxLength: 2 }), segment)
        .map(([dirs, file]) => [...dirs, `${file}.f`].join('/'));
      const entries = (listing: { keys: string[]; prefixes: string[] }) => [
        ...listing.keys,
        ...listing.prefixes,
      ];
      const scenario = fc
        .record({
          keys: fc.uniqueArray(objectKey, { minLength: 1, maxLength: 30 }),
          maxKeys: fc.integer({ min: 1, max: 4 }),
          delimiter: fc.constantFrom(undefined, '/'),
          prefix: fc.constantFrom('', 'v', 'a'),
          isUrlEncoded: fc.boolean(),
        })
        .chain((fields) => {
          // Entries of the listing (shown or hidden) and names between them: where a page can start.
          const all = entries(expectedListing(fields.keys, () => true, fields.prefix, fields.delimiter));
          const startAfter = fc.option(fc.constantFrom(...all, 'a', 'w', 'x/'), { nil: undefined });
          return fc.record({ startAfter }).map((extra) => ({ ...fields, ...extra }));
        });

      await fc.assert(
        fc.asyncProperty(scenario, async ({ keys, startAfter, ...input }) => {
          writeBucket(join(bucketsDir, 'paged'), keys);
          const hidden = new Set(entries(expectedListing(keys, () => true, input.prefix, input.delimiter)));
          for (const entry of entries(expectedListing(keys, isShownInPaged, input.prefix, input.delimiter))) {
            hidden.delete(entry);
          }
          const shown = expectedListing(keys, isShownInPaged, input.prefix, input.delimiter, startAfter);

          const v2 = await listAll(client, 2, { bucket: 'paged', startAfter, ...input }).catch(deniedOrThrow);
          if (v2 === 'denied') {
            expect(shown).toEqual({ keys: [], prefixes: [] });
            return;
          }
          for (const { token, lastEntry } of v2.tokens) {
            const named = Buffer.from(token, 'base64url').toString('utf8');
            expect(hidden.has(named), `token names hidden "${named}"`).toBe(false);
            expect(named).toBe(lastEntry);
          }
          expect(v2.keys).toEqual(shown.keys);
          expect(v2.prefixes).toEqual(shown.prefixes);
        }),
        { numRuns: 30 },
      );
    });

    it('rejects a continuation token it did not issue with 400 InvalidArgument', async () => {
      const error = await client
        .send(new ListObjectsV2Command({ Bucket: 'calls', ContinuationToken: 'not+a/token=' }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    });
  });

  describe('HeadBucket', () => {
    it('answers 200 with the region for a bucket the key may read', async () => {
      const head = await client.send(new HeadBucketCommand({ Bucket: 'calls' }));
      expect(head.$metadata.httpStatusCode).toBe(200);
      expect(head.BucketRegion).toBe('us-east-1');
      expect(gateway.audit.at(-1)).toMatchObject({
        operation: 'HeadBucket',
        bucket: 'calls',
        caller: { id: 'reader' },
        decision: 'allow',
        status: 200,
      });
    });

    it('rejects a bucket the key may not read with 403 (served or not), and one it may but the gateway does not serve with 404', async () => {
      const head = (bucket: string) =>
        client.send(new HeadBucketCommand({ Bucket: bucket })).then(() => 200, status);
      expect(await head('other')).toBe(403);
      expect(await head('nowhere')).toBe(403);
      expect(await head('unserved')).toBe(404);
      expect(gateway.audit.at(-1)).toMatchObject({ operation: 'HeadBucket', decision: 'deny', status: 404 });
    });
  });

  describe('GetBucketLocation', () => {
    it('answers an empty location constraint, which means us-east-1', async () => {
      const location = await client.send(new GetBucketLocationCommand({ Bucket: 'calls' }));
      expect(location.$metadata.httpStatusCode).toBe(200);
      expect(location.LocationConstraint ?? '').toBe('');
      expect(gateway.audit.at(-1)).toMatchObject({
        operation: 'GetBucketLocation',
        bucket: 'calls',
        status: 200,
      });
    });

    it('rejects a bucket the key may not read with 403 AccessDenied', async () => {
      const error = await client
        .send(new GetBucketLocationCommand({ Bucket: 'other' }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      expect(gateway.audit.at(-1)).toMatchObject({ operation: 'GetBucketLocation', decision: 'deny' });
    });
  });

  describe('ListBuckets', () => {
    it('rejects ListBuckets with 501 NotImplemented when the operator has not enabled it', async () => {
      const error = await client.send(new ListBucketsCommand({})).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
      expect(gateway.audit.at(-1)).toMatchObject({ operation: 'ListBuckets', decision: 'deny', status: 501 });
    });

    describe('when enabled', () => {
      let listing: TestGateway;
      let reader: S3Client;

      beforeAll(async () => {
        listing = await startTestGateway({
          rulesDir,
          localBuckets: new Map(['calls', 'paged', 'other'].map((name) => [name, join(bucketsDir, name)])),
          allowListBuckets: true,
        });
        const readerKey = await listing.store.create('reader', ['paged', 'calls', 'unserved']);
        reader = gatewayClient(listing.server.url, readerKey, { maxAttempts: 1 });
      });

      afterAll(async () => {
        reader.destroy();
        await listing.stop();
      });

      it("lists only the buckets the caller's key may read that the gateway serves", async () => {
        const output = await reader.send(new ListBucketsCommand({}));
        expect(output.Buckets?.map((bucket) => bucket.Name)).toEqual(['calls', 'paged']);
        expect(output.Buckets?.[0]?.CreationDate).toBeInstanceOf(Date);
        expect(output.ContinuationToken).toBeUndefined();
        expect(listing.audit.at(-1)).toMatchObject({
          operation: 'ListBuckets',
          caller: { id: 'reader' },
          decision: 'allow',
          status: 200,
        });
      });

      it('pages with max-buckets and continuation tokens, and filters by prefix and region', async () => {
        const first = await reader.send(new ListBucketsCommand({ MaxBuckets: 1 }));
        expect(first.Buckets?.map((bucket) => bucket.Name)).toEqual(['calls']);
        const second = await reader.send(
          new ListBucketsCommand({ MaxBuckets: 1, ContinuationToken: first.ContinuationToken }),
        );
        expect(second.Buckets?.map((bucket) => bucket.Name)).toEqual(['paged']);
        expect(second.ContinuationToken).toBeUndefined();
        const prefixed = await reader.send(new ListBucketsCommand({ Prefix: 'p' }));
        expect(prefixed.Buckets?.map((bucket) => bucket.Name)).toEqual(['paged']);
        expect(prefixed.Prefix).toBe('p');
        const elsewhere = await reader.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' }));
        expect(elsewhere.Buckets ?? []).toEqual([]);
      });
    });
  });
});
