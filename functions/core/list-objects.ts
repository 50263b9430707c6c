import { type AccessGrant, checkRateLimits, geoFenceRefusal, grantFor } from './access-policy.ts';
import type { Caller } from './caller.ts';
import { AccessDeniedError, NotImplementedError } from './errors.ts';
import { keyPrefixCoverage } from './key-prefix-coverage.ts';
import { decodeListToken, encodeListToken } from './list-continuation-token.ts';
import type { ListedObject, ListObjectsPage, ListObjectsRequest } from './ports/object-source.ts';
import type { ViewMetadata } from './ports/view-store.ts';
import { streamedEtag, viewEtag } from './redacted-etag.ts';
import type { RuleSet } from './redaction/rule-schema.ts';
import { ruleSetCovers } from './redaction/scope-match.ts';
import { type ServeDependencies, startAudit } from './serve-object.ts';
import { objectView } from './views/object-views.ts';
import type { WantedView } from './views/requested-views.ts';
import { viewWithin } from './views/served-views.ts';
import { UnstorableViewError } from './views/view-materializer.ts';
import { isViewRefusal } from './views/warm-object-views.ts';

/** Keys read under one common prefix, looking for one the caller may read, before it is hidden. */
const PROBE_MAX_KEYS = 1000;
/** Common prefixes probed at a time. */
const PROBE_CONCURRENCY = 8;
/** Source pages one listing reads, at most, looking for an entry the caller may see. */
const MAX_SOURCE_PAGES = 16;
/**
 * Entries asked of the source for each page read on past one that showed nothing: S3's largest
 * page, so that a listing passes at least 15,000 hidden entries in a row, whatever its max-keys.
 */
const READ_ON_MAX_KEYS = 1000;
/** Listed objects whose view is looked up (and, when missing, made) at a time. */
const VIEW_LOOKUP_CONCURRENCY = 16;

export interface ListRequest extends ListObjectsRequest {
  readonly requestId: string;
  readonly caller: Caller;
  /**
   * The listing the client asked for, as the audit line names it.
   * @default 'ListObjectsV2'
   */
  readonly operation?: 'ListObjects' | 'ListObjectsV2' | undefined;
}

/** How a LIST may reach the objects. */
export interface ListOptions {
  /**
   * `false` when the source can only list: Object Lambda's ListObjects `inputS3Url` is presigned
   * for that listing. Views are then looked up, never made here: the missing ones are asked of
   * the materializer and waited for (`views.requested`, see `listObjects`).
   * @default true
   */
  readonly isBodyReadable?: boolean;
}

/**
 * LIST: the source's page with only what this caller may read.
 *
 * - **Keys**: each goes through GET's access decision (rule set for bucket, key and caller, then
 *   its geo fence); a key the caller could not GET is left out. Key names are shown as stored:
 *   a caller that may read an object may learn its name, even one that holds an email; names are
 *   not redacted (a redacted name could not be read back with GET). Content refusals (an
 *   unsupported format) are only known once an object is read, so such keys are listed.
 * - **CommonPrefixes**: a prefix is shown only when some key under it may be read. The rule sets
 *   decide that alone when they can: every rule set that could be chosen for a key under the
 *   prefix refuses the caller: hidden; all of them let it read and one covers every key under
 *   the prefix: shown. Otherwise up to 1,000 keys under the prefix are read from the source
 *   (one page); it is shown if one of them may be read, hidden if none (fail closed).
 * - **Rate limit**: the request counts once against each rule set that could be chosen for a key
 *   under the listed prefix and lets this caller read (not once per key). When there is none, no
 *   key could be shown and the listing is refused with AccessDenied, giving the reason a GET
 *   would (the geo fence).
 * - **Paging**: a page ends at the last entry it shows, never at a hidden one. A ListObjects (v1)
 *   client asks for the next page by that entry (`marker`); a ListObjectsV2 client by the token
 *   the page carries, which names that entry (`encodeListToken`; a source's own token names the
 *   last entry the source scanned, which may be hidden, and is never handed out). A token is read
 *   back as the `start-after` of the next page, and takes precedence over a `start-after` sent
 *   with it, as on S3 (SDK paginators send both). A page whose entries are all hidden is not
 *   returned: the source is read on, 1,000 entries a page, until a page shows one, for up to 16
 *   source pages; after that the listing is refused with NotImplemented, never answered with a
 *   hidden name or a page a client cannot page on from. Each truncated page shows an entry past
 *   where it started, so paging always ends. A `start-after` that is a common prefix is not
 *   listed again, as on S3. A source with a fixed listing (`hasFixedListing`) is read once, and
 *   its page carries the source's own token.
 *
 * - **ETag and Size**: those a HEAD answers. With a view store, each listed object's view is looked
 *   up, and the missing ones are made, `VIEW_LOOKUP_CONCURRENCY` at a time (the materializer bounds
 *   the work further), all within one `views.budgetMs`: past it the listing is 503 SlowDown with
 *   `Retry-After` while the views go on being made. Making the view decides the content as GET
 *   does: an object GET refuses for its content (or deleted meanwhile) is left out, and a
 *   passthrough object, served raw, is listed with its stored size. Without a store every object
 *   is listed with the streamed ETag and no Size: the stored length is not the served one.
 *   When the source reads no body (`options.isBodyReadable: false`), the missing views are asked
 *   of the materializer (`views.requested`) and waited for within the budget, else 503 SlowDown;
 *   an object whose view is not expected any more (or without `requested`) is listed as without
 *   a store.
 */
