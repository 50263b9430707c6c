import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import type { ObjectSource } from '../../functions/core/ports/object-source.ts';
import { handleGatewayRequest } from '../../functions/gateway/gateway.ts';
import { startGatewayServer } from '../../functions/gateway/server.ts';
import { GEO_FIXTURE_PATH } from '../fixtures/make-geo-fixture.ts';
import { gatewayClient, signRequest, startTestGateway, type TestGateway } from './gateway-client.ts';

const RULES = {
  'limited.yaml': `name: limited
scope: { buckets: ['limited'] }
detectors:
  - id: email
    action: { type: redact }
rateLimit: { requestsPerWindow: 3, windowSeconds: 60 }
`,
  'fenced.yaml': `name: fenced
scope: { buckets: ['fenced'] }
detectors:
  - id: email
    action: { type: redact }
geo: { deny: ['DE'] }
`,
  'streaming.yaml': `name: streaming
scope: { buckets: ['failing'] }
detectors:
  - id: email
    action: { type: redact }
`,
};

const LINE = 'id,contact\n';
/** Past the redacted head that is produced before the status line (HELD_HEAD_BYTES). */
const BROKEN_AFTER_BYTES = 512 * 1024;
const ROW = (i: number) => `${i},person${i}@example.com\n`;

/** An object source whose body yields some CSV and then fails, as a dropped S3 connection does. */
function failingSource(bytesBeforeFailure: number): ObjectSource {
  const rows = Array.from({ length: 50_000 }, (_, i) => ROW(i)).join('');
  const text = Buffer.from(LINE + rows).subarray(0, bytesBeforeFailure);
  return {
    async getObject() {
      return {
        contentType: 'text/csv',
        etag: '"raw"',
        body: (async function* () {
          for (let at = 0; at < text.byteLength; at += 4096) yield text.subarray(at, at + 4096);
          throw new Error(`connection reset after ${text.byteLength} bytes`);
        })(),
      };
    },
    async headObject() {
      return { contentType: 'text/csv', etag: '"raw"' };
    },
    async listObjects() {
      return { objects: [], commonPrefixes: [], isTruncated: false };
    },
  };
}

/** An object source whose body never ends; `closed` resolves once the gateway stops reading it. */
function endlessSource(): { source: ObjectSource; closed: Promise<void> } {
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const rows = Buffer.from(Array.from({ length: 500 }, (_, i) => ROW(i)).join(''));
  return {
    closed,
    source: {
      ...failingSource(0),
      async getObject() {
        return {
          contentType: 'text/csv',
          etag: '"raw"',
          body: (async function* () {
            try {
              yield Buffer.from(LINE);
              for (;;) yield rows;
            } finally {
              markClosed();
            }
          })(),
        };
      },
    },
  };
}

describe('gateway policy: rate limits, geo fences and failures mid-stream', () => {
  let rulesDir: string;
  let bucketDir: string;
  let gateway: TestGateway;
  let key: GatewayKey;
  let client: S3Client;

  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'maskpoint-rules-'));
    for (const [name, text] of Object.entries(RULES)) writeFileSync(join(rulesDir, name), text);
    bucketDir = mkdtempSync(join(tmpdir(), 'maskpoint-bucket-'));
    mkdirSync(join(bucketDir, 'data'));
    writeFileSync(join(bucketDir, 'data', 'people.csv'), `${LINE}${ROW(1)}`);
    gateway = await startTestGateway({
      rulesDir,
      geoDatabase: GEO_FIXTURE_PATH,
      localBuckets: new Map([
        ['limited', bucketDir],
        ['fenced', bucketDir],
      ]),
    });
    key = await gateway.store.create('partner', ['limited', 'fenced', 'failing']);
    // The SDK retries 503 SlowDown; one attempt shows the gateway's own answer.
    client = gatewayClient(gateway.server.url, key, { maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await gateway.stop();
    rmSync(rulesDir, { recursive: true, force: true });
    rmSync(bucketDir, { recursive: true, force: true });
  });

  it('answers 503 SlowDown once the rule set rate limit is used up', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await client
        .send(new GetObjectCommand({ Bucket: 'limited', Key: 'data/people.csv' }))
        .then(async (object) => {
          await object.Body?.transformToString();
          return object;
        })
        .catch((error: { name: string; $metadata: { httpStatusCode: number } }) => error);
      statuses.push(result.$metadata.httpStatusCode ?? 0);
      if (i === 4) expect(result).toMatchObject({ name: 'SlowDown' });
    }
    expect(statuses).toEqual([200, 200, 200, 503, 503]);
  });

  describe('geo fence by trusted source IP', () => {
    async function getFrom(sourceIp: string | undefined, country?: string) {
      const request = await signRequest({ key, host: 'gateway.test', path: '/fenced/data/people.csv' });
      const response = await handleGatewayRequest({ ...request, sourceIp, country }, gateway.deps);
      if (!(response.body instanceof Uint8Array)) for await (const _ of response.body);
      return response;
    }

    it('serves a caller located outside the denied country', async () => {
      expect((await getFrom('192.0.2.10')).status).toBe(200);
      expect((await getFrom('::ffff:192.0.2.10')).status).toBe(200);
    });

    it('rejects a caller located in the denied country with AccessDenied XML', async () => {
      const response = await getFrom('198.51.100.10');
      expect(response.status).toBe(403);
      expect(Buffer.from(response.body as Uint8Array).toString()).toContain('country DE is not allowed');
    });

    it('rejects callers whose location is unknown, or who give no trusted IP', async () => {
      expect((await getFrom('203.0.113.5')).status).toBe(403);
      expect((await getFrom(undefined)).status).toBe(403);
    });

    it('uses a trusted edge country before the IP', async () => {
      expect((await getFrom('192.0.2.10', 'DE')).status).toBe(403);
    });
  });

  it('aborts the transfer when the source fails mid-stream, never sending raw bytes', async () => {
    const server = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      deps: { ...gateway.deps, source: failingSource(BROKEN_AFTER_BYTES), buckets: new Set(['failing']) },
    });
    const failing = gatewayClient(server.url, key, { maxAttempts: 1 });
    try {
      const object = await failing.send(new GetObjectCommand({ Bucket: 'failing', Key: 'people.csv' }));
      expect(object.$metadata.httpStatusCode).toBe(200);
      const received: Buffer[] = [];
      const error = await (async () => {
        for await (const chunk of object.Body as AsyncIterable<Uint8Array>) received.push(Buffer.from(chunk));
      })().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      const text = Buffer.concat(received).toString();
      expect(text).toContain('[EMAIL]');
      expect(text).not.toMatch(/person\d+@example\.com/);
      expect(text.length).toBeLessThan(BROKEN_AFTER_BYTES);
    } finally {
      failing.destroy();
      await server.close();
    }
  });

  it('closes the source when the client leaves mid-stream', async () => {
    const endless = endlessSource();
    const server = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      deps: { ...gateway.deps, source: endless.source, buckets: new Set(['failing']) },
    });
    const leaving = gatewayClient(server.url, key, { maxAttempts: 1 });
    try {
      const object = await leaving.send(new GetObjectCommand({ Bucket: 'failing', Key: 'people.csv' }));
      for await (const _ of object.Body as AsyncIterable<Uint8Array>) break;
      await endless.closed;
    } finally {
      leaving.destroy();
      await server.close();
    }
  });
});
