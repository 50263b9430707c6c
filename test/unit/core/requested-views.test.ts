import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError, SlowDownError } from '../../../functions/core/errors.ts';
import type { ObjectLocation } from '../../../functions/core/ports/object-source.ts';
import type { ViewMetadata, ViewStore } from '../../../functions/core/ports/view-store.ts';
import {
  ASK_AGAIN_AFTER_MS,
  createRequestedViews,
  type WantedView,
} from '../../../functions/core/views/requested-views.ts';
import { VIEW_RETRY_AFTER_SECONDS } from '../../../functions/core/views/served-views.ts';

const PATIENCE_MS = 20_000;
const BUDGET_MS = 10_000;

function metadata(redactedBytes: number): ViewMetadata {
  return {
    redactedBytes,
    md5: '0'.repeat(32),
    counts: {},
    createdAt: new Date(0),
    format: 'csv',
    contentType: 'text/csv',
  };
}

/**
 * A clock that moves only when the code under test sleeps, a store whose views appear at the
 * times the "materializer" commits them, and a queue that records what was asked.
 */
function world(options: { maxRemembered?: number } = {}) {
  let time = 0;
  const madeAt = new Map<string, number>();
  const sent: Pick<ObjectLocation, 'bucket' | 'key'>[][] = [];
  let isQueueDown = false;
  const store: ViewStore = {
    async get(id) {
      const at = madeAt.get(id);
      return at !== undefined && at <= time ? metadata(id.length) : undefined;
    },
    read: () => Promise.reject(new Error('not used')),
    create: () => Promise.reject(new Error('not used')),
    delete: () => Promise.reject(new Error('not used')),
    deleteObjectViews: () => Promise.reject(new Error('not used')),
  };
  const requested = createRequestedViews(
    store,
    {
      async request(objects) {
        if (isQueueDown) throw new ServiceUnavailableError('queue down');
        sent.push([...objects]);
      },
    },
    {
      patienceMs: PATIENCE_MS,
      maxRemembered: options.maxRemembered,
      now: () => time,
      sleep: async (ms) => {
        time += ms;
      },
    },
  );
  return {
    requested,
    madeAt,
    sent,
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    setQueueDown: (isDown: boolean) => {
      isQueueDown = isDown;
    },
  };
}

const wanted = (id: string, key = id): WantedView => ({ id, bucket: 'b', key });

