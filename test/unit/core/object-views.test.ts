import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import type { AccessGrant } from '../../../functions/core/access-policy.ts';
import type { Caller } from '../../../functions/core/caller.ts';
import { ServiceUnavailableError, UnsupportedFormatError } from '../../../functions/core/errors.ts';
import type { ObjectSource } from '../../../functions/core/ports/object-source.ts';
import type { ViewMetadata, ViewStore } from '../../../functions/core/ports/view-store.ts';
import { type RuleSet, ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { chooseRuleSet } from '../../../functions/core/redaction/scope-match.ts';
import type { RuleRegistry } from '../../../functions/core/rule-registry.ts';
import { serveObject } from '../../../functions/core/serve-object.ts';
import {
  headForViews,
  objectView,
  ruleSetsForKey,
  viewKeyIds,
} from '../../../functions/core/views/object-views.ts';
import { viewId } from '../../../functions/core/views/view-id.ts';
import {
  createViewMaterializer,
  UnstorableViewError,
} from '../../../functions/core/views/view-materializer.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';
import { type MemoryObject, memoryObjectSource } from '../support/memory-object-source.ts';

const BUCKET = 'data';
const EMAIL = 'jane.doe@example.com';
const SSN = '123-45-6789';
const CALLER: Caller = { id: 'partner', kind: 'gateway-key' };
const KEY_IDS = ['k1:test'];

function registry(ruleSets: readonly Record<string, unknown>[]): RuleRegistry {
  const parsed = ruleSets.map((fields) => ruleSetSchema.parse(fields));
  const compiled = compiledRuleSetOf(sampleDetectors());
  return {
    ruleSets: parsed,
    compiled: new Map(
      parsed.map((ruleSet) => [
        ruleSet.name,
        { ...compiled, name: ruleSet.name, versionHash: `v-${ruleSet.name}` },
      ]),
    ),
  };
}

function grantOf(rules: RuleRegistry, name: string): AccessGrant {
  const ruleSet = rules.ruleSets.find((candidate) => candidate.name === name);
  const compiled = rules.compiled.get(name);
  if (ruleSet === undefined || compiled === undefined) throw new Error(`no rule set ${name}`);
  return { ruleSet, compiled };
}

/** A `ViewStore` in memory. */
function memoryStore(): ViewStore & { views: Map<string, { metadata: ViewMetadata; bytes: Buffer }> } {
  const views = new Map<string, { metadata: ViewMetadata; bytes: Buffer }>();
  return {
    views,
    async get(id) {
      return views.get(id)?.metadata;
    },
    async read(id) {
      const view = views.get(id);
      return view
        ? (async function* () {
            yield view.bytes;
          })()
        : undefined;
    },
    async create(id) {
      const chunks: Buffer[] = [];
      return {
        async write(chunk) {
          chunks.push(Buffer.from(chunk));
        },
        async commit(metadata) {
          views.set(id, { metadata, bytes: Buffer.concat(chunks) });
        },
        async abort() {},
      };
    },
    async delete(id) {
      views.delete(id);
    },
    async deleteObjectViews(prefix) {
      for (const id of [...views.keys()]) if (id.startsWith(prefix)) views.delete(id);
    },
  };
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('objectView', () => {
  const rules = registry([{ name: 'default' }]);
  const grant = grantOf(rules, 'default');

  it('names the view after the HEAD’s ETag, the version asked for, the rule set and the token keys', async () => {
    const source = memoryObjectSource(new Map([['people.csv', { body: Buffer.from(`email\n${EMAIL}\n`) }]]));
    const head = await headForViews({ bucket: BUCKET, key: 'people.csv' }, source);
    const view = objectView(
      { bucket: BUCKET, key: 'people.csv', versionId: 'v7', grant, tokenKeyIds: KEY_IDS },
      head,
      { source, openRedaction: openRedactionStream },
    );
    expect(view.identity).toEqual({
      bucket: BUCKET,
      key: 'people.csv',
      sourceEtag: head.etag,
      sourceVersionId: 'v7',
      ruleSetName: 'default',
      ruleSetVersion: 'v-default',
      tokenKeyIds: KEY_IDS,
    });
    expect(view.id).toBe(viewId(view.identity));
  });

  it('makes a view whose bytes, type and encoding are those GET serves, for any object', async () => {
    const kinds = {
      csv: `id,contact\n1,${EMAIL}\n2,${SSN}\n`,
      ndjson: `{"email":"${EMAIL}"}\n{"n":1}\n`,
      json: `{"people":[{"contact":"${EMAIL}"}]}`,
      text: `user ${EMAIL} logged in, ssn ${SSN}\n`,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(kinds) as (keyof typeof kinds)[])),
        fc.constantFrom('', '.csv', '.json', '.ndjson', '.log', '.txt'),
        fc.constantFrom(undefined, 'text/plain', 'text/csv', 'application/json', 'application/x-ndjson'),
        fc.boolean(),
        async (kind, extension, contentType, isGzip) => {
          const text = kinds[kind];
          const key = `objects/a${extension}${isGzip ? '.gz' : ''}`;
          const object: MemoryObject = {
            body: isGzip ? gzipSync(text) : Buffer.from(text),
            contentType,
            contentEncoding: isGzip ? 'gzip' : undefined,
          };
          const source = memoryObjectSource(new Map([[key, object]]));
          const deps = {
            source,
            rules,
            rateLimiter: createMemoryRateLimiter(),
            audit: { record() {} },
            openRedaction: openRedactionStream,
          };
          let served: { bytes: Buffer; contentType: string; contentEncoding?: string | undefined } | Error;
          try {
            const response = await serveObject({ requestId: 'r', caller: CALLER, bucket: BUCKET, key }, deps);
            served = {
              bytes: await collect(response.body),
              contentType: response.contentType,
              contentEncoding: response.contentEncoding,
            };
          } catch (error) {
            served = error as Error;
          }
          const store = memoryStore();
          const head = await headForViews({ bucket: BUCKET, key }, source);
          const view = objectView({ bucket: BUCKET, key, grant, tokenKeyIds: KEY_IDS }, head, deps);
          const made = await createViewMaterializer(store)
            .materialize(view.identity, view.open)
            .catch((error: Error) => error);
          if (served instanceof Error) {
            expect(made).toBeInstanceOf(served.constructor);
            expect(store.views.size).toBe(0);
            return;
          }
          if (made instanceof Error) throw made;
          expect(store.views.get(view.id)?.bytes.equals(served.bytes)).toBe(true);
          expect(made.contentType).toBe(served.contentType);
          expect(made.contentEncoding).toBe(served.contentEncoding);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects with ServiceUnavailable and stores nothing when the object changed after the HEAD', async () => {
    const objects = new Map<string, MemoryObject>([['a.csv', { body: Buffer.from(`email\n${EMAIL}\n`) }]]);
    const source = memoryObjectSource(objects);
    const head = await headForViews({ bucket: BUCKET, key: 'a.csv' }, source);
    objects.set('a.csv', { body: Buffer.from(`email\n${EMAIL}\nsecond@example.com\n`) });
    const store = memoryStore();
    const view = objectView({ bucket: BUCKET, key: 'a.csv', grant, tokenKeyIds: KEY_IDS }, head, {
      source,
      openRedaction: openRedactionStream,
    });
    await expect(createViewMaterializer(store).materialize(view.identity, view.open)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(store.views.size).toBe(0);
    expect(source.bodies.opened).toBe(0);
  });

  it('asks the source for the HEAD’s ETag with If-Match, so a changed object is never read', async () => {
    const seen: unknown[] = [];
    const inner = memoryObjectSource(new Map([['a.csv', { body: Buffer.from(`email\n${EMAIL}\n`) }]]));
    const source: ObjectSource = {
      ...inner,
      getObject(location, conditions) {
        seen.push(conditions);
        return inner.getObject(location, conditions);
      },
    };
    const head = await headForViews({ bucket: BUCKET, key: 'a.csv' }, source);
    const view = objectView({ bucket: BUCKET, key: 'a.csv', grant, tokenKeyIds: KEY_IDS }, head, {
      source,
      openRedaction: openRedactionStream,
    });
    await createViewMaterializer(memoryStore()).materialize(view.identity, view.open);
    expect(seen).toEqual([{ ifMatch: head.etag }]);
  });

  it('rejects a passthrough object with UnstorableViewError: a view never holds raw bytes', async () => {
    const passRules = registry([{ name: 'default', passthrough: { prefixes: ['raw/'] } }]);
    const source = memoryObjectSource(
      new Map([
        ['raw/image.png', { body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]) }],
      ]),
    );
    const store = memoryStore();
    const head = await headForViews({ bucket: BUCKET, key: 'raw/image.png' }, source);
    const view = objectView(
      { bucket: BUCKET, key: 'raw/image.png', grant: grantOf(passRules, 'default'), tokenKeyIds: KEY_IDS },
      head,
      { source, openRedaction: openRedactionStream },
    );
    await expect(createViewMaterializer(store).materialize(view.identity, view.open)).rejects.toBeInstanceOf(
      UnstorableViewError,
    );
    expect(store.views.size).toBe(0);
    expect(source.bodies.closed).toBe(source.bodies.opened);
  });

  it('closes the stored object when its format is refused', async () => {
    const source = memoryObjectSource(
      new Map([['image.png', { body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]) }]]),
    );
    const head = await headForViews({ bucket: BUCKET, key: 'image.png' }, source);
    const view = objectView({ bucket: BUCKET, key: 'image.png', grant, tokenKeyIds: KEY_IDS }, head, {
      source,
      openRedaction: openRedactionStream,
    });
    await expect(view.open()).rejects.toBeInstanceOf(UnsupportedFormatError);
    expect(source.bodies).toEqual({ opened: 1, closed: 1 });
  });

  it('rejects an object without an ETag with UnstorableViewError', async () => {
    const inner = memoryObjectSource(new Map([['a.csv', { body: Buffer.from('a\n1\n') }]]));
    const source: ObjectSource = {
      ...inner,
      async headObject(location, conditions) {
        return { ...(await inner.headObject(location, conditions)), etag: undefined };
      },
    };
    await expect(headForViews({ bucket: BUCKET, key: 'a.csv' }, source)).rejects.toBeInstanceOf(
      UnstorableViewError,
    );
  });
});

