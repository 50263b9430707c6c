import type { PolicyStatement } from './policy-document.ts';

/**
 * What a statement's `Condition` means for a request signed with a user's long-term access key.
 *
 * - `none`: no condition; the statement always applies.
 * - `network`: limited to the source addresses or VPC endpoints named (`aws:SourceIp`,
 *   `aws:VpcSourceIp`, `aws:SourceVpce`): an Allow granted only from there, or a Deny that fences
 *   every other address off.
 * - `never`: cannot hold for a long-term key. Requests signed with long-term keys carry no
 *   `aws:MultiFactorAuthPresent`, and a `Bool` condition on an absent key does not match
 *   (https://repost.aws/knowledge-center/mfa-iam-user-aws-cli), so an Allow that requires MFA
 *   grants the bare key nothing and a `Bool … false` Deny never fires.
 * - `always`: a Deny whose condition holds for every long-term-key request (`BoolIfExists
 *   aws:MultiFactorAuthPresent false`, `Null aws:MultiFactorAuthPresent true`): the usual "deny
 *   unless MFA" statement. (An Allow whose condition always holds is `none`.)
 * - `unknown`: another condition; it may or may not hold, so an Allow is counted as granted and a
 *   Deny is not counted as removing anything (both err towards reporting the risk).
 */
export type StatementCondition = 'none' | 'network' | 'never' | 'always' | 'unknown';

const MFA_KEYS = new Set(['aws:multifactorauthpresent', 'aws:multifactorauthage']);
const SOURCE_IP_KEYS = new Set(['aws:sourceip', 'aws:vpcsourceip']);
const SOURCE_VPCE = 'aws:sourcevpce';

type Clause = { readonly operator: string; readonly key: string; readonly values: readonly string[] };

/** Classifies the condition of `statement` for requests signed with a long-term access key. */
export function classifyCondition(statement: PolicyStatement): StatementCondition {
  const clauses: Clause[] = [];
  for (const [operator, keys] of Object.entries(statement.condition)) {
    for (const [key, values] of Object.entries(keys)) {
      clauses.push({ operator: operator.toLowerCase(), key: key.toLowerCase(), values });
    }
  }
  // The clauses whose outcome is known for every long-term-key request decide alone, or drop out.
  const outcomes = clauses.map(knownOutcome);
  if (outcomes.includes(false)) return 'never';
  const open = clauses.filter((_, index) => outcomes[index] === undefined);
  if (open.length === 0) return clauses.length === 0 || statement.effect === 'Allow' ? 'none' : 'always';

  const isAllow = statement.effect === 'Allow';
  const vpceOperators = isAllow ? ['stringequals', 'stringlike'] : ['stringnotequals', 'stringnotlike'];
  const isNetwork = (clause: Clause): boolean =>
    (SOURCE_IP_KEYS.has(clause.key) && clause.operator.startsWith(isAllow ? 'ipaddress' : 'notipaddress')) ||
    (clause.key === SOURCE_VPCE && vpceOperators.some((operator) => clause.operator.startsWith(operator)));
  // An Allow is fenced by any network clause (the others only narrow it further); a Deny is a fence
  // only when network clauses are all it has (another clause could keep it from firing).
  const network = open.filter(isNetwork).length;
  if (network === 0 || (!isAllow && network !== open.length)) return 'unknown';
  return 'network';
}

/**
 * The outcome of a clause for every request signed with a long-term key, when it is known: such a
 * request carries no MFA keys (absent: `Bool`/`Numeric…` fail, `…IfExists` holds, `Null: true`
 * holds), and a call made directly with the key is not made via an AWS service.
 */
function knownOutcome(clause: Clause): boolean | undefined {
  if (MFA_KEYS.has(clause.key)) {
    if (clause.operator === 'null') return isTrue(clause.values);
    return clause.operator.endsWith('ifexists');
  }
  if (clause.key === 'aws:viaawsservice' && clause.operator.startsWith('bool')) {
    return isFalse(clause.values) ? true : undefined;
  }
  return undefined;
}

function isTrue(values: readonly string[]): boolean {
  return values.length > 0 && values.every((value) => value.toLowerCase() === 'true');
}

function isFalse(values: readonly string[]): boolean {
  return values.length > 0 && values.every((value) => value.toLowerCase() === 'false');
}