describe('createRequestedViews', () => {
  it('asks the materializer for a missing view and returns it once it is committed within the budget', async () => {
    const w = world();
    w.madeAt.set('a', 3_000);

    const found = await w.requested.waitFor([wanted('a')], BUDGET_MS);

    expect(found.get('a')?.redactedBytes).toBe(1);
    expect(w.sent).toEqual([[{ bucket: 'b', key: 'a' }]]);
    expect(w.now()).toBeLessThanOrEqual(3_000 + 1_000);
  });

  it('rejects with 503 SlowDown and Retry-After when a view still expected is not made within the budget', async () => {
    const w = world();

    const error = await w.requested.waitFor([wanted('a')], BUDGET_MS).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SlowDownError);
    expect((error as SlowDownError).retryAfterSeconds).toBe(VIEW_RETRY_AFTER_SECONDS);
    expect(w.now()).toBe(BUDGET_MS);
  });

  it('answers without the view, and without a 503, once the view is no longer expected; the retry of a 503 is not asked again', async () => {
    const w = world();
    await expect(w.requested.waitFor([wanted('a')], BUDGET_MS)).rejects.toThrow(SlowDownError);
    w.advance(1_000);

    const retried = await w.requested.waitFor([wanted('a')], BUDGET_MS);
    const later = await w.requested.waitFor([wanted('a')], BUDGET_MS);

    expect(retried.size).toBe(0);
    expect(w.now()).toBe(PATIENCE_MS);
    expect(later.size).toBe(0);
    expect(w.now()).toBe(PATIENCE_MS);
    expect(w.sent).toHaveLength(1);
  });

  it('asks again for a view still missing after ASK_AGAIN_AFTER_MS, without expecting it again', async () => {
    const w = world();
    await expect(w.requested.waitFor([wanted('a')], 0)).rejects.toThrow(SlowDownError);
    w.advance(ASK_AGAIN_AFTER_MS);

    const found = await w.requested.waitFor([wanted('a')], BUDGET_MS);

    expect(found.size).toBe(0);
    expect(w.sent).toHaveLength(2);
    expect(w.now()).toBe(ASK_AGAIN_AFTER_MS);
  });

  it('asks once per object, however many of its views are wanted', async () => {
    const w = world();
    w.madeAt.set('a1', 0);
    w.madeAt.set('a2', 0);

    await w.requested.waitFor([wanted('a1', 'a'), wanted('a2', 'a'), wanted('a1', 'a')], BUDGET_MS);

    expect(w.sent).toEqual([[{ bucket: 'b', key: 'a' }]]);
  });

  it("fails with the queue's error and asks again on the next request", async () => {
    const w = world();
    w.setQueueDown(true);
    await expect(w.requested.waitFor([wanted('a')], BUDGET_MS)).rejects.toThrow(ServiceUnavailableError);
    w.setQueueDown(false);
    w.madeAt.set('a', 500);

    const found = await w.requested.waitFor([wanted('a')], BUDGET_MS);

    expect(found.has('a')).toBe(true);
    expect(w.sent).toHaveLength(1);
  });

  it('forgets the least recently asked view first when it remembers too many', async () => {
    const w = world({ maxRemembered: 2 });
    for (const id of ['a', 'b', 'c']) await w.requested.waitFor([wanted(id)], 0).catch(() => undefined);

    await w.requested.waitFor([wanted('b'), wanted('c')], 0).catch(() => undefined);
    await w.requested.waitFor([wanted('a')], 0).catch(() => undefined);

    expect(w.sent.flat().map((object) => object.key)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('keeps its promises for any schedule of requests and commits (generated)', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    const call = fc.record({
      gapMs: fc.oneof(
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: 0, max: 2 * ASK_AGAIN_AFTER_MS }),
      ),
      budgetMs: fc.integer({ min: 0, max: 15_000 }),
      ids: fc.subarray(ids, { minLength: 1 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(call, { minLength: 1, maxLength: 8 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }), {
          minLength: ids.length,
          maxLength: ids.length,
        }),
        async (calls, commits) => {
          const w = world();
          ids.forEach((id, index) => {
            const at = commits[index];
            if (at !== undefined) w.madeAt.set(id, at);
          });
          const model = new Map<string, { firstAt: number; sentAt: number }>();
          for (const { gapMs, budgetMs, ids: chosen } of calls) {
            w.advance(gapMs);
            const start = w.now();
            // The caller passes the views its own lookup just missed.
            const missing = chosen.filter((id) => !((w.madeAt.get(id) ?? Number.POSITIVE_INFINITY) <= start));
            if (missing.length === 0) continue;
            const sentBefore = w.sent.length;
            const outcome = await w.requested
              .waitFor(
                missing.map((id) => wanted(id)),
                budgetMs,
              )
              .then(
                (found) => ({ found }),
                (error: unknown) => ({ error }),
              );
            const end = w.now();
            const toAsk = missing.filter((id) => {
              const entry = model.get(id);
              return entry === undefined || start - entry.sentAt >= ASK_AGAIN_AFTER_MS;
            });
            for (const id of toAsk)
              model.set(id, { firstAt: model.get(id)?.firstAt ?? start, sentAt: start });
            const expiresAt = (id: string) => (model.get(id)?.firstAt ?? start) + PATIENCE_MS;
            const isMade = (id: string) => (w.madeAt.get(id) ?? Number.POSITIVE_INFINITY) <= end;

            // Asked exactly when not asked within ASK_AGAIN_AFTER_MS, and never waits past its budget.
            expect(
              w.sent
                .slice(sentBefore)
                .flat()
                .map((object) => object.key),
            ).toEqual(toAsk);
            expect(end - start).toBeLessThanOrEqual(budgetMs);
            const stillExpected = missing.filter((id) => !isMade(id) && end < expiresAt(id));
            if ('error' in outcome) {
              // 503 only while a view not made is still expected.
              expect(outcome.error).toBeInstanceOf(SlowDownError);
              expect(stillExpected.length).toBeGreaterThan(0);
            } else {
              expect(stillExpected).toEqual([]);
              for (const id of missing) {
                // Every view expected at the start and made by the end is found; none other.
                const isFoundExpected = start < expiresAt(id) && isMade(id);
                expect(outcome.found.has(id), id).toBe(isFoundExpected);
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
