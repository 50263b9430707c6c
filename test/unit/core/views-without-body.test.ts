import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalViewStore } from '../../../functions/adapters/local-view-store.ts';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import type { Caller } from '../../../functions/core/caller.ts';
import { describeObject } from '../../../functions/core/describe-object.ts';
import { NotModifiedError, SlowDownError, UnsupportedFormatError } from '../../../functions/core/errors.ts';
import { listObjects } from '../../../functions/core/list-objects.ts';
import type { ObjectLocation, ObjectSource } from '../../../functions/core/ports/object-source.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import type { RuleRegistry } from '../../../functions/core/rule-registry.ts';
import { type ServeDependencies, serveObject } from '../../../functions/core/serve-object.ts';
import { createRequestedViews } from '../../../functions/core/views/requested-views.ts';
import { createViewMaterializer } from '../../../functions/core/views/view-materializer.ts';
import { warmObjectViews } from '../../../functions/core/views/warm-object-views.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';
import { type MemoryObject, memoryObjectSource } from '../support/memory-object-source.ts';

const caller: Caller = { id: 'reader', kind: 'iam' };
const BUCKET = 'b';
const BUDGET_MS = 10_000;
const SSN = '123-45-6789';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

const md5Etag = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;
const csv = (rows: number) =>
  `name,ssn\n${Array.from({ length: rows }, (_, i) => `row ${i},${SSN}\n`).join('')}`;

/**
 * Object Lambda's HEAD and LIST in memory: a source that lists and heads but cannot read a body,
 * a view store, a materializer that runs when the queue says so (`deliver`), and a clock that
 * moves only when the code under test waits.
 */
async function world(objects: Record<string, MemoryObject>) {
  const directory = await mkdtemp(join(tmpdir(), 'maskpoint-views-without-body-'));
  directories.push(directory);
  const store = createLocalViewStore({ directory, maxBytes: 2 ** 30 });
  const readable = memoryObjectSource(new Map(Object.entries(objects)));
  const headOnly: ObjectSource = {
    getObject: () => Promise.reject(new Error('this source reads no body')),
    headObject: (location, conditions) => readable.headObject(location, conditions),
    listObjects: (request) => readable.listObjects(request),
  };
  const rules: RuleRegistry = {
    ruleSets: [ruleSetSchema.parse({ name: 'test', passthrough: { prefixes: ['raw/'] } })],
    compiled: new Map([['test', compiledRuleSetOf(sampleDetectors())]]),
  };
  const materializer = createViewMaterializer(store);
  const queued: Pick<ObjectLocation, 'bucket' | 'key'>[] = [];
  let time = 0;
  /** Runs the materializer on what was queued: the views appear in the store. */
  async function deliver() {
    for (const object of queued.splice(0)) {
      await warmObjectViews(object, {
        rules,
        tokenKeyIds: ['k1'],
        store,
        materializer,
        source: readable,
        openRedaction: openRedactionStream,
      });
    }
  }
  let onWait: (() => Promise<void>) | undefined;
  const requested = createRequestedViews(
    store,
    { request: async (asked) => void queued.push(...asked) },
    {
      patienceMs: 2 * BUDGET_MS,
      now: () => time,
      sleep: async (ms) => {
        time += ms;
        await onWait?.();
      },
    },
  );
  const base = {
    rules,
    rateLimiter: createMemoryRateLimiter(),
    audit: { record: () => undefined },
    openRedaction: openRedactionStream,
    tokenKeyIds: ['k1'],
    now: () => time,
  };
  /** What the Object Lambda HEAD and LIST see. */
  const headDeps: ServeDependencies = {
    ...base,
    source: headOnly,
    views: { store, materializer, budgetMs: BUDGET_MS, requested },
  };
  /** What a GET sees (the same store and rules, a source that reads bodies). */
  const getDeps: ServeDependencies = { ...headDeps, source: readable };
  return {
    headDeps,
    getDeps,
    queued,
    deliver,
    advance: (ms: number) => {
      time += ms;
    },
    /** The materializer runs during the next waits. */
    deliverWhileWaiting: () => {
      onWait = deliver;
    },
  };
}

const request = (key: string, fields: Record<string, unknown> = {}) => ({
  requestId: 'r',
  caller,
  bucket: BUCKET,
  key,
  ...fields,
});

