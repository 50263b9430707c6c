import type { ViewWarmOutcome, WarmDependencies } from './warm-object-views.ts';
import { warmObjectViews } from './warm-object-views.ts';

/** The stored objects to warm: every key under `prefix`. */
export interface WarmPrefixRequest {
  readonly bucket: string;
  /** @default '' (the whole bucket) */
  readonly prefix?: string | undefined;
  /** Objects warmed at once (at least 1). */
  readonly concurrency: number;
}

/** What a warming run did, counted. */
export interface WarmSummary {
  /** Keys listed under the prefix. */
  objects: number;
  /** Keys no rule set covers: no caller can read them, so they get no view. */
  uncovered: number;
  viewsMade: number;
  viewsPresent: number;
  /** Bytes of the views made in this run. */
  redactedBytes: number;
  /** Views refused, by reason code (`UnsupportedFormat`, `MalformedObject`, …). */
  refusals: Record<string, number>;
  /** Views that failed, by reason code (`ServiceUnavailable`, `AccessDenied`, …): retry these. */
  failures: Record<string, number>;
}

/** One object's outcomes, as each finishes. */
export interface ObjectWarmed {
  readonly key: string;
  readonly outcomes: readonly ViewWarmOutcome[];
}

const LIST_PAGE_KEYS = 1000;

/**
 * Warms every object under a prefix (`warmObjectViews` for each), `concurrency` objects at a time,
 * listing page by page as the work goes (memory does not grow with the bucket).
 *
 * @param onWarmed called after each object with its outcomes and the running totals (progress).
 * @throws the listing's error (the source cannot be listed); objects already started finish first.
 * @example
 * const summary = await warmPrefix({ bucket: 'data', prefix: 'exports/', concurrency: 8 }, deps);
 * // { objects: 120, viewsMade: 118, refusals: { UnsupportedFormat: 2 }, … }
 */
export async function warmPrefix(
  request: WarmPrefixRequest,
  deps: WarmDependencies,
  onWarmed?: (warmed: ObjectWarmed, summary: Readonly<WarmSummary>) => void,
): Promise<WarmSummary> {
  const summary: WarmSummary = {
    objects: 0,
    uncovered: 0,
    viewsMade: 0,
    viewsPresent: 0,
    redactedBytes: 0,
    refusals: {},
    failures: {},
  };
  const keys = listKeys(request, deps);

  async function worker(): Promise<void> {
    for (;;) {
      const next = await keys.next();
      if (next.done) return;
      const key = next.value;
      const outcomes = await warmObjectViews({ bucket: request.bucket, key }, deps);
      count(summary, outcomes);
      onWarmed?.({ key, outcomes }, summary);
    }
  }

  const workers = Array.from({ length: Math.max(1, Math.trunc(request.concurrency)) }, worker);
  const settled = await Promise.allSettled(workers);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return summary;
}

/** The keys under the prefix, one listing page at a time. */
async function* listKeys(request: WarmPrefixRequest, deps: WarmDependencies): AsyncGenerator<string> {
  let continuationToken: string | undefined;
  do {
    const page = await deps.source.listObjects({
      bucket: request.bucket,
      prefix: request.prefix,
      continuationToken,
      maxKeys: LIST_PAGE_KEYS,
    });
    for (const object of page.objects) yield object.key;
    continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (continuationToken !== undefined);
}

function count(summary: WarmSummary, outcomes: readonly ViewWarmOutcome[]): void {
  summary.objects += 1;
  if (outcomes.length === 0) summary.uncovered += 1;
  for (const outcome of outcomes) {
    switch (outcome.kind) {
      case 'made':
        summary.viewsMade += 1;
        summary.redactedBytes += outcome.redactedBytes;
        break;
      case 'present':
        summary.viewsPresent += 1;
        break;
      case 'refused':
        summary.refusals[outcome.reason] = (summary.refusals[outcome.reason] ?? 0) + 1;
        break;
      case 'failed':
        summary.failures[outcome.reason] = (summary.failures[outcome.reason] ?? 0) + 1;
        break;
    }
  }
}
