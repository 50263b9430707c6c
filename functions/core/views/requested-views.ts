import type { ViewRequestQueue } from '../ports/view-request-queue.ts';
import type { ViewMetadata, ViewStore } from '../ports/view-store.ts';
import { viewPendingError } from './served-views.ts';

/** A view missing from the store, and the stored object it is made of. */
export interface WantedView {
  /** `viewId(identity)`. */
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
}

export interface RequestedViewsOptions {
  /**
   * How long after it was first asked for a missing view is still expected. Within it, an answer
   * that waited out its budget is 503 SlowDown (the retry waits again); past it the view is taken
   * as one the materializer will not make (the object is refused, passes through unredacted, or
   * cannot be read by it), and the answer is given as without a store.
   */
  readonly patienceMs: number;
  /** Views remembered as asked for; the least recently asked is forgotten first. @default 10_000 */
  readonly maxRemembered?: number | undefined;
  /** @default Date.now */
  readonly now?: (() => number) | undefined;
  /** @default a `setTimeout` */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Views made elsewhere (the materializer), waited for by a front door that cannot make them. */
export interface RequestedViews {
  /**
   * Asks for the `wanted` views (all missing from the store) that were not asked for in the last
   * `ASK_AGAIN_AFTER_MS`, then looks them up until each is found, `budgetMs` has passed, or it is
   * no longer expected (see `patienceMs`).
   *
   * @returns the views found, by id; a wanted view not in the map is not expected any more.
   * @throws SlowDownError with `retryAfterSeconds` when a view still expected was not found in time;
   *   the queue's error when the views could not be asked for.
   */
  waitFor(wanted: readonly WantedView[], budgetMs: number): Promise<ReadonlyMap<string, ViewMetadata>>;
}

/**
 * A view asked for and still missing this long after is asked for again (its materialization may
 * have failed for a reason that has passed), without being expected again.
 */
export const ASK_AGAIN_AFTER_MS = 15 * 60_000;
const FIRST_LOOKUP_PAUSE_MS = 100;
const MAX_LOOKUP_PAUSE_MS = 1_000;
/** Store lookups at a time while waiting. */
const LOOKUP_CONCURRENCY = 16;
const DEFAULT_MAX_REMEMBERED = 10_000;

/**
 * The views one process asks the materializer for through `queue` and finds in `store`. What was
 * asked and when is kept in memory (bounded): a view is expected for `patienceMs` after this
 * process first asked for it, so an object that never gets a view costs a client at most that
 * long, then is answered as without a store.
 *
 * @example
 * const requested = createRequestedViews(store, queue, { patienceMs: 20_000 });
 * const found = await requested.waitFor([{ id: view.id, bucket, key }], 10_000);
 * const metadata = found.get(view.id); // undefined: answer without a length
 */
export function createRequestedViews(
  store: ViewStore,
  queue: ViewRequestQueue,
  options: RequestedViewsOptions,
): RequestedViews {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxRemembered = options.maxRemembered ?? DEFAULT_MAX_REMEMBERED;
  /** By view id, least recently asked first. */
  const asked = new Map<string, { readonly firstAt: number; readonly sentAt: number }>();

  function remember(id: string, sentAt: number): void {
    const firstAt = asked.get(id)?.firstAt ?? sentAt;
    asked.delete(id);
    asked.set(id, { firstAt, sentAt });
    for (const oldest of asked.keys()) {
      if (asked.size <= maxRemembered) break;
      asked.delete(oldest);
    }
  }

  async function lookUp(views: readonly WantedView[], found: Map<string, ViewMetadata>): Promise<void> {
    let next = 0;
    async function work(): Promise<void> {
      while (next < views.length) {
        const view = views[next++] as WantedView;
        // A failed lookup is a miss: the next round looks again.
        const metadata = await store.get(view.id).catch(() => undefined);
        if (metadata !== undefined) found.set(view.id, metadata);
      }
    }
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, views.length) }, work));
  }

  return {
    async waitFor(wanted, budgetMs) {
      const startedAt = now();
      const views = [...new Map(wanted.map((view) => [view.id, view])).values()];
      const toAsk = views.filter((view) => {
        const entry = asked.get(view.id);
        return entry === undefined || startedAt - entry.sentAt >= ASK_AGAIN_AFTER_MS;
      });
      if (toAsk.length > 0) {
        const objects = new Map(toAsk.map(({ bucket, key }) => [`${bucket}\0${key}`, { bucket, key }]));
        await queue.request([...objects.values()]);
        for (const view of toAsk) remember(view.id, startedAt);
      }
      const expiresAt = (view: WantedView) => (asked.get(view.id)?.firstAt ?? startedAt) + options.patienceMs;
      const found = new Map<string, ViewMetadata>();
      let expected = views.filter((view) => startedAt < expiresAt(view));
      const waitEnd = Math.min(startedAt + budgetMs, Math.max(startedAt, ...expected.map(expiresAt)));
      for (
        let pause = FIRST_LOOKUP_PAUSE_MS;
        expected.length > 0;
        pause = Math.min(2 * pause, MAX_LOOKUP_PAUSE_MS)
      ) {
        const left = waitEnd - now();
        if (left <= 0) break;
        await sleep(Math.min(pause, left));
        await lookUp(expected, found);
        expected = expected.filter((view) => !found.has(view.id));
      }
      const end = now();
      if (expected.some((view) => end < expiresAt(view))) throw viewPendingError();
      return found;
    },
  };
}
