import { checkGeoFence, checkRateLimits, grantFor } from './access-policy.ts';
import { checkPreconditions, sourceConditionsFor } from './check-preconditions.ts';
import { AccessDeniedError } from './errors.ts';
import { redactedEtag } from './redacted-etag.ts';
import {
  type ObjectHeaders,
  type ObjectRequest,
  type ServeDependencies,
  startAudit,
} from './serve-object.ts';

/**
 * HEAD: the same access decision as GET, answered with the headers of the redacted view. The
 * redacted length is unknown without redacting, so no Content-Length is given (never the raw one).
 */
export async function describeObject(
  request: ObjectRequest,
  deps: ServeDependencies,
): Promise<ObjectHeaders> {
  const audit = startAudit(request, 'HeadObject', deps);
  try {
    const grant = grantFor(deps.rules, request.bucket, request.key, request.caller);
    if (grant === undefined) throw new AccessDeniedError('no rule set covers this bucket, key and caller');
    audit.ruleSet(grant.compiled.name, grant.compiled.versionHash);
    await checkRateLimits(grant.ruleSet, request.caller, deps.rateLimiter);
    checkGeoFence(grant.ruleSet, request.caller, deps.geo);
    const head = await deps.source.headObject(request, sourceConditionsFor(request));
    const etag = redactedEtag(head.etag, grant.compiled.versionHash);
    checkPreconditions(request, { etag, lastModified: head.lastModified });
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
