import { MaskpointError } from '../errors.ts';
import type { ObjectLocation } from '../ports/object-source.ts';
import type { ViewStore } from '../ports/view-store.ts';
import type { RuleRegistry } from '../rule-registry.ts';
import {
  headForViews,
  type ObjectViewDependencies,
  objectView,
  ruleSetsForKey,
  type ViewableHead,
} from './object-views.ts';
import type { ViewMaterializer } from './view-materializer.ts';

/** What warming the views of stored objects takes. */
export interface WarmDependencies extends ObjectViewDependencies {
  readonly rules: RuleRegistry;
  /** `viewKeyIds(keys)` of the keys `rules` was compiled with. */
  readonly tokenKeyIds: readonly string[];
  readonly store: ViewStore;
  readonly materializer: ViewMaterializer;
}

/**
 * What became of one view:
 * - `made` now, or already `present`;
 * - `refused`: the object cannot have this view, and trying again will not change that (its
 *   format is refused, it is malformed or over a limit, it passes through unredacted, it has no
 *   ETag, or it was deleted meanwhile);
 * - `failed`: the store, the source or the engine failed; trying again may succeed.
 *
 * `reason` is an error code, never a message: it is safe in any log or report.
 */
export type ViewWarmOutcome =
  | { readonly ruleSet: string; readonly kind: 'made' | 'present'; readonly redactedBytes: number }
  | { readonly ruleSet: string; readonly kind: 'refused' | 'failed'; readonly reason: string };

/** Codes of the errors that mean "this object gets no such view", not "the machinery failed". */
const REFUSAL_CODES: ReadonlySet<string> = new Set([
  'UnsupportedFormat',
  'MalformedObject',
  'LimitExceeded',
  'UnstorableView',
  'NoSuchKey',
]);

/**
 * Makes the views of one stored object (its latest version) under every rule set that some
 * caller could read it with (`ruleSetsForKey`): one HEAD, then each view unless the store has
 * it. An empty list: no rule set covers the key. Never throws: each rule set's outcome says what
 * happened to it.
 *
 * @example
 * const outcomes = await warmObjectViews({ bucket: 'data', key: 'people.csv' }, deps);
 * // [{ ruleSet: 'default', kind: 'made', redactedBytes: 5120 }]
 */
export async function warmObjectViews(
  location: Pick<ObjectLocation, 'bucket' | 'key'>,
  deps: WarmDependencies,
): Promise<ViewWarmOutcome[]> {
  const grants = ruleSetsForKey(deps.rules, location.bucket, location.key);
  if (grants.length === 0) return [];
  let head: ViewableHead;
  try {
    head = await headForViews(location, deps.source);
  } catch (error) {
    return grants.map(({ compiled }) => failureOf(compiled.name, error));
  }
  return Promise.all(
    grants.map(async (grant): Promise<ViewWarmOutcome> => {
      const ruleSet = grant.compiled.name;
      try {
        const view = objectView({ ...location, grant, tokenKeyIds: deps.tokenKeyIds }, head, deps);
        const stored = await deps.store.get(view.id);
        if (stored !== undefined) return { ruleSet, kind: 'present', redactedBytes: stored.redactedBytes };
        const made = await deps.materializer.materialize(view.identity, view.open);
        return { ruleSet, kind: 'made', redactedBytes: made.redactedBytes };
      } catch (error) {
        return failureOf(ruleSet, error);
      }
    }),
  );
}

function failureOf(ruleSet: string, error: unknown): ViewWarmOutcome {
  const reason = error instanceof MaskpointError ? error.code : 'InternalError';
  return { ruleSet, kind: isViewRefusal(error) ? 'refused' : 'failed', reason };
}

/**
 * True when `error` means that the object cannot have the view (see `ViewWarmOutcome`'s
 * `refused`), false when making it failed and trying again may succeed.
 */
export function isViewRefusal(error: unknown): boolean {
  return error instanceof MaskpointError && REFUSAL_CODES.has(error.code);
}
