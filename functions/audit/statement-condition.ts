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
 * - `always`: holds for every long-term-key request (`BoolIfExists aws:MultiFactorAuthPresent
 *   false`, `Null aws:MultiFactorAuthPresent true`): the usual "deny unless MFA" statement.
 * - `unknown`: another condition; it may or may not hold, so an Allow is counted as granted and a
 *   Deny is not counted as removing anything (both err towards reporting the risk).
 */
export type StatementCondition =
  | { readonly kind: 'none' | 'never' | 'always' | 'unknown' }
  | {
      readonly kind: 'network';
      readonly sourceIps: readonly string[];
      readonly sourceVpces: readonly string[];
    };

const MFA_PRESENT = 'aws:multifactorauthpresent';
const MFA_AGE = 'aws:multifactorauthage';
const SOURCE_IP_KEYS = new Set(['aws:sourceip', 'aws:vpcsourceip']);
const SOURCE_VPCE = 'aws:sourcevpce';
// Keys that only narrow a network fence further (the fence stays one): a deny for direct calls only.
const BENIGN_FOR_FENCE = new Set(['aws:viaawsservice', 'aws:principalisawsservice']);

type Clause = { readonly operator: string; readonly key: string; readonly values: readonly string[] };

/** Classifies the condition of `statement` for requests signed with a long-term access key. */
export function classifyCondition(statement: PolicyStatement): StatementCondition {
  const clauses: Clause[] = [];
  for (const [operator, keys] of Object.entries(statement.condition)) {
    for (const [key, values] of Object.entries(keys)) {
      clauses.push({ operator: operator.toLowerCase(), key: key.toLowerCase(), values });
    }
  }
  if (clauses.length === 0) return { kind: 'none' };
  return statement.effect === 'Allow' ? classifyAllow(clauses) : classifyDeny(clauses);
}

function classifyAllow(clauses: readonly Clause[]): StatementCondition {
  if (clauses.some(requiresMfa)) return { kind: 'never' };
  const sourceIps: string[] = [];
  const sourceVpces: string[] = [];
  for (const clause of clauses) {
    const isPositive = !clause.operator.includes('not');
    if (isPositive && SOURCE_IP_KEYS.has(clause.key) && clause.operator.startsWith('ipaddress')) {
      sourceIps.push(...clause.values);
    } else if (isPositive && clause.key === SOURCE_VPCE && clause.operator.startsWith('string')) {
      sourceVpces.push(...clause.values);
    }
  }
  if (sourceIps.length > 0 || sourceVpces.length > 0) return { kind: 'network', sourceIps, sourceVpces };
  return { kind: 'unknown' };
}

function classifyDeny(clauses: readonly Clause[]): StatementCondition {
  if (clauses.some(neverFiresForLongTermKeys)) return { kind: 'never' };
  if (clauses.every(alwaysFiresForLongTermKeys)) return { kind: 'always' };
  const fence = clauses.filter((clause) => !BENIGN_FOR_FENCE.has(clause.key));
  const isFence =
    fence.length > 0 &&
    fence.every(
      (clause) =>
        (SOURCE_IP_KEYS.has(clause.key) && clause.operator.startsWith('notipaddress')) ||
        (clause.key === SOURCE_VPCE && clause.operator.startsWith('stringnot')),
    );
  if (!isFence) return { kind: 'unknown' };
  return {
    kind: 'network',
    sourceIps: fence.filter((clause) => SOURCE_IP_KEYS.has(clause.key)).flatMap((clause) => clause.values),
    sourceVpces: fence.filter((clause) => clause.key === SOURCE_VPCE).flatMap((clause) => clause.values),
  };
}

function isTrue(values: readonly string[]): boolean {
  return values.length > 0 && values.every((value) => value.toLowerCase() === 'true');
}

function isFalse(values: readonly string[]): boolean {
  return values.length > 0 && values.every((value) => value.toLowerCase() === 'false');
}

/** An Allow clause that needs MFA in the request: never met by a long-term key. */
function requiresMfa(clause: Clause): boolean {
  if (clause.key === MFA_PRESENT) {
    return (
      (clause.operator === 'bool' && isTrue(clause.values)) ||
      (clause.operator === 'null' && isFalse(clause.values))
    );
  }
  return (
    clause.key === MFA_AGE && clause.operator.startsWith('numeric') && !clause.operator.endsWith('ifexists')
  );
}

/** A Deny clause that never matches a long-term-key request (the MFA key is absent). */
function neverFiresForLongTermKeys(clause: Clause): boolean {
  return clause.key === MFA_PRESENT && clause.operator === 'bool';
}

/** A Deny clause that matches every long-term-key request. */
function alwaysFiresForLongTermKeys(clause: Clause): boolean {
  if (clause.key === MFA_PRESENT) {
    return (
      (clause.operator === 'boolifexists' && isFalse(clause.values)) ||
      (clause.operator === 'null' && isTrue(clause.values))
    );
  }
  // The common companion of the MFA deny: a key-signed call made directly is not via a service.
  return clause.key === 'aws:viaawsservice' && clause.operator.startsWith('bool') && isFalse(clause.values);
}
