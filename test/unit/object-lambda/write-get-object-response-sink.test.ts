import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createWriteGetObjectResponseClient,
  createWriteGetObjectResponseSink,
} from '../../../functions/adapters/write-get-object-response-sink.ts';
import { AccessDeniedError, MalformedObjectError, NotModifiedError } from '../../../functions/core/errors.ts';
import type { ObjectResponse } from '../../../functions/core/serve-object.ts';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  isComplete: boolean;
}

describe('createWriteGetObjectResponseSink', () => {
  let server: Server;
  let endpoint: string;
  let received: Received[];
  let settled: Promise<void>;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      let finish: () => void = () => {};
      settled = new Promise((resolve) => {
        finish = resolve;
      });
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('close', () => {
        received.push({
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          isComplete: request.complete,
        });
        finish();
      });
      request.on('end', () => response.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });

  afterAll(async () => {
    process.env = savedEnv;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received = [];
  });

  function sink() {
    const client = createWriteGetObjectResponseClient({ AWS_ENDPOINT_URL_S3: endpoint });
    return createWriteGetObjectResponseSink(client, { route: 'io-test-001', token: 'token-1' });
  }

  function response(chunks: AsyncIterable<Uint8Array>, extra: Partial<ObjectResponse> = {}): ObjectResponse {
    return {
      status: 200,
      contentType: 'text/csv',
      etag: '"redacted"',
      lastModified: new Date('2026-01-02T03:04:05Z'),
      body: chunks,
      ...extra,
    };
  }

  it('streams the object to the endpoint itself with the route, token and redacted headers, without a length', async () => {
    await sink().sendObject(
      response(
        (async function* () {
          yield Buffer.from('name\n');
          yield Buffer.from('[NAME]\n');
        })(),
      ),
    );
    await settled;

    const [call] = received;
    expect(call?.url).toBe('/WriteGetObjectResponse');
    expect(call?.headers).toMatchObject({
      host: new URL(endpoint).host,
      'x-amz-request-route': 'io-test-001',
      'x-amz-request-token': 'token-1',
      'x-amz-fwd-status': '200',
      'x-amz-fwd-header-content-type': 'text/csv',
      'x-amz-fwd-header-etag': '"redacted"',
      'x-amz-fwd-header-last-modified': 'Fri, 02 Jan 2026 03:04:05 GMT',
      'transfer-encoding': 'chunked',
    });
    expect(call?.headers['content-length']).toBeUndefined();
    expect(Object.keys(call?.headers ?? {}).filter((name) => name.includes('checksum'))).toEqual([]);
    expect(call?.body).toBe('name\n[NAME]\n');
  });

  it('sends a range answer with its status, Content-Range and exact length', async () => {
    await sink().sendObject(
      response(
        (async function* () {
          yield Buffer.from('abc');
        })(),
        { status: 206, contentRange: 'bytes 0-2/10', contentLength: 3 },
      ),
    );
    await settled;

    expect(received[0]?.headers).toMatchObject({
      'x-amz-fwd-status': '206',
      'x-amz-fwd-header-content-range': 'bytes 0-2/10',
      'content-length': '3',
    });
  });

  it('answers a refusal with status, error code and message and no body', async () => {
    await sink().sendError(new AccessDeniedError('no rule set covers this bucket, key and caller'));
    await settled;

    expect(received[0]?.headers).toMatchObject({
      'x-amz-fwd-status': '403',
      'x-amz-fwd-error-code': 'AccessDenied',
      'x-amz-fwd-error-message': 'no rule set covers this bucket, key and caller',
    });
    expect(received[0]?.body).toBe('');
  });

  it('answers 304 without an error code, with the ETag and Last-Modified a 200 would send', async () => {
    const lastModified = new Date('2026-03-01T10:00:00Z');
    await sink().sendError(new NotModifiedError(undefined, { etag: '"abc"', lastModified }));
    await settled;

    expect(received[0]?.headers['x-amz-fwd-status']).toBe('304');
    expect(received[0]?.headers['x-amz-fwd-error-code']).toBeUndefined();
    expect(received[0]?.headers['x-amz-fwd-header-etag']).toBe('"abc"');
    expect(received[0]?.headers['x-amz-fwd-header-last-modified']).toBe(lastModified.toUTCString());
  });

  it('answers an unknown error as a generic 500 that does not repeat its message', async () => {
    await sink().sendError(new Error('unexpected token in "jane@example.com"'));
    await settled;

    expect(received[0]?.headers['x-amz-fwd-status']).toBe('500');
    expect(received[0]?.headers['x-amz-fwd-error-code']).toBe('InternalError');
    expect(JSON.stringify(received[0]?.headers)).not.toContain('jane@example.com');
  });

  it('fails the transfer when the body fails mid-stream: the upload is aborted, never completed', async () => {
    const failure = new MalformedObjectError('invalid UTF-8 near byte 5');
    const broken = (async function* () {
      yield Buffer.from('name\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw failure;
    })();

    await expect(sink().sendObject(response(broken))).rejects.toBe(failure);
    await settled;

    expect(received[0]?.isComplete).toBe(false);
  });

  it('rejects a second answer for the same request', async () => {
    const once = sink();
    await once.sendError(new AccessDeniedError('denied'));

    await expect(once.sendError(new AccessDeniedError('denied'))).rejects.toThrow(/already called/);
  });
});
