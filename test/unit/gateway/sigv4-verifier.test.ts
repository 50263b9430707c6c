import { Agent, createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  AuthorizationMalformedError,
  InvalidAccessKeyIdError,
  InvalidRequestError,
  NotImplementedError,
  RequestTimeTooSkewedError,
  SignatureDoesNotMatchError,
} from '../../../functions/core/errors.ts';
import type { CredentialStore, GatewayKey } from '../../../functions/core/ports/credential-store.ts';
import { type SignedRequest, verifySigV4 } from '../../../functions/gateway/sigv4-verifier.ts';

const region = 'us-east-1';
const gatewayKey: GatewayKey = {
  name: 'reports-reader',
  accessKeyId: 'MPKABCDEFGHIJKLMNOPQ',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  buckets: ['reports'],
  createdAt: '2026-01-01T00:00:00.000Z',
};
const store: CredentialStore = {
  find: async (accessKeyId) => (accessKeyId === gatewayKey.accessKeyId ? gatewayKey : undefined),
};
const emptyStore: CredentialStore = { find: async () => undefined };
const awkwardKeys = ['a b+c/é.csv', 'tilde~key.csv', 'star*key.csv', "paren(1)!'.csv", 'plain.csv'];
const minute = 60_000;

// Every host resolves to the loopback server, so virtual-hosted names (reports.localhost) work.
const loopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all)
    (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  else callback(null, '127.0.0.1', 4);
};

let server: Server;
let port: number;
let captured: SignedRequest[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    captured.push(toSignedRequest(req));
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function toSignedRequest(req: IncomingMessage): SignedRequest {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return {
    method: req.method ?? 'GET',
    rawPath: queryAt < 0 ? url : url.slice(0, queryAt),
    rawQuery: queryAt < 0 ? '' : url.slice(queryAt + 1),
    headers,
  };
}

function client(options: {
  style: 'path' | 'virtual';
  credentials?: S3ClientConfig['credentials'];
}): S3Client {
  return new S3Client({
    region,
    endpoint: `http://localhost:${port}`,
    forcePathStyle: options.style === 'path',
    credentials: options.credentials ?? {
      accessKeyId: gatewayKey.accessKeyId,
      secretAccessKey: gatewayKey.secretAccessKey,
    },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ lookup: loopback } as object) },
  });
}

type ReadCommand = GetObjectCommand | HeadObjectCommand | ListObjectsV2Command;

/** Sends one SDK command to the capture server and returns the request as the server saw it. */
async function sent(s3: S3Client, command: ReadCommand): Promise<SignedRequest> {
  captured = [];
  // The capture server answers with an empty body, which some commands cannot parse.
  const sending =
    command instanceof GetObjectCommand
      ? s3.send(command)
      : command instanceof HeadObjectCommand
        ? s3.send(command)
        : s3.send(command);
  await sending.catch(() => undefined);
  const request = captured[0];
  if (request === undefined || captured.length !== 1) throw new Error('expected exactly one request');
  return request;
}

