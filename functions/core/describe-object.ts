import { allowsPassthrough, checkGeoFence, checkRateLimits, grantFor } from './access-policy.ts';
import { checkPreconditions, sourceConditionsFor } from './check-preconditions.ts';
import { AccessDeniedError, UnsupportedFormatError } from './errors.ts';
import type { SourceObjectHead } from './ports/object-source.ts';
import type { ViewMetadata } from './ports/view-store.ts';
import { streamedEtag, viewEtag } from './redacted-etag.ts';
import { detectFormat } from './redaction/formats/detect-format.ts';
import {
  type ObjectHeaders,
  type ObjectRequest,
  type ServeDependencies,
  serveObject,
  startAudit,
} from './serve-object.ts';
import { viewIdentityOf } from './views/object-views.ts';
import type { ServedViews } from './views/served-views.ts';
import { type ViewIdentity, viewId } from './views/view-id.ts';

/** How a HEAD may reach the object. */
export interface DescribeOptions {
  /**
   * `false` when the source can answer only with the object's metadata: Object Lambda's
   * HeadObject `inputS3Url` is presigned for HEAD, and SigV4 signs the method, so it cannot GET
   * the body. The format is then judged from the Content-Type and key alone (labels may refuse
   * here, only bytes can admit), and the length and ETag are those of the stored view. A missing
   * view is asked of the materializer and waited for within `views.budgetMs`
   * (`views.requested`), else 503 SlowDown; without a store, without `requested`, or once the
   * view is no longer expected, the answer carries no Content-Length (never a wrong one).
   * @default true
   */
  readonly isBodyReadable?: boolean;
}

/**
 * HEAD: the GET of the whole object, answered with its headers. It takes GET's path (access
 * decision, conditions, format refusal, redaction under the same deadline and limits), so
 * `contentLength` is the exact length a GET sends and a HEAD refuses whatever a GET refuses.
 * With a view store the length and ETag are the stored view's, made first when it is missing
 * (within the budget, else 503 SlowDown); without one, or for a passthrough object, the body is
 * redacted and counted to the end: a failure while counting is the HEAD's answer and closes the
 * source.
 */
export async function describeObject(
  request: ObjectRequest,
  deps: ServeDependencies,
  options: DescribeOptions = {},
): Promise<ObjectHeaders> {
  if (options.isBodyReadable === false) return describeFromMetadata(request, deps);
  const {
    body,
    status: _status,
    ...headers
  } = await serveObject({ ...request, range: undefined }, deps, 'HeadObject');
  let counted = 0;
  for await (const chunk of body) counted += chunk.byteLength;
  return { ...headers, contentLength: headers.contentLength ?? counted };
}

/** GET's access decision, conditions and, as far as labels tell, format refusal, from the metadata alone. */
async function describeFromMetadata(request: ObjectRequest, deps: ServeDependencies): Promise<ObjectHeaders> {
  const audit = startAudit(request, 'HeadObject', deps);
  try {
    const grant = grantFor(deps.rules, request.bucket, request.key, request.caller);
    if (grant === undefined) throw new AccessDeniedError('no rule set covers this bucket, key and caller');
    audit.ruleSet(grant.compiled.name, grant.compiled.versionHash);
    await checkRateLimits(grant.ruleSet, request.caller, deps.rateLimiter);
    checkGeoFence(grant.ruleSet, request.caller, deps.geo);
    const head = await deps.source.headObject(request, sourceConditionsFor(request));
    const target = {
      bucket: request.bucket,
      key: request.key,
      versionId: request.versionId,
      grant,
      tokenKeyIds: deps.tokenKeyIds ?? [],
    };
    const identity = head.etag === undefined ? undefined : viewIdentityOf(target, head.etag);
    const etag = identity && streamedEtag(identity);
    const labels = { contentType: head.contentType, key: request.key, head: new Uint8Array(0) };
    // Without the body only labels decide what to ask the materializer for. An object they leave
    // unsupported may still have a view, which only a GET that read it by its content can have
    // kept (an unlabelled mail, see `sniffMailHead`): that view is looked up, never asked for
    // (most such objects are refused or pass through, and no view would ever come).
    const isLabelled = detectFormat(labels) !== undefined;
    const view =
      deps.views === undefined || identity === undefined
        ? undefined
        : isLabelled
          ? await storedView(deps.views, identity)
          : await deps.views.store.get(viewId(identity));
    if (view !== undefined) {
      const validators = { etag: viewEtag(view.md5), equivalentEtags: etag === undefined ? [] : [etag] };
      checkPreconditions(request, { ...validators, lastModified: head.lastModified });
      audit.succeed({ view }, 200);
      return viewHeaders(view, validators.etag, head);
    }
    checkPreconditions(request, { etag, lastModified: head.lastModified });
    if (!isLabelled && !allowsPassthrough(grant.ruleSet, request.key)) {
      throw new UnsupportedFormatError('unsupported object format (by its content type and name)');
    }
    audit.succeed(undefined, 200);
    return {
      contentType: head.contentType ?? 'application/octet-stream',
      contentEncoding: head.contentEncoding,
      etag,
      lastModified: head.lastModified,
    };
  } catch (error) {
    audit.fail(error);
    throw error;
  }
}

/**
 * The committed view of `identity`: from the store, else asked of the materializer and waited for
 * within the budget; `undefined` when it is not expected. The materializer makes views of the
 * latest version only, so that of a version named by id is only looked up (a GET of that version
 * keeps it).
 */
async function storedView(views: ServedViews, identity: ViewIdentity): Promise<ViewMetadata | undefined> {
  const id = viewId(identity);
  const stored = await views.store.get(id);
  if (stored !== undefined || views.requested === undefined || identity.sourceVersionId !== undefined) {
    return stored;
  }
  const wanted = { id, bucket: identity.bucket, key: identity.key };
  return (await views.requested.waitFor([wanted], views.budgetMs)).get(id);
}

function viewHeaders(view: ViewMetadata, etag: string, head: SourceObjectHead): ObjectHeaders {
  return {
    contentType: view.contentType,
    contentEncoding: view.contentEncoding,
    etag,
    lastModified: head.lastModified ?? view.sourceLastModified,
    contentLength: view.redactedBytes,
  };
}
