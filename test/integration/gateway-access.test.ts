import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import { handleGatewayRequest } from '../../functions/gateway/gateway.ts';
import { GEO_FIXTURE_PATH } from '../fixtures/make-geo-fixture.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';
import { gatewayClient, send, signRequest, startTestGateway, type TestGateway } from './gateway-client.ts';

const EXAMPLES = new URL('../../examples/bucket/', import.meta.url).pathname;
/** Matches the shipped `analytics-partner` rule set's bucket glob `analytics-exports-*`. */
const PARTNER_BUCKET = 'analytics-exports-eu';
const EMAIL = 'jane.doe@example.com';
const PARTNER_KEYS = ['exports/daily.csv', `exports/${EMAIL}.csv`, 'logs/app.log'];

/** Every file of the example bucket, by key. */
function exampleObjects(dir = EXAMPLES, prefix = ''): [string, Buffer][] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory()
      ? exampleObjects(join(dir, name), `${prefix}${name}/`)
      : [[`${prefix}${name}`, readFileSync(join(dir, name))] as [string, Buffer]],
  );
}

const status = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

describe('the gateway over s3rver: listings, HEAD and conditions decide as GET does', () => {
  let s3: LocalS3;
  let gateway: TestGateway;
  let partnerKey: GatewayKey;
  let readerKey: GatewayKey;
  let partner: S3Client;
  let reader: S3Client;

  beforeAll(async () => {
    s3 = await startS3rver([PARTNER_BUCKET, 'examples']);
    for (const key of PARTNER_KEYS) {
      await s3.client.send(
        new PutObjectCommand({ Bucket: PARTNER_BUCKET, Key: key, Body: `id,email\n1,${EMAIL}\n` }),
      );
    }
    for (const [key, body] of exampleObjects()) {
      await s3.client.send(new PutObjectCommand({ Bucket: 'examples', Key: key, Body: body }));
    }
    gateway = await startTestGateway({
      rulesDir: DEFAULT_RULES_DIR,
      geoDatabase: GEO_FIXTURE_PATH,
      s3Buckets: [PARTNER_BUCKET, 'examples'],
      s3Client: s3.client,
      // The local source honours If-Unmodified-Since, which s3rver ignores.
      localBuckets: new Map([['local-examples', EXAMPLES]]),
    });
    partnerKey = await gateway.store.create('analytics-partner', [PARTNER_BUCKET]);
    partner = gatewayClient(gateway.server.url, partnerKey, { maxAttempts: 1 });
    readerKey = await gateway.store.create('reader', ['examples', 'local-examples']);
    reader = gatewayClient(gateway.server.url, readerKey, { maxAttempts: 1 });
  });

  afterAll(async () => {
    partner.destroy();
    reader.destroy();
    await gateway.stop();
    await s3.stop();
  });

  describe('ListObjectsV2 for the analytics partner from an unknown country (loopback, not in the geo database)', () => {
    it('refuses GET and HEAD of a fenced key (the control)', async () => {
      for (const command of [
        new GetObjectCommand({ Bucket: PARTNER_BUCKET, Key: 'exports/daily.csv' }),
        new HeadObjectCommand({ Bucket: PARTNER_BUCKET, Key: 'exports/daily.csv' }),
      ]) {
        expect(status(await partner.send(command as GetObjectCommand).catch((error: unknown) => error))).toBe(
          403,
        );
      }
    });

    it('lists none of the fenced keys, nor the email in a key name, however the prefix is written', async () => {
      for (const prefix of [undefined, '', 'e', 'exports']) {
        const page = await partner.send(new ListObjectsV2Command({ Bucket: PARTNER_BUCKET, Prefix: prefix }));
        expect((page.Contents ?? []).map((object) => object.Key)).toEqual(
          PARTNER_KEYS.filter((key) => key.startsWith(prefix ?? '') && key.startsWith('logs/')),
        );
        expect(JSON.stringify(page)).not.toContain(EMAIL);
      }
      const rolled = await partner.send(new ListObjectsV2Command({ Bucket: PARTNER_BUCKET, Delimiter: '/' }));
      expect(rolled.CommonPrefixes).toEqual([{ Prefix: 'logs/' }]);
      const under = await partner
        .send(new ListObjectsV2Command({ Bucket: PARTNER_BUCKET, Prefix: 'exports/' }))
        .catch((error: unknown) => error);
      expect(under).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    });

    it('lists the fenced keys to the same partner located in an allowed country', async () => {
      const request = await signRequest({
        key: partnerKey,
        host: 'gateway.test',
        path: `/${PARTNER_BUCKET}`,
        query: { 'list-type': '2', prefix: 'e' },
      });
      const response = await handleGatewayRequest({ ...request, sourceIp: '198.51.100.7' }, gateway.deps);
      const xml = Buffer.from(response.body as Uint8Array).toString();
      expect(response.status).toBe(200);
      expect([...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1])).toEqual([
        'exports/daily.csv',
        `exports/${EMAIL}.csv`,
      ]);
    });
  });

  describe('HeadObject', () => {
    it('answers Content-Length equal to the GET body length for every example object, and refuses what GET refuses', async () => {
      for (const [key] of exampleObjects()) {
        const got = await reader
          .send(new GetObjectCommand({ Bucket: 'examples', Key: key }))
          .then(async (object) => ({ bytes: (await object.Body?.transformToByteArray())?.byteLength }))
          .catch((error: unknown) => ({ status: status(error) }));
        const head = await reader
          .send(new HeadObjectCommand({ Bucket: 'examples', Key: key }))
          .then((object) => ({ bytes: object.ContentLength }))
          .catch((error: unknown) => ({ status: status(error) }));
        expect(head, key).toEqual(got);
      }
    });
  });

  describe.each(['examples', 'local-examples'])('conditional requests (bucket %s)', (bucket) => {
    async function getWith(headers: Record<string, string>): Promise<Response> {
      const request = await signRequest({
        key: readerKey,
        host: new URL(gateway.server.url).host,
        path: `/${bucket}/customers.csv`,
        headers,
      });
      return send(gateway.server.url, request);
    }

    let etag: string;
    let lastModified: string;

    beforeAll(async () => {
      const head = await reader.send(new HeadObjectCommand({ Bucket: bucket, Key: 'customers.csv' }));
      etag = head.ETag ?? '';
      lastModified = head.LastModified?.toUTCString() ?? '';
    });

    it('serves If-None-Match that does not match, ignoring an If-Modified-Since that would say 304', async () => {
      const response = await getWith({
        'if-none-match': '"stale"',
        'if-modified-since': new Date(Date.now() + 3_600_000).toUTCString(),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    });

    it('serves If-Match that matches, ignoring an If-Unmodified-Since that would say 412', async () => {
      const response = await getWith({
        'if-match': etag,
        'if-unmodified-since': 'Thu, 01 Jan 1970 00:00:00 GMT',
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    });

    it('rejects If-Unmodified-Since before the last change with 412', async () => {
      const response = await getWith({ 'if-unmodified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' });
      expect(response.status).toBe(412);
      await response.arrayBuffer();
    });

    it('answers 304 with the redacted ETag and Last-Modified, to If-None-Match and to If-Modified-Since', async () => {
      const conditions: Record<string, string>[] = [
        { 'if-none-match': etag },
        { 'if-modified-since': new Date(Date.now() + 3_600_000).toUTCString() },
      ];
      for (const headers of conditions) {
        const response = await getWith(headers);
        expect(response.status).toBe(304);
        expect(response.headers.get('etag')).toBe(etag);
        expect(response.headers.get('last-modified')).toBe(lastModified);
      }
    });
  });
});
