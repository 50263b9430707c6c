import { createHash, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { MAX_RANGE_BYTES } from '../../functions/core/serve-object.ts';
import { materializerDependenciesFromEnv } from '../../functions/materializer/dependencies.ts';
import { handleMaterializerEvent } from '../../functions/materializer/handle-materializer-event.ts';
import { parseS3Notification } from '../../functions/materializer/materializer-event.ts';
import { objectLambdaDependenciesFromEnv } from '../../functions/object-lambda/dependencies.ts';
import { handleObjectLambdaEvent } from '../../functions/object-lambda/handle-object-lambda-event.ts';
import { WRITE_GET_OBJECT_RESPONSE_STATUSES } from '../../functions/object-lambda/object-lambda-error.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';

const BUCKET = 'protected';
/** The redacted-view cache bucket, beside the protected one on the same s3rver. */
const CACHE = 'maskpoint-views';
const READER_ARN = 'arn:aws:sts::111122223333:assumed-role/Reader/session-1';
const READER_ROLE_ARN = 'arn:aws:iam::111122223333:role/Reader';
const PARTNER_ARN = 'arn:aws:sts::111122223333:assumed-role/Partner/session-1';
const ORIGIN_SECRET = { header: 'X-Origin-Verify', value: 'origin-secret-0123456789' };
const GEO_DB = fileURLToPath(new URL('../fixtures/geo-test.mmdb', import.meta.url));

/** Values that must never leave the proxy: not to the caller, not into a log line. */
const PLANTED = [
  'planted.person@example.com',
  '123-45-6789',
  '4111 1111 1111 1111',
  'Zelda Plantagenet',
  'AKIAIOSFODNN7EXAMPLE',
  '203.0.113.77',
];

const CSV = `id,name,email,note\n1,Zelda Plantagenet,planted.person@example.com,card 4111 1111 1111 1111 ssn 123-45-6789\n`;
const NDJSON = `{"id":1,"email":"planted.person@example.com","note":"ssn 123-45-6789"}\n{"id":2,"name":"Zelda Plantagenet"}\n`;
const JSON_DOCUMENT = `{"users":[{"name":"Zelda Plantagenet","contact":"planted.person@example.com"}],"key":"AKIAIOSFODNN7EXAMPLE"}`;
const LOG = `2026-01-02T03:04:05Z login from 203.0.113.77 by planted.person@example.com\n`;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(CSV)]);
/** Large enough that the proxy can cut it after the first chunks have been redacted and sent. */
const BIG_CSV = `id,email,note\n${Array.from({ length: 20_000 }, (_, i) => `${i},planted.person@example.com,ssn 123-45-6789`).join('\n')}\n`;

/** One WriteGetObjectResponse call as the loopback receiver saw it. */
interface WgorCall {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** False when the upload was cut before its final chunk. */
  readonly isComplete: boolean;
}

/** Plays the S3 Object Lambda service around the real handler. */
interface Harness {
  readonly s3: LocalS3;
  /** The loopback proxy in front of s3rver; it enforces X-Amz-SignedHeaders. */
  readonly sourceEndpoint: string;
  readonly wgorEndpoint: string;
  readonly sourceRequests: { url: string; headers: IncomingHttpHeaders }[];
  /** WriteGetObjectResponse calls by request token. */
  readonly wgorCalls: Map<string, Promise<WgorCall>>;
  readonly logs: string[];
  stop(): Promise<void>;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const lambdaContext = {
  functionName: 'maskpoint-object-lambda',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:maskpoint-object-lambda',
  memoryLimitInMB: '1024',
  awsRequestId: 'lambda-request-id',
  logGroupName: '/aws/lambda/maskpoint-object-lambda',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

const BROKEN_AFTER_BYTES = 256 * 1024;

/**
 * A proxy in front of s3rver, which does not verify signatures: it answers 403 when a header
 * named in X-Amz-SignedHeaders is missing, and cuts the body of keys under `broken/` after the
 * first 256 KiB (a source that fails mid-stream, after the first redacted bytes were sent).
 */
function startSignedHeaderProxy(target: string, seen: Harness['sourceRequests']): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://proxy');
    seen.push({ url: url.pathname + url.search, headers: request.headers });
    const signed = (url.searchParams.get('X-Amz-SignedHeaders') ?? '')
      .split(';')
      .filter((name) => name !== '');
    const missing = signed.filter((name) => name !== 'host' && request.headers[name] === undefined);
    if (missing.length > 0) {
      response.writeHead(403, { 'content-type': 'application/xml' });
      response.end(
        '<Error><Code>SignatureDoesNotMatch</Code><Message>signed header missing</Message></Error>',
      );
      return;
    }
    const isBroken = url.pathname.includes('/broken/');
    const upstream = httpRequest(
      `${target}${request.url}`,
      { method: request.method, headers: { ...request.headers, host: new URL(target).host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!isBroken) {
          answer.pipe(response);
          return;
        }
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= BROKEN_AFTER_BYTES) return;
          response.write(chunk.subarray(0, BROKEN_AFTER_BYTES - sent));
          sent += chunk.byteLength;
          if (sent >= BROKEN_AFTER_BYTES) setTimeout(() => response.socket?.destroy(), 50);
        });
      },
    );
    request.pipe(upstream);
  });
}

/**
 * The function's S3 endpoint: receives WriteGetObjectResponse as S3 Object Lambda would, and keeps
 * what arrived; every other call (the view store's, in the cache bucket) goes on to s3rver.
 */
