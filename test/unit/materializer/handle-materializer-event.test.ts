import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import { ServiceUnavailableError } from '../../../functions/core/errors.ts';
import type { ViewMetadata, ViewStore } from '../../../functions/core/ports/view-store.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import type { RuleRegistry } from '../../../functions/core/rule-registry.ts';
import { objectViewsPrefix } from '../../../functions/core/views/view-id.ts';
import { createViewMaterializer } from '../../../functions/core/views/view-materializer.ts';
import {
  type BatchOperationsResponse,
  handleMaterializerEvent,
  type MaterializerDependencies,
} from '../../../functions/materializer/handle-materializer-event.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';
import { type MemoryObject, memoryObjectSource } from '../support/memory-object-source.ts';

const BUCKET = 'mybucket';
const EMAIL = 'planted.person@example.com';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/materializer/${name}`, import.meta.url), 'utf8'));
}

/** The fields of a notification record the tests change. */
interface NotificationRecord {
  eventName: string;
  s3: { bucket: { name: string; arn: string }; object: { key: string } };
}

/** The docs' ObjectCreated:Put message with another event name, bucket and (encoded) key. */
function notification(eventName: string, encodedKey: string, bucket = BUCKET): string {
  const message = fixture('s3-object-created-put.json') as { Records: NotificationRecord[] };
  const record = message.Records[0] as NotificationRecord;
  record.eventName = eventName;
  record.s3.bucket.name = bucket;
  record.s3.bucket.arn = `arn:aws:s3:::${bucket}`;
  record.s3.object.key = encodedKey;
  return JSON.stringify(message);
}

/** The docs' SQS event carrying one message per body, with ids m0, m1, … */
function sqsEvent(...bodies: string[]): unknown {
  const event = fixture('sqs-event.json') as { Records: Record<string, unknown>[] };
  const [record] = event.Records;
  return { Records: bodies.map((body, index) => ({ ...record, messageId: `m${index}`, body })) };
}

/** The docs' Batch Operations invocation of `version` for keys of `bucket`. */
function batchEvent(version: '1.0' | '2.0', encodedKeys: string[], bucket = BUCKET): unknown {
  const event = fixture(`batch-${version}.json`) as { tasks: Record<string, unknown>[] };
  const [task] = event.tasks;
  return {
    ...event,
    tasks: encodedKeys.map((s3Key, index) => ({
      ...task,
      taskId: `t${index}`,
      s3Key,
      ...(version === '1.0' ? { s3BucketArn: `arn:aws:s3:::${bucket}` } : { s3Bucket: bucket }),
    })),
  };
}

/** S3's form encoding of a key: %XX escapes, a space as `+` (slashes kept as they are). */
function encodeLikeS3(key: string): string {
  return encodeURIComponent(key).replaceAll('%20', '+').replaceAll('%2F', '/');
}

function memoryStore(options: { isFailing?: boolean } = {}) {
  const views = new Map<string, { metadata: ViewMetadata; bytes: Buffer }>();
  const deletedPrefixes: string[] = [];
  const store: ViewStore = {
    async get(id) {
      return views.get(id)?.metadata;
    },
    async read() {
      return undefined;
    },
    async create(id) {
      if (options.isFailing) throw new ServiceUnavailableError('the view store could not be reached');
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
      if (options.isFailing) throw new ServiceUnavailableError('the view store could not be reached');
      deletedPrefixes.push(prefix);
      for (const id of [...views.keys()]) if (id.startsWith(prefix)) views.delete(id);
    },
  };
  return { store, views, deletedPrefixes };
}

const RULES: RuleRegistry = (() => {
  const parsed = [
    ruleSetSchema.parse({ name: 'default' }),
    ruleSetSchema.parse({
      name: 'partner',
      priority: 5,
      scope: { keys: ['exports/'], callers: ['partner-*'] },
    }),
  ];
  const compiled = compiledRuleSetOf(sampleDetectors());
  return {
    ruleSets: parsed,
    compiled: new Map(
      parsed.map((ruleSet) => [ruleSet.name, { ...compiled, name: ruleSet.name, versionHash: ruleSet.name }]),
    ),
  };
})();

function dependencies(objects: ReadonlyMap<string, MemoryObject>, options: { isFailing?: boolean } = {}) {
  const memory = memoryStore(options);
  const lines: { message: string; fields: Record<string, unknown> }[] = [];
  const log = (message: string, fields: Record<string, unknown>) => lines.push({ message, fields });
  const deps: MaterializerDependencies = {
    bucket: BUCKET,
    source: memoryObjectSource(objects),
    openRedaction: openRedactionStream,
    rules: RULES,
    tokenKeyIds: ['k1:test'],
    store: memory.store,
    materializer: createViewMaterializer(memory.store),
    logger: { info: log, warn: log },
  };
  return { deps, lines, ...memory };
}

const csv = (rows: string[]) => ({
  body: Buffer.from(`id,contact\n${rows.map((row, i) => `${i},${row}\n`).join('')}`),
});

describe('handleMaterializerEvent: S3 event notifications through SQS', () => {
  it('makes the views of a created object for every rule set that can apply', async () => {
    const { deps, views } = dependencies(new Map([['exports/people.csv', csv([EMAIL])]]));

    const response = await handleMaterializerEvent(
      sqsEvent(notification('ObjectCreated:Put', 'exports/people.csv')),
      deps,
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(views.size).toBe(2);
    for (const { bytes } of views.values()) expect(bytes.toString()).toBe('id,contact\n0,[EMAIL]\n');
  });

  it('deletes every view of a removed object', async () => {
    const { deps, views, deletedPrefixes } = dependencies(new Map([['exports/people.csv', csv([EMAIL])]]));
    await handleMaterializerEvent(sqsEvent(notification('ObjectCreated:Put', 'exports/people.csv')), deps);

    const response = await handleMaterializerEvent(
      sqsEvent(notification('ObjectRemoved:Delete', 'exports/people.csv')),
      deps,
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(deletedPrefixes).toEqual([objectViewsPrefix(BUCKET, 'exports/people.csv')]);
    expect(views.size).toBe(0);
  });

  it('ignores the test event S3 sends when notifications are configured', async () => {
    const { deps, views } = dependencies(new Map());
    const response = await handleMaterializerEvent(
      sqsEvent(JSON.stringify(fixture('s3-test-event.json'))),
      deps,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(views.size).toBe(0);
  });

  it('decodes keys as S3 encodes them (+ for a space, %2B for a plus), for generated keys', async () => {
    const segment = fc.string({
      unit: fc.constantFrom(
        'a',
        'Z',
        '0',
        ' ',
        '+',
        '%',
        '&',
        '=',
        '?',
        '#',
        'é',
        '漢',
        '😀',
        '~',
        "'",
        '(',
        ',',
      ),
      minLength: 1,
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 3 }), async (segments) => {
        const key = `${segments.join('/')}.csv`;
        const { deps, views } = dependencies(new Map([[key, csv([EMAIL])]]));

        const response = await handleMaterializerEvent(
          sqsEvent(notification('ObjectCreated:Put', encodeLikeS3(key))),
          deps,
        );

        expect(response).toEqual({ batchItemFailures: [] });
        expect(views.size).toBe(1);
      }),
      { numRuns: 150 },
    );
  });

  it('fails only the message whose view could not be stored, to be delivered again', async () => {
    const { deps } = dependencies(new Map([['a.csv', csv([EMAIL])]]), { isFailing: true });
    const response = await handleMaterializerEvent(
      sqsEvent(JSON.stringify(fixture('s3-test-event.json')), notification('ObjectCreated:Put', 'a.csv')),
      deps,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it('fails a removal whose views could not be deleted', async () => {
    const { deps } = dependencies(new Map(), { isFailing: true });
    const response = await handleMaterializerEvent(
      sqsEvent(notification('ObjectRemoved:Delete', 'a.csv')),
      deps,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
  });

  it('does not retry a refused object: its format will not change', async () => {
    const { deps, views, lines } = dependencies(new Map([['image.png', { body: PNG }]]));
    const response = await handleMaterializerEvent(
      sqsEvent(notification('ObjectCreated:Put', 'image.png')),
      deps,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(views.size).toBe(0);
    expect(lines.at(-1)?.fields.outcomes).toEqual([
      { ruleSet: 'default', kind: 'refused', reason: 'UnsupportedFormat' },
    ]);
  });

  it.each([
    ['not JSON', 'test'],
    ['not an S3 notification', '{"Records":[{"eventName":"x"}]}'],
    ['a key that is not URL encoding', notification('ObjectCreated:Put', 'bad%zzkey.csv')],
  ])('fails a message that is %s, and no other', async (_, body) => {
    const { deps } = dependencies(new Map([['a.csv', csv([EMAIL])]]));
    const response = await handleMaterializerEvent(
      sqsEvent(notification('ObjectCreated:Put', 'a.csv'), body),
      deps,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it('ignores an event for another bucket', async () => {
    const { deps, views } = dependencies(new Map([['a.csv', csv([EMAIL])]]));
    const response = await handleMaterializerEvent(
      sqsEvent(notification('ObjectCreated:Put', 'a.csv', 'other')),
      deps,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(views.size).toBe(0);
  });

  it('never logs or answers with the content of an object it refuses', async () => {
    const malformed = { body: Buffer.from(`{"contact":"${EMAIL}", oops}`), contentType: 'application/json' };
    const { deps, lines } = dependencies(new Map([['bad.json', malformed]]));
    const response = await handleMaterializerEvent(
      sqsEvent(notification('ObjectCreated:Put', 'bad.json')),
      deps,
    );
    expect(lines.at(-1)?.fields.outcomes).toEqual([
      { ruleSet: 'default', kind: 'refused', reason: 'MalformedObject' },
    ]);
    expect(JSON.stringify({ response, lines })).not.toContain(EMAIL);
  });
});

describe('handleMaterializerEvent: S3 Batch Operations', () => {
  it.each(['1.0', '2.0'] as const)(
    'answers schema %s with one result per task, as the docs shape it',
    async (version) => {
      const { deps, views } = dependencies(
        new Map<string, MemoryObject>([
          ['exports/people.csv', csv([EMAIL])],
          ['red flower.csv', csv([EMAIL])],
          ['image.png', { body: PNG }],
        ]),
      );
      const event = batchEvent(version, ['exports/people.csv', 'red+flower.csv', 'image.png', 'gone.csv']);

      const response = (await handleMaterializerEvent(event, deps)) as BatchOperationsResponse;

      expect(response).toEqual({
        invocationSchemaVersion: version,
        treatMissingKeysAs: 'PermanentFailure',
        invocationId: 'YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo',
        results: [
          { taskId: 't0', resultCode: 'Succeeded', resultString: 'default: made, partner: made' },
          { taskId: 't1', resultCode: 'Succeeded', resultString: 'default: made' },
          {
            taskId: 't2',
            resultCode: 'PermanentFailure',
            resultString: 'default: refused UnsupportedFormat',
          },
          { taskId: 't3', resultCode: 'PermanentFailure', resultString: 'default: refused NoSuchKey' },
        ],
      });
      expect(views.size).toBe(3);
    },
  );

  it('answers TemporaryFailure when the store fails, so the task is retried', async () => {
    const { deps } = dependencies(new Map([['a.csv', csv([EMAIL])]]), { isFailing: true });
    const response = (await handleMaterializerEvent(
      batchEvent('2.0', ['a.csv']),
      deps,
    )) as BatchOperationsResponse;
    expect(response.results).toEqual([
      { taskId: 't0', resultCode: 'TemporaryFailure', resultString: 'default: failed ServiceUnavailable' },
    ]);
  });

  it('refuses a task for another bucket', async () => {
    const { deps } = dependencies(new Map([['a.csv', csv([EMAIL])]]));
    const response = (await handleMaterializerEvent(
      batchEvent('1.0', ['a.csv'], 'other'),
      deps,
    )) as BatchOperationsResponse;
    expect(response.results).toEqual([
      {
        taskId: 't0',
        resultCode: 'PermanentFailure',
        resultString: 'WrongBucket: this materializer warms mybucket only',
      },
    ]);
  });

  it('answers Succeeded for a key no rule set covers: there is nothing to warm', async () => {
    const { deps } = dependencies(new Map([['a.csv', csv([EMAIL])]]));
    const narrow = {
      ...deps,
      rules: { ruleSets: [RULES.ruleSets[1]], compiled: RULES.compiled } as RuleRegistry,
    };
    const response = (await handleMaterializerEvent(
      batchEvent('2.0', ['a.csv']),
      narrow,
    )) as BatchOperationsResponse;
    expect(response.results).toEqual([
      { taskId: 't0', resultCode: 'Succeeded', resultString: 'no rule set covers the key' },
    ]);
  });

  it('rejects an event that is neither SQS nor Batch Operations', async () => {
    const { deps } = dependencies(new Map());
    await expect(handleMaterializerEvent({ Records: [] }, deps)).rejects.toThrow(
      'the event is neither an SQS event nor an S3 Batch Operations invocation',
    );
  });
});