export async function listObjects(
  request: ListRequest,
  deps: ServeDependencies,
  options: ListOptions = {},
): Promise<ListObjectsPage> {
  const audit = startAudit(request, request.operation ?? 'ListObjectsV2', deps);
  try {
    const access = listingAccess(request, deps);
    const deciders = access.deciders(request.prefix ?? '');
    const readable = deciders.filter((candidate) => candidate.refusal === undefined);
    // The audit line names one rule set: the one the listing counts against, or the one refusing it.
    const named = readable.length === 0 ? deciders[0] : readable.length === 1 ? readable[0] : undefined;
    if (named !== undefined) audit.ruleSet(named.ruleSet.name, named.versionHash ?? '');
    if (readable.length === 0) {
      throw new AccessDeniedError(
        deciders[0]?.refusal ?? 'no rule set lets this caller read keys under this prefix',
      );
    }
    for (const { ruleSet } of readable) await checkRateLimits(ruleSet, request.caller, deps.rateLimiter);
    const page = await visiblePage(request, access, deps, options);
    audit.succeed(undefined, 200);
    return page;
  } catch (error) {
    audit.fail(error);
    throw error;
  }
}

/** A rule set that applies to this caller in this bucket, and why it refuses the caller, if it does. */
interface Candidate {
  readonly ruleSet: RuleSet;
  readonly versionHash: string | undefined;
  readonly refusal: string | undefined;
}

interface ListingAccess {
  /**
   * The candidates that could be chosen for some key under `prefix`: those whose key patterns
   * could match one, less those outranked everywhere under it (below a rule set that covers
   * every key under the prefix at a higher priority).
   */
  deciders(prefix: string): Candidate[];
  /** The rule set this caller reads the listed object under, or `undefined` when it may not read it. */
  grantOf(object: ListedObject): AccessGrant | undefined;
  /** Decided from the rule sets alone, or `probe` when only the keys can tell. */
  prefixVerdict(prefix: string): 'visible' | 'hidden' | 'probe';
}

function listingAccess(request: ListRequest, deps: ServeDependencies): ListingAccess {
  const { bucket, caller } = request;
  const candidates = new Map<string, Candidate>();
  for (const ruleSet of deps.rules.ruleSets) {
    // Bucket and caller as GET matches them; the keys are weighed per prefix below.
    const anyKey = { scope: { ...ruleSet.scope, keys: ['**'] } };
    if (!ruleSetCovers(anyKey, { bucket, key: '', caller })) continue;
    const compiled = deps.rules.compiled.get(ruleSet.name);
    const refusal =
      compiled === undefined
        ? `rule set "${ruleSet.name}" is not compiled`
        : geoFenceRefusal(ruleSet, caller, deps.geo);
    candidates.set(ruleSet.name, { ruleSet, versionHash: compiled?.versionHash, refusal });
  }
  const deciders = (prefix: string) => {
    const covering = [...candidates.values()].flatMap((candidate) => {
      const coverage = keyPrefixCoverage(candidate.ruleSet.scope.keys, prefix);
      return coverage === 'none' ? [] : [{ ...candidate, isTotal: coverage === 'all' }];
    });
    const floor = Math.max(
      Number.NEGATIVE_INFINITY,
      ...covering.filter((candidate) => candidate.isTotal).map((candidate) => candidate.ruleSet.priority),
    );
    return covering.filter((candidate) => candidate.ruleSet.priority >= floor);
  };

  return {
    deciders,

    grantOf(object) {
      const grant = grantFor(deps.rules, bucket, object.key, caller);
      if (grant === undefined || candidates.get(grant.ruleSet.name)?.refusal !== undefined) return undefined;
      return grant;
    },

    prefixVerdict(prefix) {
      const found = deciders(prefix);
      if (found.every((candidate) => candidate.refusal !== undefined)) return 'hidden';
      // Every key under it has a rule set, and whichever is chosen lets the caller read.
      if (
        found.some((candidate) => candidate.isTotal) &&
        found.every((candidate) => candidate.refusal === undefined)
      ) {
        return 'visible';
      }
      return 'probe';
    },
  };
}

