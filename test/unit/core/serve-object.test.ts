import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import { byteBudgetStep } from '../../../functions/core/access-policy.ts';
import type { Caller } from '../../../functions/core/caller.ts';
import {
  AccessDeniedError,
  ClientDisconnectedError,
  InvalidRangeError,
  LimitExceededError,
  MalformedObjectError,
  NoSuchKeyError,
  SlowDownError,
} from '../../../functions/core/errors.ts';
import type { AuditEvent } from '../../../functions/core/ports/audit-log.ts';
import type { ObjectSource } from '../../../functions/core/ports/object-source.ts';
import type { RateLimiter } from '../../../functions/core/ports/rate-limiter.ts';
import { createRangeBufferPool, type RangeBufferPool } from '../../../functions/core/range-buffer-pool.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import type { RuleRegistry } from '../../../functions/core/rule-registry.ts';
import { HELD_HEAD_BYTES, type ObjectRequest, serveObject } from '../../../functions/core/serve-object.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';

const OBJECT = 'ssn 123-45-6789 and more text\n';
const caller: Caller = { id: 'partner', kind: 'gateway-key', ip: '192.0.2.1' };

function memorySource(objects: Record<string, string>): ObjectSource {
  return {
    async getObject(location) {
      const text = objects[location.key];
      if (text === undefined) throw new NoSuchKeyError();
      return {
        contentType: 'text/plain',
        etag: '"abc"',
        body: (async function* () {
          yield Buffer.from(text);
        })(),
      };
    },
    async headObject() {
      throw new Error('not used');
    },
    async listObjects() {
      throw new Error('not used');
    },
  };
}

function setup(
  ruleSetFields: Record<string, unknown> = {},
  rateLimiter: RateLimiter = createMemoryRateLimiter(),
) {
  const ruleSet = ruleSetSchema.parse({ name: 'test', ...ruleSetFields });
  const rules: RuleRegistry = {
    ruleSets: [ruleSet],
    compiled: new Map([['test', compiledRuleSetOf(sampleDetectors())]]),
  };
  const events: AuditEvent[] = [];
  const deps = {
    source: memorySource({ 'a.log': OBJECT }),
    rules,
    rateLimiter,
    audit: { record: (event: AuditEvent) => events.push(event) },
    openRedaction: openRedactionStream,
  };
  return { deps, events };
}

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('serveObject', () => {
  it('streams the redacted object and audits counts, never the value', async () => {
    const { deps, events } = setup();
    const response = await serveObject({ requestId: 'r1', caller, bucket: 'b', key: 'a.log' }, deps);
    expect(await text(response.body)).toBe('ssn [US_SSN] and more text\n');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ decision: 'allow', status: 200, counts: { 'us-ssn': 1 } });
    expect(JSON.stringify(events)).not.toContain('123-45-6789');
  });

  it('answers a range of the redacted bytes and audits it as 206', async () => {
    const { deps, events } = setup();
    const response = await serveObject(
      { requestId: 'r2', caller, bucket: 'b', key: 'a.log', range: 'bytes=4-11' },
      deps,
    );
    expect(response.status).toBe(206);
    expect(await text(response.body)).toBe('[US_SSN]');
    expect(response.contentRange).toBe('bytes 4-11/27');
    expect(events.map((event) => [event.status, event.decision])).toEqual([[206, 'allow']]);
  });

  it('audits a range beyond the redacted end as 416, not as served', async () => {
    const { deps, events } = setup();
    await expect(
      serveObject({ requestId: 'r3', caller, bucket: 'b', key: 'a.log', range: 'bytes=27-' }, deps),
    ).rejects.toBeInstanceOf(InvalidRangeError);
    expect(events.map((event) => [event.status, event.decision])).toEqual([[416, 'deny']]);
  });

  it('counts the bytes actually sent against the daily byte budget', async () => {
    const limiter = createMemoryRateLimiter();
    const { deps } = setup({ rateLimit: { requestsPerWindow: 100, bytesPerDay: 10 } }, limiter);
    const range = await serveObject(
      { requestId: 'r4', caller, bucket: 'b', key: 'a.log', range: 'bytes=0-3' },
      deps,
    );
    await text(range.body);
    expect(await limiter.remaining('bytes:test:partner', { points: 10, windowSeconds: 86_400 })).toBe(6);
  });

  it('denies a geo-fenced rule set when the caller has no known country', async () => {
    const { deps, events } = setup({ geo: { allow: ['US'] } });
    await expect(
      serveObject(
        { requestId: 'r5', caller: { id: 'partner', kind: 'iam' }, bucket: 'b', key: 'a.log' },
        deps,
      ),
    ).rejects.toBeInstanceOf(AccessDeniedError);
    expect(events[0]).toMatchObject({ decision: 'deny', status: 403 });
  });
});