function startWgorReceiver(calls: Harness['wgorCalls'], s3Endpoint: string): Server {
  return createServer((request, response) => {
    if (request.headers['x-amz-request-route'] === undefined) {
      const upstream = httpRequest(
        `${s3Endpoint}${request.url}`,
        { method: request.method, headers: { ...request.headers, host: new URL(s3Endpoint).host } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(upstream);
      return;
    }
    const token = String(request.headers['x-amz-request-token']);
    const chunks: Buffer[] = [];
    calls.set(
      token,
      new Promise((resolve) => {
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => response.end());
        request.on('close', () =>
          resolve({ headers: request.headers, body: Buffer.concat(chunks), isComplete: request.complete }),
        );
      }),
    );
  });
}

async function startHarness(): Promise<Harness> {
  const s3 = await startS3rver([BUCKET, CACHE]);
  const put = (Key: string, Body: string | Buffer, ContentType?: string) =>
    s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ContentType }));
  await put('people.csv', CSV, 'text/csv');
  await put('events.ndjson', NDJSON, 'application/x-ndjson');
  await put('record.json', JSON_DOCUMENT, 'application/json');
  await put('app.log', LOG);
  await put('chart.png', PNG, 'image/png');
  await put('export.csv.gz', gzipSync(CSV), 'application/gzip');
  await put('broken/big.csv', BIG_CSV, 'text/csv');
  await put('reports/q1 summary=final.csv', CSV, 'text/csv');
  await put('public/people.csv', CSV, 'text/csv');
  await put('private/people.csv', CSV, 'text/csv');

  const sourceRequests: Harness['sourceRequests'] = [];
  const wgorCalls: Harness['wgorCalls'] = new Map();
  const proxy = startSignedHeaderProxy(s3.endpoint, sourceRequests);
  const receiver = startWgorReceiver(wgorCalls, s3.endpoint);
  const logs: string[] = [];
  const capture = (stream: NodeJS.WriteStream): MockInstance =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      logs.push(String(chunk));
      return true;
    });
  const spies = [capture(process.stdout), capture(process.stderr)];
  return {
    s3,
    sourceEndpoint: await listen(proxy),
    wgorEndpoint: await listen(receiver),
    sourceRequests,
    wgorCalls,
    logs,
    async stop() {
      for (const spy of spies) spy.mockRestore();
      await close(proxy);
      await close(receiver);
      await s3.stop();
    },
  };
}

const ORIGINAL_ENV = { ...process.env };

/** Sets the function's environment; kept set after wiring: the SDK clients read region and credentials when they send. */
function useEnv(harness: Harness, env: Record<string, string>): void {
  process.env = {
    ...ORIGINAL_ENV,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_S3: harness.wgorEndpoint,
    ...env,
  };
}

/**
 * Imports the real handler module afresh with `env`: its dependencies are wired at import time,
 * as at a cold start.
 */
async function coldStart(harness: Harness, env: Record<string, string>): Promise<Handler> {
  vi.resetModules();
  useEnv(harness, env);
  const module = await import('../../functions/object-lambda/handler.ts');
  return module.handler as unknown as Handler;
}

function presigner(harness: Harness): S3Client {
  return new S3Client({
    endpoint: harness.sourceEndpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}

interface EventOptions {
  readonly headers?: Record<string, string>;
  /** The STS ARN of a role session; the session issuer is that role. */
  readonly callerArn?: string;
  /** The whole `userIdentity`, in place of a role session's. */
  readonly userIdentity?: Record<string, unknown>;
  readonly query?: string;
}

/** A role session's `userIdentity` as S3 Object Lambda sends it (olap-event-context.html). */
function sessionIdentity(sessionArn: string, issuerArn?: string) {
  const [, account = '', role = '', session = ''] =
    /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(sessionArn) ?? [];
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${session}`,
    arn: sessionArn,
    accountId: account,
    accessKeyId: 'ASIAEXAMPLE',
    sessionContext: {
      attributes: { mfaAuthenticated: 'false', creationDate: '2026-01-02T03:04:05Z' },
      sessionIssuer: {
        type: 'Role',
        arn: issuerArn ?? `arn:aws:iam::${account}:role/${role}`,
        accountId: account,
      },
    },
  };
}

function baseEvent(key: string, options: EventOptions) {
  const path = key
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return {
    xAmzRequestId: randomUUID(),
    configuration: {
      accessPointArn: 'arn:aws:s3-object-lambda:us-east-1:111122223333:accesspoint/masked',
      supportingAccessPointArn: 'arn:aws:s3:us-east-1:111122223333:accesspoint/supporting',
      payload: JSON.stringify({ bucket: BUCKET }),
    },
    userRequest: {
      url: `https://masked-111122223333.s3-object-lambda.us-east-1.amazonaws.com/${path}${options.query ?? ''}`,
      headers: {
        Host: 'masked-111122223333.s3-object-lambda.us-east-1.amazonaws.com',
        'Accept-Encoding': 'identity',
        ...options.headers,
      } as Record<string, string>,
    },
    userIdentity: options.userIdentity ?? sessionIdentity(options.callerArn ?? READER_ARN),
    protocolVersion: '1.00',
  };
}

/** A GetObject event as AWS builds it: inputS3Url presigned with `x-amz-checksum-mode` signed. */
async function getEvent(harness: Harness, key: string, options: EventOptions = {}) {
  const inputS3Url = await getSignedUrl(
    presigner(harness),
    new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
    { expiresIn: 60, unhoistableHeaders: new Set(['x-amz-checksum-mode']) },
  );
  const outputToken = randomUUID();
  const event = {
    ...baseEvent(key, { ...options, headers: { 'x-amz-checksum-mode': 'ENABLED', ...options.headers } }),
    getObjectContext: { inputS3Url, outputRoute: 'io-test-001', outputToken },
  };
  return { event, outputToken };
}

/** Runs a GetObject through the handler and returns what WriteGetObjectResponse received. */
async function get(
  harness: Harness,
  handler: Handler,
  key: string,
  options: EventOptions = {},
): Promise<WgorCall> {
  const { event, outputToken } = await getEvent(harness, key, options);
  await handler(event, lambdaContext);
  const call = harness.wgorCalls.get(outputToken);
  if (call === undefined) throw new Error('the handler did not call WriteGetObjectResponse');
  return call;
}

async function headEvent(harness: Harness, key: string, options: EventOptions = {}) {
  const inputS3Url = await getSignedUrl(
    presigner(harness),
    new HeadObjectCommand({ Bucket: BUCKET, Key: key }),
    {
      expiresIn: 60,
    },
  );
  return { ...baseEvent(key, options), headObjectContext: { inputS3Url } };
}

async function listEvent(
  harness: Harness,
  version: 1 | 2,
  params: { Prefix?: string; MaxKeys?: number },
  options: EventOptions = {},
) {
  const command =
    version === 2
      ? new ListObjectsV2Command({ Bucket: BUCKET, ...params })
      : new ListObjectsCommand({ Bucket: BUCKET, ...params });
  const inputS3Url = await getSignedUrl(presigner(harness), command, { expiresIn: 60 });
  const context =
    version === 2 ? { listObjectsV2Context: { inputS3Url } } : { listObjectsContext: { inputS3Url } };
  return { ...baseEvent('', { ...options, query: version === 2 ? '?list-type=2' : '' }), ...context };
}

function listedKeys(xml: string): string[] {
  const result = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Contents' }).parse(xml)
    .ListBucketResult as { Contents?: { Key: string }[] };
  return (result.Contents ?? []).map((object) => object.Key);
}

