import { describe, expect, it } from 'vitest';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import { ServiceUnavailableError } from '../../../functions/core/errors.ts';
import type { ObjectSource } from '../../../functions/core/ports/object-source.ts';
import type { ViewMetadata, ViewStore } from '../../../functions/core/ports/view-store.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import type { RuleRegistry } from '../../../functions/core/rule-registry.ts';
import { createViewMaterializer } from '../../../functions/core/views/view-materializer.ts';
import { type WarmDependencies, warmObjectViews } from '../../../functions/core/views/warm-object-views.ts';
import { warmPrefix } from '../../../functions/core/views/warm-prefix.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';
import { type MemoryObject, memoryObjectSource } from '../support/memory-object-source.ts';

const BUCKET = 'data';
const EMAIL = 'jane.doe@example.com';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

function registry(ruleSets: readonly Record<string, unknown>[]): RuleRegistry {
  const parsed = ruleSets.map((fields) => ruleSetSchema.parse(fields));
  const compiled = compiledRuleSetOf(sampleDetectors());
  return {
    ruleSets: parsed,
    compiled: new Map(
      parsed.map((ruleSet) => [ruleSet.name, { ...compiled, name: ruleSet.name, versionHash: ruleSet.name }]),
    ),
  };
}

/** A `ViewStore` in memory; `failCreate` makes every write fail as an unreachable store would. */
function memoryStore(options: { failCreate?: boolean } = {}) {
  const views = new Map<string, { metadata: ViewMetadata; bytes: Buffer }>();
  const store: ViewStore = {
    async get(id) {
      return views.get(id)?.metadata;
    },
    async read() {
      return undefined;
    },
    async create(id) {
      if (options.failCreate) throw new ServiceUnavailableError('the view store could not be reached');
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
    async deleteObjectViews() {},
  };
  return { store, views };
}

function csv(rows: number): Buffer {
  return Buffer.from(`id,contact\n${Array.from({ length: rows }, (_, i) => `${i},${EMAIL}\n`).join('')}`);
}

function dependencies(
  objects: ReadonlyMap<string, MemoryObject>,
  rules: RuleRegistry,
  store: ViewStore,
  source: ObjectSource = memoryObjectSource(objects),
): WarmDependencies {
  return {
    source,
    openRedaction: openRedactionStream,
    rules,
    tokenKeyIds: ['k1:test'],
    store,
    materializer: createViewMaterializer(store, { maxConcurrent: 4 }),
  };
}

const TWO_RULE_SETS = registry([
  { name: 'default' },
  { name: 'partner', priority: 5, scope: { keys: ['exports/'], callers: ['partner-*'] } },
]);

describe('warmObjectViews', () => {
  it('makes one view per rule set that can apply, and finds them present the next time', async () => {
    const objects = new Map([['exports/a.csv', { body: csv(3) }]]);
    const { store, views } = memoryStore();
    const deps = dependencies(objects, TWO_RULE_SETS, store);

    const first = await warmObjectViews({ bucket: BUCKET, key: 'exports/a.csv' }, deps);
    const second = await warmObjectViews({ bucket: BUCKET, key: 'exports/a.csv' }, deps);

    expect(first.map((outcome) => [outcome.ruleSet, outcome.kind])).toEqual([
      ['default', 'made'],
      ['partner', 'made'],
    ]);
    expect(second.map((outcome) => outcome.kind)).toEqual(['present', 'present']);
    expect(views.size).toBe(2);
    for (const { bytes } of views.values()) {
      expect(bytes.toString()).not.toContain(EMAIL);
      expect(bytes.toString().split('\n')).toHaveLength(5);
    }
  });

  it('warms nothing and reads nothing for a key no rule set covers', async () => {
    const rules = registry([{ name: 'exports-only', scope: { keys: ['exports/'] } }]);
    const source = memoryObjectSource(new Map([['logs/a.log', { body: csv(1) }]]));
    const { store } = memoryStore();

    expect(
      await warmObjectViews(
        { bucket: BUCKET, key: 'logs/a.log' },
        dependencies(new Map(), rules, store, source),
      ),
    ).toEqual([]);
    expect(source.bodies.opened).toBe(0);
  });

  it('reports a refused format by its code, never with content', async () => {
    const objects = new Map([['exports/image.png', { body: PNG }]]);
    const { store, views } = memoryStore();

    const outcomes = await warmObjectViews(
      { bucket: BUCKET, key: 'exports/image.png' },
      dependencies(objects, TWO_RULE_SETS, store),
    );

    expect(outcomes).toEqual([
      { ruleSet: 'default', kind: 'refused', reason: 'UnsupportedFormat' },
      { ruleSet: 'partner', kind: 'refused', reason: 'UnsupportedFormat' },
    ]);
    expect(views.size).toBe(0);
  });

  it('reports an object deleted before it was read as refused with NoSuchKey', async () => {
    const { store } = memoryStore();
    const outcomes = await warmObjectViews(
      { bucket: BUCKET, key: 'gone.csv' },
      dependencies(new Map(), TWO_RULE_SETS, store),
    );
    expect(outcomes).toEqual([{ ruleSet: 'default', kind: 'refused', reason: 'NoSuchKey' }]);
  });

  it('reports a store that cannot be written as a failure to retry', async () => {
    const objects = new Map([['a.csv', { body: csv(1) }]]);
    const { store } = memoryStore({ failCreate: true });
    const outcomes = await warmObjectViews(
      { bucket: BUCKET, key: 'a.csv' },
      dependencies(objects, TWO_RULE_SETS, store),
    );
    expect(outcomes).toEqual([{ ruleSet: 'default', kind: 'failed', reason: 'ServiceUnavailable' }]);
  });

  it('reports an unexpected error as InternalError, without its message', async () => {
    const objects = new Map([['a.csv', { body: csv(1) }]]);
    const inner = memoryObjectSource(objects);
    const source: ObjectSource = {
      ...inner,
      async headObject() {
        throw new Error(`socket said ${EMAIL}`);
      },
    };
    const { store } = memoryStore();
    const outcomes = await warmObjectViews(
      { bucket: BUCKET, key: 'a.csv' },
      dependencies(objects, TWO_RULE_SETS, store, source),
    );
    expect(outcomes).toEqual([{ ruleSet: 'default', kind: 'failed', reason: 'InternalError' }]);
    expect(JSON.stringify(outcomes)).not.toContain(EMAIL);
  });
});

describe('warmPrefix', () => {
  it('warms every key under the prefix across listing pages and counts what it did', async () => {
    const objects = new Map<string, MemoryObject>();
    for (let i = 0; i < 1203; i += 1)
      objects.set(`exports/${String(i).padStart(4, '0')}.csv`, { body: csv(1) });
    objects.set('exports/z-image.png', { body: PNG });
    objects.set('logs/outside.csv', { body: csv(1) });
    const { store, views } = memoryStore();
    const deps = dependencies(objects, TWO_RULE_SETS, store);
    const seen: string[] = [];

    const summary = await warmPrefix(
      { bucket: BUCKET, prefix: 'exports/', concurrency: 8 },
      deps,
      ({ key }) => seen.push(key),
    );

    expect(summary).toEqual({
      objects: 1204,
      uncovered: 0,
      viewsMade: 2406,
      viewsPresent: 0,
      redactedBytes: [...views.values()].reduce((sum, view) => sum + view.bytes.byteLength, 0),
      refusals: { UnsupportedFormat: 2 },
      failures: {},
    });
    expect(new Set(seen).size).toBe(1204);
    expect(seen).not.toContain('logs/outside.csv');

    const again = await warmPrefix({ bucket: BUCKET, prefix: 'exports/', concurrency: 8 }, deps);
    expect([again.viewsMade, again.viewsPresent, again.redactedBytes]).toEqual([0, 2406, 0]);
  });

  it('never reads more objects at once than its concurrency', async () => {
    const objects = new Map<string, MemoryObject>();
    for (let i = 0; i < 40; i += 1) objects.set(`k${i}.csv`, { body: csv(50) });
    const inner = memoryObjectSource(objects, { chunkBytes: 16 });
    let heads = 0;
    let maxHeads = 0;
    const source: ObjectSource = {
      ...inner,
      async headObject(location, conditions) {
        heads += 1;
        maxHeads = Math.max(maxHeads, heads);
        try {
          await new Promise((resolve) => setImmediate(resolve));
          return await inner.headObject(location, conditions);
        } finally {
          heads -= 1;
        }
      },
    };
    const { store } = memoryStore();
    const summary = await warmPrefix(
      { bucket: BUCKET, concurrency: 3 },
      dependencies(objects, registry([{ name: 'default' }]), store, source),
    );
    expect(summary.viewsMade).toBe(40);
    expect(maxHeads).toBe(3);
  });

  it('counts keys that no rule set covers', async () => {
    const objects = new Map([
      ['exports/a.csv', { body: csv(1) }],
      ['logs/b.csv', { body: csv(1) }],
    ]);
    const { store } = memoryStore();
    const summary = await warmPrefix(
      { bucket: BUCKET, concurrency: 2 },
      dependencies(objects, registry([{ name: 'exports', scope: { keys: ['exports/'] } }]), store),
    );
    expect([summary.objects, summary.uncovered, summary.viewsMade]).toEqual([2, 1, 1]);
  });

  it('rejects with the listing’s error when the bucket cannot be listed', async () => {
    const inner = memoryObjectSource(new Map());
    const source: ObjectSource = {
      ...inner,
      async listObjects() {
        throw new ServiceUnavailableError('the source bucket could not be reached');
      },
    };
    const { store } = memoryStore();
    await expect(
      warmPrefix({ bucket: BUCKET, concurrency: 4 }, dependencies(new Map(), TWO_RULE_SETS, store, source)),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
