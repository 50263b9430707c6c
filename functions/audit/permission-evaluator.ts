import type { NamedPolicy, PolicyStatement } from './policy-document.ts';
import { classifyCondition, type StatementCondition } from './statement-condition.ts';
import { patternCovers, patternsIntersect } from './wildcard-pattern.ts';

/** The identity policies of one IAM user and its permissions boundary. */
export interface PrincipalPolicies {
  /** Inline and managed policies of the user and of its groups (managed: the default version). */
  readonly identity: readonly NamedPolicy[];
  /** The permissions boundary: it grants nothing itself, it caps what `identity` grants. */
  readonly boundary: NamedPolicy | undefined;
}

/** Values of the policy variables a user's policies may name (`${aws:username}`, …). */
export interface PolicyVariables {
  readonly userName: string;
  readonly userId: string;
  readonly accountId: string;
}

/**
 * `some`: is some action of the probe allowed on some resource of it ("can this key read an object
 * of this bucket?"); `all`: is the whole probe allowed by one statement ("sts:AssumeRole on `*`").
 */
export type ProbeScope = 'some' | 'all';

/** What a principal may do with an action (pattern) on a resource (pattern). */
export interface Access {
  readonly isAllowed: boolean;
  /** Every grant that allows it only works from named addresses or VPC endpoints. */
  readonly isNetworkRestricted: boolean;
  /** The policies whose statements allow it (empty when not allowed). */
  readonly grantedBy: readonly string[];
}

/** A statement of one policy with its variables resolved and its condition classified. */
interface ResolvedStatement extends PolicyStatement {
  readonly policy: string;
  /** `actions` lower-cased: action names are case-insensitive. */
  readonly actionPatterns: readonly string[];
  readonly conditionKind: StatementCondition;
}

/** Answers access questions about one user from its policies; see `createPermissionEvaluator`. */
export interface PermissionEvaluator {
  /** May `action` be done on `resource` (both IAM patterns), after denies and the boundary. */
  access(action: string, resource: string, scope: ProbeScope): Access;
  /** Whether one grant allows every action on every resource and no deny takes anything away. */
  isAdministrator(): boolean;
  /** The effective Allow statements of the identity policies (not those that can never apply). */
  allowStatements(): readonly ResolvedStatement[];
  /** The resource patterns the Allow statements name for `action` (`*` for a NotResource). */
  grantedResources(action: string): readonly string[];
}

/**
 * Evaluates a user's identity policies the way IAM does for one request signed with the user's
 * long-term access key: an explicit deny wins, then an allow is needed in the identity policies and
 * (when there is one) in the permissions boundary
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * Resource policies, SCPs and session policies are not part of the input and are not evaluated.
 */
export function createPermissionEvaluator(
  policies: PrincipalPolicies,
  variables: PolicyVariables,
): PermissionEvaluator {
  const identity = policies.identity.flatMap((policy) => resolve(policy, variables));
  const boundary = policies.boundary === undefined ? undefined : resolve(policies.boundary, variables);
  const denies = [...identity, ...(boundary ?? [])].filter((statement) => statement.effect === 'Deny');
  const allows = identity.filter(
    (statement) => statement.effect === 'Allow' && statement.conditionKind !== 'never',
  );
  const boundaryAllows = boundary?.filter(
    (statement) => statement.effect === 'Allow' && statement.conditionKind !== 'never',
  );

  function access(action: string, resource: string, scope: ProbeScope): Access {
    const probe = { action: action.toLowerCase(), resource, scope };
    const granting = allows.filter((statement) => allowApplies(statement, probe));
    const denied = denies.some(
      (statement) =>
        (statement.conditionKind === 'none' || statement.conditionKind === 'always') &&
        denyCovers(statement, probe),
    );
    const bounding = boundaryAllows?.filter((statement) => allowApplies(statement, probe));
    if (granting.length === 0 || denied || bounding?.length === 0) {
      return { isAllowed: false, isNetworkRestricted: false, grantedBy: [] };
    }
    const isFenced = denies.some(
      (statement) => statement.conditionKind === 'network' && denyCovers(statement, probe),
    );
    const isNetworkRestricted =
      isFenced ||
      granting.every((statement) => statement.conditionKind === 'network') ||
      bounding?.every((statement) => statement.conditionKind === 'network') === true;
    return {
      isAllowed: true,
      isNetworkRestricted,
      grantedBy: [...new Set(granting.map((statement) => statement.policy))],
    };
  }

  function isAdministrator(): boolean {
    const hasDeny = denies.some(
      (statement) => statement.conditionKind === 'none' || statement.conditionKind === 'always',
    );
    return !hasDeny && access('*', '*', 'all').isAllowed;
  }

  function grantedResources(action: string): string[] {
    const probe: Probe = { action: action.toLowerCase(), resource: '*', scope: 'some' };
    const patterns = allows
      .filter((statement) => allowApplies(statement, probe))
      .flatMap((statement) => (statement.isNotResource ? ['*'] : statement.resources));
    return [...new Set(patterns)];
  }

  return { access, isAdministrator, allowStatements: () => allows, grantedResources };
}

interface Probe {
  readonly action: string;
  readonly resource: string;
  readonly scope: ProbeScope;
}

function allowApplies(statement: ResolvedStatement, probe: Probe): boolean {
  const touches = probe.scope === 'some' ? patternsIntersect : patternCovers;
  const actionOk = statement.isNotAction
    ? !statement.actionPatterns.some((pattern) =>
        probe.scope === 'some'
          ? patternCovers(pattern, probe.action)
          : patternsIntersect(pattern, probe.action),
      )
    : statement.actionPatterns.some((pattern) => touches(pattern, probe.action));
  if (!actionOk) return false;
  return statement.isNotResource
    ? !statement.resources.some((pattern) =>
        probe.scope === 'some'
          ? patternCovers(pattern, probe.resource)
          : patternsIntersect(pattern, probe.resource),
      )
    : statement.resources.some((pattern) => touches(pattern, probe.resource));
}

function denyCovers(statement: ResolvedStatement, probe: Probe): boolean {
  const actionOk = statement.isNotAction
    ? !statement.actionPatterns.some((pattern) => patternsIntersect(pattern, probe.action))
    : statement.actionPatterns.some((pattern) => patternCovers(pattern, probe.action));
  if (!actionOk) return false;
  return statement.isNotResource
    ? !statement.resources.some((pattern) => patternsIntersect(pattern, probe.resource))
    : statement.resources.some((pattern) => patternCovers(pattern, probe.resource));
}

// A character no ARN contains: a deny naming an unknown variable then covers nothing.
const MATCHES_NOTHING = '\u0000';

function resolve(policy: NamedPolicy, variables: PolicyVariables): ResolvedStatement[] {
  const known: Record<string, string> = {
    'aws:username': variables.userName,
    'aws:userid': variables.userId,
    'aws:principalaccount': variables.accountId,
    $: '$',
  };
  return policy.statements.map((statement) => {
    // Unknown variables (and the literal escapes ${*}, ${?}): as broad as can be in an Allow, as
    // narrow as can be in a Deny.
    const unknown = statement.effect === 'Allow' ? '*' : MATCHES_NOTHING;
    const resources = statement.resources.map((resource) =>
      resource.replaceAll(/\$\{([^}]*)\}/g, (_, name: string) => known[name.toLowerCase()] ?? unknown),
    );
    return {
      ...statement,
      resources,
      actionPatterns: statement.actions.map((action) => action.toLowerCase()),
      policy: policy.name,
      conditionKind: classifyCondition(statement),
    };
  });
}
