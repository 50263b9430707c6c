import { createHash } from 'node:crypto';

/**
 * The ETag of the redacted view: it changes when the stored object or the rule set changes, and
 * reveals neither the stored ETag nor the content.
 */
export function redactedEtag(sourceEtag: string | undefined, ruleSetVersion: string): string | undefined {
  if (sourceEtag === undefined) return undefined;
  return `"${createHash('sha256').update(`${sourceEtag}\n${ruleSetVersion}`).digest('hex').slice(0, 32)}"`;
}

/** True when an `If-Match` / `If-None-Match` list (`*` or comma-separated ETags) names `etag`. */
export function etagListMatches(list: string, etag: string | undefined): boolean {
  if (list.trim() === '*') return etag !== undefined;
  if (etag === undefined) return false;
  const bare = etag.replace(/^W\//, '');
  return list.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === bare);
}
