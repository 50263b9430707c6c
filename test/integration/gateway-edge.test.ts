import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import type { GatewayRequest } from '../../functions/gateway/gateway.ts';
import { NodeSha256 } from '../../functions/gateway/node-sha256.ts';
import { gatewayClient, signRequest, startTestGateway, type TestGateway } from './gateway-client.ts';

const EXAMPLE_BUCKET = new URL('../../examples/bucket/', import.meta.url).pathname;
const UNSIGNED_HEADERS_MESSAGE = 'There were headers present in the request which were not signed';
const SIGV2_MESSAGE =
  'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';
const AUTH_QUERY_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
] as const;

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends exactly these headers (Host included, so virtual-hosted names need no DNS) to the gateway. */
function sendRaw(url: string, request: GatewayRequest, body?: string): Promise<RawResponse> {
  const { port } = new URL(url);
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: request.method,
        path: `${request.rawPath}${request.rawQuery ? `?${request.rawQuery}` : ''}`,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A SigV4 presigned request (query authentication), built by the SDK's S3 presigner for any method. */
async function presignRequest(options: {
  key: Pick<GatewayKey, 'accessKeyId' | 'secretAccessKey'>;
  host: string;
  method?: string;
  path: string;
}): Promise<GatewayRequest> {
  const presigner = new S3RequestPresigner({
    credentials: { accessKeyId: options.key.accessKeyId, secretAccessKey: options.key.secretAccessKey },
    region: 'us-east-1',
    sha256: NodeSha256,
  });
  const method = options.method ?? 'GET';
  const presigned = await presigner.presign(
    {
      method,
      protocol: 'http:',
      hostname: options.host,
      path: options.path,
      query: {},
      headers: { host: options.host },
    },
    { expiresIn: 300 },
  );
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(presigned.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== null) query.append(name, item);
  }
  return {
    method,
    rawPath: options.path,
    rawQuery: query.toString().replaceAll('+', '%20'),
    headers: { host: options.host },
  };
}

function withQueryParameter(request: GatewayRequest, name: string, value: string): GatewayRequest {
  const parameter = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
  return { ...request, rawQuery: request.rawQuery ? `${request.rawQuery}&${parameter}` : parameter };
}

/** `name` with each letter's case flipped where `flips` says so. */
function recased(name: string, flips: readonly boolean[]): string {
  return [...name]
    .map((char, i) =>
      flips[i] ? (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase()) : char,
    )
    .join('');
}