describe('viewKeyIds', () => {
  const keysOf = (id: string, byte: number) => ({
    currentKeyId: id,
    keys: new Map([[id, new Uint8Array(32).fill(byte)]]),
  });

  it('tells apart keys that share an id but not their bytes', () => {
    expect(viewKeyIds(keysOf('k1', 1))).not.toEqual(viewKeyIds(keysOf('k1', 2)));
    expect(viewKeyIds(keysOf('k1', 1))).toEqual(viewKeyIds(keysOf('k1', 1)));
  });

  it('names the key id but never the key bytes', () => {
    const [entry] = viewKeyIds(keysOf('k1', 0xab));
    expect(entry?.startsWith('k1:')).toBe(true);
    expect(entry).not.toContain('ab'.repeat(8));
  });
});

describe('ruleSetsForKey', () => {
  it('lists the rule sets whose bucket and key globs match, whatever their callers', () => {
    const rules = registry([
      { name: 'default', scope: { buckets: ['*'], keys: ['**'], callers: ['*'] } },
      {
        name: 'partner',
        priority: 5,
        scope: { buckets: [BUCKET], keys: ['exports/'], callers: ['partner-*'] },
      },
      { name: 'logs', priority: 5, scope: { buckets: [BUCKET], keys: ['logs/**'], callers: ['*'] } },
      { name: 'other-bucket', priority: 5, scope: { buckets: ['other'], keys: ['**'], callers: ['*'] } },
    ]);
    expect(ruleSetsForKey(rules, BUCKET, 'exports/a.csv').map((grant) => grant.ruleSet.name)).toEqual([
      'default',
      'partner',
    ]);
  });

  it('leaves out rule sets below one that every caller gets at a higher priority', () => {
    const rules = registry([
      { name: 'strict', priority: 10, scope: { keys: ['exports/'], callers: ['*'] } },
      { name: 'partner', priority: 5, scope: { keys: ['exports/'], callers: ['partner-a'] } },
      { name: 'default', priority: 0 },
    ]);
    expect(ruleSetsForKey(rules, BUCKET, 'exports/a.csv').map((grant) => grant.ruleSet.name)).toEqual([
      'strict',
    ]);
  });

  it('holds the rule set any caller is served with, for generated rule sets, keys and callers', () => {
    const glob = fc.constantFrom('*', '**', 'exports/', 'exports/*.csv', 'logs/**', 'a.csv', '*.csv');
    const callerGlob = fc.constantFrom('*', 'partner-*', 'partner-a', 'arn:aws:iam::1:role/*', 'x?');
    const ruleSetArb = fc.record({
      priority: fc.integer({ min: 0, max: 3 }),
      keys: fc.array(glob, { minLength: 1, maxLength: 2 }),
      callers: fc.array(callerGlob, { minLength: 1, maxLength: 2 }),
      buckets: fc.constantFrom([BUCKET], ['*'], ['other']),
    });
    fc.assert(
      fc.property(
        fc.array(ruleSetArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('a.csv', 'exports/a.csv', 'exports/deep/b.json', 'logs/x.log', 'other.txt'),
        fc.constantFrom('partner-a', 'partner-b', 'arn:aws:iam::1:role/r', 'xy', 'someone'),
        (specs, key, callerId) => {
          const rules = registry(
            specs.map((spec, index) => ({
              name: `r${index}`,
              priority: spec.priority,
              scope: { buckets: spec.buckets, keys: spec.keys, callers: spec.callers },
            })),
          );
          const chosen = chooseRuleSet<RuleSet>(rules.ruleSets, {
            bucket: BUCKET,
            key,
            caller: { id: callerId },
          });
          const warmed = ruleSetsForKey(rules, BUCKET, key).map((grant) => grant.ruleSet.name);
          if (chosen !== undefined) expect(warmed).toContain(chosen.name);
        },
      ),
      { numRuns: 500 },
    );
  });
});