async function getBody(key: string, deps: ServeDependencies): Promise<Buffer> {
  const response = await serveObject(request(key), deps);
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('HEAD and LIST of a source that reads no body, with a view store and a materializer queue', () => {
  it('answers HEAD from the view a GET kept: exact length, MD5 ETag, conditions on it and on the streamed ETag', async () => {
    const w = await world({ 'a.csv': { body: Buffer.from(csv(30)), contentType: 'text/csv' } });
    const streamed = await serveObject(request('a.csv'), w.getDeps);
    const chunks: Uint8Array[] = [];
    for await (const chunk of streamed.body) chunks.push(chunk);
    const body = Buffer.concat(chunks);

    const described = await describeObject(request('a.csv'), w.headDeps, { isBodyReadable: false });

    expect(described).toMatchObject({ contentLength: body.byteLength, etag: md5Etag(body) });
    for (const etag of [md5Etag(body), streamed.etag]) {
      await expect(
        describeObject(request('a.csv', { ifNoneMatch: etag }), w.headDeps, { isBodyReadable: false }),
      ).rejects.toBeInstanceOf(NotModifiedError);
    }
    expect(w.queued).toEqual([]);
  });

  it('asks for a missing view, answers 503 SlowDown while it is expected, its length once made, and no length once it is not expected', async () => {
    const w = await world({
      'a.csv': { body: Buffer.from(csv(5)), contentType: 'text/csv' },
      'fake.csv': { body: PNG, contentType: 'text/csv' },
    });
    const head = (key: string) => describeObject(request(key), w.headDeps, { isBodyReadable: false });

    await expect(head('a.csv')).rejects.toBeInstanceOf(SlowDownError);
    await expect(head('fake.csv')).rejects.toBeInstanceOf(SlowDownError);
    expect(w.queued.map((object) => object.key)).toEqual(['a.csv', 'fake.csv']);
    await w.deliver();
    const made = await head('a.csv');
    // The materializer refuses a PNG labelled CSV: no view will come, and the answer has no length.
    const refused = await head('fake.csv');

    expect(made.contentLength).toBe((await getBody('a.csv', w.getDeps)).byteLength);
    expect(refused.contentLength).toBeUndefined();
    expect(refused.etag).toMatch(/-1"$/);
    expect(w.queued).toEqual([]);
  });

  it('waits for the view the materializer makes within the budget', async () => {
    const w = await world({ 'a.csv': { body: Buffer.from(csv(5)), contentType: 'text/csv' } });
    w.deliverWhileWaiting();

    const described = await describeObject(request('a.csv'), w.headDeps, { isBodyReadable: false });

    expect(described.contentLength).toBe((await getBody('a.csv', w.getDeps)).byteLength);
  });

  it('never asks for a view of an object whose labels leave it unsupported, nor of a version named by id', async () => {
    const w = await world({
      'raw/data.bin': { body: PNG, contentType: 'application/octet-stream' },
      'a.csv': { body: Buffer.from(csv(5)), contentType: 'text/csv' },
    });

    const passthrough = await describeObject(request('raw/data.bin'), w.headDeps, { isBodyReadable: false });
    const version = await describeObject(request('a.csv', { versionId: 'v1' }), w.headDeps, {
      isBodyReadable: false,
    });

    expect(passthrough.contentLength).toBeUndefined();
    expect(version.contentLength).toBeUndefined();
    expect(w.queued).toEqual([]);
  });

  it('answers HEAD of an unlabelled mail from the view its GET kept, refuses it before, and never asks for one', async () => {
    const mail = `Return-Path: <ada@example.com>\r\nMIME-Version: 1.0\r\nFrom: ada@example.com\r\n\r\nSSN ${SSN}\r\n`;
    const w = await world({
      'inbox/0f3k2': { body: Buffer.from(mail), contentType: 'application/octet-stream' },
    });
    const head = () => describeObject(request('inbox/0f3k2'), w.headDeps, { isBodyReadable: false });

    await expect(head()).rejects.toBeInstanceOf(UnsupportedFormatError);
    const body = await getBody('inbox/0f3k2', w.getDeps);
    const described = await head();

    expect(body.toString()).not.toContain(SSN);
    expect(described).toMatchObject({ contentLength: body.byteLength, etag: md5Etag(body) });
    expect(w.queued).toEqual([]);
  });

  it('lists the sizes of the views it finds, asks in one request for all it misses, and lists without a size those no longer expected', async () => {
    const w = await world({
      'a.csv': { body: Buffer.from(csv(3)), contentType: 'text/csv' },
      'b.csv': { body: Buffer.from(csv(4)), contentType: 'text/csv' },
      'c.log': { body: Buffer.from(`ssn ${SSN}\n`) },
      'raw/x.bin': { body: PNG },
    });
    const list = () =>
      listObjects({ requestId: 'l', caller, bucket: BUCKET, maxKeys: 100 }, w.headDeps, {
        isBodyReadable: false,
      });
    const aBody = await getBody('a.csv', w.getDeps);

    await expect(list()).rejects.toBeInstanceOf(SlowDownError);
    expect(w.queued.map((object) => object.key)).toEqual(['b.csv', 'c.log', 'raw/x.bin']);
    await w.deliver();
    const page = await list();

    const sizes = Object.fromEntries(page.objects.map((object) => [object.key, object.size]));
    expect(sizes).toEqual({
      'a.csv': aBody.byteLength,
      'b.csv': (await getBody('b.csv', w.getDeps)).byteLength,
      'c.log': (await getBody('c.log', w.getDeps)).byteLength,
      // A passthrough object never gets a view: listed without a size, never its stored one.
      'raw/x.bin': undefined,
    });
    expect(page.objects.find((object) => object.key === 'a.csv')?.etag).toBe(md5Etag(aBody));
  });

  it('asks for the views a LIST misses in the listing order, however long each lookup takes (generated)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(3), { minLength: 2, maxLength: 8 }), async (delays) => {
        const keys = delays.map((_, at) => `k${at}.csv`);
        const w = await world(
          Object.fromEntries(
            keys.map((key) => [key, { body: Buffer.from(csv(1)), contentType: 'text/csv' }]),
          ),
        );
        const views = w.headDeps.views as NonNullable<ServeDependencies['views']>;
        let lookups = 0;
        // Each lookup answers after its own number of timer turns, so they finish out of order.
        const store = {
          ...views.store,
          get: async (id: string) => {
            const delay = delays[lookups++ % delays.length] ?? 0;
            for (let turn = 0; turn < delay; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
            return views.store.get(id);
          },
        };
        const deps = { ...w.headDeps, views: { ...views, store } };

        await expect(
          listObjects({ requestId: 'l', caller, bucket: BUCKET, maxKeys: 100 }, deps, {
            isBodyReadable: false,
          }),
        ).rejects.toBeInstanceOf(SlowDownError);

        expect(w.queued.map((object) => object.key)).toEqual(keys);
      }),
      { numRuns: 20 },
    );
  });

  it('lists, for any set of objects and views kept, the size of each view present and never another (generated)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        async (rows, kept) => {
          const keys = rows.map((_, at) => `k${at}.csv`);
          const w = await world(
            Object.fromEntries(
              keys.map((key, at) => [
                key,
                { body: Buffer.from(csv(rows[at] ?? 1)), contentType: 'text/csv' },
              ]),
            ),
          );
          const bodies = new Map<string, Buffer>();
          for (const [at, key] of keys.entries())
            if (kept[at]) bodies.set(key, await getBody(key, w.getDeps));
          // Each missing view was asked for longer ago than it is expected.
          const missing = keys.filter((key) => !bodies.has(key));
          if (missing.length > 0) {
            await expect(
              listObjects({ requestId: 'l', caller, bucket: BUCKET, maxKeys: 100 }, w.headDeps, {
                isBodyReadable: false,
              }),
            ).rejects.toBeInstanceOf(SlowDownError);
            w.queued.splice(0);
            w.advance(2 * BUDGET_MS);
          }

          const page = await listObjects(
            { requestId: 'l', caller, bucket: BUCKET, maxKeys: 100 },
            w.headDeps,
            {
              isBodyReadable: false,
            },
          );

          for (const object of page.objects) {
            const body = bodies.get(object.key);
            expect(object.size).toBe(body?.byteLength);
            if (body !== undefined) expect(object.etag).toBe(md5Etag(body));
            else expect(object.etag).toMatch(/-1"$/);
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});