const CONTENT_TYPES = { text: 'text/plain', csv: 'text/csv', ndjson: 'application/x-ndjson' } as const;
type Format = keyof typeof CONTENT_TYPES;

/** `rows` records of `format`, each holding a planted SSN and email. */
function objectOf(format: Format, rows: number): string {
  const row = (i: number) => {
    if (format === 'csv') return `${i},person${i}@example.com,123-45-${String(1000 + (i % 9000))}\n`;
    if (format === 'ndjson') return `{"id":${i},"email":"person${i}@example.com","note":"ssn 123-45-6789"}\n`;
    return `line ${i}: ssn 123-45-6789 mail person${i}@example.com\n`;
  };
  return (format === 'csv' ? 'id,email,ssn\n' : '') + Array.from({ length: rows }, (_, i) => row(i)).join('');
}

/** What a chunked source saw of its body: how much was read and whether it was closed before its end. */
interface SourceTrace {
  chunksRead: number;
  chunksTotal: number;
  isClosedEarly: boolean;
}

/**
 * A source serving one object in `chunkBytes` pieces. `failAfterBytes` breaks the body there, as
 * a dropped connection does; `onChunk` sees each piece's index as it is read.
 */
function chunkedSource(
  object: { bytes: Buffer; contentType: string },
  chunkBytes: number,
  options: { failAfterBytes?: number; onChunk?: (index: number) => void } = {},
): { source: ObjectSource; trace: SourceTrace } {
  const trace: SourceTrace = {
    chunksRead: 0,
    chunksTotal: Math.ceil(object.bytes.byteLength / chunkBytes),
    isClosedEarly: false,
  };
  const source: ObjectSource = {
    async getObject() {
      return {
        contentType: object.contentType,
        etag: '"abc"',
        body: (async function* () {
          let isDone = false;
          try {
            for (let at = 0; at < object.bytes.byteLength; at += chunkBytes) {
              if (options.failAfterBytes !== undefined && at >= options.failAfterBytes) {
                throw new Error('connection reset');
              }
              options.onChunk?.(trace.chunksRead);
              trace.chunksRead += 1;
              yield object.bytes.subarray(at, at + chunkBytes);
            }
            isDone = true;
          } finally {
            trace.isClosedEarly = !isDone;
          }
        })(),
      };
    },
    async headObject() {
      throw new Error('not used');
    },
    async listObjects() {
      throw new Error('not used');
    },
  };
  return { source, trace };
}

const DAY = 86_400;

function lifecycleSetup(options: {
  source: ObjectSource;
  bytesPerDay?: number;
  rangeBuffers?: RangeBufferPool;
}) {
  const limiter = createMemoryRateLimiter();
  const ruleSet = ruleSetSchema.parse({
    name: 'test',
    ...(options.bytesPerDay === undefined
      ? {}
      : { rateLimit: { requestsPerWindow: 10_000, bytesPerDay: options.bytesPerDay } }),
  });
  const events: AuditEvent[] = [];
  const deps = {
    source: options.source,
    rules: { ruleSets: [ruleSet], compiled: new Map([['test', compiledRuleSetOf(sampleDetectors())]]) },
    rateLimiter: limiter,
    audit: { record: (event: AuditEvent) => events.push(event) },
    openRedaction: openRedactionStream,
    rangeBuffers: options.rangeBuffers,
  };
  const charged = async () =>
    options.bytesPerDay === undefined
      ? 0
      : options.bytesPerDay -
        (await limiter.remaining('bytes:test:partner', { points: options.bytesPerDay, windowSeconds: DAY }));
  return { deps, events, charged };
}

function request(fields: Partial<ObjectRequest> = {}): ObjectRequest {
  return { requestId: 'r', caller, bucket: 'b', key: 'object', ...fields };
}