function expectNoPlantedValue(text: string): void {
  for (const value of PLANTED) expect(text).not.toContain(value);
}

/** Writes a rules directory with one rule set; `extra` is YAML appended to it. */
function rulesDir(root: string, name: string, extra: string, scope = "callers: ['*']"): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name}.yaml`),
    `name: ${name}
priority: 0
scope:
  buckets: ['*']
  keys: ['**']
  ${scope}
detectors:
  - id: email
    action: { type: redact }
  - id: us-ssn
    action: { type: redact }
fields:
  - id: field-person-name
    label: NAME
    names: [name]
    action: { type: redact }
${extra}`,
  );
  return dir;
}

describe('S3 Object Lambda handler on loopback (s3rver, presigned inputS3Url, WriteGetObjectResponse)', () => {
  let harness: Harness;
  let home: string;
  let handler: Handler;

  beforeAll(async () => {
    harness = await startHarness();
    home = mkdtempSync(join(tmpdir(), 'maskpoint-home-'));
    handler = await coldStart(harness, { MASKPOINT_HOME: home });
  });

  afterAll(async () => {
    process.env = ORIGINAL_ENV;
    await harness.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('redacts a CSV object and streams it to WriteGetObjectResponse with the redacted view headers', async () => {
    const call = await get(harness, handler, 'people.csv');

    expect(call.isComplete).toBe(true);
    expect(call.headers).toMatchObject({
      'x-amz-request-route': 'io-test-001',
      'x-amz-fwd-status': '200',
      'x-amz-fwd-header-content-type': 'text/csv',
    });
    expect(call.headers['x-amz-fwd-header-etag']).toMatch(/^"[0-9a-f]{32}-1"$/);
    expect(call.headers['x-amz-fwd-error-code']).toBeUndefined();
    expect(call.headers['content-length']).toBeUndefined();
    expect(Object.keys(call.headers).filter((name) => name.includes('checksum'))).toEqual([]);
    const body = call.body.toString('utf8');
    expect(body).toContain('[EMAIL]');
    expect(body).toContain('[NAME]');
    expectNoPlantedValue(body);
  });

  it('fetches inputS3Url with the signed x-amz-checksum-mode header', async () => {
    await get(harness, handler, 'people.csv');

    const fetched = harness.sourceRequests.at(-1);
    expect(fetched?.url).toContain('X-Amz-SignedHeaders=host%3Bx-amz-checksum-mode');
    expect(fetched?.headers['x-amz-checksum-mode']).toBe('ENABLED');
  });

  it('rejects the request when a signed header is missing from the caller headers (403 from the source)', async () => {
    const { event, outputToken } = await getEvent(harness, 'people.csv');
    const { 'x-amz-checksum-mode': _, ...headers } = event.userRequest.headers;

    await handler({ ...event, userRequest: { ...event.userRequest, headers } }, lambdaContext);

    const call = await harness.wgorCalls.get(outputToken);
    expect(call?.headers['x-amz-fwd-status']).toBe('403');
    expect(call?.headers['x-amz-fwd-error-code']).toBe('AccessDenied');
  });

  it.each([
    ['events.ndjson', 'application/x-ndjson'],
    ['record.json', 'application/json'],
    ['app.log', undefined],
  ])('redacts %s', async (key, contentType) => {
    const call = await get(harness, handler, key);

    expect(call.headers['x-amz-fwd-status']).toBe('200');
    if (contentType !== undefined) expect(call.headers['x-amz-fwd-header-content-type']).toBe(contentType);
    const body = call.body.toString('utf8');
    expect(body).toMatch(/\[(EMAIL|NAME)\]/);
    expectNoPlantedValue(body);
  });

  it('redacts the JSON document into JSON that still parses', async () => {
    const call = await get(harness, handler, 'record.json');

    expect(() => JSON.parse(call.body.toString('utf8'))).not.toThrow();
  });

  it('redacts a gzip CSV and answers gzip', async () => {
    const call = await get(harness, handler, 'export.csv.gz');

    expect(call.headers['x-amz-fwd-status']).toBe('200');
    const body = gunzipSync(call.body).toString('utf8');
    expect(body).toContain('[EMAIL]');
    expectNoPlantedValue(body);
  });

  it('reads a key with a space and an equals sign', async () => {
    const call = await get(harness, handler, 'reports/q1 summary=final.csv');

    expect(call.headers['x-amz-fwd-status']).toBe('200');
    expect(call.body.toString('utf8')).toContain('[EMAIL]');
  });

  it('serves a Range of the redacted bytes as 206 with Content-Range', async () => {
    const whole = (await get(harness, handler, 'people.csv')).body;

    const call = await get(harness, handler, 'people.csv', { headers: { Range: 'bytes=3-12' } });

    expect(call.headers['x-amz-fwd-status']).toBe('206');
    expect(call.headers['x-amz-fwd-header-content-range']).toBe(`bytes 3-12/${whole.byteLength}`);
    expect(call.body).toEqual(whole.subarray(3, 13));
  });

  it('rejects every GET it cannot serve (partNumber, several ranges, a range over the cap or past the end) with a status WriteGetObjectResponse accepts and an S3 error code', async () => {
    const refusals: [EventOptions, string, string][] = [
      ...['1', '2', '10000'].map((part): [EventOptions, string, string] => [
        { query: `?partNumber=${part}` },
        '400',
        'InvalidArgument',
      ]),
      ...['bytes=0-1,3-4', 'bytes=0-0,-1', 'bytes=1-2, 5-6', 'bytes=-5,0-'].map(
        (range): [EventOptions, string, string] => [{ headers: { Range: range } }, '400', 'InvalidArgument'],
      ),
      [{ headers: { Range: `bytes=-${MAX_RANGE_BYTES + 1}` } }, '400', 'InvalidArgument'],
      [{ headers: { Range: 'bytes=100000-' } }, '416', 'InvalidRange'],
      [{ headers: { Range: 'bytes=-0' } }, '416', 'InvalidRange'],
    ];

    for (const [options, status, code] of refusals) {
      const call = await get(harness, handler, 'people.csv', options);

      const sent = call.headers['x-amz-fwd-status'];
      expect(WRITE_GET_OBJECT_RESPONSE_STATUSES.has(Number(sent)), JSON.stringify(options)).toBe(true);
      expect([sent, call.headers['x-amz-fwd-error-code']], JSON.stringify(options)).toEqual([status, code]);
      expect(call.body.byteLength).toBe(0);
    }
  });

  it('refuses a binary object with 403 AccessDenied and no body', async () => {
    const call = await get(harness, handler, 'chart.png');

    expect(call.headers['x-amz-fwd-status']).toBe('403');
    expect(call.headers['x-amz-fwd-error-code']).toBe('AccessDenied');
    expect(call.body.byteLength).toBe(0);
  });

  it('rejects a missing key with 404 NoSuchKey', async () => {
    const call = await get(harness, handler, 'missing.csv');

    expect(call.headers['x-amz-fwd-status']).toBe('404');
    expect(call.headers['x-amz-fwd-error-code']).toBe('NoSuchKey');
  });

  it('answers 304 to If-Modified-Since when the object has not changed since, with the redacted ETag', async () => {
    const etag = (await get(harness, handler, 'people.csv')).headers['x-amz-fwd-header-etag'];

    const call = await get(harness, handler, 'people.csv', {
      headers: { 'If-Modified-Since': new Date(Date.now() + 3_600_000).toUTCString() },
    });

    expect(call.headers['x-amz-fwd-status']).toBe('304');
    expect(call.headers['x-amz-fwd-header-etag']).toBe(etag);
    expect(call.headers['x-amz-fwd-header-last-modified']).toMatch(/GMT$/);
    // Decided against the redacted view, not by S3 (whose 304 would carry the stored ETag).
    expect(harness.sourceRequests.at(-1)?.headers['if-modified-since']).toBeUndefined();
  });

  it('answers 304 to If-None-Match with the redacted ETag, and 412 to If-Match with the stored one', async () => {
    const etag = String((await get(harness, handler, 'people.csv')).headers['x-amz-fwd-header-etag']);

    const notModified = await get(harness, handler, 'people.csv', { headers: { 'If-None-Match': etag } });
    const failed = await get(harness, handler, 'people.csv', {
      headers: { 'If-Match': '"00000000000000000000000000000000"' },
    });

    expect(notModified.headers['x-amz-fwd-status']).toBe('304');
    expect(failed.headers['x-amz-fwd-status']).toBe('412');
  });

  it('fails a transfer whose source breaks mid-stream: the upload is aborted and no planted value got through', async () => {
    const { event, outputToken } = await getEvent(harness, 'broken/big.csv');

    await expect(handler(event, lambdaContext)).rejects.toThrow(/aborted after the first byte/);

    const call = await harness.wgorCalls.get(outputToken);
    expect(call?.isComplete).toBe(false);
    expect(call?.headers['x-amz-fwd-status']).toBe('200');
    expect(call?.body.toString('utf8')).toContain('[EMAIL]');
    expectNoPlantedValue(call?.body.toString('utf8') ?? '');
  });

  it('fails with 503 rather than hang when the invocation has no time left to read the source', async () => {
    const { event, outputToken } = await getEvent(harness, 'people.csv');

    await handler(event, { ...lambdaContext, getRemainingTimeInMillis: () => 5_000 });

    const call = await harness.wgorCalls.get(outputToken);
    expect(call?.headers['x-amz-fwd-status']).toBe('503');
    expect(call?.body.byteLength).toBe(0);
  });

  it('answers HeadObject with the redacted view headers, and a Content-Length only of the redacted bytes', async () => {
    const served = await get(harness, handler, 'people.csv');

    const result = (await handler(await headEvent(harness, 'people.csv'), lambdaContext)) as {
      headers: Record<string, unknown>;
    };

    const length = result.headers['Content-Length'];
    expect(result).toEqual({
      statusCode: 200,
      headers: {
        'Content-Type': 'text/csv',
        'Accept-Ranges': 'bytes',
        ETag: served.headers['x-amz-fwd-header-etag'],
        'Last-Modified': expect.stringMatching(/GMT$/),
        ...(length === undefined ? {} : { 'Content-Length': served.body.byteLength }),
      },
    });
  });

  it('answers HeadObject of a missing key with 404 NoSuchKey', async () => {
    const result = await handler(await headEvent(harness, 'missing.csv'), lambdaContext);

    expect(result).toMatchObject({ statusCode: 404, errorCode: 'NoSuchKey' });
  });

  it('answers HeadObject of a binary object with the 403 AccessDenied its GetObject gets', async () => {
    const refused = await get(harness, handler, 'chart.png');

    const result = await handler(await headEvent(harness, 'chart.png'), lambdaContext);

    expect(result).toMatchObject({
      statusCode: Number(refused.headers['x-amz-fwd-status']),
      errorCode: refused.headers['x-amz-fwd-error-code'],
    });
  });

  it('answers HeadObject If-None-Match with the current ETag with 304, the ETag and Last-Modified', async () => {
    const etag = String((await get(harness, handler, 'people.csv')).headers['x-amz-fwd-header-etag']);

    const result = await handler(
      await headEvent(harness, 'people.csv', { headers: { 'If-None-Match': etag } }),
      lambdaContext,
    );

    expect(result).toEqual({
      statusCode: 304,
      headers: { ETag: etag, 'Last-Modified': expect.stringMatching(/GMT$/) },
    });
  });

  it('answers ListObjectsV2 with a ListBucketResult of redacted ETags and no sizes', async () => {
    const result = (await handler(await listEvent(harness, 2, { Prefix: 'p' }), lambdaContext)) as {
      statusCode: number;
      listResultXml: string;
    };

    expect(result.statusCode).toBe(200);
    expect(listedKeys(result.listResultXml)).toEqual([
      'people.csv',
      'private/people.csv',
      'public/people.csv',
    ]);
    expect(result.listResultXml).toContain('<KeyCount>3</KeyCount>');
    expect(result.listResultXml).not.toContain('<Size>');
    expect(harness.sourceRequests.at(-1)?.url).toContain('prefix=p');
  });

  it('answers ListObjects (v1) with a marker for the next page', async () => {
    const result = (await handler(await listEvent(harness, 1, { MaxKeys: 2 }), lambdaContext)) as {
      listResultXml: string;
    };

    expect(listedKeys(result.listResultXml)).toEqual(['app.log', 'broken/big.csv']);
    expect(result.listResultXml).toContain('<IsTruncated>true</IsTruncated>');
    expect(result.listResultXml).toContain('<NextMarker>broken/big.csv</NextMarker>');
  });

  it('writes one audit line per request and never a planted value in any log line', async () => {
    const before = harness.logs.length;
    await get(harness, handler, 'people.csv');

    const auditLines = harness.logs.slice(before).filter((line) => line.includes('"message":"audit"'));
    expect(auditLines).toHaveLength(1);
    expect(JSON.parse(auditLines[0] ?? '{}')).toMatchObject({
      audit: {
        operation: 'GetObject',
        key: 'people.csv',
        decision: 'allow',
        caller: { id: READER_ROLE_ARN },
      },
    });
    expect(harness.logs.length).toBeGreaterThan(10);
    expectNoPlantedValue(harness.logs.join('\n'));
  });
});

describe('S3 Object Lambda handler: denials', () => {
  let harness: Harness;
  let root: string;

  beforeAll(async () => {
    harness = await startHarness();
    root = mkdtempSync(join(tmpdir(), 'maskpoint-ol-rules-'));
  });

  afterAll(async () => {
    process.env = ORIGINAL_ENV;
    await harness.stop();
    rmSync(root, { recursive: true, force: true });
  });

  function env(rules: string, extra: Record<string, string> = {}): Record<string, string> {
    return { MASKPOINT_HOME: join(root, 'home'), MASKPOINT_RULES_DIR: rules, ...extra };
  }

  it('rejects a caller no rule set covers with 403 AccessDenied, and lists only what a caller may read', async () => {
    const dir = rulesDir(
      root,
      'partner',
      '',
      `callers: ['arn:aws:sts::111122223333:assumed-role/Partner/*']`,
    );
    writeFileSync(
      join(dir, 'partner.yaml'),
      `name: partner
