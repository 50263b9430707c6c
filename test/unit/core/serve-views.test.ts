import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalViewStore } from '../../../functions/adapters/local-view-store.ts';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import type { Caller } from '../../../functions/core/caller.ts';
import { describeObject } from '../../../functions/core/describe-object.ts';
import {
  InvalidRangeError,
  NotModifiedError,
  PreconditionFailedError,
  ServiceUnavailableError,
  SlowDownError,
} from '../../../functions/core/errors.ts';
import { listObjects } from '../../../functions/core/list-objects.ts';
import type { AuditEvent } from '../../../functions/core/ports/audit-log.ts';
import type { ObjectSource } from '../../../functions/core/ports/object-source.ts';
import type { RateLimiter } from '../../../functions/core/ports/rate-limiter.ts';
import type { OpenRedaction } from '../../../functions/core/ports/redaction-engine.ts';
import type { ViewStore } from '../../../functions/core/ports/view-store.ts';
import type { CompiledRuleSet } from '../../../functions/core/redaction/redactor.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import {
  MAX_RANGE_BYTES,
  type ObjectRequest,
  type ServeDependencies,
  serveObject,
} from '../../../functions/core/serve-object.ts';
import { viewIdentityOf } from '../../../functions/core/views/object-views.ts';
import { VIEW_RETRY_AFTER_SECONDS } from '../../../functions/core/views/served-views.ts';
import { viewId } from '../../../functions/core/views/view-id.ts';
import {
  createViewMaterializer,
  type ViewMaterializer,
} from '../../../functions/core/views/view-materializer.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';
import { type MemoryObject, memoryObjectSource } from '../support/memory-object-source.ts';

const caller: Caller = { id: 'reader', kind: 'gateway-key' };
const BUCKET = 'b';
const SSN = '123-45-6789';
const EMAIL = 'jane.doe@example.com';
/** Long enough to wait for anything a test makes, short of a hang; success never waits for it. */
const AMPLE_BUDGET_MS = 60_000;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0xfe]);

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

async function temporaryStore(): Promise<ViewStore> {
  const directory = await mkdtemp(join(tmpdir(), 'maskpoint-serve-views-'));
  directories.push(directory);
  return createLocalViewStore({ directory, maxBytes: 2 ** 40 });
}

/**
 * A rule-set compilation: `versionHash` and the label its detectors write. Two compilations with
 * one hash and other labels stand for one rule set compiled with other token keys.
 */
function compilation(versionHash: string, label = versionHash): CompiledRuleSet {
  const compiled = compiledRuleSetOf(sampleDetectors());
  return {
    ...compiled,
    versionHash,
    detectorActions: compiled.detectorIds.map((id) => () => `[${id}:${label}]`),
  };
}

const csv = (rows: number) =>
  `name,ssn,email\n${Array.from({ length: rows }, (_, i) => `row ${i},${SSN},ada${i}@example.com\n`).join('')}`;

interface WorldOptions {
  readonly budgetMs?: number;
  readonly compiled?: CompiledRuleSet;
  readonly tokenKeyIds?: readonly string[];
  readonly source?: ObjectSource;
  readonly rateLimiter?: RateLimiter;
  readonly ruleFields?: Record<string, unknown>;
  /** `false`: the same rules and source without a view store. */
  readonly hasViews?: boolean;
}

/** A bucket, a view store and its materializer, and the dependencies a front door would wire. */
async function world(objects: Record<string, MemoryObject>, options: { chunkBytes?: number } = {}) {
  const bucket = new Map(Object.entries(objects));
  const source = memoryObjectSource(bucket, { chunkBytes: options.chunkBytes ?? 1024 });
  const store = await temporaryStore();
  const materializer = createViewMaterializer(store);
  const events: AuditEvent[] = [];
  const redactions = { opened: 0 };
  const openRedaction: OpenRedaction = (body, redactionOptions) => {
    redactions.opened += 1;
    return openRedactionStream(body, redactionOptions);
  };
  function deps(fields: WorldOptions = {}, views: ViewMaterializer = materializer): ServeDependencies {
    const compiled = fields.compiled ?? compilation('v1');
    return {
      source: fields.source ?? source,
      rules: {
        ruleSets: [ruleSetSchema.parse({ name: 'test', ...fields.ruleFields })],
        compiled: new Map([['test', compiled]]),
      },
      rateLimiter: fields.rateLimiter ?? createMemoryRateLimiter(),
      audit: { record: (event) => events.push(event) },
      openRedaction,
      tokenKeyIds: fields.tokenKeyIds ?? ['k1'],
      views:
        fields.hasViews === false
          ? undefined
          : { store, materializer: views, budgetMs: fields.budgetMs ?? AMPLE_BUDGET_MS },
    };
  }
  return { bucket, source, store, materializer, events, redactions, deps };
}

