import { z } from 'zod';
import { AccessDeniedError, InvalidArgumentError } from './errors.ts';

/** The longest a SigV4 presigned URL may live: 7 days, the limit of S3 and of the gateway. */
export const MAX_PRESIGN_EXPIRES_SECONDS = 604_800;

/** What one group of callers may presign. */
export interface PresignGrant {
  /** The callers' ARN as an IAM-style glob: `*` matches any run of characters, `?` one character. */
  readonly principal: string;
  /** Key prefixes the callers may presign; `''` allows every key. */
  readonly prefixes: readonly string[];
  /** Longest lifetime the callers may ask for, capped at 7 days whatever the value. */
  readonly maxExpiresSeconds: number;
  /** The only buckets the callers may presign; when absent, any bucket the signing key reads. */
  readonly buckets?: readonly string[] | undefined;
}

/** Who may obtain a presigned URL for what, and for how long. Requests no grant covers are refused. */
export interface PresignPolicy {
  readonly callers: readonly PresignGrant[];
}

/**
 * The policy document (the presigner's `MASKPOINT_PRESIGN_POLICY`): unknown fields are refused, so
 * a misspelt `maxExpiresSeconds` fails at cold start instead of being ignored.
 */
export const presignPolicySchema: z.ZodType<PresignPolicy> = z.strictObject({
  callers: z
    .array(
      z.strictObject({
        principal: z.string().min(1, 'an ARN or ARN glob such as arn:aws:iam::111122223333:role/partner-*'),
        prefixes: z.array(z.string()).min(1, "at least one key prefix ('' allows every key)"),
        maxExpiresSeconds: z.number().int().min(1).max(MAX_PRESIGN_EXPIRES_SECONDS),
        buckets: z.array(z.string().min(1)).min(1).optional(),
      }),
    )
    .min(1, 'at least one caller entry'),
});

/** One request for a presigned GET URL. */
export interface PresignRequest {
  /** The authenticated caller (for a function URL: `requestContext.authorizer.iam.userArn`). */
  readonly callerArn: string;
  readonly bucket: string;
  readonly key: string;
  readonly expiresSeconds: number;
}

/**
 * Checks a request against the policy and returns when one grant allows it. The grants whose
 * principal names the caller (its ARN, or for a role session its role: see `namesCaller`) are
 * considered together: the key must sit under one of their
 * prefixes (for a listed bucket), and the lifetime must not exceed the largest maximum among the
 * grants that cover the key.
 *
 * @throws InvalidArgumentError when `expiresSeconds` is not a whole number from 1 to 604800, or
 *   exceeds what the caller's grants allow; AccessDeniedError when no grant names the caller or
 *   covers the bucket and key.
 *
 * @example
 * ```ts
 * const policy = {
 *   callers: [{ principal: 'arn:aws:iam::111122223333:role/partner-*', prefixes: ['exports/'], maxExpiresSeconds: 86400 }],
 * };
 * checkPresignRequest(
 *   { callerArn: 'arn:aws:iam::111122223333:role/partner-a', bucket: 'reports', key: 'exports/q1.csv', expiresSeconds: 3600 },
 *   policy,
 * ); // returns
 * ```
 */
export function checkPresignRequest(request: PresignRequest, policy: PresignPolicy): void {
  const { callerArn, bucket, key, expiresSeconds } = request;
  if (
    !Number.isInteger(expiresSeconds) ||
    expiresSeconds < 1 ||
    expiresSeconds > MAX_PRESIGN_EXPIRES_SECONDS
  ) {
    throw new InvalidArgumentError(
      `expiresSeconds ${expiresSeconds} is out of range: a presigned URL lives from 1 to ${MAX_PRESIGN_EXPIRES_SECONDS} seconds (7 days)`,
    );
  }
  const callerGrants = policy.callers.filter((grant) => namesCaller(grant.principal, callerArn));
  if (callerGrants.length === 0) {
    throw new AccessDeniedError(`caller ${callerArn} may not presign URLs`);
  }
  const coveringGrants = callerGrants.filter(
    (grant) =>
      (grant.buckets === undefined || grant.buckets.includes(bucket)) &&
      grant.prefixes.some((prefix) => key.startsWith(prefix)),
  );
  if (coveringGrants.length === 0) {
    const allowed = callerGrants.flatMap((grant) =>
      grant.prefixes.map((prefix) => `${grant.buckets?.join('|') ?? '*'}/${prefix}`),
    );
    throw new AccessDeniedError(
      `caller ${callerArn} may not presign ${bucket}/${key}: allowed are keys under ${allowed.join(', ')}`,
    );
  }
  const maxExpiresSeconds = Math.min(
    MAX_PRESIGN_EXPIRES_SECONDS,
    Math.max(...coveringGrants.map((grant) => grant.maxExpiresSeconds)),
  );
  if (expiresSeconds > maxExpiresSeconds) {
    throw new InvalidArgumentError(
      `expiresSeconds ${expiresSeconds} exceeds the ${maxExpiresSeconds} seconds caller ${callerArn} may ask for ${bucket}/${key}`,
    );
  }
}

// A role session's STS ARN names its role without the role's path (as the Object Lambda caller
// parser notes: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns),
// and a function URL's `authorizer.iam.userArn` is that session ARN for a role caller. Role names
// are unique within an account whatever their path ("IAM user, group, role, and policy names must
// be unique within the account", CreateRole's RoleName), so the name identifies the role.
const SESSION_ARN = /^arn:(aws(?:-[a-z]+)*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/;
const ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role\/(?:[\x21-\x7e]+\/)?([\w+=,.@-]+)$/;

/**
 * True when a grant's principal names the caller: its glob matches the caller's ARN, or the
 * caller is a session of the role the principal names. An exact role ARN (with or without a
 * path) names every session of that role; a glob is matched against the session's role ARN
 * as the session ARN gives it, without a path, so a glob that needs a path never matches one.
 */
function namesCaller(principal: string, callerArn: string): boolean {
  if (matchesArnGlob(principal, callerArn)) return true;
  const session = SESSION_ARN.exec(callerArn);
  if (session === null) return false;
  const [, partition, account, roleName] = session;
  if (!/[*?]/.test(principal)) {
    const role = ROLE_ARN.exec(principal);
    return role !== null && role[1] === partition && role[2] === account && role[3] === roleName;
  }
  return matchesArnGlob(principal, `arn:${partition}:iam::${account}:role/${roleName}`);
}

/** IAM `ArnLike` semantics: `*` spans any characters (`:` and `/` included), `?` exactly one; case-sensitive. */
function matchesArnGlob(glob: string, arn: string): boolean {
  const pattern = glob
    .split('')
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${pattern}$`, 's').test(arn);
}