priority: 0
scope:
  buckets: ['${BUCKET}']
  keys: ['public/']
  callers: ['arn:aws:sts::111122223333:assumed-role/Partner/*']
detectors:
  - id: email
    action: { type: redact }
`,
    );
    const handler = await coldStart(harness, env(dir));

    const stranger = await get(harness, handler, 'public/people.csv');
    const partnerPrivate = await get(harness, handler, 'private/people.csv', { callerArn: PARTNER_ARN });
    const partnerPublic = await get(harness, handler, 'public/people.csv', { callerArn: PARTNER_ARN });
    const listing = (await handler(
      await listEvent(harness, 2, {}, { callerArn: PARTNER_ARN }),
      lambdaContext,
    )) as {
      listResultXml: string;
    };

    expect(stranger.headers['x-amz-fwd-status']).toBe('403');
    expect(stranger.headers['x-amz-fwd-error-code']).toBe('AccessDenied');
    expect(partnerPrivate.headers['x-amz-fwd-error-code']).toBe('AccessDenied');
    expect(partnerPublic.headers['x-amz-fwd-status']).toBe('200');
    expect(listedKeys(listing.listResultXml)).toEqual(['public/people.csv']);
  });

  it('rejects requests over the rule set rate limit with 503 SlowDown', async () => {
    const handler = await coldStart(
      harness,
      env(rulesDir(root, 'tiny-limit', 'rateLimit: { requestsPerWindow: 2, windowSeconds: 60 }')),
    );

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(harness, handler, 'people.csv')).headers);

    expect(statuses.map((headers) => headers['x-amz-fwd-status'])).toEqual(['200', '200', '503']);
    expect(statuses[2]?.['x-amz-fwd-error-code']).toBe('SlowDown');
  });

  it('fails closed with 503 when the rate-limit store cannot be reached', async () => {
    const dead = createServer();
    const deadEndpoint = await listen(dead);
    await close(dead);
    const handler = await coldStart(
      harness,
      env(rulesDir(root, 'limited', 'rateLimit: { requestsPerWindow: 100, windowSeconds: 60 }'), {
        MASKPOINT_RATE_LIMIT_TABLE: 'maskpoint-rate-limits',
        AWS_ENDPOINT_URL_DYNAMODB: deadEndpoint,
        AWS_MAX_ATTEMPTS: '1',
      }),
    );

    const sourceRequestsBefore = harness.sourceRequests.length;

    const call = await get(harness, handler, 'people.csv');

    expect(call.headers['x-amz-fwd-status']).toBe('503');
    expect(call.headers['x-amz-fwd-error-code']).toBe('SlowDown');
    // Refused at the rate limit, before the source was read.
    expect(harness.sourceRequests).toHaveLength(sourceRequestsBefore);
    expect(call.body.byteLength).toBe(0);
  });

  describe('a geo-fenced rule set (allow US)', () => {
    const geo = 'geo: { allow: [US] }';

    it('rejects every caller with 403 AccessDenied when no trusted header mode is configured', async () => {
      const handler = await coldStart(harness, env(rulesDir(root, 'fenced', geo)));

      const call = await get(harness, handler, 'people.csv', {
        headers: { 'CloudFront-Viewer-Country': 'US', 'X-Forwarded-For': '192.0.2.10' },
      });

      expect(call.headers['x-amz-fwd-status']).toBe('403');
      expect(call.headers['x-amz-fwd-error-code']).toBe('AccessDenied');
    });

    it('serves callers CloudFront places in an allowed country when the origin secret is present', async () => {
      const handler = await coldStart(
        harness,
        env(rulesDir(root, 'fenced-trusted', geo), {
          MASKPOINT_ORIGIN_SECRET_HEADER: ORIGIN_SECRET.header,
          MASKPOINT_ORIGIN_SECRET: ORIGIN_SECRET.value,
          MASKPOINT_GEO_DB: GEO_DB,
        }),
      );
      const secret = { [ORIGIN_SECRET.header]: ORIGIN_SECRET.value };

      const byCountry = await get(harness, handler, 'people.csv', {
        headers: { ...secret, 'CloudFront-Viewer-Country': 'US' },
      });
      const byAddress = await get(harness, handler, 'people.csv', {
        headers: { ...secret, 'CloudFront-Viewer-Address': '192.0.2.10:46532' },
      });
      const fromGermany = await get(harness, handler, 'people.csv', {
        headers: { ...secret, 'CloudFront-Viewer-Address': '198.51.100.7:46532' },
      });
      const forged = await get(harness, handler, 'people.csv', {
        headers: { [ORIGIN_SECRET.header]: 'not-the-origin-secret', 'CloudFront-Viewer-Country': 'US' },
      });
      const forwarded = await get(harness, handler, 'people.csv', {
        headers: { ...secret, 'X-Forwarded-For': '192.0.2.10' },
      });

      expect(byCountry.headers['x-amz-fwd-status']).toBe('200');
      expect(byAddress.headers['x-amz-fwd-status']).toBe('200');
      expect(fromGermany.headers['x-amz-fwd-status']).toBe('403');
      expect(forged.headers['x-amz-fwd-status']).toBe('403');
      expect(forwarded.headers['x-amz-fwd-status']).toBe('403');
    });
  });

  it('never logs a planted value nor puts one in an error message', () => {
    expect(harness.logs.join('\n')).toContain('"decision":"deny"');
    expectNoPlantedValue(harness.logs.join('\n'));
    const messages = [...harness.wgorCalls.values()];
    return Promise.all(messages).then((calls) => {
      for (const call of calls) expectNoPlantedValue(String(call.headers['x-amz-fwd-error-message'] ?? ''));
    });
  });
});

describe('S3 Object Lambda handler: who the caller is, and how long a GET may take', () => {
  const PARTNER_ROLE_ARN = 'arn:aws:iam::111122223333:role/partners/Partner';
  let harness: Harness;
  let root: string;

  beforeAll(async () => {
    harness = await startHarness();
    root = mkdtempSync(join(tmpdir(), 'maskpoint-ol-callers-'));
  });

  afterAll(async () => {
    process.env = ORIGINAL_ENV;
    await harness.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** `default` for everyone; `partner`, written for one role (with a path), geo fenced to the US with its own email label. */
  function partnerRules(): string {
    const dir = rulesDir(root, 'default', '');
    writeFileSync(
      join(dir, 'partner.yaml'),
      `name: partner