/** Fetches a presigned URL from the capture server and returns the request as the server saw it. */
async function fetched(url: string): Promise<SignedRequest> {
  captured = [];
  await new Promise<void>((resolve, reject) => {
    get(url, { lookup: loopback }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  const request = captured[0];
  if (request === undefined) throw new Error('expected one request');
  return request;
}

function signingDateOf(request: SignedRequest): Date {
  const longDate =
    request.headers['x-amz-date'] ?? new URLSearchParams(request.rawQuery).get('X-Amz-Date') ?? '';
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate) ?? [];
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

function withHeader(request: SignedRequest, name: string, value: string | undefined): SignedRequest {
  return { ...request, headers: { ...request.headers, [name]: value } };
}

function withAuthorization(request: SignedRequest, edit: (authorization: string) => string): SignedRequest {
  return withHeader(request, 'authorization', edit(request.headers.authorization ?? ''));
}

function withQuery(request: SignedRequest, edit: (query: URLSearchParams) => void): SignedRequest {
  const query = new URLSearchParams(request.rawQuery);
  edit(query);
  return { ...request, rawQuery: query.toString().replaceAll('+', '%20') };
}

describe('verifySigV4 with requests signed by @aws-sdk/client-s3', () => {
  it.each(awkwardKeys)('verifies a path-style GetObject for key %j', async (key) => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: key }),
    );

    expect(request.rawPath.startsWith('/reports/')).toBe(true);
    await expect(verifySigV4(request, store, { region })).resolves.toBe(gatewayKey);
  });

  it.each(awkwardKeys)('verifies a virtual-hosted GetObject for key %j', async (key) => {
    const request = await sent(
      client({ style: 'virtual' }),
      new GetObjectCommand({ Bucket: 'reports', Key: key }),
    );

    expect(request.headers.host).toBe(`reports.localhost:${port}`);
    await expect(verifySigV4(request, store, { region })).resolves.toBe(gatewayKey);
  });

  it('verifies a HeadObject', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new HeadObjectCommand({ Bucket: 'reports', Key: 'a b.csv' }),
    );

    expect(request.method).toBe('HEAD');
    await expect(verifySigV4(request, store, { region })).resolves.toBe(gatewayKey);
  });

  it('verifies a ListObjectsV2 whose query needs encoding', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new ListObjectsV2Command({
        Bucket: 'reports',
        Prefix: 'x/y',
        ContinuationToken: 'a/b+c== *~',
        Delimiter: '/',
      }),
    );

    expect(request.rawQuery).toContain('list-type=2');
    expect(request.rawQuery).toContain('prefix=x%2Fy');
    expect(request.rawQuery).toContain('continuation-token=');
    await expect(verifySigV4(request, store, { region })).resolves.toBe(gatewayKey);
  });

  it('verifies a ranged GetObject, whose range header is signed', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv', Range: 'bytes=0-9' }),
    );

    expect(request.headers.authorization).toContain('range');
    await expect(verifySigV4(request, store, { region })).resolves.toBe(gatewayKey);
  });

  it('verifies a request that gained headers the client did not sign', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );

    const proxied = withHeader(withHeader(request, 'x-forwarded-for', '203.0.113.9'), 'user-agent', 'other');
    await expect(verifySigV4(proxied, store, { region })).resolves.toBe(gatewayKey);
  });

  it('verifies a request signed 14 minutes before or after the server clock', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );
    const signed = signingDateOf(request).getTime();

    await expect(verifySigV4(request, store, { region, now: new Date(signed + 14 * minute) })).resolves.toBe(
      gatewayKey,
    );
    await expect(verifySigV4(request, store, { region, now: new Date(signed - 14 * minute) })).resolves.toBe(
      gatewayKey,
    );
  });

  it('rejects an unknown or revoked access key id', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );

    await expect(verifySigV4(request, emptyStore, { region })).rejects.toBeInstanceOf(
      InvalidAccessKeyIdError,
    );
  });

  it('rejects a request signed with the wrong secret', async () => {
    const s3 = client({
      style: 'path',
      credentials: { accessKeyId: gatewayKey.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    const request = await sent(s3, new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }));

    await expect(verifySigV4(request, store, { region })).rejects.toBeInstanceOf(SignatureDoesNotMatchError);
  });

  it('rejects a tampered path, query, signed header or signature', async () => {
    const plain = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );
    const list = await sent(
      client({ style: 'path' }),
      new ListObjectsV2Command({ Bucket: 'reports', Prefix: 'x/' }),
    );
    const ranged = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv', Range: 'bytes=0-9' }),
    );
    const tampered: SignedRequest[] = [
      { ...plain, rawPath: '/reports/b.csv' },
      { ...plain, rawPath: '/other/a.csv' },
      withQuery(list, (query) => query.set('prefix', 'y/')),
      withQuery(plain, (query) => query.set('versionId', '1')),
      withHeader(ranged, 'range', 'bytes=0-99999'),
      withHeader(plain, 'host', 'evil.localhost'),
      withAuthorization(plain, (authorization) => authorization.replace(/Signature=[0-9a-f]/, 'Signature=x')),
      withAuthorization(plain, (authorization) => `${authorization}00`),
    ];

    for (const request of tampered) {
      await expect(verifySigV4(request, store, { region })).rejects.toBeInstanceOf(
        SignatureDoesNotMatchError,
      );
    }
  });

  it('rejects signed headers absent from the request and names that collide with Object.prototype', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );
    const colliding = [
      withAuthorization(request, (a) => a.replace('SignedHeaders=', 'SignedHeaders=constructor;')),
      withAuthorization(request, (a) => a.replace('SignedHeaders=', 'SignedHeaders=__proto__;')),
      withAuthorization(request, (a) => a.replace('SignedHeaders=', 'SignedHeaders=absent;')),
      { ...request, rawQuery: `${request.rawQuery}&__proto__=1&__proto__=2&constructor=3` },
    ];

    for (const candidate of colliding) {
      await expect(verifySigV4(candidate, store, { region })).rejects.toBeInstanceOf(
        SignatureDoesNotMatchError,
      );
    }
  });

  it('rejects a signature mismatch without echoing the signature or secret', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );
    const signature = /Signature=([0-9a-f]+)/.exec(request.headers.authorization ?? '')?.[1] ?? '';

    const error = await verifySigV4({ ...request, rawPath: '/reports/b.csv' }, store, { region }).catch(
      (e) => e,
    );

    expect(error).toBeInstanceOf(SignatureDoesNotMatchError);
    expect(signature).toHaveLength(64);
    expect(String(error.message)).not.toContain(signature);
    expect(String(error.message)).not.toContain(gatewayKey.secretAccessKey);
  });

  it('rejects a request signed for another region', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );

    await expect(verifySigV4(request, store, { region: 'eu-west-1' })).rejects.toBeInstanceOf(
      AuthorizationMalformedError,
    );
  });

  it('rejects another service, algorithm or scope date as malformed', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );
    const malformed = [
      withAuthorization(request, (a) => a.replace('/s3/aws4_request', '/lambda/aws4_request')),
      withAuthorization(request, (a) => a.replace('/aws4_request', '/aws5_request')),
      withAuthorization(request, (a) => a.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256')),
      withAuthorization(request, (a) => a.replace(/\/\d{8}\//, '/20000101/')),
      withAuthorization(request, (a) => a.replace(/\bhost;/, '')),
      withAuthorization(request, (a) => a.replace(/, Signature=[0-9a-f]+/, '')),
    ];

    for (const candidate of malformed) {
      expect(candidate.headers.authorization).not.toBe(request.headers.authorization);
      await expect(verifySigV4(candidate, store, { region })).rejects.toBeInstanceOf(
        AuthorizationMalformedError,
      );
    }
  });

  it('rejects Signature Version 2, in the header or the query, with InvalidRequest as S3 does', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );
    const { authorization: _, ...unsigned } = request.headers;
    const sigV2 = [
      withHeader(request, 'authorization', `AWS ${gatewayKey.accessKeyId}:c2lnbmF0dXJl`),
      {
        ...request,
        headers: unsigned,
        rawQuery: `AWSAccessKeyId=${gatewayKey.accessKeyId}&Expires=1893456000&Signature=c2lnbmF0dXJl`,
      },
    ];

    for (const candidate of sigV2) {
      await expect(verifySigV4(candidate, store, { region })).rejects.toThrow(
        new InvalidRequestError(
          'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
        ),
      );
    }
  });

  it('rejects a header-signed request more than 15 minutes from the server clock, either way', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );
    const signed = signingDateOf(request).getTime();

    for (const now of [new Date(signed + 16 * minute), new Date(signed - 16 * minute)]) {
      await expect(verifySigV4(request, store, { region, now })).rejects.toBeInstanceOf(
        RequestTimeTooSkewedError,
      );
    }
  });

  it('rejects session tokens: gateway keys have none', async () => {
    const s3 = client({
      style: 'path',
      credentials: { ...gatewayKey, sessionToken: 'session-token' },
    });
    const request = await sent(s3, new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }));

    expect(request.headers['x-amz-security-token']).toBe('session-token');
    await expect(verifySigV4(request, store, { region })).rejects.toBeInstanceOf(AuthorizationMalformedError);
  });

  it('rejects streaming payload signatures and payload hashes of a non-empty body', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );

    await expect(
      verifySigV4(withHeader(request, 'x-amz-content-sha256', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'), store, {
        region,
      }),
    ).rejects.toBeInstanceOf(NotImplementedError);
    await expect(
      verifySigV4(withHeader(request, 'x-amz-content-sha256', 'a'.repeat(64)), store, { region }),
    ).rejects.toBeInstanceOf(AuthorizationMalformedError);
    await expect(
      verifySigV4(withHeader(request, 'x-amz-content-sha256', undefined), store, { region }),
    ).rejects.toBeInstanceOf(AuthorizationMalformedError);
  });

  it('verifies UNSIGNED-PAYLOAD and the empty-body hash as payload hashes', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );

    expect([
      'UNSIGNED-PAYLOAD',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ]).toContain(request.headers['x-amz-content-sha256']);
    await expect(verifySigV4(request, store, { region })).resolves.toBe(gatewayKey);
  });

  it('rejects anonymous requests', async () => {
    const anonymous: SignedRequest = {
      method: 'GET',
      rawPath: '/reports/a.csv',
      rawQuery: '',
      headers: { host: 'localhost' },
    };

    await expect(verifySigV4(anonymous, store, { region })).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('rejects a request that carries both an Authorization header and a presigned query', async () => {
    const request = await sent(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );
    const url = await getSignedUrl(
      client({ style: 'path' }),
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
    );

    const both = { ...request, rawQuery: new URL(url).search.slice(1) };
    await expect(verifySigV4(both, store, { region })).rejects.toBeInstanceOf(AuthorizationMalformedError);
  });
});