function request(key: string, fields: Partial<ObjectRequest> = {}): ObjectRequest {
  return { requestId: 'r', caller, bucket: BUCKET, key, ...fields };
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function get(key: string, deps: ServeDependencies, fields: Partial<ObjectRequest> = {}) {
  const response = await serveObject(request(key, fields), deps);
  return { ...response, bytes: await collect(response.body) };
}

const md5Etag = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;
const STREAMED_ETAG = /^"[0-9a-f]{32}-1"$/;

/** A source whose bodies stop after their first chunk until `gate` resolves. */
function gatedSource(inner: ObjectSource, gate: Promise<void>): ObjectSource {
  return {
    ...inner,
    async getObject(location, conditions) {
      const object = await inner.getObject(location, conditions);
      return {
        ...object,
        body: (async function* () {
          let isFirst = true;
          for await (const chunk of object.body) {
            if (!isFirst) await gate;
            isFirst = false;
            yield chunk;
          }
        })(),
      };
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(EMAIL, SSN, '4111 1111 1111 1111', 'a,"b"\nc', 'ü€𝄞'),
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

describe('serving from redacted views', () => {
  it('answers HEAD with the exact length of the GET body and an ETag that is its MD5, for every format, whichever comes first', async () => {
    await fc.assert(
      fc.asyncProperty(
        storedObject,
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 80 }),
        async (stored, isGzip, isHeadFirst, chunkBytes) => {
          const key = isGzip ? `${stored.key}.gz` : stored.key;
          const body = isGzip ? gzipSync(stored.text) : Buffer.from(stored.text);
          const { deps } = await world({ [key]: { body } }, { chunkBytes });
          const expected = (await get(key, deps({ hasViews: false }))).bytes;

          const headFirst = isHeadFirst ? await describeObject(request(key), deps()) : undefined;
          const first = await get(key, deps());
          const head = await describeObject(request(key), deps());
          const again = await get(key, deps());

          expect(first.bytes).toEqual(expected);
          expect(again.bytes).toEqual(expected);
          for (const answer of [headFirst ?? head, head, again]) {
            expect(answer).toMatchObject({ contentLength: expected.byteLength, etag: md5Etag(expected) });
          }
          if (isHeadFirst) expect(first.etag).toBe(md5Etag(expected));
          else expect(first.etag).toMatch(STREAMED_ETAG);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('serves repeated GETs from the view with Content-Length and without redacting again', async () => {
    const { deps, redactions } = await world({ 'people.csv': { body: Buffer.from(csv(200)) } });
    const first = await get('people.csv', deps());
    expect(first.contentLength).toBeUndefined();
    expect(redactions.opened).toBe(1);

    for (let read = 0; read < 3; read += 1) {
      const again = await get('people.csv', deps());
      expect(again.bytes).toEqual(first.bytes);
      expect(again.contentLength).toBe(first.bytes.byteLength);
    }
    expect(redactions.opened).toBe(1);
    expect(first.bytes.toString()).not.toContain(SSN);
  });

  it('answers any range from the view with the exact Content-Range: the slice of the full body', async () => {
    const { deps } = await world({ 'people.csv': { body: Buffer.from(csv(300)) } });
    const full = (await get('people.csv', deps())).bytes;
    const total = full.byteLength;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(fc.nat({ max: total - 1 }), fc.nat({ max: total * 2 })).map(([first, length]) => ({
            header: `bytes=${first}-${first + length}`,
            first,
            last: first + length,
          })),
          fc.nat({ max: total - 1 }).map((first) => ({ header: `bytes=${first}-`, first, last: total - 1 })),
          fc.integer({ min: 1, max: total * 2 }).map((suffix) => ({
            header: `bytes=-${suffix}`,
            first: Math.max(0, total - suffix),
            last: total - 1,
          })),
        ),
        async ({ header, first, last }) => {
          const end = Math.min(last, total - 1);
          const answer = await get('people.csv', deps(), { range: header });
          expect(answer.status).toBe(206);
          expect(answer.contentRange).toBe(`bytes ${first}-${end}/${total}`);
          expect(answer.contentLength).toBe(end - first + 1);
          expect(answer.bytes).toEqual(full.subarray(first, end + 1));
        },
      ),
      { numRuns: 100 },
    );
    await expect(
      serveObject(request('people.csv', { range: `bytes=${total}-` }), deps()),
    ).rejects.toBeInstanceOf(InvalidRangeError);
  });

  it('serves a range longer than the cap on streamed ranges from a view', async () => {
    const { deps, store, source } = await world({ 'big.log': { body: Buffer.from('stand-in\n') } });
    const given = deps();
    const id = viewIdOf('big.log', await source.headObject({ bucket: BUCKET, key: 'big.log' }, {}));
    const block = Buffer.alloc(1024 * 1024, 'redacted line\n');
    const blocks = MAX_RANGE_BYTES / block.byteLength + 1;
    const writer = await store.create(id);
    const digest = createHash('md5');
    for (let at = 0; at < blocks; at += 1) {
      digest.update(block);
      await writer.write(block);
    }
    await writer.commit({
      redactedBytes: blocks * block.byteLength,
      md5: digest.digest('hex'),
      counts: {},
      createdAt: new Date(),
      format: 'text',
      contentType: 'text/plain',
    });

    const response = await serveObject(request('big.log', { range: 'bytes=1-' }), given);
    let length = 0;
    for await (const chunk of response.body) length += chunk.byteLength;
    expect(response).toMatchObject({
      status: 206,
      contentRange: `bytes 1-${blocks * block.byteLength - 1}/${blocks * block.byteLength}`,
    });
    expect(length).toBe(blocks * block.byteLength - 1);
    expect(length).toBeGreaterThan(MAX_RANGE_BYTES);
  });

  it('makes the view first for a range or an If-Match that finds none, then answers from it', async () => {
    const { deps, store, redactions } = await world({
      'a.csv': { body: Buffer.from(csv(100)) },
      'b.csv': { body: Buffer.from(csv(50)) },
    });
    const range = await get('a.csv', deps(), { range: 'bytes=10-99' });
    expect(range).toMatchObject({ status: 206, contentLength: 90 });
    expect(range.etag).toEqual(expect.not.stringMatching(STREAMED_ETAG));
    const full = await get('a.csv', deps());
    expect(range.bytes).toEqual(full.bytes.subarray(10, 100));
    expect(range.etag).toBe(md5Etag(full.bytes));

    const matched = await get('b.csv', deps(), { ifMatch: '*' });
    expect(matched.contentLength).toBe(matched.bytes.byteLength);
    expect(matched.etag).toBe(md5Etag(matched.bytes));
    expect(redactions.opened).toBe(2);
    expect(
      await store.get(
        viewIdOf('b.csv', await deps().source.headObject({ bucket: BUCKET, key: 'b.csv' }, {})),
      ),
    ).toBeDefined();
  });

  it('answers HEAD, a range and LIST with 503 SlowDown and Retry-After past the budget; the retry finds the view made meanwhile', async () => {
    const { deps, source, store } = await world(
      { 'slow.csv': { body: Buffer.from(csv(400)) } },
      { chunkBytes: 1024 },
    );
    const gate = deferred();
    const slow = deps({ budgetMs: 0, source: gatedSource(source, gate.promise) });

    for (const attempt of [
      () => describeObject(request('slow.csv'), slow),
      () => serveObject(request('slow.csv', { range: 'bytes=0-9' }), slow),
      () => listObjects({ requestId: 'l', caller, bucket: BUCKET, maxKeys: 10 }, slow),
    ]) {
      const refusal = await attempt().catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(SlowDownError);
      expect(refusal).toMatchObject({ retryAfterSeconds: VIEW_RETRY_AFTER_SECONDS });
    }
    const id = viewIdOf('slow.csv', await source.headObject({ bucket: BUCKET, key: 'slow.csv' }, {}));
    expect(await store.get(id)).toBeUndefined();

    gate.resolve();
    const retried = await describeObject(request('slow.csv'), deps());
    const body = (await get('slow.csv', deps())).bytes;
    expect(retried).toMatchObject({ contentLength: body.byteLength, etag: md5Etag(body) });
    expect(await store.get(id)).toMatchObject({ redactedBytes: body.byteLength });
  });

  it('shares one materialization among concurrent HEADs, ranges and LISTs of the same object', async () => {
    const { deps, store } = await world({ 'shared.csv': { body: Buffer.from(csv(300)) } });
    let writers = 0;
    const counting: ViewStore = {
      ...store,
      async create(id) {
        writers += 1;
        return store.create(id);
      },
    };
    const shared: ServeDependencies = {
      ...deps(),
      views: { store: counting, materializer: createViewMaterializer(counting), budgetMs: AMPLE_BUDGET_MS },
    };
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, () => describeObject(request('shared.csv'), shared)),
      ...Array.from({ length: 3 }, (_, at) =>
        serveObject(request('shared.csv', { range: `bytes=${at}-${at + 5}` }), shared).then(
          async (answer) => {
            await collect(answer.body);
            return answer;
          },
        ),
      ),
      listObjects({ requestId: 'l', caller, bucket: BUCKET, maxKeys: 10 }, shared).then((page) => ({
        etag: page.objects[0]?.etag,
      })),
    ]);
    expect(writers).toBe(1);
    expect(new Set(answers.map((answer) => answer.etag)).size).toBe(1);
  });

  it('serves a passthrough object as without a store: raw, with the streamed ETag, never kept as a view', async () => {
    const raw = Buffer.concat([PNG, Buffer.from(` ${SSN}`)]);
    const { deps, store, source } = await world({ 'raw/logo.png': { body: raw, contentType: 'image/png' } });
    const given = deps({ ruleFields: { passthrough: { prefixes: ['raw/'] } } });

    const head = await describeObject(request('raw/logo.png'), given);
    const full = await get('raw/logo.png', given);
    const range = await get('raw/logo.png', given, { range: 'bytes=2-5' });

    expect(head).toMatchObject({ contentLength: raw.byteLength });
    expect(head.etag).toMatch(STREAMED_ETAG);
    expect(full.bytes).toEqual(raw);
    expect(full.etag).toBe(head.etag);
    expect(range.bytes).toEqual(raw.subarray(2, 6));
    const id = viewIdOf('raw/logo.png', await source.headObject({ bucket: BUCKET, key: 'raw/logo.png' }, {}));
    expect(await store.get(id)).toBeUndefined();
  });

  it('gives a multipart-shaped ETag, never the MD5 of the bytes, to answers without a view', async () => {
    const { deps } = await world({ 'a.log': { body: Buffer.from(`ssn ${SSN}\n`) } });
    const storeless = await get('a.log', deps({ hasViews: false }));
    const described = await describeObject(request('a.log'), deps({ hasViews: false }));
    const streamed = await get('a.log', deps());
    const viewed = await get('a.log', deps());

    for (const etag of [storeless.etag, described.etag, streamed.etag]) {
      expect(etag).toMatch(STREAMED_ETAG);
      expect(etag).not.toBe(md5Etag(storeless.bytes));
    }
    expect(streamed.etag).toBe(storeless.etag);
    expect(viewed.etag).toBe(md5Etag(storeless.bytes));
  });

  it('never answers a view of older bytes after a new object version, rule set version or token key, and matches conditions exactly to the ETags of the current bytes', async () => {
    type Step =
      | { kind: 'write'; rows: number }
      | { kind: 'rules' }
      | { kind: 'keys' }
      | { kind: 'get' | 'head' | 'list' }
      | { kind: 'range'; first: number; length: number }
      | { kind: 'conditional'; remembered: number; header: 'ifNoneMatch' | 'ifMatch' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.integer({ min: 1, max: 40 }).map((rows) => ({ kind: 'write' as const, rows })),
      fc.constant({ kind: 'rules' as const }),
      fc.constant({ kind: 'keys' as const }),
      fc.constantFrom('get' as const, 'head' as const, 'list' as const).map((kind) => ({ kind })),
      fc
        .tuple(fc.nat({ max: 500 }), fc.integer({ min: 1, max: 300 }))
        .map(([first, length]) => ({ kind: 'range' as const, first, length })),
      fc
        .tuple(fc.nat(), fc.constantFrom('ifNoneMatch' as const, 'ifMatch' as const))
        .map(([remembered, header]) => ({ kind: 'conditional' as const, remembered, header })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const { bucket, deps } = await world({ 'x.csv': { body: Buffer.from(csv(3)) } });
        let rulesVersion = 1;
        let keyVersion = 1;
        let writes = 0;
        /** Every ETag the client was given, with the bytes it came with. */
        const seen: { etag: string; bytes: Buffer }[] = [];
        const current = () => ({
          compiled: compilation(`v${rulesVersion}`, `v${rulesVersion}/k${keyVersion}`),
          tokenKeyIds: [`k${keyVersion}`],
        });
        for (const next of steps) {
          const expected = (await get('x.csv', deps({ ...current(), hasViews: false }))).bytes;
          const served = deps(current());
          if (next.kind === 'write') {
            writes += 1;
            bucket.set('x.csv', { body: Buffer.from(`${csv(next.rows)}version ${writes}\n`) });
          } else if (next.kind === 'rules') rulesVersion += 1;
          else if (next.kind === 'keys') keyVersion += 1;
          else if (next.kind === 'get') {
            const answer = await get('x.csv', served);
            expect(answer.bytes).toEqual(expected);
            seen.push({ etag: answer.etag as string, bytes: answer.bytes });
          } else if (next.kind === 'head') {
            const answer = await describeObject(request('x.csv'), served);
            expect(answer).toMatchObject({ contentLength: expected.byteLength, etag: md5Etag(expected) });
            seen.push({ etag: answer.etag as string, bytes: expected });
          } else if (next.kind === 'list') {
            const page = await listObjects({ requestId: 'l', caller, bucket: BUCKET, maxKeys: 10 }, served);
            expect(page.objects[0]).toMatchObject({ size: expected.byteLength, etag: md5Etag(expected) });
          } else if (next.kind === 'range') {
            const first = Math.min(next.first, expected.byteLength - 1);
            const answer = await get('x.csv', served, { range: `bytes=${first}-${first + next.length - 1}` });
            expect(answer.bytes).toEqual(expected.subarray(first, first + next.length));
            expect(answer.contentRange).toBe(
              `bytes ${first}-${Math.min(first + next.length, expected.byteLength) - 1}/${expected.byteLength}`,
            );
          } else if (next.kind === 'conditional') {
            const held = seen[next.remembered % Math.max(1, seen.length)];
            if (held === undefined) continue;
            // Only an ETag of exactly the current bytes may match: a 304 never stands for other bytes.
            if (next.header === 'ifNoneMatch') {
              const outcome = await get('x.csv', served, { ifNoneMatch: held.etag }).catch(
                (error: unknown) => error,
              );
              if (outcome instanceof NotModifiedError) expect(held.bytes).toEqual(expected);
              else {
                expect(outcome).toMatchObject({ bytes: expected });
                expect(held.bytes).not.toEqual(expected);
              }
            } else {
              const outcome = await get('x.csv', served, { ifMatch: held.etag }).catch(
                (error: unknown) => error,
              );
              if (outcome instanceof PreconditionFailedError) expect(held.bytes).not.toEqual(expected);
              else {
                expect(outcome).toMatchObject({ bytes: expected });
                expect(held.bytes).toEqual(expected);
              }
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('matches the streamed ETag of the same bytes once the view exists, and no ETag of an older version', async () => {
    const { bucket, deps } = await world({ 'x.csv': { body: Buffer.from(csv(20)) } });
    const streamed = await get('x.csv', deps());
    const viewed = await get('x.csv', deps());
    expect(streamed.etag).toMatch(STREAMED_ETAG);
    expect(viewed.etag).toBe(md5Etag(viewed.bytes));

    for (const held of [streamed.etag, viewed.etag]) {
      const notModified = await get('x.csv', deps(), { ifNoneMatch: held }).catch((error: unknown) => error);
      expect(notModified).toBeInstanceOf(NotModifiedError);
      expect(notModified).toMatchObject({ etag: viewed.etag });
      expect(await get('x.csv', deps(), { ifMatch: held, range: 'bytes=0-3' })).toMatchObject({
        status: 206,
      });
    }

    bucket.set('x.csv', { body: Buffer.from(csv(21)) });
    for (const held of [streamed.etag, viewed.etag]) {
      const fresh = await get('x.csv', deps(), { ifNoneMatch: held });
      expect(fresh.etag).not.toBe(held);
      expect(fresh.bytes).not.toEqual(viewed.bytes);
      await expect(get('x.csv', deps(), { ifMatch: held })).rejects.toBeInstanceOf(PreconditionFailedError);
    }
  });

  it('streams a GET as without a store when the store cannot be read, and fails HEAD with 503 rather than guess a length', async () => {
    const { deps, store } = await world({ 'a.csv': { body: Buffer.from(csv(20)) } });
    const failing: ViewStore = {
      ...store,
      async get() {
        throw new ServiceUnavailableError('the view store cannot be reached');
      },
    };
    const broken: ServeDependencies = {
      ...deps(),
      views: { store: failing, materializer: createViewMaterializer(failing), budgetMs: AMPLE_BUDGET_MS },
    };
    const expected = (await get('a.csv', deps({ hasViews: false }))).bytes;

    const streamed = await get('a.csv', broken);
    expect(streamed.bytes).toEqual(expected);
    expect(streamed.etag).toMatch(STREAMED_ETAG);
    await expect(describeObject(request('a.csv'), broken)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  describe('LIST', () => {
    it('lists the Size and ETag HEAD answers, leaves out what GET refuses for its content, and gives a passthrough object its stored size', async () => {
      const raw = Buffer.concat([PNG, Buffer.from(` ${SSN}`)]);
      const { deps } = await world({
        'a.csv': { body: Buffer.from(csv(10)) },
        'b.log': { body: Buffer.from(`ssn ${SSN}\nmail ${EMAIL}\n`) },
        'c.json': { body: Buffer.from(JSON.stringify({ email: EMAIL, n: 1 })) },
        'd/e.ndjson': { body: Buffer.from(`{"ssn":"${SSN}"}\n`) },
        'logo.png': { body: PNG, contentType: 'image/png' },
        'raw/logo.png': { body: raw, contentType: 'image/png' },
      });
      const rules = { ruleFields: { passthrough: { prefixes: ['raw/'] } } };
      const list = (given: ServeDependencies) =>
        listObjects({ requestId: 'l', caller, bucket: BUCKET, maxKeys: 100 }, given);
      const without = await list(deps({ ...rules, hasViews: false }));
      const page = await list(deps(rules));

      const readable = ['a.csv', 'b.log', 'c.json', 'd/e.ndjson', 'raw/logo.png'];
      expect(without.objects.map((object) => object.key)).toEqual([
        ...readable.slice(0, 4),
        'logo.png',
        'raw/logo.png',
      ]);
      expect(without.objects.every((object) => object.size === undefined)).toBe(true);
      expect(page.objects.map((object) => object.key)).toEqual(readable);
      for (const object of page.objects) {
        const head = await describeObject(request(object.key), deps(rules));
        expect(object).toMatchObject({ size: head.contentLength, etag: head.etag });
      }
      expect(page.objects.at(-1)).toMatchObject({
        size: raw.byteLength,
        etag: expect.stringMatching(STREAMED_ETAG),
      });
      await expect(describeObject(request('logo.png'), deps(rules))).rejects.toMatchObject({
        code: 'UnsupportedFormat',
      });
    });

    it('makes the missing views of a listing in parallel, never more at once than the materializer allows', async () => {
      const keys = Array.from({ length: 12 }, (_, at) => `k${String(at).padStart(2, '0')}.csv`);
      const { deps, store } = await world(
        Object.fromEntries(keys.map((key, at) => [key, { body: Buffer.from(csv(20 + at)) }])),
      );
      let active = 0;
      let mostActive = 0;
      const watched: ViewStore = {
        ...store,
        async create(id) {
          const writer = await store.create(id);
          active += 1;
          mostActive = Math.max(mostActive, active);
          const done = () => {
            active -= 1;
          };
          return {
            write: (chunk) => writer.write(chunk),
            commit: (metadata) => writer.commit(metadata).finally(done),
            abort: () => writer.abort().finally(done),
          };
        },
      };
      const given = deps();
      const bounded = {
        ...given,
        views: {
          store: watched,
          materializer: createViewMaterializer(watched, { maxConcurrent: 3 }),
          budgetMs: AMPLE_BUDGET_MS,
        },
      };
      const page = await listObjects({ requestId: 'l', caller, bucket: BUCKET, maxKeys: 100 }, bounded);
      expect(page.objects.every((object) => typeof object.size === 'number' && object.size > 0)).toBe(true);
      expect(mostActive).toBeGreaterThan(1);
      expect(mostActive).toBeLessThanOrEqual(3);
    });
  });

  it('records one audit line per view answer with the view counts and the bytes sent, and charges them to the byte budget', async () => {
    const limiter = createMemoryRateLimiter();
    const { deps, events } = await world({ 'a.csv': { body: Buffer.from(csv(10)) } });
    const given = deps({
      rateLimiter: limiter,
      ruleFields: { rateLimit: { requestsPerWindow: 100, bytesPerDay: 1_000_000 } },
    });
    const streamed = await get('a.csv', given);
    events.length = 0;
    const viewed = await get('a.csv', given);
    const range = await get('a.csv', given, { range: 'bytes=5-24' });
    await describeObject(request('a.csv'), given);

    expect(events).toHaveLength(3);
    expect(events.map((event) => [event.operation, event.status, event.bytesOut])).toEqual([
      ['GetObject', 200, viewed.bytes.byteLength],
      ['GetObject', 206, 20],
      ['HeadObject', 200, 0],
    ]);
    for (const event of events) expect(event.counts).toEqual({ 'us-ssn': 10, email: 10 });
    const spent =
      1_000_000 -
      (await limiter.remaining('bytes:test:reader', { points: 1_000_000, windowSeconds: 86_400 }));
    expect(spent).toBe(streamed.bytes.byteLength + viewed.bytes.byteLength + range.bytes.byteLength);
  });

  it('ends a view answer the client leaves: one audit line for the bytes it took', async () => {
    const { deps, events } = await world({ 'a.csv': { body: Buffer.from(csv(4000)) } });
    await get('a.csv', deps());
    events.length = 0;
    const response = await serveObject(request('a.csv'), deps());
    const iterator = response.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    await iterator.return?.();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      decision: 'allow',
      status: 200,
      bytesOut: first.value?.byteLength,
      reason: expect.stringMatching(/^ClientDisconnected/),
    });
  });
});

/** The id of the view `deps()` serves of `key` as of `head` (rule set `v1`, token key `k1`). */
function viewIdOf(key: string, head: { etag?: string | undefined }): string {
  const compiled = compilation('v1');
  const ruleSet = ruleSetSchema.parse({ name: 'test' });
  return viewId(
    viewIdentityOf(
      { bucket: BUCKET, key, grant: { ruleSet, compiled }, tokenKeyIds: ['k1'] },
      head.etag as string,
    ),
  );
}
