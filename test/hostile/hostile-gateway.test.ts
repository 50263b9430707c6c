import { request as httpRequest } from 'node:http';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import type { AuditEvent } from '../../functions/core/ports/audit-log.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import { startGatewayServer } from '../../functions/gateway/server.ts';
import {
  gatewayClient,
  signRequest,
  startTestGateway,
  type TestGateway,
} from '../integration/gateway-client.ts';
import { putSettledObject } from '../support/put-settled-object.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';
import { type CuttingProxy, startCuttingProxy } from './cutting-proxy.ts';
import { encodingSwitchArbitrary, hostileDocumentArbitrary } from './documents.ts';
import { findLeak, type Planted, plantedArbitrary } from './planted.ts';

/**
 * The promise, tried from outside: a real S3 server holding hostile variants, the gateway in
 * front of it, the real SDK and raw HTTP as clients. Whatever the variant (header or not,
 * preambles, line endings, delimiters, lying Content-Types, encodings, a source cut short, a
 * client hanging up), no planted value reaches a response body, a header, an error message or
 * an audit line, and every request leaves exactly one audit line.
 */
describe('hostile input through the gateway', () => {
  let s3: LocalS3;
  let proxy: CuttingProxy;
  let gateway: TestGateway;
  let key: GatewayKey;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3rver(['raw']);
    proxy = await startCuttingProxy(s3.endpoint);
    gateway = await startTestGateway({
      rulesDir: DEFAULT_RULES_DIR,
      s3Buckets: ['raw'],
      s3Client: new S3Client({
        endpoint: proxy.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        forcePathStyle: true,
        maxAttempts: 1,
      }),
    });
    key = await gateway.store.create('hostile-reader', ['raw']);
    client = gatewayClient(gateway.server.url, key, { maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await gateway.stop();
    await proxy.stop();
    await s3.stop();
  });

  async function store(objectKey: string, body: Buffer, contentType?: string): Promise<void> {
    await putSettledObject(s3.client, {
      Bucket: 'raw',
      Key: objectKey,
      Body: body,
      ContentType: contentType,
    });
  }

  /** Audit events recorded from `since` on, once `count` of them are there (bounded wait). */
  async function auditSince(since: number, count: number): Promise<AuditEvent[]> {
    for (let i = 0; i < 200 && gateway.audit.length < since + count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return gateway.audit.slice(since);
  }

  /** Requests of clients that stopped reading, closed by the test that made them. */
  const stalledRequests: { destroy(): void }[] = [];

  function expectNoLeak(planted: Planted, where: string, text: string): void {
    const leak = findLeak(planted, text);
    expect(leak === undefined ? undefined : `${where} holds "${leak}"`).toBeUndefined();
  }

  /** A GET with raw HTTP: status, headers and every byte received, however the transfer ends. */
  function rawGet(
    objectKey: string,
    options: { stopAfterBytes?: number; pauseAfterHeaders?: boolean; serverUrl?: string } = {},
  ): Promise<{ status: number; headers: string; body: Buffer; isComplete: boolean; requestId?: string }> {
    const serverUrl = options.serverUrl ?? gateway.server.url;
    return signRequest({ key, host: new URL(serverUrl).host, path: `/raw/${objectKey}` }).then(
      (signed) =>
        new Promise((resolve) => {
          const url = new URL(serverUrl);
          const chunks: Buffer[] = [];
          let received = 0;
          let status = 0;
          let headers = '';
          let requestId: string | undefined;
          const finish = (isComplete: boolean) =>
            resolve({ status, headers, body: Buffer.concat(chunks), isComplete, requestId });
          const req = httpRequest(
            {
              host: url.hostname,
              port: url.port,
              path: signed.rawPath,
              headers: signed.headers as Record<string, string>,
            },
            (res) => {
              status = res.statusCode ?? 0;
              headers = JSON.stringify(res.headers);
              requestId = res.headers['x-amz-request-id'] as string | undefined;
              if (options.pauseAfterHeaders) {
                // A client that stops reading: nothing more is taken off the socket until the
                // test closes it.
                res.pause();
                res.socket.pause();
                stalledRequests.push(req);
                finish(false);
                return;
              }
              res.on('data', (chunk: Buffer) => {
                chunks.push(chunk);
                received += chunk.byteLength;
                if (options.stopAfterBytes !== undefined && received >= options.stopAfterBytes) {
                  req.destroy();
                  finish(false);
                }
              });
              res.on('end', () => finish(res.complete));
              res.on('error', () => finish(false));
              res.on('aborted', () => finish(false));
            },
          );
          req.on('error', () => finish(false));
          req.end();
        }),
    );
  }

  it('lets no planted value through any format variant, label or structure, and audits each request once', async () => {
    await fc.assert(
      fc.asyncProperty(hostileDocumentArbitrary, async (document) => {
        await store(document.key, document.body, document.contentType);
        const before = gateway.audit.length;
        let served: string | undefined;
        let failure = '';
        try {
          const object = await client.send(new GetObjectCommand({ Bucket: 'raw', Key: document.key }));
          served = (await object.Body?.transformToString()) ?? '';
          expectNoLeak(document.planted, `${document.description}: headers`, JSON.stringify(object));
        } catch (error) {
          failure = `${String(error)} ${JSON.stringify(error)}`;
        }
        let headFailure = '';
        try {
          const head = await client.send(new HeadObjectCommand({ Bucket: 'raw', Key: document.key }));
          expectNoLeak(document.planted, `${document.description}: HEAD`, JSON.stringify(head));
        } catch (error) {
          headFailure = `${String(error)} ${JSON.stringify(error)}`;
        }
        const events = await auditSince(before, 2);
        expectNoLeak(document.planted, `${document.description}: error`, failure + headFailure);
        expectNoLeak(document.planted, `${document.description}: audit`, JSON.stringify(events));
        expect(events.map((event) => event.operation).sort()).toEqual(['GetObject', 'HeadObject']);
        if (served !== undefined) {
          expectNoLeak(document.planted, `${document.description}: body`, served);
          expect(document.shapeProblem(served), document.description).toBeUndefined();
        }
      }),
      { numRuns: 80 },
    );
  });

  it('aborts text whose encoding changes after the start, with nothing of it sent', async () => {
    await fc.assert(
      fc.asyncProperty(encodingSwitchArbitrary, async (variant) => {
        await store(variant.key, variant.body);
        const before = gateway.audit.length;
        const answer = await rawGet(variant.key);
        const isRefused = answer.status >= 400 || !answer.isComplete;
        expect(isRefused, variant.description).toBe(true);
        for (const decoding of ['utf8', 'latin1', 'utf16le'] as const) {
          expectNoLeak(
            variant.planted,
            `${variant.description} (${decoding})`,
            answer.body.toString(decoding),
          );
        }
        expect(await auditSince(before, 1)).toHaveLength(1);
      }),
      { numRuns: 30 },
    );
  });

  it('fails a transfer whose source is cut short, never ending it as a short success', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileDocumentArbitrary,
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        async (document, at) => {
          await store(document.key, document.body, document.contentType);
          const before = gateway.audit.length;
          const cutsBefore = proxy.cutBodies;
          const cutAfterBytes = Math.max(1, Math.floor(document.body.byteLength * at));
          proxy.cutAfterBytes = cutAfterBytes;
          let answer: Awaited<ReturnType<typeof rawGet>>;
          try {
            answer = await rawGet(document.key);
          } finally {
            proxy.cutAfterBytes = undefined;
          }
          const cut = `${document.description} cut after ${cutAfterBytes} of ${document.body.byteLength} bytes`;
          // The premise: the gateway's GET was cut short (not answered whole by the source).
          expect(proxy.cutBodies - cutsBefore, cut).toBe(1);
          const isRefused = answer.status >= 400 || !answer.isComplete;
          expect(isRefused, cut).toBe(true);
          expectNoLeak(
            document.planted,
            `${document.description}: truncated body`,
            answer.body.toString('utf8'),
          );
          const events = await auditSince(before, 1);
          expect(events).toHaveLength(1);
          expect(events[0]?.decision).not.toBe('allow');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('audits a client that hangs up exactly once, with the bytes it was sent', async () => {
    const planted = fc.sample(plantedArbitrary, 1)[0] as Planted;
    const line = `2026-12-01T10:00:00Z INFO user=${planted.email} ssn=${planted.ssn} card ${planted.card}\n`;
    await store('logs/big.log', Buffer.from(line.repeat(Math.ceil((4 * 1024 * 1024) / line.length))));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 * 1024 * 1024 }), async (stopAfterBytes) => {
        const before = gateway.audit.length;
        const answer = await rawGet('logs/big.log', { stopAfterBytes });
        expectNoLeak(planted, 'partial body', answer.body.toString('utf8'));
        const events = await auditSince(before, 1);
        // Wait a little longer: a second line for the same request would be a defect.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const mine = gateway.audit.slice(before).filter((event) => event.requestId === answer.requestId);
        expect(events.length).toBeGreaterThanOrEqual(1);
        expect(mine).toHaveLength(1);
        expect(mine[0]?.bytesOut).toBeGreaterThanOrEqual(answer.body.byteLength);
      }),
      { numRuns: 12 },
    );
  });

  it('drops clients that stop reading, having read only a bounded part of the object for them', async () => {
    const planted = fc.sample(plantedArbitrary, 1)[0] as Planted;
    const line = `2026-12-01T10:00:00Z INFO user=${planted.email} card ${planted.card}\n`;
    const objectBytes = 32 * 1024 * 1024;
    await store('logs/huge.log', Buffer.from(line.repeat(Math.ceil(objectBytes / line.length))));
    const stallLimited = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      deps: gateway.deps,
      limits: { writeStallTimeoutMs: 300 },
    });
    try {
      const before = gateway.audit.length;
      const stalled = 6;
      const answers = await Promise.all(
        Array.from({ length: stalled }, () =>
          rawGet('logs/huge.log', { pauseAfterHeaders: true, serverUrl: stallLimited.url }),
        ),
      );
      const events = await auditSince(before, stalled);
      expect(events).toHaveLength(stalled);
      for (const event of events) {
        expect(event.reason).toMatch(/^ClientDisconnected/);
        // Backpressure held: each stalled read pulled a bounded part of the object from S3.
        expect(event.bytesIn).toBeLessThan(objectBytes / 4);
      }
      for (const answer of answers) expect(answer.status).toBe(200);
    } finally {
      for (const request of stalledRequests.splice(0)) request.destroy();
      await stallLimited.close();
    }
  });
});