/** The first page of the listing, from where it starts, that shows the caller something (see `listObjects`). */
async function visiblePage(
  request: ListRequest,
  access: ListingAccess,
  deps: ServeDependencies,
  options: ListOptions,
): Promise<ListObjectsPage> {
  // S3 answers max-keys 0 with an empty page that is not truncated.
  if (request.maxKeys === 0) return { objects: [], commonPrefixes: [], isTruncated: false };
  const isFixed = deps.source.hasFixedListing === true;
  const token = request.continuationToken;
  let position: ListObjectsRequest =
    isFixed || token === undefined
      ? request
      : { ...request, continuationToken: undefined, startAfter: decodeListToken(token) };
  for (let read = 1; ; read++) {
    const page = await deps.source.listObjects(position);
    // S3 passes a start-after that is a common prefix together with every key under it, so that
    // clients page on from a NextMarker naming one (ceph s3-tests test_bucket_list_delimiter_prefix);
    // a source's start-after may list it again (the local directory, s3rver).
    const entries = pageEntries(page).filter(
      (entry) => entry.object !== undefined || entry.name !== position.startAfter,
    );
    const want = isFixed ? Number.POSITIVE_INFINITY : request.maxKeys;
    const { shown, cutAfter } = await firstVisible(entries, want, access, request, deps);
    const objects = await servedObjects(
      request,
      shown.flatMap(({ object, grant }) => (object && grant ? [{ object, grant }] : [])),
      deps,
      options.isBodyReadable ?? true,
    );
    const servedKeys = new Set(objects.map((object) => object.key));
    const last = shown.findLast((entry) => entry.object === undefined || servedKeys.has(entry.name));
    const sourceToken = page.isTruncated ? page.nextContinuationToken : undefined;
    const isTruncated = cutAfter !== undefined || sourceToken !== undefined;
    const commonPrefixes = shown.flatMap((entry) => (entry.object === undefined ? [entry.name] : []));
    if (isFixed && (last !== undefined || request.operation !== 'ListObjects')) {
      return { objects, commonPrefixes, isTruncated, nextContinuationToken: sourceToken };
    }
    if (last !== undefined || !isTruncated) {
      const nextContinuationToken = isTruncated && last ? encodeListToken(last.name) : undefined;
      return { objects, commonPrefixes, isTruncated, nextContinuationToken };
    }
    if (isFixed || read === MAX_SOURCE_PAGES) {
      throw new NotImplementedError(
        `the listing found no entry this caller may read in ${read} source pages after where the page starts; list a narrower prefix`,
      );
    }
    // Read on after the last entry weighed, hidden or not: this position is never handed out.
    position = {
      ...request,
      continuationToken: cutAfter === undefined ? sourceToken : undefined,
      startAfter: cutAfter,
      maxKeys: READ_ON_MAX_KEYS,
    };
  }
}

/** An entry of a source page: an object, or a common prefix (no `object`). */
interface PageEntry {
  readonly name: string;
  readonly object?: ListedObject | undefined;
  /** For an object the caller may read, the rule set it reads it under. */
  readonly grant?: AccessGrant | undefined;
}

/** The page's objects and common prefixes in S3's order (UTF-8 bytes). */
function pageEntries(page: ListObjectsPage): PageEntry[] {
  const entries: PageEntry[] = [
    ...page.objects.map((object) => ({ name: object.key, object })),
    ...page.commonPrefixes.map((name) => ({ name })),
  ];
  return entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
}

/**
 * The first `want` entries the caller may see, in order, and `cutAfter`, the last of them, when
 * the page goes on past it. Entries are weighed in order, a few more than still wanted at a time,
 * so that a page read on with 1,000 entries probes only the common prefixes it must.
 */
async function firstVisible(
  entries: readonly PageEntry[],
  want: number,
  access: ListingAccess,
  request: ListRequest,
  deps: ServeDependencies,
): Promise<{ shown: PageEntry[]; cutAfter: string | undefined }> {
  const shown: PageEntry[] = [];
  let at = 0;
  while (at < entries.length && shown.length < want) {
    const batch = entries.slice(at, at + Math.max(want - shown.length, PROBE_CONCURRENCY));
    at += batch.length;
    const prefixes = batch.flatMap((entry) => (entry.object === undefined ? [entry.name] : []));
    const visible = new Set(await visiblePrefixes(prefixes, access, request, deps));
    for (const entry of batch) {
      if (entry.object === undefined) {
        if (visible.has(entry.name)) shown.push(entry);
        continue;
      }
      const grant = access.grantOf(entry.object);
      if (grant !== undefined) shown.push({ ...entry, grant });
    }
  }
  const kept = shown.slice(0, want);
  const end = kept.at(-1);
  const isCut = kept.length === want && end !== undefined && entries.at(-1)?.name !== end.name;
  return { shown: kept, cutAfter: isCut ? end.name : undefined };
}

