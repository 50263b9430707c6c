import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import { handleGatewayRequest } from '../../functions/gateway/gateway.ts';
import { gatewayClient, send, signRequest, startTestGateway, type TestGateway } from './gateway-client.ts';

const EXAMPLE_BUCKET = new URL('../../examples/bucket/', import.meta.url).pathname;

/** Values planted in the example bucket that must never come back. */
const PLANTED = {
  'customers.csv': [
    'jane.doe@example.com',
    '555-0134',
    '4111 1111 1111 1111',
    '078-05-1120',
    'GB82 WEST 1234',
    'AKIAIOSFODNN7EXAMPLE',
    'Jane Doe',
  ],
  'orders.ndjson': [
    'john.roe@example.org',
    '4111111111111111',
    '219-09-9999',
    'billing@example.com',
    'GB82WEST12345698765432',
  ],
  'profile.json': [
    'correct-horse-battery-staple',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'AKIAIOSFODNN7EXAMPLE',
    '1984-02-29',
    '203.0.113.42',
  ],
  'app.log': [
    'jane.doe@example.com',
    '203.0.113.42',
    '4111111111111111',
    'AKIAIOSFODNN7EXAMPLE',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    '555 0187',
    'eyJhbGciOiJIUzI1NiIs',
  ],
  'events.csv.gz': ['jane.doe@example.com', '5555 5555 5555 4444', '078-05-1120', '198.51.100.23'],
} as const;

