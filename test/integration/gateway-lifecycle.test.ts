import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteBudgetStep } from '../../functions/core/access-policy.ts';
import type { AuditEvent, AuditLog } from '../../functions/core/ports/audit-log.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import type { ObjectSource } from '../../functions/core/ports/object-source.ts';
import type { GatewayDependencies, GatewayRequest } from '../../functions/gateway/gateway.ts';
import { type GatewayServer, startGatewayServer } from '../../functions/gateway/server.ts';
import type { ServerLimits } from '../../functions/gateway/server-limits.ts';
import { gatewayClient, signRequest, startTestGateway, type TestGateway } from './gateway-client.ts';

const UNLIMITED_BYTES_PER_DAY = 1_000_000_000_000;
const BUDGET_BYTES_PER_DAY = 1_000_000;
const DAY = { windowSeconds: 86_400 };

const RULES = {
  'open.yaml': `name: open
scope: { buckets: ['open', 'endless'] }
detectors:
  - { id: email, action: { type: redact } }
  - { id: us-ssn, action: { type: redact } }
rateLimit: { requestsPerWindow: 100000, windowSeconds: 60, bytesPerDay: ${UNLIMITED_BYTES_PER_DAY} }
`,
  'budget.yaml': `name: budget
scope: { buckets: ['budget'] }
detectors:
  - { id: email, action: { type: redact } }
rateLimit: { requestsPerWindow: 100000, windowSeconds: 60, bytesPerDay: ${BUDGET_BYTES_PER_DAY} }
`,
};

const ROWS = 40_000;
const row = (i: number) => `${i},person${i}@example.com,123-45-${String(1000 + (i % 9000))},note ${i}`;
const CSV = `id,email,ssn,note\n${Array.from({ length: ROWS }, (_, i) => `${row(i)}\n`).join('')}`;
/** A few MB each: larger than what loopback buffers take in, so hang-ups land mid-stream. */
const OBJECTS: Record<string, string | Buffer> = {
  'data.csv': CSV,
  'data.csv.gz': gzipSync(CSV),
  'data.ndjson': Array.from(
    { length: ROWS },
    (_, i) => `{"id":${i},"email":"person${i}@example.com"}\n`,
  ).join(''),
  'data.json': `[${Array.from({ length: ROWS }, (_, i) => `{"id":${i},"ssn":"123-45-6789"}`).join(',')}]`,
  'data.log': Array.from({ length: ROWS }, (_, i) => `line ${i}: mail person${i}@example.com done\n`).join(
    '',
  ),
};