describe('the gateway edge: writes, foreign auth schemes, unsigned parts and refusal audits', () => {
  let gateway: TestGateway;
  let key: GatewayKey;
  let pathHost: string;

  beforeAll(async () => {
    gateway = await startTestGateway({
      rulesDir: DEFAULT_RULES_DIR,
      localBuckets: new Map([['example', EXAMPLE_BUCKET]]),
    });
    key = await gateway.store.create('edge-reader', ['example']);
    pathHost = new URL(gateway.server.url).host;
  });

  afterAll(async () => {
    await gateway.stop();
  });

  function auditOf(response: RawResponse | { headers: Headers }) {
    const requestId =
      response.headers instanceof Headers
        ? response.headers.get('x-amz-request-id')
        : response.headers['x-amz-request-id'];
    return gateway.audit.filter((event) => event.requestId === requestId);
  }

  describe('writes', () => {
    const writes = [
      { method: 'PUT', objectKey: 'new.csv', operation: 'PutObject' },
      { method: 'POST', objectKey: '', operation: 'PostObject' },
      { method: 'DELETE', objectKey: 'app.log', operation: 'DeleteObject' },
      { method: 'PATCH', objectKey: 'app.log', operation: 'Unknown' },
    ] as const;
    const addressings = ['path-style', 'virtual-hosted'] as const;
    const auths = ['signed', 'unsigned', 'presigned'] as const;
    const variants = writes.flatMap((write) =>
      addressings.flatMap((addressing) => auths.map((auth) => ({ ...write, addressing, auth }))),
    );

    it.each(variants)(
      'rejects $auth $addressing $method with 405 MethodNotAllowed and one audit line naming $operation and the bucket',
      async ({ method, objectKey, operation, addressing, auth }) => {
        const isVirtual = addressing === 'virtual-hosted';
        const host = isVirtual ? `example.localhost:${new URL(gateway.server.url).port}` : pathHost;
        const path = isVirtual ? `/${objectKey}` : `/example${objectKey ? `/${objectKey}` : ''}`;
        const body = 'id,email\n1,new@example.com\n';
        const bodySha256 = createHash('sha256').update(body).digest('hex');
        const request =
          auth === 'signed'
            ? await signRequest({ key, host, method, path, headers: { 'x-amz-content-sha256': bodySha256 } })
            : auth === 'presigned'
              ? await presignRequest({ key, host, method, path })
              : { method, rawPath: path, rawQuery: '', headers: { host } };

        const response = await sendRaw(gateway.server.url, request, body);

        expect(response.status).toBe(405);
        expect(response.body).toContain('<Code>MethodNotAllowed</Code>');
        const audit = auditOf(response);
        expect(audit).toHaveLength(1);
        expect(audit[0]).toMatchObject({ operation, bucket: 'example', decision: 'deny', status: 405 });
      },
    );

    it('rejects PutObject and DeleteObject from the real SDK with 405 MethodNotAllowed', async () => {
      const client = gatewayClient(gateway.server.url, key, { maxAttempts: 1 });
      const put = await client
        .send(new PutObjectCommand({ Bucket: 'example', Key: 'new.csv', Body: 'id\n1\n' }))
        .catch((caught: unknown) => caught);
      const deleted = await client
        .send(new DeleteObjectCommand({ Bucket: 'example', Key: 'app.log' }))
        .catch((caught: unknown) => caught);
      client.destroy();

      expect(put).toMatchObject({ name: 'MethodNotAllowed', $metadata: { httpStatusCode: 405 } });
      expect(deleted).toMatchObject({ name: 'MethodNotAllowed', $metadata: { httpStatusCode: 405 } });
    });
  });

  describe('Signature Version 2', () => {
    it('rejects a SigV2 Authorization header with 400 InvalidRequest, as S3 does', async () => {
      const response = await sendRaw(gateway.server.url, {
        method: 'GET',
        rawPath: '/example/app.log',
        rawQuery: '',
        headers: {
          host: pathHost,
          date: new Date().toUTCString(),
          authorization: `AWS ${key.accessKeyId}:frJIUN8DYpKDtOLCwo//yllqDzg=`,
        },
      });

      expect(response.status).toBe(400);
      expect(response.body).toContain(`<Code>InvalidRequest</Code><Message>${SIGV2_MESSAGE}</Message>`);
      expect(auditOf(response)[0]).toMatchObject({ operation: 'GetObject', bucket: 'example', status: 400 });
    });

    it('rejects a SigV2 presigned URL with 400 InvalidRequest, not as anonymous', async () => {
      const expires = String(Math.floor(Date.now() / 1000) + 300);
      const response = await sendRaw(gateway.server.url, {
        method: 'GET',
        rawPath: '/example/app.log',
        rawQuery: `AWSAccessKeyId=${key.accessKeyId}&Expires=${expires}&Signature=frJIUN8DYpKDtOLCwo%2F%2FyllqDzg%3D`,
        headers: { host: pathHost },
      });

      expect(response.status).toBe(400);
      expect(response.body).toContain(`<Code>InvalidRequest</Code><Message>${SIGV2_MESSAGE}</Message>`);
    });
  });

  describe('unsigned x-amz-* headers', () => {
    const unsignedHeader = fc.record({
      name: fc
        .stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/)
        .map((suffix) => `x-amz-${suffix}`)
        .filter((name) => !['x-amz-date', 'x-amz-content-sha256', 'x-amz-cf-id'].includes(name)),
      flips: fc.array(fc.boolean(), { minLength: 22, maxLength: 22 }),
      value: fc.stringMatching(/^[A-Za-z0-9=/+ ._-]{1,20}$/),
    });

    it('serves the signed and presigned requests the generated cases start from', async () => {
      const signed = await signRequest({ key, host: pathHost, path: '/example/app.log' });
      const presigned = await presignRequest({ key, host: pathHost, path: '/example/app.log' });

      expect((await sendRaw(gateway.server.url, signed)).status).toBe(200);
      expect((await sendRaw(gateway.server.url, presigned)).status).toBe(200);
    });

    it('rejects header-signed and presigned requests carrying any x-amz-* header they did not sign', async () => {
      await fc.assert(
        fc.asyncProperty(unsignedHeader, fc.boolean(), async ({ name, flips, value }, isPresigned) => {
          const request = isPresigned
            ? await presignRequest({ key, host: pathHost, path: '/example/app.log' })
            : await signRequest({ key, host: pathHost, path: '/example/app.log' });
          const tampered = { ...request, headers: { ...request.headers, [recased(name, flips)]: value } };

          const response = await sendRaw(gateway.server.url, tampered);

          expect(response.status).toBe(403);
          expect(response.body).toContain(`<Code>AccessDenied</Code><Message>${UNSIGNED_HEADERS_MESSAGE}`);
          expect(response.body).toContain(name);
        }),
        { numRuns: 25 },
      );
    });

    it('serves a request through CloudFront, which adds its own x-amz-cf-id', async () => {
      const request = await signRequest({ key, host: pathHost, path: '/example/app.log' });
      const viaCloudFront = {
        ...request,
        headers: { ...request.headers, 'x-amz-cf-id': 'hA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU==' },
      };

      expect((await sendRaw(gateway.server.url, viaCloudFront)).status).toBe(200);
    });
  });

  describe('authentication query parameters in another case', () => {
    const otherCase = fc
      .record({
        name: fc.constantFrom(...AUTH_QUERY_PARAMETERS),
        flips: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
      })
      .map(({ name, flips }) => ({ name, variant: recased(name, flips) }))
      .filter(({ name, variant }) => name !== variant);

    it('rejects a presigned URL that also carries an auth parameter in another case', async () => {
      await fc.assert(
        fc.asyncProperty(otherCase, fc.boolean(), async ({ name, variant }, isSameValue) => {
          const presigned = await presignRequest({ key, host: pathHost, path: '/example/app.log' });
          const original = new URLSearchParams(presigned.rawQuery).get(name);
          const value = isSameValue && original !== null ? original : 'f00d';

          const response = await sendRaw(gateway.server.url, withQueryParameter(presigned, variant, value));

          expect(response.status).toBe(400);
          expect(response.body).toContain('<Code>AuthorizationQueryParametersError</Code>');
        }),
        { numRuns: 30 },
      );
    });

    it('rejects a presigned URL whose auth parameter is spelled in another case', async () => {
      await fc.assert(
        fc.asyncProperty(
          otherCase.filter(({ name }) => name !== 'X-Amz-Security-Token'),
          async ({ name, variant }) => {
            const presigned = await presignRequest({ key, host: pathHost, path: '/example/app.log' });
            const query = new URLSearchParams(presigned.rawQuery);
            const value = query.get(name) ?? '';
            query.delete(name);
            query.append(variant, value);

            const response = await sendRaw(gateway.server.url, { ...presigned, rawQuery: query.toString() });

            expect(response.status).toBe(400);
            expect(response.body).toContain('<Code>AuthorizationQueryParametersError</Code>');
          },
        ),
        { numRuns: 20 },
      );
    });

    it('rejects a header-signed request that carries an auth query parameter in another case', async () => {
      await fc.assert(
        fc.asyncProperty(otherCase, async ({ variant }) => {
          const signed = await signRequest({ key, host: pathHost, path: '/example/app.log' });

          const response = await sendRaw(gateway.server.url, withQueryParameter(signed, variant, 'f00d'));

          expect(response.status).toBe(400);
          expect(response.body).toContain('<Code>AuthorizationQueryParametersError</Code>');
        }),
        { numRuns: 20 },
      );
    });
  });

  describe('audit of refusals at the door', () => {
    it('names ListObjects (v1), ListBuckets, HeadBucket and GetBucketLocation with their bucket', async () => {
      const cases = [
        { method: 'GET', path: '/elsewhere', operation: 'ListObjects', bucket: 'elsewhere', status: 403 },
        { method: 'GET', path: '/', operation: 'ListBuckets', bucket: '', status: 501 },
        { method: 'HEAD', path: '/elsewhere', operation: 'HeadBucket', bucket: 'elsewhere', status: 403 },
        {
          method: 'GET',
          path: '/elsewhere',
          query: { location: '' },
          operation: 'GetBucketLocation',
          bucket: 'elsewhere',
          status: 403,
        },
      ];
      for (const { method, path, query, operation, bucket, status } of cases) {
        const request = await signRequest({ key, host: pathHost, method, path, query });

        const response = await sendRaw(gateway.server.url, request);

        expect(response.status).toBe(status);
        const audit = auditOf(response);
        expect(audit).toHaveLength(1);
        expect(audit[0]).toMatchObject({ operation, bucket, decision: 'deny', status });
      }
    });

    it('names the operation, bucket and key of a request refused for its signature', async () => {
      const request = await signRequest({ key, host: pathHost, path: '/example/app.log' });

      const response = await sendRaw(gateway.server.url, { ...request, rawPath: '/example/profile.json' });

      expect(response.status).toBe(403);
      expect(auditOf(response)).toEqual([
        expect.objectContaining({
          operation: 'GetObject',
          bucket: 'example',
          key: 'profile.json',
          caller: expect.objectContaining({ id: 'unauthenticated' }),
          decision: 'deny',
        }),
      ]);
    });
  });
});
