import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalCredentialStore } from '../../functions/adapters/local-credential-store.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import type { FunctionUrlEvent } from '../../functions/gateway/handler.ts';
import { VIEWER_HOST_HEADER } from '../../functions/gateway/trusted-client-ip.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';
import { signRequest } from './gateway-client.ts';

interface Captured {
  metadata?: { statusCode: number; headers?: Record<string, string> };
  body: Buffer[];
  error?: unknown;
}

/** The Lambda runtime's streaming globals, recording what the handler sends. */
function installFakeRuntime(): Captured[] {
  const responses: Captured[] = [];
  (globalThis as { awslambda?: unknown }).awslambda = {
    streamifyResponse:
      (handler: (event: unknown, stream: Writable, context: unknown) => Promise<void>) =>
      async (event: unknown) => {
        const captured: Captured = { body: [] };
        responses.push(captured);
        const stream = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            captured.body.push(chunk);
            callback();
          },
        });
        await handler(event, stream, {}).catch((error: unknown) => {
          captured.error = error;
        });
      },
    HttpResponseStream: {
      from(stream: Writable, metadata: Captured['metadata']) {
        const captured = responses.at(-1) as Captured;
        captured.metadata = metadata;
        return stream;
      },
    },
  };
  return responses;
}

const FUNCTION_URL_HOST = 'abcdefghij.lambda-url.us-east-1.on.aws';
const ORIGIN_SECRET_HEADER = 'x-maskpoint-origin-verify';
const ORIGIN_SECRET = 'an-origin-secret-only-cloudfront-knows';

/** A request as the SDK hands it to its HTTP handler. */
interface SdkRequest {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly query?: Record<string, string | string[] | null>;
  readonly headers: Record<string, string>;
}

function queryString(query: SdkRequest['query'] = {}): string {
  return Object.entries(query)
    .flatMap(([name, value]) =>
      value === null
        ? [encodeURIComponent(name)]
        : [value].flat().map((item) => `${encodeURIComponent(name)}=${encodeURIComponent(item)}`),
    )
    .join('&');
}

