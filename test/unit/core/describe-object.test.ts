import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import type { Caller } from '../../../functions/core/caller.ts';
import { describeObject } from '../../../functions/core/describe-object.ts';
import { DeadlineExceededError } from '../../../functions/core/errors.ts';
import type { AuditEvent } from '../../../functions/core/ports/audit-log.ts';
import type { RateLimiter } from '../../../functions/core/ports/rate-limiter.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { errorReason } from '../../../functions/core/s3-error-map.ts';
import { type ServeDependencies, serveObject } from '../../../functions/core/serve-object.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';
import { type MemoryObject, memoryObjectSource } from '../support/memory-object-source.ts';

const caller: Caller = { id: 'reader', kind: 'gateway-key' };
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

function dependencies(
  objects: Record<string, MemoryObject>,
  options: { chunkBytes?: number; rateLimiter?: RateLimiter; fields?: Record<string, unknown> } = {},
) {
  const events: AuditEvent[] = [];
  const source = memoryObjectSource(new Map(Object.entries(objects)), { chunkBytes: options.chunkBytes });
  const deps: ServeDependencies = {
    source,
    rules: {
      ruleSets: [ruleSetSchema.parse({ name: 'test', ...options.fields })],
      compiled: new Map([['test', compiledRuleSetOf(sampleDetectors())]]),
    },
    rateLimiter: options.rateLimiter ?? createMemoryRateLimiter(),
    audit: { record: (event) => events.push(event) },
    openRedaction: openRedactionStream,
  };
  return { deps, source, events };
}

/** GET's answer: the body's bytes, or the S3 status and code of its refusal (before or while streaming). */
async function get(key: string, deps: ServeDependencies) {
  try {
    const response = await serveObject({ requestId: 'get', caller, bucket: 'b', key }, deps);
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body) chunks.push(chunk);
    return { body: Buffer.concat(chunks), etag: response.etag };
  } catch (error) {
    const { status, code } = errorReason(error);
    return { status, code };
  }
}

async function head(key: string, deps: ServeDependencies) {
  try {
    return await describeObject({ requestId: 'head', caller, bucket: 'b', key }, deps);
  } catch (error) {
    const { status, code } = errorReason(error);
    return { status, code };
  }
}

const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('jane.doe@example.com', '123-45-6789', '4111 1111 1111 1111', 'a,"b"\nc', 'ü€𝄞'),
);
const rows = fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 8 });
const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** Objects of every served format, with planted values, as they are stored. */
const storedObject = fc.oneof(
  rows.map((r) => ({
    key: 'data.csv',
    text: `a,b,c\n${r.map((row) => row.map(csvField).join(',')).join('\n')}\n`,
  })),
  rows.map((r) => ({
    key: 'data.ndjson',
    text: r.map(([a, b, c]) => JSON.stringify({ a, email: b, nested: { c } })).join('\n'),
  })),
  rows.map((r) => ({ key: 'data.json', text: JSON.stringify({ rows: r, contact: r[0]?.[1] }, null, 2) })),
  rows.map((r) => ({ key: 'app.log', text: r.map((row) => row.join(' ')).join('\n') })),
);

describe('describeObject (HEAD)', () => {
  it('answers Content-Length equal to the byte length of the GET body, for objects of every format', async () => {
    await fc.assert(
      fc.asyncProperty(
        storedObject,
        fc.boolean(),
        fc.integer({ min: 1, max: 80 }),
        async (stored, isGzip, chunkBytes) => {
          const key = isGzip ? `${stored.key}.gz` : stored.key;
          const body = isGzip ? gzipSync(stored.text) : Buffer.from(stored.text);
          const { deps } = dependencies({ [key]: { body } }, { chunkBytes });

          const got = await get(key, deps);
          const described = await head(key, deps);

          expect(got.body).toBeDefined();
          expect(described).toMatchObject({ contentLength: got.body?.byteLength, etag: got.etag });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses what GET refuses, with the same status and code: binary, binary under a text label, malformed', async () => {
    const { deps } = dependencies({
      'logo.png': { body: PNG, contentType: 'image/png' },
      'disguised.csv': { body: PNG, contentType: 'text/csv' },
      'broken.json': { body: Buffer.from(`{"email": "jane.doe@example.com", ${'"x": 1, '.repeat(20)}`) },
    });

    for (const key of ['logo.png', 'disguised.csv', 'broken.json']) {
      const got = await get(key, deps);
      expect(got.status).toBeGreaterThanOrEqual(400);
      expect(await head(key, deps)).toEqual({ status: got.status, code: got.code });
    }
  });

  it('fails a HEAD past its deadline and closes the source', async () => {
    const { deps, source } = dependencies({ 'a.log': { body: Buffer.from('x\n'.repeat(1000)) } });

    await expect(
      describeObject(
        { requestId: 'h', caller, bucket: 'b', key: 'a.log', deadlineMs: 0 },
        { ...deps, now: () => 1 },
      ),
    ).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(source.bodies).toEqual({ opened: 1, closed: 1 });
  });

  it('closes the source when the redaction fails mid-object, and audits the HEAD as refused', async () => {
    const { deps, source, events } = dependencies({
      'broken.json': { body: Buffer.from(`[${'1,'.repeat(500)}`) },
    });

    expect(await head('broken.json', deps)).toMatchObject({ status: 403 });
    expect(source.bodies).toEqual({ opened: 1, closed: 1 });
    expect(events).toMatchObject([{ operation: 'HeadObject', decision: 'deny', status: 403 }]);
  });

  it('counts the HEAD against the request limit but not the daily byte budget', async () => {
    const limiter = createMemoryRateLimiter();
    const { deps } = dependencies(
      { 'a.log': { body: Buffer.from('hello\n') } },
      { rateLimiter: limiter, fields: { rateLimit: { requestsPerWindow: 1, bytesPerDay: 100 } } },
    );

    expect(await head('a.log', deps)).toMatchObject({ contentLength: 6 });
    expect(await limiter.remaining('bytes:test:reader', { points: 100, windowSeconds: 86_400 })).toBe(100);
    expect(await head('a.log', deps)).toEqual({ status: 503, code: 'SlowDown' });
  });

  it('answers from metadata alone when the body cannot be read: no length, labels may still refuse', async () => {
    const { deps, source } = dependencies({
      'a.log': { body: Buffer.from('hello\n') },
      'logo.png': { body: PNG, contentType: 'image/png' },
    });
    const request = { requestId: 'h', caller, bucket: 'b' };

    const described = await describeObject({ ...request, key: 'a.log' }, deps, { isBodyReadable: false });
    expect(described.contentLength).toBeUndefined();
    expect(described.etag).toMatch(/^"[0-9a-f]{32}-1"$/);
    await expect(
      describeObject({ ...request, key: 'logo.png' }, deps, { isBodyReadable: false }),
    ).rejects.toMatchObject({ code: 'UnsupportedFormat' });
    expect(source.bodies.opened).toBe(0);
  });
});