priority: 10
scope:
  callers: ['${PARTNER_ROLE_ARN}']
geo: { allow: [US] }
detectors:
  - id: email
    label: PARTNER_EMAIL
`,
    );
    return dir;
  }

  it("applies the role's rule set (geo fence and actions) to the role's sessions, and only to them", async () => {
    const handler = await coldStart(harness, {
      MASKPOINT_HOME: join(root, 'home'),
      MASKPOINT_RULES_DIR: partnerRules(),
      MASKPOINT_ORIGIN_SECRET_HEADER: ORIGIN_SECRET.header,
      MASKPOINT_ORIGIN_SECRET: ORIGIN_SECRET.value,
      MASKPOINT_GEO_DB: GEO_DB,
    });
    const from = (country: string) => ({
      [ORIGIN_SECRET.header]: ORIGIN_SECRET.value,
      'CloudFront-Viewer-Country': country,
    });
    const partner = (session: string) =>
      sessionIdentity(`arn:aws:sts::111122223333:assumed-role/Partner/${session}`, PARTNER_ROLE_ARN);

    const partnerInUs = await get(harness, handler, 'people.csv', {
      headers: from('US'),
      userIdentity: partner('botocore-session-1767323045'),
    });
    const partnerInGermany = await get(harness, handler, 'people.csv', {
      headers: from('DE'),
      userIdentity: partner('another-session'),
    });
    const readerInGermany = await get(harness, handler, 'people.csv', { headers: from('DE') });

    expect(partnerInUs.headers['x-amz-fwd-status']).toBe('200');
    expect(partnerInUs.body.toString('utf8')).toContain('[PARTNER_EMAIL]');
    expect(partnerInGermany.headers['x-amz-fwd-status']).toBe('403');
    expect(partnerInGermany.headers['x-amz-fwd-error-code']).toBe('AccessDenied');
    expect(readerInGermany.headers['x-amz-fwd-status']).toBe('200');
    expect(readerInGermany.body.toString('utf8')).toContain('[EMAIL]');
  });

  it('rejects a caller it cannot place where a scoped rule set might be meant for it, instead of serving the default', async () => {
    const handler = await coldStart(harness, {
      MASKPOINT_HOME: join(root, 'home'),
      MASKPOINT_RULES_DIR: partnerRules(),
    });
    const { sessionContext: _, ...withoutIssuer } = sessionIdentity(
      'arn:aws:sts::111122223333:assumed-role/Partner/session-1',
    );
    const odd: Record<string, unknown>[] = [
      withoutIssuer,
      { type: 'AWSService', principalId: 'AWSService', invokedBy: 's3.amazonaws.com' },
      { type: 'IdentityCenterUser', principalId: 'user-1', accountId: '111122223333' },
      sessionIdentity(READER_ARN, PARTNER_ROLE_ARN),
    ];

    for (const userIdentity of odd) {
      const call = await get(harness, handler, 'people.csv', { userIdentity });

      expect(call.headers['x-amz-fwd-status'], JSON.stringify(userIdentity)).toBe('403');
      expect(call.headers['x-amz-fwd-error-code']).toBe('AccessDenied');
      expectNoPlantedValue(call.body.toString('utf8'));
    }
  });

  it('aborts a GET 60 s after the invocation started less the margin, even when the function has longer', async () => {
    useEnv(harness, {
      MASKPOINT_HOME: join(root, 'home'),
      MASKPOINT_RULES_DIR: rulesDir(root, 'anyone', ''),
    });
    const wired = await objectLambdaDependenciesFromEnv(process.env);
    const startMs = Date.UTC(2026, 0, 2, 3, 4, 5);
    const marginMs = 5_000;

    /** Runs one GET whose source read happens `elapsedMs` after the invocation started. */
    async function getAfter(remainingTimeMs: number, elapsedMs: number) {
      const { event, outputToken } = await getEvent(harness, 'people.csv');
      const before = harness.sourceRequests.length;
      const now = () => (harness.sourceRequests.length > before ? startMs + elapsedMs : startMs);
      const outcome = await handleObjectLambdaEvent(event, { remainingTimeMs }, { ...wired, now }).then(
        () => 'answered',
        (error: Error) => error.message,
      );
      return { outcome, call: await harness.wgorCalls.get(outputToken) };
    }

    for (const remainingTimeMs of [15 * 60_000, 60_001, 60_000, 30_000]) {
      const deadlineMs = Math.min(remainingTimeMs, 60_000) - marginMs;

      const inTime = await getAfter(remainingTimeMs, deadlineMs);
      const late = await getAfter(remainingTimeMs, deadlineMs + 1);

      expect(inTime.outcome, `${remainingTimeMs} ms left`).toBe('answered');
      expect(inTime.call?.isComplete).toBe(true);
      // A small object is redacted whole before the first byte (errors near the start become S3
      // errors), so a late read is refused with an error (the deadline's InternalError) rather
      // than cut off.
      expect(late.outcome, `${remainingTimeMs} ms left`).toBe('answered');
      expect(late.call?.headers['x-amz-fwd-status']).toBe('500');
      expect(late.call?.body.byteLength).toBe(0);
    }
  });
});

/**
 * The materializer's SQS queue on loopback: answers SendMessageBatch (AWS JSON 1.0, with the MD5
 * the SDK checks) and keeps each message body.
 */
function startSqsRecorder(...logs: string[][]): Server {
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      if (target !== 'AmazonSQS.SendMessageBatch') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'InvalidAction', message: `not recorded: ${target}` }));
        return;
      }
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        Entries: { Id: string; MessageBody: string }[];
      };
      for (const log of logs) log.push(...input.Entries.map((entry) => entry.MessageBody));
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({
          Successful: input.Entries.map((entry) => ({
            Id: entry.Id,
            MessageId: randomUUID(),
            MD5OfMessageBody: createHash('md5').update(entry.MessageBody).digest('hex'),
          })),
          Failed: [],
        }),
      );
    });
  });
}

const md5Etag = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;

interface ListedEntry {
  readonly Key: string;
  readonly ETag?: string;
  readonly Size?: string;
}

function listedEntries(xml: string): ListedEntry[] {
  const result = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Contents' }).parse(xml)
    .ListBucketResult as { Contents?: ListedEntry[] };
  return result.Contents ?? [];
}

type HeadResult = { statusCode: number; headers?: Record<string, unknown>; errorCode?: string };

describe('S3 Object Lambda handler with redacted views (cache bucket on s3rver, materializer queue on loopback)', () => {
  /** Long enough for a HEAD or LIST to look a missing view up a few times; nothing succeeds by waiting for it. */
  const BUDGET_SECONDS = '0.3';
  let harness: Harness;
  let root: string;
  let sqs: Server;
  let queueUrl: string;
  /** Messages not yet delivered to the materializer, and every message sent. */
  const messages: string[] = [];
  const everSent: string[] = [];
  let handler: Handler;

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      MASKPOINT_HOME: join(root, 'home'),
      MASKPOINT_VIEWS_BUCKET: CACHE,
      MASKPOINT_MATERIALIZER_QUEUE_URL: queueUrl,
      MASKPOINT_VIEW_BUDGET_SECONDS: BUDGET_SECONDS,
      // s3rver's own key, for the view store's calls to the cache bucket.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      ...extra,
    };
  }

  /** Runs the real materializer on the queued messages, as the SQS event source would. */
  async function runMaterializer(): Promise<void> {
    const deps = await materializerDependenciesFromEnv({
      ...process.env,
      MASKPOINT_BUCKET: BUCKET,
      MASKPOINT_VIEWS_BUCKET: CACHE,
      AWS_ENDPOINT_URL_S3: harness.s3.endpoint,
    });
    const records = messages
      .splice(0)
      .map((body, index) => ({ eventSource: 'aws:sqs', messageId: String(index), body }));
    const result = await handleMaterializerEvent({ Records: records }, deps);
    expect(result).toEqual({ batchItemFailures: [] });
  }

  async function head(on: Handler, key: string): Promise<HeadResult> {
    return (await on(await headEvent(harness, key), lambdaContext)) as HeadResult;
  }

  async function listV2(on: Handler, prefix: string) {
    return (await on(await listEvent(harness, 2, { Prefix: prefix }), lambdaContext)) as {
      statusCode: number;
      listResultXml?: string;
      errorCode?: string;
    };
  }

  beforeAll(async () => {
    harness = await startHarness();
    root = mkdtempSync(join(tmpdir(), 'maskpoint-ol-views-'));
    sqs = startSqsRecorder(messages, everSent);
    queueUrl = `${await listen(sqs)}/111122223333/maskpoint-views`;
    const put = (Key: string, Body: string, ContentType: string) =>
      harness.s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ContentType }));
    await put('views/large.csv', BIG_CSV, 'text/csv');
    await put('views/fresh.csv', CSV, 'text/csv');
    await put('views/asked.ndjson', NDJSON, 'application/x-ndjson');
    await put('views/unqueued.json', JSON_DOCUMENT, 'application/json');
    await put('listed/a.csv', CSV, 'text/csv');
    await put('listed/b.ndjson', NDJSON, 'application/x-ndjson');
    await put('listed/c.json', JSON_DOCUMENT, 'application/json');
    await put('rules/people.csv', CSV, 'text/csv');
    handler = await coldStart(harness, env());
  });

  afterAll(async () => {
    process.env = ORIGINAL_ENV;
    await close(sqs);
    await harness.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers HEAD after a GET with the length and MD5 of the GET body, and the next GET from the view with its Content-Length', async () => {
    for (const key of ['people.csv', 'events.ndjson', 'record.json', 'app.log', 'export.csv.gz']) {
      const streamed = await get(harness, handler, key);

      const described = await head(handler, key);
      const again = await get(harness, handler, key);

      expect(streamed.headers['x-amz-fwd-header-etag'], key).toMatch(/-1"$/);
      expect(described, key).toMatchObject({
        statusCode: 200,
        headers: { 'Content-Length': streamed.body.byteLength, ETag: md5Etag(streamed.body) },
      });
      expect(again.body.equals(streamed.body), key).toBe(true);
      expect(again.headers['content-length'], key).toBe(String(streamed.body.byteLength));
      expect(again.headers['x-amz-fwd-header-etag'], key).toBe(md5Etag(streamed.body));
    }
    expect(messages).toEqual([]);
  });

  it('serves ranges at generated positions from the view, exactly the slices of the full GET, with no cap', async () => {
    const whole = (await get(harness, handler, 'views/large.csv')).body;
    const size = whole.byteLength;
    const range = fc.oneof(
      fc.tuple(fc.nat(size - 1), fc.nat(size + 100)).map(([a, b]) => ({
        header: `bytes=${Math.min(a, b)}-${Math.max(a, b)}`,
        first: Math.min(a, b),
        last: Math.min(Math.max(a, b), size - 1),
      })),
      fc.nat(size - 1).map((first) => ({ header: `bytes=${first}-`, first, last: size - 1 })),
      fc.oneof(fc.integer({ min: 1, max: size + 100 }), fc.constant(MAX_RANGE_BYTES + 1)).map((suffix) => ({
        header: `bytes=-${suffix}`,
        first: Math.max(0, size - suffix),
        last: size - 1,
      })),
    );

    await fc.assert(
      fc.asyncProperty(range, async ({ header, first, last }) => {
        const call = await get(harness, handler, 'views/large.csv', { headers: { Range: header } });

        expect(call.headers['x-amz-fwd-status']).toBe('206');
        expect(call.headers['x-amz-fwd-header-etag']).toBe(md5Etag(whole));
        expect(call.headers['x-amz-fwd-header-content-range']).toBe(`bytes ${first}-${last}/${size}`);
        expect(call.headers['content-length']).toBe(String(last - first + 1));
        expect(call.body.equals(whole.subarray(first, last + 1))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('makes the view first for a range of an object without one, and answers the range and later HEADs from it', async () => {
    const ranged = await get(harness, handler, 'views/fresh.csv', { headers: { Range: 'bytes=5-40' } });

    const whole = await get(harness, handler, 'views/fresh.csv');
    const described = await head(handler, 'views/fresh.csv');

    expect(ranged.headers['x-amz-fwd-status']).toBe('206');
    expect(ranged.body.equals(whole.body.subarray(5, 41))).toBe(true);
    expect(whole.headers['x-amz-fwd-header-etag']).toBe(md5Etag(whole.body));
    expect(described.headers?.['Content-Length']).toBe(whole.body.byteLength);
    expect(messages).toEqual([]);
  });

  it('answers a HEAD without a view 503 SlowDown and asks the materializer once; the retried HEAD has the exact length', async () => {
    const missed = await head(handler, 'views/asked.ndjson');
    const queued = [...messages];

    await runMaterializer();
    const retried = await head(handler, 'views/asked.ndjson');
    const body = (await get(harness, handler, 'views/asked.ndjson')).body;

    expect(missed).toMatchObject({ statusCode: 503, errorCode: 'SlowDown' });
    expect(queued.flatMap(parseS3Notification)).toEqual([
      { eventName: 'ObjectCreated:ViewRequested', bucket: BUCKET, key: 'views/asked.ndjson' },
    ]);
    expect(retried).toMatchObject({
      statusCode: 200,
      headers: { 'Content-Length': body.byteLength, ETag: md5Etag(body) },
    });
  });

  it('lists the Size and ETag HEAD answers, after asking the materializer for the views it misses', async () => {
    const missed = await listV2(handler, 'listed/');
    const queued = messages
      .flatMap(parseS3Notification)
      .map((event) => event.key)
      .sort();

    await runMaterializer();
    const listed = await listV2(handler, 'listed/');

    expect(missed).toMatchObject({ statusCode: 503, errorCode: 'SlowDown' });
    expect(queued).toEqual(['listed/a.csv', 'listed/b.ndjson', 'listed/c.json']);
    const entries = listedEntries(listed.listResultXml ?? '');
    expect(entries.map((entry) => entry.Key)).toEqual(queued);
    for (const entry of entries) {
      const described = await head(handler, entry.Key);
      const body = (await get(harness, handler, entry.Key)).body;
      expect(described.headers?.['Content-Length'], entry.Key).toBe(body.byteLength);
      expect(entry, entry.Key).toMatchObject({ Size: String(body.byteLength), ETag: md5Etag(body) });
      expect(described.headers?.ETag).toBe(entry.ETag);
    }
    expect(messages).toEqual([]);
  });

  it('never serves a view made under other rules: a rule change gives its own body, length and ETag', async () => {
    // The shipped rules with emails labelled CONTACT: a new rule-set version.
    const dir = join(root, 'relabel');
    mkdirSync(dir, { recursive: true });
    cpSync(new URL('../../redaction-rules/packs', import.meta.url), join(dir, 'packs'), { recursive: true });
    const shipped = readFileSync(new URL('../../redaction-rules/default.yaml', import.meta.url), 'utf8');
    writeFileSync(
      join(dir, 'relabel.yaml'),
      shipped
        .replace('name: default', 'name: relabel')
        .replace('  - id: email\n', '  - id: email\n    label: CONTACT\n')
        .replaceAll('label: EMAIL', 'label: CONTACT')
        .replaceAll('[EMAIL]', '[CONTACT]'),
    );
    const before = (await get(harness, handler, 'rules/people.csv')).body;
    const relabelled = await coldStart(harness, env({ MASKPOINT_RULES_DIR: dir }));

    const describedAfter = await head(relabelled, 'rules/people.csv');
    const after = await get(harness, relabelled, 'rules/people.csv');
    const describedAgain = await head(relabelled, 'rules/people.csv');
    const listedAgain = listedEntries((await listV2(relabelled, 'rules/')).listResultXml ?? '');
    messages.splice(0);

    expect(before.toString('utf8')).toContain('[EMAIL]');
    expect(after.body.toString('utf8')).toContain('[CONTACT]');
    expect(after.body.toString('utf8')).not.toContain('[EMAIL]');
    expect(after.headers['x-amz-fwd-header-etag']).not.toBe(md5Etag(before));
    expect(describedAfter.headers?.['Content-Length']).not.toBe(before.byteLength);
    expect(describedAfter.headers?.ETag).not.toBe(md5Etag(before));
    expect(describedAgain.headers).toMatchObject({
      'Content-Length': after.body.byteLength,
      ETag: md5Etag(after.body),
    });
    expect(listedAgain).toMatchObject([{ Key: 'rules/people.csv', Size: String(after.body.byteLength) }]);
  });

  it('answers a HEAD without a view with no Content-Length, and asks nothing, when no materializer queue is set', async () => {
    const { MASKPOINT_MATERIALIZER_QUEUE_URL: _, ...withoutQueue } = env();
    const unqueued = await coldStart(harness, withoutQueue);

    const described = await head(unqueued, 'views/unqueued.json');

    expect(described.statusCode).toBe(200);
    expect(described.headers).not.toHaveProperty('Content-Length');
    expect(messages).toEqual([]);
  });

  it('fails at cold start on a queue without a view store or a queue URL that is not one, naming the variable', async () => {
    const { MASKPOINT_VIEWS_BUCKET: _, ...withoutStore } = env();

    await expect(coldStart(harness, withoutStore)).rejects.toThrow(
      /MASKPOINT_MATERIALIZER_QUEUE_URL needs MASKPOINT_VIEWS_BUCKET/,
    );
    await expect(
      coldStart(harness, env({ MASKPOINT_MATERIALIZER_QUEUE_URL: 'maskpoint-views' })),
    ).rejects.toThrow(/MASKPOINT_MATERIALIZER_QUEUE_URL/);
  });

  it('keeps nothing raw in the cache bucket and no content in a queued message', async () => {
    const listing = await harness.s3.client.send(new ListObjectsV2Command({ Bucket: CACHE }));
    const keys = (listing.Contents ?? []).map((object) => object.Key ?? '');
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) {
      const object = await harness.s3.client.send(new GetObjectCommand({ Bucket: CACHE, Key: key }));
      const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      const isGzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
      const text = (isGzip ? gunzipSync(bytes) : bytes).toString('utf8');
      expectNoPlantedValue(text);
    }
    expect(everSent.length).toBeGreaterThan(0);
    expectNoPlantedValue(everSent.join('\n'));
    expectNoPlantedValue(harness.logs.join('\n'));
  });
});
