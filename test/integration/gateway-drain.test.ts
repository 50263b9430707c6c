import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/ports/audit-log.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import type { ObjectSource } from '../../functions/core/ports/object-source.ts';
import type { GatewayRequest } from '../../functions/gateway/gateway.ts';
import { type GatewayServer, startGatewayServer } from '../../functions/gateway/server.ts';
import { signRequest, startTestGateway, type TestGateway } from './gateway-client.ts';

const RULES = `name: open
scope: { buckets: ['open', 'gated'] }
detectors:
  - { id: email, action: { type: redact } }
rateLimit: { requestsPerWindow: 100000, windowSeconds: 60 }
`;

/** Generated objects by format: the extension picks the content and Content-Type. */
const FORMATS = {
  csv: {
    contentType: 'text/csv',
    header: 'id,email,note\n',
    line: (i: number) => `${i},person${i}@example.com,note ${i}\n`,
  },
  ndjson: {
    contentType: 'application/x-ndjson',
    header: '',
    line: (i: number) => `{"id":${i},"email":"person${i}@example.com"}\n`,
  },
  log: {
    contentType: 'text/plain',
    header: '',
    line: (i: number) => `line ${i}: mail person${i}@example.com\n`,
  },
} as const;
type Format = keyof typeof FORMATS;

/** Pieces of 20–40 KB; more than `HELD_HEAD_BYTES` of redacted output come before the gate, so the status line is sent. */
const PIECE_LINES = 1_000;
const PIECES_BEFORE_GATE = 8;
const PIECES = 16;

/**
 * An object source whose bodies stop after a few pieces until `open()`: a response is in flight,
 * waiting on its source, for as long as the test wants, whatever the socket buffers hold.
 */
function gatedSource(): { source: ObjectSource; open(): void } {
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const source: ObjectSource = {
    async getObject(location) {
      const format = FORMATS[(location.key.split('.').at(-1) ?? 'csv') as Format];
      return {
        contentType: format.contentType,
        etag: '"generated"',
        body: (async function* () {
          yield Buffer.from(format.header);
          for (let piece = 0; piece < PIECES; piece++) {
            if (piece === PIECES_BEFORE_GATE) await gate;
            yield Buffer.from(
              Array.from({ length: PIECE_LINES }, (_, i) => format.line(piece * PIECE_LINES + i)).join(''),
            );
          }
        })(),
      };
    },
    async headObject() {
      return {};
    },
    async listObjects() {
      return { objects: [], commonPrefixes: [], isTruncated: false };
    },
  };
  return { source, open };
}

/** A GET whose reader stops after the first chunk until `resume()`. */
interface PausedDownload {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  resume(): void;
  /** The body as received, and whether it ended normally (`end`) rather than broke off. */
  readonly result: Promise<{ body: Buffer; isComplete: boolean }>;
}

