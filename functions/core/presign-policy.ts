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
 * principal matches the caller are considered together: the key must sit under one of their
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
  const callerGrants = policy.callers.filter((grant) => matchesArnGlob(grant.principal, callerArn));
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
