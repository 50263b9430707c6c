/** A gateway key: not an AWS key; reads redacted data of its buckets only. */
export interface GatewayKey {
  /** Operator-chosen kebab-case name; the caller id in audit events and rate limits. */
  readonly name: string;
  /** `MPK` and 17 upper-case base32 characters: shaped like an AWS key id, never mistaken for one. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The only buckets this key may read through the gateway. */
  readonly buckets: readonly string[];
  /** ISO 8601 creation time. */
  readonly createdAt: string;
}

/** Port: the gateway's key registry (local 0600 file; Secrets Manager / DynamoDB in AWS). Revoked keys are not returned. */
export interface CredentialStore {
  find(accessKeyId: string): Promise<GatewayKey | undefined>;
}

/** Gateway key ids: `MPK` and 17 characters of the RFC 4648 base32 alphabet (20 in all, like AWS ids). */
export const GATEWAY_KEY_ID_PATTERN = /^MPK[A-Z2-7]{17}$/;

/** Gateway key names: kebab-case, 1–64 characters, starting with a letter. */
export const GATEWAY_KEY_NAME_PATTERN = /^(?=.{1,64}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The buckets a gateway key may list: S3 bucket names (3–63 of a-z, 0-9, `.` and `-`). */
export const GATEWAY_KEY_BUCKET_PATTERN = /^(?=.{3,63}$)[a-z0-9][a-z0-9.-]*[a-z0-9]$/;

/** Whether `key` may read `bucket`; the gateway's HTTP layer asks this after verifying the signature. */
export function isBucketAllowed(key: GatewayKey, bucket: string): boolean {
  return key.buckets.includes(bucket);
}
