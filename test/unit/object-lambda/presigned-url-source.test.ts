import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPresignedUrlSource,
  parseListBucketResult,
} from '../../../functions/adapters/presigned-url-source.ts';
import {
  AccessDeniedError,
  NoSuchBucketError,
  NoSuchKeyError,
  NotImplementedError,
  NotModifiedError,
  PreconditionFailedError,
  ServiceUnavailableError,
} from '../../../functions/core/errors.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('createPresignedUrlSource', () => {
  let server: Server;
  let base: string;
  let seen: Seen[];
  let answer: (response: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
      answer(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen = [];
    answer = (response) => response.end();
  });

  function source(
    query = 'X-Amz-SignedHeaders=host%3Bx-amz-checksum-mode%3Bx-amz-request-payer',
    headers = {},
  ) {
    return createPresignedUrlSource({
      inputS3Url: `${base}/bucket/people.csv?${query}`,
      userHeaders: {
        Host: 'olap.example',
        'X-Amz-Checksum-Mode': 'ENABLED',
        'x-amz-request-payer': 'requester',
        ...headers,
      },
    });
  }

  it('sends every signed header but host with the caller value, and nothing unsigned', async () => {
    answer = (response) => response.end('a,b\n');

    await collect(
      (await source(undefined, { 'X-Forwarded-For': '192.0.2.1' }).getObject({ bucket: 'b', key: 'k' }, {}))
        .body,
    );

    expect(seen[0]?.headers['x-amz-checksum-mode']).toBe('ENABLED');
    expect(seen[0]?.headers['x-amz-request-payer']).toBe('requester');
    expect(seen[0]?.headers.host).toBe(new URL(base).host);
    expect(seen[0]?.headers['x-forwarded-for']).toBeUndefined();
    expect(seen[0]?.url).toBe(
      '/bucket/people.csv?X-Amz-SignedHeaders=host%3Bx-amz-checksum-mode%3Bx-amz-request-payer',
    );
  });

  it('sends the time conditions but leaves If-Match / If-None-Match to the core', async () => {
    answer = (response) => response.end('a');

    await collect(
      (
        await source(undefined, { 'If-None-Match': '"abc"' }).getObject(
          { bucket: 'b', key: 'k' },
          {
            ifModifiedSince: new Date('2026-01-02T03:04:05Z'),
            ifUnmodifiedSince: new Date('2027-01-01T00:00:00Z'),
          },
        )
      ).body,
    );

    expect(seen[0]?.headers['if-modified-since']).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
    expect(seen[0]?.headers['if-unmodified-since']).toBe('Fri, 01 Jan 2027 00:00:00 GMT');
    expect(seen[0]?.headers['if-none-match']).toBeUndefined();
  });

  it('returns the stored body untouched, gzip included, with the stored metadata', async () => {
    const gzipped = gzipSync('a,b\n');
    answer = (response) => {
      response.writeHead(200, {
        'content-type': 'text/csv',
        'content-encoding': 'gzip',
        etag: '"e1"',
        'last-modified': 'Fri, 02 Jan 2026 03:04:05 GMT',
        'x-amz-version-id': 'v1',
      });
      response.end(gzipped);
    };

    const object = await source().getObject({ bucket: 'b', key: 'k' }, {});

    expect(await collect(object.body)).toEqual(gzipped);
    expect(object).toMatchObject({
      contentType: 'text/csv',
      contentEncoding: 'gzip',
      etag: '"e1"',
      versionId: 'v1',
      lastModified: new Date('2026-01-02T03:04:05Z'),
    });
  });

  it('heads with HEAD', async () => {
    answer = (response) => {
      response.writeHead(200, { 'content-type': 'application/json', etag: '"e2"' });
      response.end();
    };

    const head = await source().headObject({ bucket: 'b', key: 'k' }, {});

    expect(seen[0]?.method).toBe('HEAD');
    expect(head).toMatchObject({ contentType: 'application/json', etag: '"e2"' });
  });

  it.each([
    [404, '<Error><Code>NoSuchKey</Code></Error>', NoSuchKeyError],
    [404, '<Error><Code>NoSuchBucket</Code></Error>', NoSuchBucketError],
    [304, '', NotModifiedError],
    [412, '<Error><Code>PreconditionFailed</Code></Error>', PreconditionFailedError],
    [403, '<Error><Code>SignatureDoesNotMatch</Code></Error>', AccessDeniedError],
    [503, '<Error><Code>SlowDown</Code></Error>', ServiceUnavailableError],
  ])('rejects a %i answer as a domain error', async (status, body, errorClass) => {
    answer = (response) => {
      response.writeHead(status);
      response.end(body);
    };

    await expect(source().getObject({ bucket: 'b', key: 'k' }, {})).rejects.toBeInstanceOf(errorClass);
  });

  it('rejects an unreachable source as ServiceUnavailable', async () => {
    const unreachable = createPresignedUrlSource({ inputS3Url: 'http://127.0.0.1:1/b/k', userHeaders: {} });

    await expect(unreachable.getObject({ bucket: 'b', key: 'k' }, {})).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });

  it('fails with ServiceUnavailableError and no byte past the cut, wherever the body is cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200_000 }), fc.nat(), async (content, at) => {
        const body = Buffer.from(content);
        const cut = at % body.byteLength;
        answer = (response) => {
          response.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.byteLength });
          // Announces the whole length, sends the bytes before the cut, then hangs up.
          response.write(body.subarray(0, cut), () => response.socket?.end());
        };

        const object = await source().getObject({ bucket: 'b', key: 'k' }, {});
        const chunks: Uint8Array[] = [];
        let error: unknown;
        try {
          for await (const chunk of object.body) chunks.push(chunk);
        } catch (caught) {
          error = caught;
        }

        expect(error).toBeInstanceOf(ServiceUnavailableError);
        expect(Buffer.concat(chunks)).toEqual(body.subarray(0, cut));
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a version the presigned URL does not name with NotImplementedError, without fetching', async () => {
    const unversioned = source();

    await expect(
      unversioned.getObject({ bucket: 'b', key: 'k', versionId: 'v2' }, {}),
    ).rejects.toBeInstanceOf(NotImplementedError);
    await expect(
      unversioned.headObject({ bucket: 'b', key: 'k', versionId: 'v2' }, {}),
    ).rejects.toBeInstanceOf(NotImplementedError);
    expect(seen).toEqual([]);
  });

  it('serves the version the URL names when S3 answers with it, and rejects any other answer', async () => {
    const versioned = source('versionId=v2&X-Amz-SignedHeaders=host');
    let answered: string | undefined = 'v2';
    answer = (response) => {
      response.writeHead(200, answered === undefined ? {} : { 'x-amz-version-id': answered });
      response.end('v2 body');
    };

    const object = await versioned.getObject({ bucket: 'b', key: 'k', versionId: 'v2' }, {});
    expect(await collect(object.body)).toEqual(Buffer.from('v2 body'));
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/), { nil: undefined }),
        async (other) => {
          fc.pre(other !== 'v2');
          answered = other;
          const location = { bucket: 'b', key: 'k', versionId: 'v2' };

          await expect(versioned.getObject(location, {})).rejects.toBeInstanceOf(NotImplementedError);
          await expect(versioned.headObject(location, {})).rejects.toBeInstanceOf(NotImplementedError);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('lists with the presigned query and decodes url-encoded keys', async () => {
    answer = (response) => {
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>tok</NextContinuationToken>' +
          '<Contents><Key>a+b%26c.csv</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>&quot;e&quot;</ETag><Size>5</Size></Contents>' +
          '<CommonPrefixes><Prefix>dir%2F</Prefix></CommonPrefixes></ListBucketResult>',
      );
    };
    const lister = createPresignedUrlSource({
      inputS3Url: `${base}/b?list-type=2&prefix=x&encoding-type=url`,
      userHeaders: {},
    });

    const page = await lister.listObjects({ bucket: 'b', maxKeys: 1000 });

    expect(seen[0]?.url).toBe('/b?list-type=2&prefix=x&encoding-type=url');
    expect(page).toEqual({
      objects: [{ key: 'a b&c.csv', lastModified: new Date('2026-01-02T03:04:05Z'), etag: '"e"' }],
      commonPrefixes: ['dir/'],
      isTruncated: true,
      nextContinuationToken: 'tok',
    });
  });
});

describe('parseListBucketResult', () => {
  it('takes the last listed key as the v1 marker of a truncated listing without NextMarker', () => {
    const page = parseListBucketResult(
      '<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key></Contents><Contents><Key>0123</Key></Contents></ListBucketResult>',
    );

    expect(page.objects.map((object) => object.key)).toEqual(['a', '0123']);
    expect(page.nextContinuationToken).toBe('0123');
  });

  it('reads an empty listing', () => {
    expect(
      parseListBucketResult('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>'),
    ).toEqual({
      objects: [],
      commonPrefixes: [],
      isTruncated: false,
      nextContinuationToken: undefined,
    });
  });

  it('rejects a document that is not a ListBucketResult', () => {
    expect(() => parseListBucketResult('<Error><Code>AccessDenied</Code></Error>')).toThrow(
      /unexpected listing/,
    );
  });
});