describe('the S3-compatible gateway serving the example bucket', () => {
  let gateway: TestGateway;
  let key: GatewayKey;
  let otherKey: GatewayKey;
  let client: S3Client;
  let otherDir: string;

  beforeAll(async () => {
    otherDir = mkdtempSync(join(tmpdir(), 'maskpoint-other-bucket-'));
    gateway = await startTestGateway({
      rulesDir: DEFAULT_RULES_DIR,
      localBuckets: new Map([
        ['example', EXAMPLE_BUCKET],
        ['other-bucket', otherDir],
      ]),
    });
    key = await gateway.store.create('reader', ['example']);
    otherKey = await gateway.store.create('other-reader', ['other-bucket']);
    client = gatewayClient(gateway.server.url, key, { maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await gateway.stop();
    rmSync(otherDir, { recursive: true, force: true });
  });

  async function getText(objectKey: string, range?: string): Promise<string> {
    const object = await client.send(
      new GetObjectCommand({ Bucket: 'example', Key: objectKey, Range: range }),
    );
    return (await object.Body?.transformToString()) ?? '';
  }

  describe('GetObject', () => {
    it('serves customers.csv redacted, with the same columns and rows', async () => {
      const text = await getText('customers.csv');
      for (const value of PLANTED['customers.csv']) expect(text).not.toContain(value);
      const lines = text.trimEnd().split('\n');
      expect(lines[0]).toBe('id,name,email,phone,card,notes');
      expect(lines).toHaveLength(6);
      expect(lines[1]).toContain('[EMAIL]');
      expect(lines[1]).toContain('**** **** **** 1111');
    });

    it('serves orders.ndjson redacted, every line still JSON', async () => {
      const text = await getText('orders.ndjson');
      for (const value of PLANTED['orders.ndjson']) expect(text).not.toContain(value);
      const orders = text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(orders.map((order) => order.order_id)).toEqual([
        'ORD-20240301-0001',
        'ORD-20240301-0002',
        'ORD-20240302-0003',
      ]);
      expect(orders[0].customer.email).toBe('[EMAIL]');
    });

    it('serves profile.json redacted, the api_key subtree tainted, still JSON', async () => {
      const text = await getText('profile.json');
      for (const value of PLANTED['profile.json']) expect(text).not.toContain(value);
      const profile = JSON.parse(text);
      expect(profile.user.password).toBe('[SECRET]');
      expect(profile.integrations.api_key.scopes).toEqual(['[SECRET]', '[SECRET]']);
      expect(profile.user.preferences).toEqual({ newsletter: true, language: 'en-US' });
    });

    it('serves app.log redacted, the harmless numbers kept', async () => {
      const text = await getText('app.log');
      for (const value of PLANTED['app.log']) expect(text).not.toContain(value);
      expect(text).toContain('version=2.14.3');
      expect(text.trimEnd().split('\n')).toHaveLength(8);
    });

    it('serves events.csv.gz as gzip whose CSV is redacted', async () => {
      const object = await client.send(new GetObjectCommand({ Bucket: 'example', Key: 'events.csv.gz' }));
      const bytes = await object.Body?.transformToByteArray();
      const text = gunzipSync(bytes ?? new Uint8Array()).toString('utf8');
      for (const value of PLANTED['events.csv.gz']) expect(text).not.toContain(value);
      expect(text.split('\n')[0]).toBe('event_id,timestamp,type,email,ip,detail');
      expect(text).toContain('ev-0005');
    });

    it('refuses the binary png with 403 AccessDenied XML, no byte of the image sent', async () => {
      const error = await client
        .send(new GetObjectCommand({ Bucket: 'example', Key: 'images/logo.png' }))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });

      const response = await fetch(
        await getSignedUrl(client, new GetObjectCommand({ Bucket: 'example', Key: 'images/logo.png' })),
      );
      const body = await response.text();
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toBe('application/xml');
      expect(body).toMatch(/<Error><Code>AccessDenied<\/Code><Message>unsupported object format/);
      expect(body).toContain(`<RequestId>${response.headers.get('x-amz-request-id')}</RequestId>`);
      expect(body).not.toContain('PNG');
    });

    it('answers a missing key with 404 NoSuchKey', async () => {
      const error = await client
        .send(new GetObjectCommand({ Bucket: 'example', Key: 'missing.csv' }))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    });

    it('sends the S3 headers: ETag, Last-Modified, Accept-Ranges, request ids, no raw length', async () => {
      const response = await fetch(
        await getSignedUrl(client, new GetObjectCommand({ Bucket: 'example', Key: 'customers.csv' })),
      );
      await response.arrayBuffer();
      expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{32}-1"$/);
      expect(response.headers.get('last-modified')).toMatch(/GMT$/);
      expect(response.headers.get('accept-ranges')).toBe('bytes');
      expect(response.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
      expect(response.headers.get('x-amz-id-2')).toBeTruthy();
      expect(response.headers.get('content-length')).toBeNull();
      expect(response.headers.get('content-type')).toBe('text/csv');
    });
  });

  describe('HeadObject', () => {
    it('answers with the redacted view ETag, stable and equal to GetObject, and its exact Content-Length', async () => {
      const first = await client.send(new HeadObjectCommand({ Bucket: 'example', Key: 'customers.csv' }));
      const second = await client.send(new HeadObjectCommand({ Bucket: 'example', Key: 'customers.csv' }));
      const get = await client.send(new GetObjectCommand({ Bucket: 'example', Key: 'customers.csv' }));
      const served = (await get.Body?.transformToByteArray())?.byteLength;
      expect(first.ETag).toMatch(/^"[0-9a-f]{32}-1"$/);
      expect(second.ETag).toBe(first.ETag);
      expect(get.ETag).toBe(first.ETag);
      expect(first.ContentLength).toBe(served);
      expect(first.ContentType).toBe('text/csv');
      expect(first.LastModified).toBeInstanceOf(Date);
    });

    it('answers a missing key with 404 and no body', async () => {
      const error = await client
        .send(new HeadObjectCommand({ Bucket: 'example', Key: 'missing.csv' }))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    });
  });

  describe('ListObjectsV2', () => {
    const list = (input: Omit<ConstructorParameters<typeof ListObjectsV2Command>[0], 'Bucket'>) =>
      client.send(new ListObjectsV2Command({ Bucket: 'example', ...input }));

    it('lists every key with redacted-view ETags and no size', async () => {
      const page = await list({});
      expect(page.Contents?.map((object) => object.Key)).toEqual([
        'app.log',
        'customers.csv',
        'events.csv.gz',
        'images/logo.png',
        'orders.ndjson',
        'profile.json',
      ]);
      expect(page.KeyCount).toBe(6);
      expect(page.IsTruncated).toBe(false);
      expect(page.Contents?.[0]?.Size).toBeUndefined();
      const head = await client.send(new HeadObjectCommand({ Bucket: 'example', Key: 'app.log' }));
      expect(page.Contents?.[0]?.ETag).toBe(head.ETag);
    });

    it('filters by prefix and rolls up by delimiter', async () => {
      expect((await list({ Prefix: 'images/' })).Contents?.map((object) => object.Key)).toEqual([
        'images/logo.png',
      ]);
      const rolled = await list({ Delimiter: '/' });
      expect(rolled.CommonPrefixes).toEqual([{ Prefix: 'images/' }]);
      expect(rolled.Contents?.map((object) => object.Key)).not.toContain('images/logo.png');
    });

    it('pages with max-keys and continuation tokens, and honours start-after', async () => {
      const keys: string[] = [];
      let page: ListObjectsV2CommandOutput | undefined;
      let pages = 0;
      do {
        page = await list({ MaxKeys: 4, ContinuationToken: page?.NextContinuationToken });
        pages++;
        expect(page.MaxKeys).toBe(4);
        keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      } while (page.IsTruncated);
      expect(pages).toBe(2);
      expect(keys).toHaveLength(6);
      expect((await list({ StartAfter: 'images/logo.png' })).Contents?.map((object) => object.Key)).toEqual([
        'orders.ndjson',
        'profile.json',
      ]);
    });

    it('url-encodes keys when asked (encoding-type=url)', async () => {
      const page = await list({ EncodingType: 'url', Prefix: 'images/' });
      expect(page.EncodingType).toBe('url');
      expect(page.Prefix).toBe('images%2F');
      expect(page.Contents?.map((object) => object.Key)).toEqual(['images%2Flogo.png']);
    });
  });

  describe('Range and conditional requests', () => {
    it('applies ranges to the redacted bytes: first, open-ended and suffix', async () => {
      const whole = Buffer.from(await getText('customers.csv'));
      const first = await client.send(
        new GetObjectCommand({ Bucket: 'example', Key: 'customers.csv', Range: 'bytes=0-9' }),
      );
      expect(first.$metadata.httpStatusCode).toBe(206);
      expect(first.ContentRange).toBe(`bytes 0-9/${whole.byteLength}`);
      expect(first.ContentLength).toBe(10);
      expect(await first.Body?.transformToString()).toBe(whole.subarray(0, 10).toString());
      expect(await getText('customers.csv', 'bytes=10-')).toBe(whole.subarray(10).toString());
      expect(await getText('customers.csv', 'bytes=-5')).toBe(whole.subarray(-5).toString());
    });

    it('rejects a range beyond the redacted end with 416 InvalidRange', async () => {
      const error = await client
        .send(new GetObjectCommand({ Bucket: 'example', Key: 'customers.csv', Range: 'bytes=100000-' }))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 416 } });
    });

    it('answers If-None-Match with the current ETag with 304', async () => {
      const head = await client.send(new HeadObjectCommand({ Bucket: 'example', Key: 'orders.ndjson' }));
      const error = await client
        .send(new GetObjectCommand({ Bucket: 'example', Key: 'orders.ndjson', IfNoneMatch: head.ETag }))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 304 } });
      const stale = await client.send(
        new GetObjectCommand({ Bucket: 'example', Key: 'orders.ndjson', IfNoneMatch: '"stale"' }),
      );
      expect(stale.$metadata.httpStatusCode).toBe(200);
      await stale.Body?.transformToString();
    });

    it('rejects If-Match with another ETag with 412 PreconditionFailed', async () => {
      const error = await client
        .send(new GetObjectCommand({ Bucket: 'example', Key: 'orders.ndjson', IfMatch: '"other"' }))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    });
  });

  describe('presigned URLs', () => {
    it('serves a presigned GET fetched with plain fetch', async () => {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'example', Key: 'app.log' }), {
        expiresIn: 60,
      });
      const response = await fetch(url);
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).toContain('[EMAIL]');
      expect(text).not.toContain('jane.doe@example.com');
    });

    it('rejects an expired presigned URL with 403 AccessDenied', async () => {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'example', Key: 'app.log' }), {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 10 * 60_000),
      });
      const response = await fetch(url);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>AccessDenied</Code>');
    });

    it('rejects a presigned URL whose path or signature was changed with SignatureDoesNotMatch', async () => {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'example', Key: 'app.log' }));
      const otherPath = await fetch(url.replace('/example/app.log', '/example/profile.json'));
      expect(otherPath.status).toBe(403);
      expect(await otherPath.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      const signature = new URL(url).searchParams.get('X-Amz-Signature') ?? '';
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
      const otherSignature = await fetch(url.replace(signature, flipped));
      expect(await otherSignature.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    });
  });

  describe('authentication', () => {
    const host = () => new URL(gateway.server.url).host;

    it('accepts an untampered signed request (the control for the tampering tests)', async () => {
      const request = await signRequest({
        key,
        host: host(),
        path: '/example/app.log',
        headers: { range: 'bytes=0-9' },
      });
      const response = await send(gateway.server.url, request);
      expect(response.status).toBe(206);
      await response.arrayBuffer();
    });

    it('rejects a signed request whose path was changed', async () => {
      const request = await signRequest({ key, host: host(), path: '/example/app.log' });
      const response = await send(gateway.server.url, { ...request, rawPath: '/example/profile.json' });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    });

    it('rejects a signed request whose query was changed', async () => {
      const request = await signRequest({
        key,
        host: host(),
        path: '/example',
        query: { 'list-type': '2', prefix: 'images/' },
      });
      const response = await send(gateway.server.url, { ...request, rawQuery: 'list-type=2&prefix=' });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    });

    it('rejects a signed request whose signed header was changed', async () => {
      const request = await signRequest({
        key,
        host: host(),
        path: '/example/app.log',
        headers: { range: 'bytes=0-9' },
      });
      const response = await send(gateway.server.url, {
        ...request,
        headers: { ...request.headers, range: 'bytes=0-99999' },
      });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    });

    it('rejects a request signed with the wrong secret', async () => {
      const wrong = gatewayClient(
        gateway.server.url,
        { ...key, secretAccessKey: `${key.secretAccessKey.slice(1)}x` },
        {
          maxAttempts: 1,
        },
      );
      const error = await wrong
        .send(new GetObjectCommand({ Bucket: 'example', Key: 'app.log' }))
        .catch((caught: unknown) => caught);
      wrong.destroy();
      expect(error).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    });

    it('rejects an unknown access key id with InvalidAccessKeyId', async () => {
      const unknown = gatewayClient(
        gateway.server.url,
        { accessKeyId: 'MPKAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) },
        {
          maxAttempts: 1,
        },
      );
      const error = await unknown
        .send(new GetObjectCommand({ Bucket: 'example', Key: 'app.log' }))
        .catch((caught: unknown) => caught);
      unknown.destroy();
      expect(error).toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
    });

    it('rejects an unsigned request with 403 AccessDenied', async () => {
      const response = await fetch(`${gateway.server.url}/example/app.log`);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>AccessDenied</Code>');
    });

    it('rejects a key revoked while the gateway runs', async () => {
      const temporary = await gateway.store.create('temporary', ['example']);
      const temporaryClient = gatewayClient(gateway.server.url, temporary, { maxAttempts: 1 });
      const before = await temporaryClient.send(new HeadObjectCommand({ Bucket: 'example', Key: 'app.log' }));
      expect(before.$metadata.httpStatusCode).toBe(200);
      await gateway.store.revoke('temporary');
      const error = await temporaryClient
        .send(new HeadObjectCommand({ Bucket: 'example', Key: 'app.log' }))
        .catch((caught: unknown) => caught);
      temporaryClient.destroy();
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 403 } });
    });

    it('rejects a key reading a bucket it was not issued for with AccessDenied', async () => {
      const other = gatewayClient(gateway.server.url, otherKey, { maxAttempts: 1 });
      const error = await other
        .send(new GetObjectCommand({ Bucket: 'example', Key: 'app.log' }))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      const listing = await other
        .send(new ListObjectsV2Command({ Bucket: 'example' }))
        .catch((caught: unknown) => caught);
      expect(listing).toMatchObject({ name: 'AccessDenied' });
      other.destroy();
      const own = await client
        .send(new ListObjectsV2Command({ Bucket: 'other-bucket' }))
        .catch((caught: unknown) => caught);
      expect(own).toMatchObject({ name: 'AccessDenied' });
    });
  });

  describe('addressing', () => {
    it('serves virtual-hosted requests (bucket.localhost) like path-style ones', async () => {
      const request = await signRequest({ key, host: 'example.localhost:9000', path: '/app.log' });
      const response = await handleGatewayRequest({ ...request, sourceIp: '127.0.0.1' }, gateway.deps);
      const chunks: Uint8Array[] = [];
      if (response.body instanceof Uint8Array) chunks.push(response.body);
      else for await (const chunk of response.body) chunks.push(chunk);
      expect(response.status).toBe(200);
      expect(Buffer.concat(chunks).toString()).toContain('user=[EMAIL]');
    });

    it('serves keys that need percent-encoding', async () => {
      const dir = join(otherDir, 'reports 2024');
      mkdirSync(dir);
      writeFileSync(join(dir, 'q1+q2 é.csv'), 'email\nann@example.com\n');
      const other = gatewayClient(gateway.server.url, otherKey, { maxAttempts: 1 });
      const object = await other.send(
        new GetObjectCommand({ Bucket: 'other-bucket', Key: 'reports 2024/q1+q2 é.csv' }),
      );
      expect(await object.Body?.transformToString()).toBe('email\n[EMAIL]\n');
      const page = await other.send(
        new ListObjectsV2Command({ Bucket: 'other-bucket', EncodingType: 'url' }),
      );
      other.destroy();
      expect(
        page.Contents?.map((listed) => decodeURIComponent((listed.Key ?? '').replaceAll('+', ' '))),
      ).toEqual(['reports 2024/q1+q2 é.csv']);
    });
  });

  describe('unsupported requests', () => {
    it('rejects writes with 405 MethodNotAllowed', async () => {
      const request = await signRequest({
        key,
        host: new URL(gateway.server.url).host,
        method: 'PUT',
        path: '/example/new.csv',
      });
      const response = await send(gateway.server.url, request);
      expect(response.status).toBe(405);
      expect(await response.text()).toContain('<Code>MethodNotAllowed</Code>');
    });

    it('rejects ListBuckets with 501 NotImplemented', async () => {
      const request = await signRequest({ key, host: new URL(gateway.server.url).host, path: '/' });
      const response = await send(gateway.server.url, request);
      expect(response.status).toBe(501);
      expect(await response.text()).toContain('<Code>NotImplemented</Code>');
    });
  });

  it('records one audit event per request, without content', () => {
    const events = gateway.audit.filter(
      (event) => event.key === 'customers.csv' && event.operation === 'GetObject',
    );
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({
      caller: { id: 'reader', kind: 'gateway-key', ip: '127.0.0.1' },
      decision: 'allow',
    });
    expect(JSON.stringify(gateway.audit)).not.toContain('jane.doe@example.com');
  });

  it('records refusals at the door (signature, key, bucket) as deny events', () => {
    const refused = gateway.audit.filter((event) => event.reason?.startsWith('SignatureDoesNotMatch'));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({
      caller: { id: 'unauthenticated', ip: '127.0.0.1' },
      decision: 'deny',
      status: 403,
    });
    expect(gateway.audit).toContainEqual(
      expect.objectContaining({
        caller: expect.objectContaining({ id: 'other-reader' }),
        bucket: 'example',
        decision: 'deny',
      }),
    );
  });
});
