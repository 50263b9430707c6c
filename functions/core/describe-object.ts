import { allowsPassthrough, checkGeoFence, checkRateLimits, grantFor } from './access-policy.ts';
import { checkPreconditions, sourceConditionsFor } from './check-preconditions.ts';
import { AccessDeniedError, UnsupportedFormatError } from './errors.ts';
import { streamedEtag } from './redacted-etag.ts';
import { detectFormat } from './redaction/formats/detect-format.ts';
import {
  type ObjectHeaders,
  type ObjectRequest,
  type ServeDependencies,
  serveObject,
  startAudit,
} from './serve-object.ts';
import { viewIdentityOf } from './views/object-views.ts';

/** How a HEAD may reach the object. */
export interface DescribeOptions {
  /**
   * `false` when the source can answer only with the object's metadata: Object Lambda's
   * HeadObject `inputS3Url` is presigned for HEAD, and SigV4 signs the method, so it cannot GET
   * the body. The answer then carries no Content-Length (never a wrong one), and the format is
   * judged from the Content-Type and key alone: labels may refuse here, only bytes can admit.
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
    const etag = head.etag === undefined ? undefined : streamedEtag(viewIdentityOf(target, head.etag));
    checkPreconditions(request, { etag, lastModified: head.lastModified });
    const labels = { contentType: head.contentType, key: request.key, head: new Uint8Array(0) };
    if (detectFormat(labels) === undefined && !allowsPassthrough(grant.ruleSet, request.key)) {
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
