import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLocalViewStore } from '../../../functions/adapters/local-view-store.ts';
import { openRedactionStream } from '../../../functions/adapters/node-redaction-stream.ts';
import { ServiceUnavailableError } from '../../../functions/core/errors.ts';
import type { ViewMetadata, ViewStore } from '../../../functions/core/ports/view-store.ts';
import type { ViewIdentity } from '../../../functions/core/views/view-id.ts';
import {
  createViewMaterializer,
  UnstorableViewError,
  type ViewSource,
} from '../../../functions/core/views/view-materializer.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';

const SSN = '123-45-6789';
const TEXT = `name,ssn,email\n${Array.from({ length: 60 }, (_, i) => `row ${i},${SSN},ada${i}@example.com\n`).join('')}`;
const ruleSet = compiledRuleSetOf(sampleDetectors());

function identityOf(key: string, etag = '"e1"'): ViewIdentity {
  return {
    bucket: 'data',
    key,
    sourceEtag: etag,
    ruleSetName: 'test',
    ruleSetVersion: 'v1',
    tokenKeyIds: [],
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Waits, a bounded number of turns of the event loop, until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000; turn += 1) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

interface StoredObjectOptions {
  readonly chunkBytes?: number;
  /** Chunks served before waiting for `gate` (at least one: the format is decided on the head). */
  readonly chunksBeforeGate?: number;
  readonly gate?: Promise<void>;
  readonly failAfterChunks?: number;
  readonly etag?: string;
  readonly passthrough?: boolean;
}

/** A stored object that counts how often it is opened and whether its body was closed. */
function storedObject(text: string, options: StoredObjectOptions = {}) {
  const state = { opens: 0, chunksRead: 0, closed: 0 };
  const chunkBytes = options.chunkBytes ?? 600;
  async function* raw(): AsyncGenerator<Uint8Array> {
    try {
      const bytes = Buffer.from(text);
      for (let offset = 0, index = 0; offset < bytes.byteLength; offset += chunkBytes, index += 1) {
        if (index === options.failAfterChunks) throw new Error('source connection reset');
        if (index === (options.chunksBeforeGate ?? 1)) await options.gate;
        state.chunksRead += 1;
        yield bytes.subarray(offset, offset + chunkBytes);
      }
    } finally {
      state.closed += 1;
    }
  }
  async function open(): Promise<ViewSource> {
    state.opens += 1;
    const body = raw();
    const contentType = options.passthrough ? 'application/octet-stream' : 'text/csv';
    const redaction = await openRedactionStream(body, {
      ruleSet,
      contentType,
      allowPassthrough: options.passthrough ?? false,
    });
    return {
      source: { etag: options.etag ?? '"e1"', contentType, lastModified: new Date(0), body },
      redaction,
      contentType,
    };
  }
  return { state, open };
}

/** An in-memory store that records what happens to writers and can fail writes. */
function memoryStore(options: { failWriteAt?: number } = {}) {
  const views = new Map<string, { metadata: ViewMetadata; bytes: Buffer }>();
  const events: string[] = [];
  const store: ViewStore = {
    async get(id) {
      return views.get(id)?.metadata;
    },
    async read(id) {
      const view = views.get(id);
      if (view === undefined) return undefined;
      return (async function* () {
        yield view.bytes;
      })();
    },
    async create(id) {
      events.push('create');
      const chunks: Buffer[] = [];
      let writes = 0;
      let isOpen = true;
      return {
        async write(chunk) {
          if (options.failWriteAt === writes++) throw new Error('disk full');
          chunks.push(Buffer.from(chunk));
        },
        async commit(metadata) {
          isOpen = false;
          const bytes = Buffer.concat(chunks);
          if (bytes.byteLength !== metadata.redactedBytes) throw new Error('size mismatch');
          views.set(id, { metadata, bytes });
          events.push('commit');
        },
        async abort() {
          if (isOpen) events.push('abort');
          isOpen = false;
        },
      };
    },
    async delete(id) {
      views.delete(id);
    },
    async deleteObjectViews() {},
  };
  return { store, views, events };
}

const redactedText = async () => {
  const { open } = storedObject(TEXT);
  return collect((await open()).redaction.body);
};

describe('createViewMaterializer', () => {
  it('stores the redacted bytes with their exact size, MD5 and counts, and never a planted value', async () => {
    const { store, views } = memoryStore();
    const object = storedObject(TEXT);
    const materializer = createViewMaterializer(store, { now: () => Date.UTC(2026, 4, 1) });

    const metadata = await materializer.materialize(identityOf('a.log'), object.open);

    const [view] = views.values();
    expect(view?.bytes.toString()).not.toContain(SSN);
    expect(view?.bytes).toEqual(await redactedText());
    expect(metadata).toEqual({
      redactedBytes: view?.bytes.byteLength,
      md5: createHash('md5')
        .update(view?.bytes ?? '')
        .digest('hex'),
      counts: { 'us-ssn': 60, email: 60 },
      createdAt: new Date(Date.UTC(2026, 4, 1)),
      format: 'csv',
      contentType: 'text/csv',
      contentEncoding: undefined,
      sourceLastModified: new Date(0),
    });
  });

  it('answers from the stored view without opening the object again', async () => {
    const { store } = memoryStore();
    const object = storedObject(TEXT);
    const materializer = createViewMaterializer(store);
    const first = await materializer.materialize(identityOf('a.log'), object.open);

    expect(await createViewMaterializer(store).materialize(identityOf('a.log'), object.open)).toEqual(first);
    expect(object.state.opens).toBe(1);
  });

  it('reads the object once for any number of concurrent requests for one view', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 200, max: 3000 }),
        async (n, chunkBytes) => {
          const { store, events } = memoryStore();
          const object = storedObject(TEXT, { chunkBytes });
          const materializer = createViewMaterializer(store);

          const results = await Promise.all(
            Array.from({ length: n }, () => materializer.materialize(identityOf('a.log'), object.open)),
          );

          expect(object.state.opens).toBe(1);
          expect(events).toEqual(['create', 'commit']);
          for (const result of results) expect(result).toEqual(results[0]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('fails every waiter, commits nothing and closes the object when the redaction fails midway', async () => {
    const { store, views, events } = memoryStore();
    const object = storedObject(TEXT, { failAfterChunks: 3 });
    const materializer = createViewMaterializer(store);

    const results = await Promise.allSettled([
      materializer.materialize(identityOf('a.log'), object.open),
      materializer.materialize(identityOf('a.log'), object.open),
    ]);

    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(views.size).toBe(0);
    expect(events).toEqual(['create', 'abort']);
    expect(object.state.closed).toBe(1);
  });

  it('leaves no file at all in a local store when the redaction fails midway, in a tee or not', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'maskpoint-views-'));
    try {
      const materializer = createViewMaterializer(createLocalViewStore({ directory, maxBytes: 1e9 }));

      await expect(
        materializer.materialize(identityOf('a.log'), storedObject(TEXT, { failAfterChunks: 3 }).open),
      ).rejects.toThrow('source connection reset');
      const failing = await storedObject(TEXT, { failAfterChunks: 3 }).open();
      await expect(collect(materializer.tee(identityOf('b.log'), failing))).rejects.toThrow('reset');

      expect(await readdir(directory)).toEqual([]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('commits nothing and closes the object when the store fails a write', async () => {
    const { store, views, events } = memoryStore({ failWriteAt: 1 });
    const object = storedObject(TEXT);

    await expect(createViewMaterializer(store).materialize(identityOf('a.log'), object.open)).rejects.toThrow(
      'disk full',
    );
    expect(views.size).toBe(0);
    expect(events).toEqual(['create', 'abort']);
    expect(object.state.closed).toBe(1);
  });

  it('rejects storing a passthrough object: a view never holds raw bytes', async () => {
    const { store, events } = memoryStore();
    const object = storedObject(`\u0000\u0001binary ${SSN}`, { passthrough: true });

    await expect(
      createViewMaterializer(store).materialize(identityOf('a.bin'), object.open),
    ).rejects.toBeInstanceOf(UnstorableViewError);
    expect(events).toEqual([]);
    expect(object.state.closed).toBe(1);
  });

  it('rejects with a retryable error, storing nothing, when the object changed after its id was computed', async () => {
    const { store, events } = memoryStore();
    const object = storedObject(TEXT, { etag: '"e2"' });

    await expect(
      createViewMaterializer(store).materialize(identityOf('a.log', '"e1"'), object.open),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(events).toEqual([]);
    expect(object.state.closed).toBe(1);
  });

  it('makes at most maxConcurrent views at once; the next starts when one ends', async () => {
    const { store } = memoryStore();
    const gates = [deferred(), deferred(), deferred()];
    const objects = gates.map((gate) => storedObject(TEXT, { gate: gate.promise }));
    const materializer = createViewMaterializer(store, { maxConcurrent: 2 });

    const made = objects.map((object, i) => materializer.materialize(identityOf(`${i}.log`), object.open));
    await until(() => objects[0]?.state.opens === 1 && objects[1]?.state.opens === 1);
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(objects[2]?.state.opens).toBe(0);

    gates[1]?.resolve();
    await made[1];
    await until(() => objects[2]?.state.opens === 1);
    gates[0]?.resolve();
    gates[2]?.resolve();
    await Promise.all(made);
  });

  describe('materializeWithin', () => {
    it('gives up waiting when the budget runs out, and the view is still committed afterwards', async () => {
      const { store, views } = memoryStore();
      const gate = deferred();
      const budget = deferred();
      const object = storedObject(TEXT, { gate: gate.promise });
      let sleeps = 0;
      const materializer = createViewMaterializer(store, {
        sleep: () => (sleeps++ === 0 ? budget.promise : new Promise(() => undefined)),
      });

      const answer = materializer.materializeWithin(identityOf('a.log'), object.open, 5000);
      await until(() => object.state.opens === 1);
      budget.resolve();

      expect(await answer).toBeUndefined();
      expect(views.size).toBe(0);
      gate.resolve();
      await until(() => views.size === 1);
      expect(await materializer.materializeWithin(identityOf('a.log'), object.open, 5000)).toEqual(
        [...views.values()][0]?.metadata,
      );
      expect(object.state.opens).toBe(1);
    });

    it('answers the metadata made within the budget and cancels the budget timer', async () => {
      const { store } = memoryStore();
      const signals: AbortSignal[] = [];
      const materializer = createViewMaterializer(store, {
        sleep: (_ms, signal) => {
          signals.push(signal);
          return new Promise(() => undefined);
        },
      });

      const metadata = await materializer.materializeWithin(
        identityOf('a.log'),
        storedObject(TEXT).open,
        5000,
      );

      expect(metadata?.redactedBytes).toBe((await redactedText()).byteLength);
      expect(signals.map((signal) => signal.aborted)).toEqual([true]);
    });

    it('rejects with the redaction error that happens within the budget', async () => {
      const { store } = memoryStore();
      const materializer = createViewMaterializer(store, { sleep: () => new Promise(() => undefined) });

      await expect(
        materializer.materializeWithin(
          identityOf('a.log'),
          storedObject(TEXT, { failAfterChunks: 2 }).open,
          5000,
        ),
      ).rejects.toThrow('source connection reset');
    });

    it('forgets a view that failed after the budget ran out, so the next request makes it again', async () => {
      const { store, views } = memoryStore();
      const gate = deferred();
      const budget = deferred();
      const failing = storedObject(TEXT, { gate: gate.promise, chunksBeforeGate: 2, failAfterChunks: 2 });
      const materializer = createViewMaterializer(store, { sleep: () => budget.promise });

      const answer = materializer.materializeWithin(identityOf('a.log'), failing.open, 5000);
      budget.resolve();
      expect(await answer).toBeUndefined();
      gate.resolve();
      await until(() => failing.state.closed === 1);

      const retried = storedObject(TEXT);
      expect(await materializer.materialize(identityOf('a.log'), retried.open)).toBeDefined();
      expect(retried.state.opens).toBe(1);
      expect(views.size).toBe(1);
    });
  });

  describe('tee', () => {
    it("streams the redacted body to the client and commits exactly the client's bytes", async () => {
      const { store, views } = memoryStore();
      const object = storedObject(TEXT);
      const materializer = createViewMaterializer(store);

      const served = await collect(materializer.tee(identityOf('a.log'), await object.open()));

      const [view] = views.values();
      expect(served.toString()).not.toContain(SSN);
      expect(view?.bytes).toEqual(served);
      expect(view?.metadata.md5).toBe(createHash('md5').update(served).digest('hex'));
    });

    it('lets requests for the same view join the tee instead of reading the object again', async () => {
      const { store } = memoryStore();
      const gate = deferred();
      const object = storedObject(TEXT, { gate: gate.promise });
      const materializer = createViewMaterializer(store);

      const served = collect(materializer.tee(identityOf('a.log'), await object.open()));
      await until(() => object.state.chunksRead === 1);
      const joined = materializer.materialize(identityOf('a.log'), object.open);
      gate.resolve();

      expect((await joined).redactedBytes).toBe((await served).byteLength);
      expect(object.state.opens).toBe(1);
    });

    it('aborts the copy and closes the object when the client leaves and nobody waits', async () => {
      const { store, views, events } = memoryStore();
      const object = storedObject(TEXT);
      const materializer = createViewMaterializer(store);

      for await (const _chunk of materializer.tee(identityOf('a.log'), await object.open())) break;

      expect(views.size).toBe(0);
      expect(events).toEqual(['create', 'abort']);
      expect(object.state.closed).toBe(1);
      await materializer.materialize(identityOf('a.log'), storedObject(TEXT).open);
      expect(views.size).toBe(1);
    });

    it('finishes the view in the background when the client leaves while another request waits', async () => {
      const { store, views } = memoryStore();
      const gate = deferred();
      const object = storedObject(TEXT, { gate: gate.promise, chunkBytes: 200, chunksBeforeGate: 4 });
      const materializer = createViewMaterializer(store);

      const body = materializer.tee(identityOf('a.log'), await object.open())[Symbol.asyncIterator]();
      await body.next();
      const joined = materializer.materialize(identityOf('a.log'), object.open);
      await body.return?.();
      gate.resolve();

      expect((await joined).redactedBytes).toBe((await redactedText()).byteLength);
      await until(() => views.size === 1);

      expect([...views.values()][0]?.bytes).toEqual(await redactedText());
      expect(object.state.opens).toBe(1);
    });

    it('keeps serving the whole body when the store fails, and keeps no view', async () => {
      const { store, views, events } = memoryStore({ failWriteAt: 1 });
      const materializer = createViewMaterializer(store);

      const served = await collect(materializer.tee(identityOf('a.log'), await storedObject(TEXT).open()));

      expect(served).toEqual(await redactedText());
      expect(views.size).toBe(0);
      expect(events).toEqual(['create', 'abort']);
    });

    it('fails the body and keeps no view when the redaction fails', async () => {
      const { store, views } = memoryStore();
      const object = storedObject(TEXT, { failAfterChunks: 3 });

      await expect(
        collect(createViewMaterializer(store).tee(identityOf('a.log'), await object.open())),
      ).rejects.toThrow('source connection reset');
      expect(views.size).toBe(0);
    });

    it('passes the body through unstored for a passthrough object, a changed ETag or a view already being made', async () => {
      const { store, views, events } = memoryStore();
      const materializer = createViewMaterializer(store);
      const raw = `\u0000\u0001binary ${SSN}`;

      const passthrough = storedObject(raw, { passthrough: true });
      expect(
        (await collect(materializer.tee(identityOf('a.bin'), await passthrough.open()))).toString(),
      ).toBe(raw);
      const changed = storedObject(TEXT, { etag: '"e2"' });
      expect(await collect(materializer.tee(identityOf('a.log', '"e1"'), await changed.open()))).toEqual(
        await redactedText(),
      );
      const gate = deferred();
      const slow = storedObject(TEXT, { gate: gate.promise });
      const making = materializer.materialize(identityOf('b.log'), slow.open);
      await until(() => slow.state.opens === 1);
      expect(await collect(materializer.tee(identityOf('b.log'), await storedObject(TEXT).open()))).toEqual(
        await redactedText(),
      );
      gate.resolve();
      await making;

      expect(events).toEqual(['create', 'commit']);
      expect(views.size).toBe(1);
    });

    it('passes the body through unstored when every materialization slot is busy', async () => {
      const { store, views } = memoryStore();
      const gate = deferred();
      const busy = storedObject(TEXT, { gate: gate.promise });
      const materializer = createViewMaterializer(store, { maxConcurrent: 1 });
      const making = materializer.materialize(identityOf('busy.log'), busy.open);
      await until(() => busy.state.opens === 1);

      expect(await collect(materializer.tee(identityOf('a.log'), await storedObject(TEXT).open()))).toEqual(
        await redactedText(),
      );
      gate.resolve();
      await making;
      expect([...views.keys()]).toHaveLength(1);
    });
  });
});
