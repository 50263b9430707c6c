import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalCredentialStore } from '../../functions/adapters/local-credential-store.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import type { FunctionUrlEvent } from '../../functions/gateway/handler.ts';
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

describe('the function URL handler', () => {
  const saved = { ...process.env };
  let s3: LocalS3;
  let home: string;
  let key: GatewayKey;
  let handler: (event: FunctionUrlEvent, context: unknown) => Promise<void>;
  let responses: Captured[];

  beforeAll(async () => {
    s3 = await startS3rver(['protected']);
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
    const host = 'abcdefghij.lambda-url.us-east-1.on.aws';
    const request = await signRequest({ key, host, path });
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

  it('answers refusals with S3 XML', async () => {
    const response = await invoke(await eventFor('/protected/missing.csv'));
    expect(response.metadata?.statusCode).toBe(404);
    expect(Buffer.concat(response.body).toString()).toContain('<Code>NoSuchKey</Code>');
  });
});