/**
 * The common prefixes under which the caller may read some key. A probe lists the keys under the
 * prefix; a source that can only answer the one listing it was given (Object Lambda's presigned
 * `inputS3Url`) returns no key under it, and the prefix stays hidden.
 */
async function visiblePrefixes(
  prefixes: readonly string[],
  access: ListingAccess,
  request: ListRequest,
  deps: ServeDependencies,
): Promise<string[]> {
  const verdicts = new Map(prefixes.map((prefix) => [prefix, access.prefixVerdict(prefix)]));
  const toProbe = prefixes.filter((prefix) => verdicts.get(prefix) === 'probe');
  for (let at = 0; at < toProbe.length; at += PROBE_CONCURRENCY) {
    await Promise.all(
      toProbe.slice(at, at + PROBE_CONCURRENCY).map(async (prefix) => {
        const page = await deps.source.listObjects({
          bucket: request.bucket,
          prefix,
          maxKeys: PROBE_MAX_KEYS,
        });
        const isReadable = page.objects.some(
          (object) => object.key.startsWith(prefix) && access.grantOf(object) !== undefined,
        );
        verdicts.set(prefix, isReadable ? 'visible' : 'hidden');
      }),
    );
  }
  return prefixes.filter((prefix) => verdicts.get(prefix) === 'visible');
}

/**
 * The listed objects as the caller sees them: key and Last-Modified as stored, the ETag and Size
 * of each one's view (see `listObjects`). Every lookup runs even when one fails, so that a
 * listing past its budget starts making all its missing views; then the first error is thrown.
 */
async function servedObjects(
  request: ListRequest,
  visible: readonly { object: ListedObject; grant: AccessGrant }[],
  deps: ServeDependencies,
  isBodyReadable: boolean,
): Promise<ListedObject[]> {
  const now = deps.now ?? Date.now;
  const deadline = now() + (deps.views?.budgetMs ?? 0);
  const served: (ListedObject | undefined)[] = new Array(visible.length);
  const errors: unknown[] = [];
  /** Views this LIST cannot make, by the index of their entry. */
  const missing = new Map<number, WantedView>();
  let next = 0;
  async function work(): Promise<void> {
    while (next < visible.length) {
      const at = next++;
      const { object, grant } = visible[at] as { object: ListedObject; grant: AccessGrant };
      const listed = { key: object.key, lastModified: object.lastModified };
      served[at] = listed;
      if (object.etag === undefined) continue;
      const target = { bucket: request.bucket, key: object.key, grant, tokenKeyIds: deps.tokenKeyIds ?? [] };
      const view = objectView(target, { etag: object.etag }, deps);
      const streamed = { ...listed, etag: streamedEtag(view.identity) };
      served[at] = streamed;
      if (deps.views === undefined) continue;
      let metadata: ViewMetadata | undefined;
      try {
        metadata = await deps.views.store.get(view.id);
        if (metadata === undefined && !isBodyReadable) {
          missing.set(at, { id: view.id, bucket: request.bucket, key: object.key });
          continue;
        }
        metadata ??= await viewWithin(deps.views, view.identity, view.open, deadline - now());
      } catch (error) {
        if (error instanceof UnstorableViewError) served[at] = { ...streamed, size: object.size };
        else if (isViewRefusal(error)) served[at] = undefined;
        else errors.push(error);
        continue;
      }
      served[at] = { ...listed, etag: viewEtag(metadata.md5), size: metadata.redactedBytes };
    }
  }
  await Promise.all(Array.from({ length: Math.min(VIEW_LOOKUP_CONCURRENCY, visible.length) }, work));
  if (errors.length > 0) throw errors[0];
  const requested = deps.views?.requested;
  if (requested !== undefined && missing.size > 0) {
    // Asked for in the listing's order, not in the order the concurrent lookups missed them.
    const wanted = [...missing].sort(([a], [b]) => a - b).map(([, view]) => view);
    const made = await requested.waitFor(wanted, deadline - now());
    for (const [at, { id }] of missing) {
      const metadata = made.get(id);
      const listed = served[at];
      if (metadata === undefined || listed === undefined) continue;
      served[at] = { ...listed, etag: viewEtag(metadata.md5), size: metadata.redactedBytes };
    }
  }
  return served.filter((object) => object !== undefined);
}
