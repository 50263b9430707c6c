import { checkGeoFence, checkRateLimits, grantFor } from './access-policy.ts';
import type { Caller } from './caller.ts';
import type { ListObjectsPage, ListObjectsRequest } from './ports/object-source.ts';
import { redactedEtag } from './redacted-etag.ts';
import { chooseRuleSet } from './redaction/scope-match.ts';
import { type ServeDependencies, startAudit } from './serve-object.ts';

export interface ListRequest extends ListObjectsRequest {
  readonly requestId: string;
  readonly caller: Caller;
}

/**
 * LIST: the source's page without the keys no rule set lets this caller read. The listing
 * itself is rate limited and geo fenced by the rule set covering the prefix, when one does;
 * without one, the caller sees only the keys it may read.
 * ETags are those of the redacted views; sizes are left out (the raw length is not the served one).
 */
export async function listObjects(request: ListRequest, deps: ServeDependencies): Promise<ListObjectsPage> {
  const audit = startAudit(request, 'ListObjectsV2', deps);
  try {
    const prefixGrant = grantFor(deps.rules, request.bucket, request.prefix ?? '', request.caller);
    if (prefixGrant !== undefined) {
      audit.ruleSet(prefixGrant.compiled.name, prefixGrant.compiled.versionHash);
      await checkRateLimits(prefixGrant.ruleSet, request.caller, deps.rateLimiter);
      checkGeoFence(prefixGrant.ruleSet, request.caller, deps.geo);
    }
    const page = await deps.source.listObjects(request);
    const objects = page.objects.flatMap((object) => {
      const ruleSet = chooseRuleSet(deps.rules.ruleSets, {
        bucket: request.bucket,
        key: object.key,
        caller: request.caller,
      });
      const compiled = ruleSet && deps.rules.compiled.get(ruleSet.name);
      if (compiled === undefined) return [];
      return [
        {
          key: object.key,
          lastModified: object.lastModified,
          etag: redactedEtag(object.etag, compiled.versionHash),
        },
      ];
    });
    audit.succeed(undefined, 200);
    return { ...page, objects };
  } catch (error) {
    audit.fail(error);
    throw error;
  }
}