function startPausedDownload(url: string, request: GatewayRequest): Promise<PausedDownload> {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${url}${request.rawPath}`, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let settle: (value: { body: Buffer; isComplete: boolean }) => void = () => {};
      const result = new Promise<{ body: Buffer; isComplete: boolean }>((resolveResult) => {
        settle = resolveResult;
      });
      response.once('data', () => {
        response.pause();
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          resume: () => response.resume(),
          result,
        });
      });
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => settle({ body: Buffer.concat(chunks), isComplete: true }));
      response.on('error', () => settle({ body: Buffer.concat(chunks), isComplete: false }));
      response.on('close', () => settle({ body: Buffer.concat(chunks), isComplete: response.complete }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** A raw connection: `received(marker)` waits until the answer holds `marker`, `closed` for all of it once the server closes. */
function rawConnection(url: string): {
  socket: Socket;
  received(marker: string): Promise<string>;
  closed: Promise<string>;
} {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let answer = '';
  let wake = () => {};
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString('latin1');
    wake();
  });
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)));
  return {
    socket,
    async received(marker) {
      while (!answer.includes(marker)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      return answer;
    },
    closed,
  };
}

function requestText(request: GatewayRequest, extraHeaders: Record<string, string> = {}): string {
  const lines = Object.entries({ ...request.headers, ...extraHeaders }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return `${request.method} ${request.rawPath}${request.rawQuery ? `?${request.rawQuery}` : ''} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

describe('the gateway server: health probe and graceful drain', () => {
  let rulesDir: string;
  let bucketDir: string;
  let gateway: TestGateway;
  let key: GatewayKey;
  const servers: GatewayServer[] = [];

  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'maskpoint-drain-rules-'));
    writeFileSync(join(rulesDir, 'open.yaml'), RULES);
    bucketDir = mkdtempSync(join(tmpdir(), 'maskpoint-drain-bucket-'));
    writeFileSync(join(bucketDir, 'healthz'), 'a plain object named healthz\n');
    gateway = await startTestGateway({ rulesDir, localBuckets: new Map([['open', bucketDir]]) });
    key = await gateway.store.create('drain-test', ['open', 'gated']);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await gateway.stop();
    rmSync(rulesDir, { recursive: true, force: true });
    rmSync(bucketDir, { recursive: true, force: true });
  });

  /** A server of its own over the gated source, recording its audit lines. */
  async function gatedServer(): Promise<{
    url: string;
    open(): void;
    audit: AuditEvent[];
    server: GatewayServer;
  }> {
    const gated = gatedSource();
    const audit: AuditEvent[] = [];
    const server = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      deps: {
        ...gateway.deps,
        source: gated.source,
        buckets: new Set(['gated']),
        audit: { record: (event) => audit.push(event) },
      },
    });
    servers.push(server);
    return { url: server.url, open: gated.open, audit, server };
  }

  /** The whole redacted object, read from a server whose gate is open. */
  async function expectedBody(path: string): Promise<Buffer> {
    const { url, open } = await gatedServer();
    open();
    const download = await startPausedDownload(url, await get(url, path));
    download.resume();
    const { body, isComplete } = await download.result;
    expect(isComplete).toBe(true);
    return body;
  }

  function get(url: string, path: string): Promise<GatewayRequest> {
    return signRequest({ key, host: new URL(url).host, path });
  }

  it('answers an unsigned GET or HEAD of exactly /healthz itself, and leaves every other request (a signed GET /healthz too) to the gateway', async () => {
    const url = gateway.server.url;
    const auditBefore = gateway.audit.length;
    let probes = 0;
    let requests = 0;
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']) {
      for (const target of [
        '/healthz',
        '/healthz/',
        '/HEALTHZ',
        '/healthz?list-type=2',
        '/open/healthz',
        '/',
      ]) {
        for (const headers of [{}, { authorization: 'AWS4-HMAC-SHA256 Credential=x' }] as Record<
          string,
          string
        >[]) {
          const response = await fetch(`${url}${target}`, { method, headers });
          const body = await response.text();
          const isProbe =
            (method === 'GET' || method === 'HEAD') && target === '/healthz' && !('authorization' in headers);
          const label = `${method} ${target} ${JSON.stringify(headers)}`;
          expect(response.headers.has('x-amz-request-id'), label).toBe(!isProbe);
          if (isProbe) {
            probes++;
            expect(response.status, label).toBe(200);
            expect(response.headers.get('cache-control'), label).toBe('no-store');
            expect(body, label).toBe(method === 'HEAD' ? '' : 'ok\n');
          } else {
            requests++;
          }
        }
      }
    }
    expect(probes).toBe(2);
    // One audit line per S3 request, none per probe.
    expect(gateway.audit.length - auditBefore).toBe(requests);

    // A signed GET /healthz is S3's: here the object healthz of a virtual-hosted bucket.
    const { port } = new URL(url);
    const signed = await signRequest({ key, host: `open.localhost:${port}`, path: '/healthz' });
    const connection = rawConnection(url);
    connection.socket.write(requestText(signed, { connection: 'close' }));
    expect(await connection.closed).toMatch(/x-amz-request-id: [0-9A-F]{16}/);
    expect(gateway.audit.at(-1)).toMatchObject({ operation: 'GetObject', bucket: 'open', key: 'healthz' });
  });

  it('drains: responses in flight finish whole, /healthz and new connections are refused, a request arriving on an open connection gets 503 SlowDown with Connection: close', async () => {
    const paths = ['/gated/a.csv', '/gated/b.ndjson', '/gated/c.log'];
    const expected = await Promise.all(paths.map(expectedBody));
    const { url, open, audit, server } = await gatedServer();
    // A request still sending its headers when the drain begins (sent before the downloads, so
    // the server has read it by the time they answer): its connection is not idle and stays open.
    const lateText = requestText(await get(url, '/gated/b.ndjson'));
    const late = rawConnection(url);
    late.socket.write(lateText.slice(0, -2));
    const downloads = await Promise.all(
      paths.map(async (path) => startPausedDownload(url, await get(url, path))),
    );

    const drained = server.drain(60_000);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    late.socket.write(lateText.slice(-2));
    const lateAnswer = await late.closed;
    expect(lateAnswer).toMatch(/^HTTP\/1\.1 503 /);
    expect(lateAnswer.toLowerCase()).toContain('connection: close');
    expect(lateAnswer).toContain('<Code>SlowDown</Code>');

    open();
    for (const download of downloads) download.resume();
    const results = await Promise.all(downloads.map((download) => download.result));
    for (const [index, result] of results.entries()) {
      expect(result.isComplete, paths[index]).toBe(true);
      expect(result.body.equals(expected[index] as Buffer), paths[index]).toBe(true);
    }
    expect(await drained).toEqual({ inFlight: paths.length, aborted: 0 });
    const refused = audit.filter((event) => event.status === 503);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      operation: 'GetObject',
      bucket: 'gated',
      key: 'b.ndjson',
      decision: 'error',
    });
    expect(audit).toHaveLength(paths.length + 1);
  });

  it('aborts the responses still sending at the deadline: each client sees a broken transfer, never a short object that ends normally', async () => {
    const paths = ['/gated/a.csv', '/gated/b.ndjson', '/gated/c.log', '/gated/d.csv'];
    const { url, open, audit, server } = await gatedServer();
    const downloads = await Promise.all(
      paths.map(async (path) => startPausedDownload(url, await get(url, path))),
    );
    for (const download of downloads) expect(download.status).toBe(200);
    expect(await server.drain(50)).toEqual({ inFlight: paths.length, aborted: paths.length });
    for (const download of downloads) download.resume();
    for (const [index, download] of downloads.entries()) {
      const { isComplete } = await download.result;
      expect(isComplete, paths[index]).toBe(false);
    }
    // The stopped reads go on once the source answers, find their client gone and end: one audit line each.
    open();
    for (let turn = 0; turn < 1_000 && audit.length < paths.length; turn++) await new Promise(setImmediate);
    expect(audit.map((event) => event.reason)).toEqual(
      paths.map(() => expect.stringMatching(/^ClientDisconnected: /)),
    );
  });
});