describe('the function URL handler', () => {
  const saved = { ...process.env };
  let s3: LocalS3;
  let home: string;
  let key: GatewayKey;
  let handler: (event: FunctionUrlEvent, context: unknown) => Promise<void>;
  let responses: Captured[];

  beforeAll(async () => {
    s3 = await startS3rver(['protected', 'view-cache']);
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'protected',
        Key: 'people.csv',
        Body: 'name,email\nJane Doe,jane.doe@example.com\n',
        ContentType: 'text/csv',
      }),
    );
    home = mkdtempSync(join(tmpdir(), 'maskpoint-handler-'));
    key = await createLocalCredentialStore(home).create('lambda-reader', ['protected']);
    Object.assign(process.env, {
      MASKPOINT_HOME: home,
      MASKPOINT_BUCKETS: 'protected',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      MASKPOINT_ORIGIN_SECRET_HEADER: ORIGIN_SECRET_HEADER,
      MASKPOINT_ORIGIN_SECRET: ORIGIN_SECRET,
      MASKPOINT_BASE_HOSTS: 'data.example.com',
      MASKPOINT_VIEWS_BUCKET: 'view-cache',
    });
    responses = installFakeRuntime();
    ({ handler } = await import('../../functions/gateway/handler.ts'));
  });

  afterAll(async () => {
    process.env = saved;
    delete (globalThis as { awslambda?: unknown }).awslambda;
    await s3.stop();
    rmSync(home, { recursive: true, force: true });
  });

  async function invoke(event: FunctionUrlEvent): Promise<Captured> {
    await handler(event, {});
    return responses.at(-1) as Captured;
  }

  async function eventFor(path: string, sourceIp = '192.0.2.10'): Promise<FunctionUrlEvent> {
    const request = await signRequest({ key, host: FUNCTION_URL_HOST, path });
    return {
      rawPath: request.rawPath,
      rawQueryString: request.rawQuery,
      headers: { ...request.headers, 'x-forwarded-for': '198.51.100.99' },
      requestContext: { http: { method: 'GET', sourceIp } },
    };
  }

  it('streams the redacted object with the S3 headers', async () => {
    const response = await invoke(await eventFor('/protected/people.csv'));
    expect(response.error).toBeUndefined();
    expect(response.metadata?.statusCode).toBe(200);
    expect(response.metadata?.headers).toMatchObject({
      'content-type': 'text/csv',
      'accept-ranges': 'bytes',
    });
    expect(Buffer.concat(response.body).toString()).toBe('name,email\n[NAME],[EMAIL]\n');
  });

  it('keeps the view in MASKPOINT_VIEWS_BUCKET and answers the next GET from it, with its length and MD5 ETag', async () => {
    const first = await invoke(await eventFor('/protected/people.csv'));
    const second = await invoke(await eventFor('/protected/people.csv'));
    const body = Buffer.concat(second.body);
    expect(Buffer.concat(first.body)).toEqual(body);
    expect(second.metadata?.headers).toMatchObject({
      'content-length': String(body.byteLength),
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
    });
    const cached = await s3.client.send(new ListObjectsV2Command({ Bucket: 'view-cache' }));
    expect(cached.Contents?.map((object) => object.Key)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^views\/[0-9a-f]{32}-[0-9a-f]{64}\.json$/)]),
    );
  });

  it('answers content malformed near its start with S3 XML, not a stream broken before its first byte', async () => {
    const defects = {
      'bad.json': '[{"id":1},{"id": tru}]',
      'bad.csv': 'name,email\nJane,jane@example.com\n"never closed,x\n',
      'bad.ndjson': '{"id":1}\n{"id":}\n',
      'bad.log': Buffer.from('hello\ncaf\xe9\n', 'latin1'),
    };
    for (const [name, body] of Object.entries(defects)) {
      await s3.client.send(new PutObjectCommand({ Bucket: 'protected', Key: name, Body: body }));
      const response = await invoke(await eventFor(`/protected/${name}`));
      expect(response.error).toBeUndefined();
      expect(response.metadata?.statusCode).toBe(403);
      expect(Buffer.concat(response.body).toString()).toMatch(
        /<Code>AccessDenied<\/Code><Message>(malformed|invalid UTF-8)/,
      );
    }
  });

  it('answers refusals with S3 XML', async () => {
    const response = await invoke(await eventFor('/protected/missing.csv'));
    expect(response.metadata?.statusCode).toBe(404);
    expect(Buffer.concat(response.body).toString()).toContain('<Code>NoSuchKey</Code>');
  });

  describe('behind CloudFront', () => {
    /**
     * The real SDK, signing for `endpoint`; its requests reach the handler as CloudFront delivers
     * them: the viewer function copied Host into x-maskpoint-viewer-host, the origin request
     * carries the function URL's host, and the origin secret when `hasOriginSecret`.
     */
    function clientViaCloudFront(
      endpoint: string,
      options: { hasOriginSecret: boolean; forcePathStyle: boolean },
    ) {
      return new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: options.forcePathStyle,
        credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
        maxAttempts: 1,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: {
          async handle(request: SdkRequest) {
            const headers = Object.fromEntries(
              Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
            );
            const response = await invoke({
              rawPath: request.path,
              rawQueryString: queryString(request.query),
              headers: {
                ...headers,
                host: FUNCTION_URL_HOST,
                [VIEWER_HOST_HEADER]: headers.host ?? request.hostname,
                ...(options.hasOriginSecret ? { [ORIGIN_SECRET_HEADER]: ORIGIN_SECRET } : {}),
              },
              requestContext: { http: { method: request.method, sourceIp: '192.0.2.10' } },
            });
            return {
              response: {
                statusCode: response.metadata?.statusCode ?? 500,
                headers: response.metadata?.headers ?? {},
                body: Readable.from([Buffer.concat(response.body)]),
              },
            };
          },
        },
      });
    }

    it('verifies a request the SDK signed for the CloudFront host', async () => {
      const client = clientViaCloudFront('https://d111.cloudfront.net', {
        hasOriginSecret: true,
        forcePathStyle: true,
      });

      const object = await client.send(new GetObjectCommand({ Bucket: 'protected', Key: 'people.csv' }));

      expect(object.$metadata.httpStatusCode).toBe(200);
      expect(await object.Body?.transformToString()).toBe('name,email\n[NAME],[EMAIL]\n');
    });

    it('reads the bucket from the viewer host for virtual-hosted requests', async () => {
      const client = clientViaCloudFront('https://data.example.com', {
        hasOriginSecret: true,
        forcePathStyle: false,
      });

      const object = await client.send(new GetObjectCommand({ Bucket: 'protected', Key: 'people.csv' }));

      expect(await object.Body?.transformToString()).toBe('name,email\n[NAME],[EMAIL]\n');
    });

    it('rejects the viewer host header without the origin secret with SignatureDoesNotMatch', async () => {
      const client = clientViaCloudFront('https://d111.cloudfront.net', {
        hasOriginSecret: false,
        forcePathStyle: true,
      });

      const error = await client
        .send(new GetObjectCommand({ Bucket: 'protected', Key: 'people.csv' }))
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(S3ServiceException);
      expect((error as S3ServiceException).name).toBe('SignatureDoesNotMatch');
      expect((error as S3ServiceException).$metadata.httpStatusCode).toBe(403);
    });
  });
});
