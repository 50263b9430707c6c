import { createHash } from 'node:crypto';
import { type ViewIdentity, viewId } from './views/view-id.ts';

/**
 * The ETag of a redacted object answered without a stored view (streamed while it is redacted,
 * or from a gateway without a view store). It has the shape of a multipart upload's ETag
 * (`"…-1"`), so that no client takes it for the MD5 of the bytes, as S3 clients do with a plain
 * 32-digit ETag. It is derived from the view identity, so it changes with everything that changes
 * the bytes (object version, rule set version, token keys, engine), and reveals neither the
 * stored ETag nor the content.
 *
 * @example
 * streamedEtag(identity); // '"5d41402abc4b2a76b9719d911017c592-1"'
 */
export function streamedEtag(identity: ViewIdentity): string {
  const digest = createHash('sha256').update('maskpoint-streamed-etag/1\n').update(viewId(identity));
  return `"${digest.digest('hex').slice(0, 32)}-1"`;
}

/**
 * The ETag of an answer served from a stored view: the MD5 of exactly the bytes served, as S3
 * gives for an object uploaded in one part.
 */
export function viewEtag(md5: string): string {
  return `"${md5}"`;
}

/** True when an `If-Match` / `If-None-Match` list (`*` or comma-separated ETags) names `etag`. */
export function etagListMatches(list: string, etag: string | undefined): boolean {
  if (list.trim() === '*') return etag !== undefined;
  if (etag === undefined) return false;
  const bare = etag.replace(/^W\//, '');
  return list.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === bare);
}
