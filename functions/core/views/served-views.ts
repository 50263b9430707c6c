import { SlowDownError } from '../errors.ts';
import type { ViewMetadata, ViewStore } from '../ports/view-store.ts';
import type { RequestedViews } from './requested-views.ts';
import type { ViewIdentity } from './view-id.ts';
import type { OpenViewSource, ViewMaterializer } from './view-materializer.ts';

/**
 * What a front door needs to answer from redacted views: HEAD and LIST with exact sizes, an
 * ETag that is the MD5 of the served bytes, ranges of any size read from the view, and repeated
 * GETs without redaction work.
 */
export interface ServedViews {
  readonly store: ViewStore;
  /** The process's materializer over `store` (one materialization per view at a time). */
  readonly materializer: ViewMaterializer;
  /**
   * How long a HEAD, a LIST or a range GET waits for a missing view to be made before it answers
   * 503 SlowDown with `Retry-After`; the view goes on being made, and the client's retry finds it.
   */
  readonly budgetMs: number;
  /**
   * Views asked of the materializer, for answers that cannot make a view here because the source
   * reads no body (Object Lambda's HEAD and LIST): they wait for it within the budget.
   * @default - none: such an answer treats a missing view as without a store
   */
  readonly requested?: RequestedViews | undefined;
}

/** How long an answer waits for a missing view when no budget is configured. */
export const DEFAULT_VIEW_BUDGET_MS = 10_000;

/**
 * `Retry-After` of an answer that waited out its budget: the retry waits again for up to the
 * budget itself, so the pause between the two can be short. The AWS SDKs retry 503 SlowDown
 * (standard mode: three attempts, https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html);
 * the JavaScript SDK also waits the `Retry-After` it is given.
 */
export const VIEW_RETRY_AFTER_SECONDS = 1;

/**
 * The view's metadata, made now if it is missing, waiting at most `budgetMs`.
 *
 * @throws SlowDownError with `retryAfterSeconds` when the budget ran out (the view is still being
 *   made); the materializer's errors otherwise (`UnstorableViewError` for a passthrough object,
 *   the engine's refusal, `ServiceUnavailableError` when the object changed meanwhile).
 */
export async function viewWithin(
  views: ServedViews,
  identity: ViewIdentity,
  open: OpenViewSource,
  budgetMs: number = views.budgetMs,
): Promise<ViewMetadata> {
  const metadata = await views.materializer.materializeWithin(identity, open, Math.max(0, budgetMs));
  if (metadata === undefined) throw viewPendingError();
  return metadata;
}

/** The 503 SlowDown, with `Retry-After`, of an answer that waited out its budget for a view still being made. */
export function viewPendingError(): SlowDownError {
  return new SlowDownError(
    'Please reduce your request rate. (The redacted view of the object is still being prepared: retry.)',
    { retryAfterSeconds: VIEW_RETRY_AFTER_SECONDS },
  );
}