/** An audit log that lets a test wait for the lines of requests that ended on the server. */
function recordingAudit(): { log: AuditLog; events: AuditEvent[]; waitFor(count: number): Promise<void> } {
  const events: AuditEvent[] = [];
  let wake = () => {};
  return {
    events,
    log: {
      record(event) {
        events.push(event);
        wake();
      },
    },
    async waitFor(count) {
      while (events.length < count) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

/**
 * An object source whose body is CSV generated on demand (`chunksTotal` pieces, or endless), one
 * piece per I/O turn as a socket or file delivers it. `closed` resolves once the gateway stops
 * reading: `isClosedEarly` tells whether that happened before the end.
 */
function generatedSource(chunksTotal = Number.POSITIVE_INFINITY) {
  const piece = Buffer.from(Array.from({ length: 2_000 }, (_, i) => `${row(i)}\n`).join(''));
  const trace = { chunksRead: 0, isClosedEarly: false };
  let markClosed = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const source: ObjectSource = {
    async getObject() {
      return {
        contentType: 'text/csv',
        etag: '"generated"',
        body: (async function* () {
          let isDone = false;
          try {
            yield Buffer.from('id,email,ssn,note\n');
            for (; trace.chunksRead < chunksTotal; trace.chunksRead++) {
              await new Promise(setImmediate);
              yield piece;
            }
            isDone = true;
          } finally {
            trace.isClosedEarly = !isDone;
            markClosed();
          }
        })(),
      };
    },
    async headObject() {
      return { contentType: 'text/csv' };
    },
    async listObjects() {
      return { objects: [], commonPrefixes: [], isTruncated: false };
    },
  };
  return { source, trace, closed };
}

interface Received {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly bytes: number;
  readonly isComplete: boolean;
}

/** GETs with plain node:http and hangs up once `hangUpAfterBytes` of the body arrived. */
function getAndHangUp(url: string, request: GatewayRequest, hangUpAfterBytes: number): Promise<Received> {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${url}${request.rawPath}`, { headers, agent: false }, (response) => {
      let bytes = 0;
      const done = (isComplete: boolean) =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes, isComplete });
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.byteLength;
        if (bytes >= hangUpAfterBytes) {
          outgoing.destroy();
          done(false);
        }
      });
      response.on('end', () => done(true));
      response.on('error', () => done(false));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * A raw connection that sends `text`; `answered` resolves with the first bytes of the answer,
 * `closed` with everything received once the server ends the connection.
 */
function rawConnection(
  url: string,
  text: string,
): Promise<{ socket: Socket; answered: Promise<string>; closed: Promise<string> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      let answer = '';
      const closed = new Promise<string>((resolveClosed) =>
        socket.once('close', () => resolveClosed(answer)),
      );
      const answered = new Promise<string>((resolveAnswered) => {
        socket.on('data', (chunk: Buffer) => {
          answer += chunk.toString('latin1');
          resolveAnswered(answer);
        });
      });
      if (text !== '') socket.write(text);
      resolve({ socket, answered, closed });
    });
    socket.once('error', reject);
  });
}

function requestText(request: GatewayRequest): string {
  const lines = Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`);
  return `GET ${request.rawPath} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

describe('the gateway server: how responses end', () => {
  let rulesDir: string;
  let bucketDir: string;
  let gateway: TestGateway;
  let key: GatewayKey;
  const servers: GatewayServer[] = [];

  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'maskpoint-lifecycle-rules-'));
    for (const [name, text] of Object.entries(RULES)) writeFileSync(join(rulesDir, name), text);
    bucketDir = mkdtempSync(join(tmpdir(), 'maskpoint-lifecycle-bucket-'));
    for (const [name, content] of Object.entries(OBJECTS)) writeFileSync(join(bucketDir, name), content);
    gateway = await startTestGateway({
      rulesDir,
      localBuckets: new Map([
        ['open', bucketDir],
        ['budget', bucketDir],
      ]),
    });
    key = await gateway.store.create('reader', ['open', 'budget', 'endless']);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await gateway.stop();
    rmSync(rulesDir, { recursive: true, force: true });
    rmSync(bucketDir, { recursive: true, force: true });
  });

  async function serverWith(
    fields: Partial<GatewayDependencies> = {},
    limits: Partial<ServerLimits> = {},
  ): Promise<{ url: string; host: string; audit: ReturnType<typeof recordingAudit> }> {
    const audit = recordingAudit();
    const server = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      deps: { ...gateway.deps, audit: audit.log, ...fields },
      limits,
    });
    servers.push(server);
    return { url: server.url, host: new URL(server.url).host, audit };
  }

  async function charged(ruleSet: string, bytesPerDay: number): Promise<number> {
    const remaining = await gateway.deps.rateLimiter.remaining(`bytes:${ruleSet}:${key.name}`, {
      points: bytesPerDay,
      ...DAY,
    });
    return bytesPerDay - remaining;
  }

  it('records one audit line per read however the client hangs up, with the bytes sent, and charges the budget for exactly those', async () => {
    const { url, host, audit } = await serverWith();
    const fullBytes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(OBJECTS)),
        fc.constantFrom(undefined, undefined, 'bytes=0-0', 'bytes=1000-300000', 'bytes=-70000'),
        fc.integer({ min: 1, max: 400_000 }),
        async (objectKey, range, hangUpAfterBytes) => {
          const request = await signRequest({
            key,
            host,
            path: `/open/${objectKey}`,
            headers: range === undefined ? {} : { range },
          });
          const variant = `${objectKey} ${range}`;
          if (!fullBytes.has(variant)) {
            const lines = audit.events.length;
            const whole = await getAndHangUp(url, request, Number.POSITIVE_INFINITY);
            expect(whole.isComplete).toBe(true);
            fullBytes.set(variant, whole.bytes);
            await audit.waitFor(lines + 1);
          }
          const before = audit.events.length;
          const received = await getAndHangUp(url, request, hangUpAfterBytes);
          await audit.waitFor(before + 1);
          const line = audit.events[before] as AuditEvent;
          expect(line.status).toBe(received.status);
          if (received.status >= 400) {
            expect(line.bytesOut).toBe(0);
            return;
          }
          expect(line.bytesOut).toBeGreaterThanOrEqual(received.bytes);
          expect(line.bytesOut).toBeLessThanOrEqual(fullBytes.get(variant) as number);
          if (line.reason !== undefined) expect(line.reason).toMatch(/^ClientDisconnected: /);
          else expect(line.bytesOut).toBe(fullBytes.get(variant));
        },
      ),
      // A hang-up right after the first bytes of a large object, whatever else is drawn.
      { numRuns: 14, examples: [['data.csv', undefined, 1]] },
    );
    // Each request ended on the server with exactly one line: none is missing, none is doubled.
    expect(new Set(audit.events.map((line) => line.requestId)).size).toBe(audit.events.length);
    expect(audit.events.some((line) => line.reason?.startsWith('ClientDisconnected'))).toBe(true);
    const sent = audit.events.reduce((sum, line) => sum + line.bytesOut, 0);
    expect(await charged('open', UNLIMITED_BYTES_PER_DAY)).toBe(sent);
  });

  it('stops serving reads that hang up before their end once the daily byte budget is spent, within one step', async () => {
    const { url, host, audit } = await serverWith();
    const request = await signRequest({ key, host, path: '/budget/data.csv' });
    const statuses: number[] = [];
    let delivered = 0;
    for (let read = 0; read < 10; read++) {
      const received = await getAndHangUp(url, request, 200_000);
      await audit.waitFor(read + 1);
      statuses.push(received.status);
      delivered += received.bytes;
    }
    const sent = audit.events.reduce((sum, line) => sum + line.bytesOut, 0);
    expect(delivered).toBeLessThanOrEqual(sent);
    expect(sent).toBeLessThan(BUDGET_BYTES_PER_DAY + byteBudgetStep(BUDGET_BYTES_PER_DAY));
    expect(await charged('budget', BUDGET_BYTES_PER_DAY)).toBeGreaterThanOrEqual(sent);
    expect(statuses.at(-1)).toBe(503);
  });

  it('drops a client that stops reading after the write-stall timeout, closing its source', async () => {
    const generated = generatedSource();
    const { url, host, audit } = await serverWith(
      { source: generated.source, buckets: new Set(['endless']) },
      { writeStallTimeoutMs: 100 },
    );
    const request = await signRequest({ key, host, path: '/endless/rows.csv' });
    const { socket } = await rawConnection(url, requestText(request));
    socket.pause();
    await generated.closed;
    await audit.waitFor(1);
    expect(generated.trace.isClosedEarly).toBe(true);
    expect(audit.events[0]?.reason).toMatch(/^ClientDisconnected: /);
    expect(audit.events[0]?.status).toBe(200);
    socket.destroy();
  });

  it('stops redacting a range whose client hangs up, closing the source before its end', async () => {
    const generated = generatedSource(20_000);
    const { url, host, audit } = await serverWith({
      source: generated.source,
      buckets: new Set(['endless']),
    });
    const request = await signRequest({
      key,
      host,
      path: '/endless/rows.csv',
      headers: { range: 'bytes=0-0' },
    });
    const { socket } = await rawConnection(url, requestText(request));
    while (generated.trace.chunksRead < 10) await new Promise(setImmediate);
    socket.destroy();
    await generated.closed;
    await audit.waitFor(1);
    expect(generated.trace.isClosedEarly).toBe(true);
    expect(generated.trace.chunksRead).toBeLessThan(20_000);
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ status: 499, bytesOut: 0 });
  });

  it('cuts off a client that trickles its headers once the headers timeout has passed', async () => {
    const { url } = await serverWith({}, { headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const { closed } = await rawConnection(url, 'GET /open/data.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes connections beyond the connection cap and keeps serving the ones it holds', async () => {
    const { url, host } = await serverWith({}, { maxConnections: 2 });
    const held = [await rawConnection(url, ''), await rawConnection(url, '')];
    const refused = await rawConnection(url, '');
    expect(await refused.closed).toBe('');
    const request = await signRequest({ key, host, path: '/open/data.csv', headers: { range: 'bytes=0-1' } });
    held[0]?.socket.write(requestText(request));
    expect(await held[0]?.answered).toMatch(/^HTTP\/1\.1 206 /);
    for (const connection of held) connection.socket.destroy();
  });

  it('answers content that is malformed near its start with an S3 error the SDK does not retry', async () => {
    const { url, audit } = await serverWith();
    const client = gatewayClient(url, key);
    /** Per format: a valid record, and the object with `before` valid records and then a defect. */
    const defects: Record<string, { record: string; build: (before: string) => string }> = {
      'bad.json': { record: '{"id":1,"e":"a@example.com"},', build: (before) => `[${before}{"id": tru}]` },
      'bad.csv': {
        record: '1,a@example.com\n',
        build: (before) => `id,email\n${before}2,"never closed\n3,x\n`,
      },
      'bad.ndjson': { record: '{"id":1}\n', build: (before) => `${before}{"id":}\n` },
      'bad.log': { record: 'a@example.com\n', build: (before) => `${before}caf\xe9\n` },
    };
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...Object.keys(defects)),
          fc.nat({ max: 1_500 }),
          async (name, recordsBefore) => {
            const { record, build } = defects[name] as (typeof defects)[string];
            const objectKey = `${recordsBefore}-${name}`;
            const content = build(record.repeat(recordsBefore));
            writeFileSync(join(bucketDir, objectKey), Buffer.from(content, 'latin1'));
            const lines = audit.events.length;
            const error = await client.send(new GetObjectCommand({ Bucket: 'open', Key: objectKey })).then(
              () => undefined,
              (caught: unknown) => caught,
            );
            expect(error).toMatchObject({
              name: 'AccessDenied',
              $metadata: { httpStatusCode: 403, attempts: 1 },
            });
            expect(audit.events.slice(lines).filter((line) => line.key === objectKey)).toHaveLength(1);
          },
        ),
        { numRuns: 16 },
      );
    } finally {
      client.destroy();
    }
  });
});