describe('verifySigV4 with URLs presigned by @aws-sdk/s3-request-presigner', () => {
  async function presigned(
    style: 'path' | 'virtual',
    command: GetObjectCommand | ListObjectsV2Command,
    expiresIn = 900,
    credentials?: S3ClientConfig['credentials'],
  ): Promise<SignedRequest> {
    const s3 = client({ style, credentials });
    const url =
      command instanceof GetObjectCommand
        ? await getSignedUrl(s3, command, { expiresIn })
        : await getSignedUrl(s3, command, { expiresIn });
    return fetched(url);
  }

  it.each(awkwardKeys)('verifies path-style and virtual-hosted GetObject URLs for key %j', async (key) => {
    for (const style of ['path', 'virtual'] as const) {
      const request = await presigned(style, new GetObjectCommand({ Bucket: 'reports', Key: key }));

      expect(request.headers.authorization).toBeUndefined();
      await expect(verifySigV4(request, store, { region })).resolves.toBe(gatewayKey);
    }
  });

  it('verifies a presigned ListObjectsV2 whose query needs encoding', async () => {
    const request = await presigned(
      'path',
      new ListObjectsV2Command({ Bucket: 'reports', Prefix: 'x/y', ContinuationToken: 'a/b+c== *~' }),
    );

    expect(request.rawQuery).toContain('prefix=x%2Fy');
    await expect(verifySigV4(request, store, { region })).resolves.toBe(gatewayKey);
  });

  it('verifies a URL until it expires, and a URL dated up to 15 minutes ahead', async () => {
    const request = await presigned('path', new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }), 900);
    const signed = signingDateOf(request).getTime();

    await expect(verifySigV4(request, store, { region, now: new Date(signed + 900_000) })).resolves.toBe(
      gatewayKey,
    );
    await expect(verifySigV4(request, store, { region, now: new Date(signed - 14 * minute) })).resolves.toBe(
      gatewayKey,
    );
  });

  it('rejects an expired URL with AccessDenied "Request has expired"', async () => {
    const request = await presigned('path', new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }), 900);
    const now = new Date(signingDateOf(request).getTime() + 901_000);

    const error = await verifySigV4(request, store, { region, now }).catch((e) => e);

    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error.message).toBe('Request has expired');
  });

  it('rejects a URL dated more than 15 minutes ahead with AccessDenied "Request is not valid yet"', async () => {
    const request = await presigned('path', new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }));
    const now = new Date(signingDateOf(request).getTime() - 16 * minute);

    const error = await verifySigV4(request, store, { region, now }).catch((e) => e);

    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error.message).toBe('Request is not valid yet');
  });

  it('rejects X-Amz-Expires over 7 days as malformed', async () => {
    const request = await presigned(
      'path',
      new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }),
      604_800,
    );

    await expect(verifySigV4(request, store, { region })).resolves.toBe(gatewayKey);
    const tooLong = withQuery(request, (query) => query.set('X-Amz-Expires', '604801'));
    await expect(verifySigV4(tooLong, store, { region })).rejects.toBeInstanceOf(AuthorizationMalformedError);
  });

  it('rejects a tampered URL', async () => {
    const request = await presigned('path', new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }));
    const tampered: SignedRequest[] = [
      { ...request, rawPath: '/reports/b.csv' },
      withQuery(request, (query) => query.set('X-Amz-Expires', '901')),
      withQuery(request, (query) => query.set('response-content-type', 'text/html')),
      withHeader(request, 'host', 'evil.localhost'),
      withQuery(request, (query) => query.set('X-Amz-Signature', '0'.repeat(64))),
    ];

    for (const candidate of tampered) {
      await expect(verifySigV4(candidate, store, { region })).rejects.toBeInstanceOf(
        SignatureDoesNotMatchError,
      );
    }
  });

  it('rejects a URL with a malformed or incomplete presigned query', async () => {
    const request = await presigned('path', new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }));
    const malformed: SignedRequest[] = [
      withQuery(request, (query) => query.set('X-Amz-SignedHeaders', 'x-amz-date')),
      withQuery(request, (query) => query.delete('X-Amz-Credential')),
      withQuery(request, (query) => query.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA1')),
      withQuery(request, (query) => query.set('X-Amz-Date', '20260231T000000Z')),
      withQuery(request, (query) => query.append('X-Amz-Date', '20260101T000000Z')),
    ];

    for (const candidate of malformed) {
      await expect(verifySigV4(candidate, store, { region })).rejects.toBeInstanceOf(
        AuthorizationMalformedError,
      );
    }
  });

  it('rejects a URL presigned with a session token', async () => {
    const request = await presigned('path', new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }), 900, {
      ...gatewayKey,
      sessionToken: 'session-token',
    });

    expect(request.rawQuery).toContain('X-Amz-Security-Token=');
    await expect(verifySigV4(request, store, { region })).rejects.toBeInstanceOf(AuthorizationMalformedError);
  });

  it('rejects a URL from an unknown key', async () => {
    const request = await presigned('virtual', new GetObjectCommand({ Bucket: 'reports', Key: 'a.csv' }));

    await expect(verifySigV4(request, emptyStore, { region })).rejects.toBeInstanceOf(
      InvalidAccessKeyIdError,
    );
  });
});
