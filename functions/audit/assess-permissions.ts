import { ACCOUNT_LISTING_ACTIONS } from './account-listing-actions.ts';
import type { Finding } from './audit-report.ts';
import type { Access, PermissionEvaluator } from './permission-evaluator.ts';
import {
  PRIVILEGE_ESCALATION_METHODS,
  type PrivilegeEscalationMethod,
} from './privilege-escalation-methods.ts';
import { patternsIntersect } from './wildcard-pattern.ts';

/** What a user's policies let its keys do, as findings. */
export interface PermissionAssessment {
  readonly findings: readonly Finding[];
  /** Some sensitive bucket is reachable from any address (no SourceIp/VPC endpoint fence). */
  readonly hasOpenSensitiveAccess: boolean;
}

const SENSITIVE_READS = ['s3:GetObject', 's3:GetObjectVersion'];
const SENSITIVE_WRITES = ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'];
const MAX_LISTED = 6;

/**
 * Assesses a user's effective permissions (see `createPermissionEvaluator`) for the risk reasons
 * that come from policies: `admin`, `privilege-escalation`, `resource-listing`, `sensitive-data`,
 * `wildcard-resource` (a wildcard action, such as `s3:*`, on every resource; a single action on `*`
 * is not one, as many actions support no narrower resource) and `no-ip-restriction`.
 */
export function assessPermissions(
  evaluator: PermissionEvaluator,
  user: { readonly arn: string },
  sensitiveBuckets: readonly string[],
): PermissionAssessment {
  const findings: Finding[] = [];
  if (evaluator.isAdministrator()) {
    findings.push({
      reason: 'admin',
      detail: `${describeGrant(evaluator.access('*', '*', 'all'))} allows * on *`,
    });
  }

  const methods = PRIVILEGE_ESCALATION_METHODS.filter((method) => canUse(evaluator, method, user.arn));
  if (methods.length > 0) {
    findings.push({
      reason: 'privilege-escalation',
      detail: shortList(methods.map((method) => `${method.id} (${method.actions.join(' + ')})`)),
    });
  }

  const listing = ACCOUNT_LISTING_ACTIONS.filter((action) => evaluator.access(action, '*', 'some').isAllowed);
  if (listing.length > 0) findings.push({ reason: 'resource-listing', detail: shortList(listing) });

  let hasOpenSensitiveAccess = false;
  const reachable: string[] = [];
  for (const bucket of sensitiveBuckets) {
    const objects = `arn:aws:s3:::${bucket}/*`;
    const reads = SENSITIVE_READS.map((action) => evaluator.access(action, objects, 'some'));
    const writes = SENSITIVE_WRITES.map((action) => evaluator.access(action, objects, 'some'));
    const granted = [...reads, ...writes].filter((access) => access.isAllowed);
    if (granted.length === 0) continue;
    if (granted.some((access) => !access.isNetworkRestricted)) hasOpenSensitiveAccess = true;
    const modes = [
      ...(reads.some((access) => access.isAllowed) ? ['read'] : []),
      ...(writes.some((access) => access.isAllowed) ? ['write'] : []),
    ];
    reachable.push(`${bucket} (${modes.join(', ')})`);
  }
  if (reachable.length > 0) findings.push({ reason: 'sensitive-data', detail: reachable.join('; ') });

  const wildcards = new Set<string>();
  let hasOpenGrant = false;
  for (const statement of evaluator.allowStatements()) {
    const actions = statement.isNotAction ? ['*'] : statement.actions;
    const resources = statement.isNotResource ? ['*'] : statement.resources;
    for (const action of actions) {
      for (const resource of resources) {
        const access = evaluator.access(action, resource, 'some');
        if (!access.isAllowed) continue;
        if (!access.isNetworkRestricted) hasOpenGrant = true;
        if (resource === '*' && /[*?]/.test(action)) wildcards.add(action);
      }
    }
  }
  if (wildcards.size > 0) {
    findings.push({ reason: 'wildcard-resource', detail: `${shortList([...wildcards].sort())} on *` });
  }
  if (hasOpenGrant) {
    findings.push({
      reason: 'no-ip-restriction',
      detail: 'usable from any address: no aws:SourceIp or aws:SourceVpce condition',
    });
  }
  return { findings, hasOpenSensitiveAccess };
}

function canUse(evaluator: PermissionEvaluator, method: PrivilegeEscalationMethod, userArn: string): boolean {
  return method.actions.every((action) => {
    if (method.onOtherUsers?.includes(action)) return isAllowedOnOtherUsers(evaluator, action, userArn);
    const everyResource = method.onEveryResource?.[action];
    if (everyResource !== undefined) return evaluator.access(action, everyResource, 'all').isAllowed;
    return evaluator.access(action, '*', 'some').isAllowed;
  });
}

/** Allowed on some user other than `userArn` (on oneself, CreateAccessKey is routine self-service). */
function isAllowedOnOtherUsers(evaluator: PermissionEvaluator, action: string, userArn: string): boolean {
  return evaluator
    .grantedResources(action)
    .some(
      (pattern) =>
        pattern !== userArn &&
        patternsIntersect(pattern, 'arn:*:iam::*:user/*') &&
        evaluator.access(action, pattern, 'some').isAllowed,
    );
}

function describeGrant(access: Access): string {
  return access.grantedBy.join(', ');
}

function shortList(items: readonly string[]): string {
  if (items.length <= MAX_LISTED) return items.join(', ');
  return `${items.slice(0, MAX_LISTED).join(', ')} and ${items.length - MAX_LISTED} more`;
}
