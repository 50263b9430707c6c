import { NotModifiedError, PreconditionFailedError } from './errors.ts';
import type { SourceConditions } from './ports/object-source.ts';
import { etagListMatches } from './redacted-etag.ts';

/** The conditional headers of a GET or HEAD, as both front doors parse them. */
export interface Preconditions {
  readonly ifMatch?: string | undefined;
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: Date | undefined;
  readonly ifUnmodifiedSince?: Date | undefined;
}

/** What the conditions are compared with: the redacted view's validators, the only ones callers see. */
export interface Validators {
  readonly etag: string | undefined;
  readonly lastModified: Date | undefined;
  /**
   * Other ETags of exactly the same bytes, which a client may hold from an earlier answer: the
   * streamed ETag of the object version a stored view was made from. They match as `etag` does;
   * answers carry `etag`.
   */
  readonly equivalentEtags?: readonly string[] | undefined;
}

/**
 * Evaluates the conditions of a GET or HEAD in the order of RFC 9110 §13.2.2, which the S3
 * GetObject/HeadObject reference follows: "If both of the If-Match and If-Unmodified-Since headers
 * are present in the request as follows: If-Match condition evaluates to true, and;
 * If-Unmodified-Since condition evaluates to false; then, S3 returns 200 OK and the data requested"
 * and "If both of the If-None-Match and If-Modified-Since headers are present in the request as
 * follows: If-None-Match condition evaluates to false, and; If-Modified-Since condition evaluates
 * to true; then, S3 returns 304 Not Modified" (GetObjectRequest ifUnmodifiedSince / ifModifiedSince,
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/s3/aws.sdk.kotlin.services.s3.model/-get-object-request/if-unmodified-since.html).
 *
 * 1. If-Match present: false → 412; true → step 3 (If-Unmodified-Since is not looked at).
 * 2. Else If-Unmodified-Since: false → 412.
 * 3. If-None-Match present: false → 304; true → serve (If-Modified-Since is not looked at).
 * 4. Else If-Modified-Since: false → 304.
 *
 * Dates compare at second precision, as HTTP dates and S3's Last-Modified have it; a view without
 * a Last-Modified ignores the date conditions.
 *
 * @throws PreconditionFailedError for 412; NotModifiedError (carrying the ETag and Last-Modified
 *   a 304 must send) for 304.
 */
export function checkPreconditions(conditions: Preconditions, view: Validators): void {
  const names = (list: string) =>
    etagListMatches(list, view.etag) ||
    (view.equivalentEtags ?? []).some((etag) => etagListMatches(list, etag));
  if (conditions.ifMatch !== undefined) {
    if (!names(conditions.ifMatch)) throw new PreconditionFailedError();
  } else if (isModifiedSince(view.lastModified, conditions.ifUnmodifiedSince) === true) {
    throw new PreconditionFailedError();
  }
  const notModified = () =>
    new NotModifiedError(undefined, { etag: view.etag, lastModified: view.lastModified });
  if (conditions.ifNoneMatch !== undefined) {
    if (names(conditions.ifNoneMatch)) throw notModified();
  } else if (isModifiedSince(view.lastModified, conditions.ifModifiedSince) === false) {
    throw notModified();
  }
}

/**
 * The conditions the source may answer itself, before any byte is read: only those whose 412
 * is final whatever else the request holds. If-Unmodified-Since goes when there is no If-Match
 * (step 2 above); If-Modified-Since never goes: its 304 must carry the redacted view's ETag, which
 * S3's 304 cannot give, and it is ignored under If-None-Match. The ETag conditions never go: S3
 * would compare them with the stored object's ETag, not the redacted view's.
 */
export function sourceConditionsFor(conditions: Preconditions): SourceConditions {
  return conditions.ifMatch === undefined ? { ifUnmodifiedSince: conditions.ifUnmodifiedSince } : {};
}

/** `undefined` when there is nothing to compare. */
function isModifiedSince(lastModified: Date | undefined, since: Date | undefined): boolean | undefined {
  if (lastModified === undefined || since === undefined) return undefined;
  return seconds(lastModified) > seconds(since);
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
