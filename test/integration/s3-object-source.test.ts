import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createS3Client, createS3ObjectSource } from '../../functions/adapters/s3-object-source.ts';
import {
  AccessDeniedError,
  InvalidArgumentError,
  NoSuchBucketError,
  NoSuchKeyError,
  NotImplementedError,
  NotModifiedError,
  PreconditionFailedError,
  ServiceUnavailableError,
} from '../../functions/core/errors.ts';
import type { ObjectSource } from '../../functions/core/ports/object-source.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';

const CSV = 'name,email\nAda,ada@example.com\n';

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function testClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

describe('createS3ObjectSource against s3rver', () => {
  let s3: LocalS3;
  let source: ObjectSource;

  beforeAll(async () => {
    s3 = await startS3rver(['data']);
    const put = (key: string, body: string, contentType?: string) =>
      s3.client.send(
        new PutObjectCommand({ Bucket: 'data', Key: key, Body: body, ContentType: contentType }),
      );
    await put('logs/2026/01/a.log', 'a');
    await put('logs/2026/02/b.log', 'b');
    await put('logs/readme.txt', 'r');
    await put('people.csv', CSV, 'text/csv');
    source = createS3ObjectSource(s3.client);
  });

  afterAll(async () => {
    await s3.stop();
  });

  it('gets an object with its body, content type, last modified and ETag', async () => {
    const object = await source.getObject({ bucket: 'data', key: 'people.csv' }, {});

    expect(await collect(object.body)).toBe(CSV);
    expect(object.contentType).toBe('text/csv');
    expect(object.lastModified).toBeInstanceOf(Date);
    expect(object.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('heads an object', async () => {
    const head = await source.headObject({ bucket: 'data', key: 'people.csv' }, {});

    expect(head.contentType).toBe('text/csv');
    expect(head.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('rejects a missing key with NoSuchKeyError, on GET and on HEAD', async () => {
    await expect(source.getObject({ bucket: 'data', key: 'missing.csv' }, {})).rejects.toBeInstanceOf(
      NoSuchKeyError,
    );
    await expect(source.headObject({ bucket: 'data', key: 'missing.csv' }, {})).rejects.toBeInstanceOf(
      NoSuchKeyError,
    );
  });

  it('rejects a missing bucket with NoSuchBucketError', async () => {
    await expect(source.getObject({ bucket: 'nope', key: 'people.csv' }, {})).rejects.toBeInstanceOf(
      NoSuchBucketError,
    );
    await expect(source.listObjects({ bucket: 'nope', maxKeys: 10 })).rejects.toBeInstanceOf(
      NoSuchBucketError,
    );
  });

  it('fails with NotModifiedError when the object is not modified since the given date', async () => {
    await expect(
      source.getObject(
        { bucket: 'data', key: 'people.csv' },
        { ifModifiedSince: new Date(Date.now() + 60_000) },
      ),
    ).rejects.toBeInstanceOf(NotModifiedError);
    const modified = await source.getObject(
      { bucket: 'data', key: 'people.csv' },
      { ifModifiedSince: new Date('2000-01-01T00:00:00Z') },
    );
    expect(await collect(modified.body)).toBe(CSV);
  });

  it('rejects a version the store does not serve (s3rver ignores versionId) with NotImplementedError', async () => {
    const location = { bucket: 'data', key: 'people.csv', versionId: '3HL4kqtJlcpXroDTDmjVBH40Nrjfkd' };

    await expect(source.getObject(location, {})).rejects.toBeInstanceOf(NotImplementedError);
    await expect(source.headObject(location, {})).rejects.toBeInstanceOf(NotImplementedError);
  });

  it('serves the null version of an unversioned object', async () => {
    const object = await source.getObject({ bucket: 'data', key: 'people.csv', versionId: 'null' }, {});

    expect(await collect(object.body)).toBe(CSV);
  });

  // s3rver 3.7.1 cannot page on Node 20 (its continuation tokens use DES, which OpenSSL 3 lacks):
  // truncated listings are checked against the scripted endpoint below.
  it('lists with prefix, delimiter and start-after', async () => {
    const all = await source.listObjects({ bucket: 'data', maxKeys: 100 });
    const rolled = await source.listObjects({ bucket: 'data', delimiter: '/', maxKeys: 100 });
    const nested = await source.listObjects({
      bucket: 'data',
      prefix: 'logs/2026/',
      delimiter: '/',
      maxKeys: 100,
    });
    const after = await source.listObjects({
      bucket: 'data',
      prefix: 'logs/',
      startAfter: 'logs/2026/01/a.log',
      maxKeys: 100,
    });

    expect(all.objects.map((object) => object.key)).toEqual([
      'logs/2026/01/a.log',
      'logs/2026/02/b.log',
      'logs/readme.txt',
      'people.csv',
    ]);
    expect(all.isTruncated).toBe(false);
    expect(all.objects[0]?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(all.objects[0]?.lastModified).toBeInstanceOf(Date);
    expect(all.objects[0]?.size).toBe(1);
    expect(rolled.objects.map((object) => object.key)).toEqual(['people.csv']);
    expect(rolled.commonPrefixes).toEqual(['logs/']);
    expect(nested.objects).toEqual([]);
    expect(nested.commonPrefixes).toEqual(['logs/2026/01/', 'logs/2026/02/']);
    expect(after.objects.map((object) => object.key)).toEqual(['logs/2026/02/b.log', 'logs/readme.txt']);
  });
});

describe('createS3ObjectSource against a scripted S3 endpoint', () => {
  let server: Server;
  let endpoint: string;
  let answer: { status: number; code?: string; body?: string };
  let lastRequestUrl: string | undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      lastRequestUrl = request.url;
      response.writeHead(answer.status, { 'content-type': 'application/xml' });
      if (request.method === 'HEAD') response.end();
      else
        response.end(
          answer.body ??
            `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer.code}</Code><Message>secret-looking detail</Message></Error>`,
        );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    [412, 'PreconditionFailed', PreconditionFailedError],
    [403, 'AccessDenied', AccessDeniedError],
    [404, 'NoSuchKey', NoSuchKeyError],
    [404, 'NoSuchVersion', NoSuchKeyError],
    [400, 'InvalidArgument', InvalidArgumentError],
    [503, 'SlowDown', ServiceUnavailableError],
    [500, 'InternalError', ServiceUnavailableError],
  ])(
    'rejects S3 %i %s with %o, on GET and on HEAD, without echoing the S3 message',
    async (status, code, type) => {
      answer = { status, code };
      const source = createS3ObjectSource(testClient(endpoint));

      const getError = await source
        .getObject({ bucket: 'data', key: 'k' }, {})
        .catch((error: unknown) => error);
      const headError = await source
        .headObject({ bucket: 'data', key: 'k' }, {})
        .catch((error: unknown) => error);

      expect(getError).toBeInstanceOf(type);
      expect(headError).toBeInstanceOf(type);
      expect((getError as Error).message).not.toContain('secret-looking');
    },
  );

  it('passes a truncated page’s continuation token on, and sends it back for the next page', async () => {
    answer = {
      status: 200,
      body: `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
        <Name>data</Name><Prefix>logs/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
        <NextContinuationToken>token-2</NextContinuationToken>
        <Contents><Key>logs/a.log</Key><LastModified>2026-03-01T10:00:00.000Z</LastModified><ETag>"e1"</ETag></Contents>
        <CommonPrefixes><Prefix>logs/2026/</Prefix></CommonPrefixes></ListBucketResult>`,
    };
    const source = createS3ObjectSource(testClient(endpoint));

    const page = await source.listObjects({
      bucket: 'data',
      prefix: 'logs/',
      maxKeys: 2,
      continuationToken: 'token-1',
    });

    expect(page).toEqual({
      objects: [{ key: 'logs/a.log', lastModified: new Date('2026-03-01T10:00:00.000Z'), etag: '"e1"' }],
      commonPrefixes: ['logs/2026/'],
      isTruncated: true,
      nextContinuationToken: 'token-2',
    });
    expect(lastRequestUrl).toContain('continuation-token=token-1');
  });

  it('rejects an unreachable endpoint with ServiceUnavailableError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const source = createS3ObjectSource(testClient(`http://127.0.0.1:${port}`));

    await expect(source.getObject({ bucket: 'data', key: 'k' }, {})).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    await expect(source.listObjects({ bucket: 'data', maxKeys: 1 })).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });
});

describe('createS3ObjectSource versions against a scripted S3 endpoint', () => {
  let server: Server;
  let endpoint: string;
  let answeredVersion: string | undefined;
  const requested: (string | null)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requested.push(new URL(request.url ?? '/', 'http://s3').searchParams.get('versionId'));
      response.writeHead(200, {
        'content-type': 'text/plain',
        'content-length': '7',
        ...(answeredVersion === undefined ? {} : { 'x-amz-version-id': answeredVersion }),
      });
      response.end(request.method === 'HEAD' ? undefined : 'version');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('asks S3 for the version and serves it when S3 answers with it', async () => {
    answeredVersion = 'v2';
    const source = createS3ObjectSource(testClient(endpoint));
    requested.length = 0;

    const object = await source.getObject({ bucket: 'data', key: 'k', versionId: 'v2' }, {});
    const head = await source.headObject({ bucket: 'data', key: 'k', versionId: 'v2' }, {});

    expect(await collect(object.body)).toBe('version');
    expect(object.versionId).toBe('v2');
    expect(head.versionId).toBe('v2');
    expect(requested).toEqual(['v2', 'v2']);
  });

  it('rejects an answer for another version than the one asked for with NotImplementedError', async () => {
    const source = createS3ObjectSource(testClient(endpoint));
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/), { nil: undefined }),
        fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/),
        async (answered, asked) => {
          fc.pre(answered !== asked && !(asked === 'null' && answered === undefined));
          answeredVersion = answered;
          const location = { bucket: 'data', key: 'k', versionId: asked };

          await expect(source.getObject(location, {})).rejects.toBeInstanceOf(NotImplementedError);
          await expect(source.headObject(location, {})).rejects.toBeInstanceOf(NotImplementedError);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('createS3ObjectSource against an endpoint that cuts the body', () => {
  it('fails with ServiceUnavailableError and no byte past the cut, wherever and however the body is cut', async () => {
    let body = Buffer.alloc(0);
    let cut = 0;
    let hangUp: 'fin' | 'fin-later' | 'reset-later' = 'fin';
    // Raw TCP: announces the whole length, sends the bytes before the cut, then hangs up: at
    // once with them, or once they were read (a FIN, or a reset that carries no 'end').
    const server = createTcpServer((socket) => {
      socket.once('data', () => {
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.byteLength}\r\nETag: "e"\r\n\r\n`,
        );
        if (hangUp === 'fin') {
          socket.end(body.subarray(0, cut));
          return;
        }
        socket.write(body.subarray(0, cut), () =>
          setTimeout(() => (hangUp === 'fin-later' ? socket.end() : socket.resetAndDestroy()), 5),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = testClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const source = createS3ObjectSource(client);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 1, maxLength: 200_000 }),
          fc.nat(),
          fc.constantFrom('fin' as const, 'fin-later' as const, 'reset-later' as const),
          async (content, at, how) => {
            body = Buffer.from(content);
            cut = at % body.byteLength;
            hangUp = how;
            const object = await source.getObject({ bucket: 'data', key: 'k' }, {});
            const chunks: Uint8Array[] = [];
            let error: unknown;
            try {
              for await (const chunk of object.body) chunks.push(chunk);
            } catch (caught) {
              error = caught;
            }

            expect(error).toBeInstanceOf(ServiceUnavailableError);
            const received = Buffer.concat(chunks);
            // A reset may drop bytes the reader had not taken yet; never one past the cut.
            if (how === 'reset-later') expect(received).toEqual(body.subarray(0, received.byteLength));
            expect(received.byteLength).toBeLessThanOrEqual(cut);
            if (how !== 'reset-later') expect(received).toEqual(body.subarray(0, cut));
          },
        ),
        { numRuns: 30 },
      );
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('createS3Client', () => {
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startS3rver(['data']);
    await s3.client.send(new PutObjectCommand({ Bucket: 'data', Key: 'hello.txt', Body: 'hello' }));
  });

  afterAll(async () => {
    await s3.stop();
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function stubCredentials(): void {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    // s3rver accepts only this access key id (it does not check signatures).
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
  }

  it('reads path-style from the endpoint in AWS_ENDPOINT_URL_S3', async () => {
    stubCredentials();
    const client = createS3Client({
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
    });

    const object = await createS3ObjectSource(client).getObject({ bucket: 'data', key: 'hello.txt' }, {});

    expect(await collect(object.body)).toBe('hello');
    expect(client.config.forcePathStyle).toBe(true);
    expect(client.config.disableHostPrefix).toBe(true);
    client.destroy();
  });

  it('falls back to AWS_ENDPOINT_URL', async () => {
    stubCredentials();
    const client = createS3Client({ AWS_ENDPOINT_URL: s3.endpoint });

    const head = await createS3ObjectSource(client).headObject({ bucket: 'data', key: 'hello.txt' }, {});

    expect(head.etag).toBeDefined();
    client.destroy();
  });

  it('uses the AWS endpoint, virtual-hosted, and checksums only when required, without an override', async () => {
    stubCredentials();
    const client = createS3Client({});

    expect(client.config.forcePathStyle).toBe(false);
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    client.destroy();
  });
});