/** Reads `body` like a transport: at most `maxChunks` chunks, then hangs up (`return()`). */
async function readUpTo(
  body: AsyncIterable<Uint8Array>,
  maxChunks: number,
): Promise<{ bytes: number; isComplete: boolean; error?: unknown }> {
  const iterator = body[Symbol.asyncIterator]();
  let bytes = 0;
  try {
    for (let chunks = 0; chunks < maxChunks; chunks++) {
      const next = await iterator.next();
      if (next.done) return { bytes, isComplete: true };
      bytes += next.value.byteLength;
    }
  } catch (error) {
    return { bytes, isComplete: false, error };
  }
  await iterator.return?.();
  return { bytes, isComplete: false };
}

const rangeArbitrary = fc.oneof(
  fc.constant(undefined),
  fc
    .tuple(fc.nat({ max: 60_000 }), fc.nat({ max: 200_000 }))
    .map(([first, length]) => `bytes=${first}-${first + length}`),
  fc.integer({ min: 1, max: 100_000 }).map((suffix) => `bytes=-${suffix}`),
);

describe('serveObject: how a read ends', () => {
  it('records exactly one audit event with the bytes handed over and charges the budget for them, however the read ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Format>('text', 'csv', 'ndjson'),
        fc.integer({ min: 1_000, max: 6_000 }),
        fc.integer({ min: 512, max: 65_536 }),
        rangeArbitrary,
        fc.integer({ min: 0, max: 40 }),
        fc.option(fc.integer({ min: 0, max: 400_000 }), { nil: undefined }),
        async (format, rows, chunkBytes, range, maxChunks, failAfterBytes) => {
          const bytes = Buffer.from(objectOf(format, rows));
          const { source } = chunkedSource({ bytes, contentType: CONTENT_TYPES[format] }, chunkBytes, {
            failAfterBytes,
          });
          const { deps, events, charged } = lifecycleSetup({ source, bytesPerDay: 1e12 });
          const read = await serveObject(request({ range }), deps).then(
            (response) => readUpTo(response.body, maxChunks),
            (error: unknown) => ({ bytes: 0, isComplete: false, error }),
          );
          expect(events).toHaveLength(1);
          const [event] = events as [AuditEvent];
          expect(event.bytesOut).toBe(read.bytes);
          expect(await charged()).toBe(read.bytes);
          if (read.isComplete) expect(event.reason).toBeUndefined();
          else if (read.error === undefined) expect(event.reason).toMatch(/^ClientDisconnected: /);
          else expect(event.decision).not.toBe('allow');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('serves reads that hang up before their end at most one budget step past the daily byte budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 200_000, max: 1_000_000 }),
        fc.integer({ min: 6_000, max: 10_000 }),
        fc.integer({ min: 1_024, max: 32_768 }),
        fc.integer({ min: 4, max: 12 }),
        async (bytesPerDay, rows, chunkBytes, chunksPerRead) => {
          const bytes = Buffer.from(objectOf('text', rows));
          const { source } = chunkedSource({ bytes, contentType: 'text/plain' }, chunkBytes);
          const { deps, charged } = lifecycleSetup({ source, bytesPerDay });
          let delivered = 0;
          let refusals = 0;
          for (let read = 0; read < 40; read++) {
            const served = await serveObject(request(), deps).then(
              (response) => readUpTo(response.body, chunksPerRead),
              (error: unknown) => ({ bytes: 0, isComplete: false, error }),
            );
            delivered += served.bytes;
            if (served.error instanceof SlowDownError) refusals += 1;
            else expect(served.error).toBeUndefined();
          }
          expect(refusals).toBeGreaterThan(0);
          expect(delivered).toBeLessThan(bytesPerDay + byteBudgetStep(bytesPerDay));
          // The store refuses points past the budget: what it counts stops at the budget.
          expect(await charged()).toBeGreaterThanOrEqual(Math.min(delivered, bytesPerDay));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('stops redacting and closes the source when the client leaves while a range is collected', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('bytes=0-0', 'bytes=100-199', 'bytes=-10', 'bytes=5000-'),
        fc.integer({ min: 0, max: 30 }),
        async (range, leaveAtChunk) => {
          const client = new AbortController();
          const bytes = Buffer.from(objectOf('csv', 40_000));
          const { source, trace } = chunkedSource({ bytes, contentType: 'text/csv' }, 16_384, {
            onChunk: (index) => {
              if (index === leaveAtChunk) client.abort();
            },
          });
          const { deps, events } = lifecycleSetup({ source });
          await expect(serveObject(request({ range, signal: client.signal }), deps)).rejects.toBeInstanceOf(
            ClientDisconnectedError,
          );
          expect(trace.isClosedEarly).toBe(true);
          expect(trace.chunksRead).toBeLessThan(trace.chunksTotal);
          expect(events).toHaveLength(1);
          expect(events[0]).toMatchObject({ status: 499, bytesOut: 0 });
          expect(events[0]?.reason).toMatch(/^ClientDisconnected: /);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('refuses a range with 503 SlowDown while the range buffers of the process are full, and gives them back however the read ends', async () => {
    const bytes = Buffer.from(objectOf('text', 3_000));
    // The redacted length: a range past it is clipped, and only the clipped part is held.
    const whole = await serveObject(
      request(),
      lifecycleSetup({ source: chunkedSource({ bytes, contentType: 'text/plain' }, 8_192).source }).deps,
    );
    let redactedBytes = 0;
    for await (const chunk of whole.body) redactedBytes += chunk.byteLength;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100_000 }),
        fc.nat({ max: 50_000 }),
        fc.integer({ min: 1, max: 80_000 }),
        fc.integer({ min: 0, max: 3 }),
        async (capacity, first, length, maxChunks) => {
          const pool = createRangeBufferPool(capacity);
          const { source } = chunkedSource({ bytes, contentType: 'text/plain' }, 8_192);
          const { deps, events } = lifecycleSetup({ source, rangeBuffers: pool });
          const outcome = await serveObject(
            request({ range: `bytes=${first}-${first + length - 1}` }),
            deps,
          ).then(
            async (response) => {
              expect(pool.heldBytes).toBe(response.contentLength);
              expect(pool.heldBytes).toBeLessThanOrEqual(capacity);
              await readUpTo(response.body, maxChunks);
              return 'served';
            },
            (error: unknown) => error,
          );
          const heldLength = Math.min(length, redactedBytes - first);
          if (first < redactedBytes && heldLength > capacity) expect(outcome).toBeInstanceOf(SlowDownError);
          if (outcome instanceof SlowDownError) expect(events[0]).toMatchObject({ status: 503 });
          expect(pool.heldBytes).toBe(0);
          expect(events).toHaveLength(1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('rejects content that is malformed near its start before the first byte is sent, with one audit event', async () => {
    const defects = {
      'malformed JSON': {
        contentType: 'application/json',
        prefix: '[',
        row: '{"id":1,"v":"a"},',
        bad: '{"id": tru}',
      },
      'unterminated CSV quote': {
        contentType: 'text/csv',
        prefix: 'id,v\n',
        row: '1,a\n',
        bad: '2,"never closed\n',
      },
      'malformed NDJSON': {
        contentType: 'application/x-ndjson',
        prefix: '',
        row: '{"id":1}\n',
        bad: '{"id":}\n',
      },
      'invalid UTF-8': { contentType: 'text/plain', prefix: '', row: 'text line\n', bad: 'caf\xe9\n' },
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(defects) as (keyof typeof defects)[])),
        fc.nat({ max: Math.floor(HELD_HEAD_BYTES / 40) }),
        fc.nat({ max: 20_000 }),
        fc.integer({ min: 1, max: 65_536 }),
        async (defect, rowsBefore, rowsAfter, chunkBytes) => {
          const { contentType, prefix, row, bad } = defects[defect];
          const text = prefix + row.repeat(rowsBefore) + bad + row.repeat(rowsAfter);
          const { source } = chunkedSource({ bytes: Buffer.from(text, 'latin1'), contentType }, chunkBytes);
          const { deps, events } = lifecycleSetup({ source });
          const error = await serveObject(request(), deps).then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect([MalformedObjectError, LimitExceededError].some((type) => error instanceof type)).toBe(true);
          expect(events).toHaveLength(1);
          expect(events[0]).toMatchObject({ status: 403, decision: 'deny', bytesOut: 0 });
        },
      ),
      { numRuns: 40 },
    );
  });
});
