/**
 * Who is reading, as established by a front door. `ip` and `country` are set only from trusted
 * sources (the socket, a function URL's `requestContext`, CloudFront with the origin secret),
 * never from a header the client controls.
 */
export interface Caller {
  /**
   * The principal rate limits and audit lines count: a gateway key name, an IAM user ARN, or
   * an IAM role ARN for every session of that role (a new session is not a new caller). For an
   * IAM identity of unknown shape, the ARN or principal id it presented.
   */
  readonly id: string;
  readonly kind: 'iam' | 'gateway-key';
  /**
   * The names rule-set caller patterns are tried against; `[id]` when absent. An IAM caller has
   * each canonical form of its identity here: role ARN and session ARN, user ARN, account root.
   */
  readonly names?: readonly string[] | undefined;
  /** Set when the front door could not fully establish who the caller is; see {@link CallerDoubt}. */
  readonly doubt?: CallerDoubt | undefined;
  readonly ip?: string | undefined;
  /** ISO country code from a trusted edge (CloudFront-Viewer-Country), if any. */
  readonly country?: string | undefined;
}

/**
 * What is not known about a caller, so that no rule set is chosen on a guess:
 *
 * - `unknown-shape`: the identity is none of the shapes the front door knows; any caller pattern
 *   it does not match might still have been written for it;
 * - `role-path`: a role session whose event did not name the role itself, only the session ARN,
 *   which leaves out the role's path. `roleArnPrefix` is `arn:PARTITION:iam::ACCOUNT:role/`, and
 *   a pattern naming that role under some path might have been written for it.
 */
export type CallerDoubt =
  | { readonly kind: 'unknown-shape' }
  | { readonly kind: 'role-path'; readonly roleArnPrefix: string; readonly roleName: string };
