import { assessPermissions } from './assess-permissions.ts';
import {
  type AuditReport,
  type BlindSpot,
  type Finding,
  type KeyReport,
  RISK_REASONS,
  type RiskLevel,
  type RiskReason,
  type UnusedAccess,
  type UsedAccess,
} from './audit-report.ts';
import type { IamUser } from './authorization-details.ts';
import { S3_OBJECT_ACTIONS } from './cloudtrail-action.ts';
import { ROOT_ACCOUNT } from './credential-report.ts';
import type { KeyUsage, TrailUsage } from './key-usage.ts';
import { createPermissionEvaluator, type PermissionEvaluator } from './permission-evaluator.ts';
import { planProxy } from './proxy-plan.ts';
import { suggestPolicy } from './suggest-policy.ts';
import { wildcardMatches } from './wildcard-pattern.ts';

/** An access key as the credential report (no id) or the live API (with id) describes it. */
export interface AccessKeyRecord {
  /** The IAM user name; `<root_account>` for the account's root user. */
  readonly user: string;
  readonly userArn: string;
  readonly accessKeyId: string | undefined;
  readonly slot: 1 | 2 | undefined;
  readonly isActive: boolean;
  /** When the key was created (or, in the credential report, last rotated). */
  readonly createdAt: Date;
  readonly lastUsedAt: Date | undefined;
  /** Service namespace of the last use (`s3`, `iam`, …), when IAM recorded one. */
  readonly lastUsedService: string | undefined;
}

/** The CloudTrail evidence and where it came from. */
export interface TrailInput {
  readonly usage: TrailUsage;
  /** Log files as delivered to S3, or LookupEvents (management events of the last 90 days only). */
  readonly kind: 'log-files' | 'lookup-events';
  /** Live mode: trails whose event selectors log S3 data events (their files hold object reads). */
  readonly trailsLoggingS3DataEvents?: readonly string[];
}

/** Everything the audit reads. */
export interface AuditInput {
  readonly users: readonly IamUser[];
  readonly accessKeys: readonly AccessKeyRecord[];
  readonly trail: TrailInput | undefined;
  readonly sensitiveBuckets: readonly string[];
  /** Bucket name → the `infra/buckets/` file that protects it. */
  readonly configuredBuckets: ReadonlyMap<string, string>;
  /** User name → services Access Advisor reports as not accessed in its tracking period (live mode). */
  readonly servicesNotAccessed?: ReadonlyMap<string, readonly string[]>;
  readonly now: Date;
}

const DAY_MS = 86_400_000;
/** Keys unused this long are `unused-key`; older keys are `old-key` (CIS AWS Foundations 1.12/1.14). */
export const KEY_AGE_LIMIT_DAYS = 90;

const HIGH: ReadonlySet<RiskReason> = new Set(['admin', 'privilege-escalation']);
const MEDIUM: ReadonlySet<RiskReason> = new Set([
  'sensitive-data',
  'resource-listing',
  'wildcard-resource',
  'unused-key',
  'old-key',
]);

/**
 * Audits every access key: risk and reasons from the user's effective permissions and the key's
 * age and use; used and unused rights, a least-privilege policy and a proxy plan from CloudTrail;
 * and the blind spots of the inputs. Pure: the caller reads the exports or the live APIs.
 *
 * @example
 * ```ts
 * const report = auditAccessKeys({
 *   users: parseAuthorizationDetails(details),
 *   accessKeys: parseCredentialReport(csv).map(fromCredentialReport),
 *   trail: { usage: summarizeTrail(records), kind: 'log-files' },
 *   sensitiveBuckets: ['acme-customer-exports'],
 *   configuredBuckets: new Map(),
 *   now: new Date(),
 * });
 * ```
 */
export function auditAccessKeys(input: AuditInput): AuditReport {
  const blindSpots: BlindSpot[] = [
    {
      code: 'policies-not-evaluated',
      message:
        'bucket and other resource policies, SCPs and session policies are not read: they can grant or deny more than the identity policies show',
    },
  ];
  const { keys, unattributed } = attributeKeyIds(input.accessKeys, input.trail?.usage);
  blindSpots.push(...trailBlindSpots(input.trail, unattributed, input.now));

  const users = new Map(input.users.map((user) => [user.name, user]));
  const reports = keys.map((key) => auditKey(key, users.get(key.user), input));
  reports.sort(
    (a, b) =>
      RISK_ORDER[a.risk] - RISK_ORDER[b.risk] ||
      a.user.localeCompare(b.user) ||
      (a.slot ?? 0) - (b.slot ?? 0) ||
      (a.accessKeyId ?? '').localeCompare(b.accessKeyId ?? ''),
  );
  return {
    generatedAt: input.now.toISOString(),
    sensitiveBuckets: [...input.sensitiveBuckets].sort(),
    blindSpots,
    keys: reports,
  };
}

const RISK_ORDER: Record<RiskLevel, number> = { high: 0, medium: 1, low: 2 };

function auditKey(key: AccessKeyRecord, user: IamUser | undefined, input: AuditInput): KeyReport {
  const blindSpots: BlindSpot[] = [];
  const findings: Finding[] = [];
  const isRoot = key.user === ROOT_ACCOUNT;
  let evaluator: PermissionEvaluator | undefined;
  let hasOpenSensitiveAccess = false;
  if (isRoot) {
    findings.push({
      reason: 'admin',
      detail: "the root user's access key: every right in the account, and no IAM policy limits it",
    });
    hasOpenSensitiveAccess = input.sensitiveBuckets.length > 0;
  } else if (user === undefined) {
    blindSpots.push({
      code: 'unresolved-policy',
      message: `user ${key.user} is not in the authorization details: its rights are unknown`,
    });
  } else {
    evaluator = createPermissionEvaluator(user.policies, {
      userName: user.name,
      userId: user.id,
      accountId: user.accountId,
    });
    const assessment = assessPermissions(evaluator, user, input.sensitiveBuckets);
    findings.push(...assessment.findings);
    hasOpenSensitiveAccess = assessment.hasOpenSensitiveAccess;
    if (user.unresolvedPolicies.length > 0) {
      blindSpots.push({
        code: 'unresolved-policy',
        message: `not in the authorization details, so not evaluated: ${user.unresolvedPolicies.join(', ')}`,
      });
    }
  }

  const usage = key.accessKeyId === undefined ? undefined : input.trail?.usage.keys.get(key.accessKeyId);
  const lastUsedAt = latest(key.lastUsedAt, usage?.lastSeen);
  const ageDays = Math.floor((input.now.getTime() - key.createdAt.getTime()) / DAY_MS);
  const idleDays = Math.floor((input.now.getTime() - (lastUsedAt ?? key.createdAt).getTime()) / DAY_MS);
  if (idleDays > KEY_AGE_LIMIT_DAYS) {
    findings.push({
      reason: 'unused-key',
      detail: lastUsedAt === undefined ? `never used in ${ageDays} days` : `last used ${idleDays} days ago`,
    });
  }
  if (ageDays > KEY_AGE_LIMIT_DAYS)
    findings.push({ reason: 'old-key', detail: `created ${ageDays} days ago` });

  const trail = input.trail;
  // Without a key id, a user with no long-term-key call in the trail files still shows what the key
  // did: nothing. LookupEvents was asked per key id, so there a key without one is unknown.
  const canAttribute =
    trail !== undefined &&
    (key.accessKeyId !== undefined ||
      (trail.kind === 'log-files' && !hasLongTermKeyActivity(trail.usage, key.user)));
  if (trail !== undefined && !canAttribute) {
    blindSpots.push({
      code: 'key-id-unknown',
      message: `the credential report does not give the key id of slot ${key.slot}, and no CloudTrail activity of ${key.user} could be tied to it`,
    });
  }
  if (canAttribute && usage === undefined && key.lastUsedAt !== undefined) {
    const firstEventAt = trail.usage.coverage.firstEventAt;
    if (firstEventAt !== undefined && key.lastUsedAt >= firstEventAt) {
      blindSpots.push({
        code: 'key-used-outside-trail',
        message: `IAM saw this key used on ${key.lastUsedAt.toISOString()} (${key.lastUsedService ?? 'unknown service'}), but the CloudTrail input has no call by it: data events, another region or another trail`,
      });
    }
  }
  if (canAttribute && evaluator !== undefined) blindSpots.push(...dataEventBlindSpots(evaluator, trail));

  const used = canAttribute ? describeUsed(usage) : undefined;
  const unused =
    canAttribute && evaluator !== undefined
      ? describeUnused(evaluator, usage, input.servicesNotAccessed?.get(key.user))
      : undefined;
  const suggestion = canAttribute && usage !== undefined ? suggestPolicy(usage) : undefined;
  const suggestionNotes = [...(suggestion?.notes ?? [])];
  if (canAttribute && usage === undefined) {
    suggestionNotes.push('no call by this key in the CloudTrail input: deactivate it rather than narrow it');
  }
  if (suggestion !== undefined && suggestion.excludedActions.length > 0) {
    suggestionNotes.push(`left out on purpose: ${suggestion.excludedActions.join(', ')}`);
  }
  const sensitive = new Set(input.sensitiveBuckets);
  const proxy =
    usage === undefined || isRoot
      ? undefined
      : planProxy(key.user, usage, sensitive, input.configuredBuckets);

  const reasons = orderedReasons(findings);
  return {
    user: key.user,
    userArn: key.userArn,
    accessKeyId: key.accessKeyId,
    slot: key.slot,
    status: key.isActive ? 'Active' : 'Inactive',
    createdAt: key.createdAt.toISOString(),
    ageDays,
    lastUsedAt: lastUsedAt?.toISOString(),
    lastUsedService: key.lastUsedService,
    risk: riskOf(key.isActive, reasons, hasOpenSensitiveAccess, blindSpots),
    reasons,
    findings,
    used,
    unused,
    suggestedPolicy: suggestion?.policy,
    suggestionNotes,
    proxy,
    blindSpots,
  };
}

/**
 * `high`: admin, privilege escalation, or a sensitive bucket reachable from any address;
 * `medium`: other sensitive access, account-wide listing, wildcard resources, an unused or old key,
 * or policies that could not be evaluated; `low`: the rest, and every inactive key (it signs nothing
 * until someone reactivates it; its reasons stay listed).
 */
function riskOf(
  isActive: boolean,
  reasons: readonly RiskReason[],
  hasOpenSensitiveAccess: boolean,
  blindSpots: readonly BlindSpot[],
): RiskLevel {
  if (!isActive) return 'low';
  if (reasons.some((reason) => HIGH.has(reason)) || hasOpenSensitiveAccess) return 'high';
  if (reasons.some((reason) => MEDIUM.has(reason))) return 'medium';
  return blindSpots.some((spot) => spot.code === 'unresolved-policy') ? 'medium' : 'low';
}

function orderedReasons(findings: readonly Finding[]): RiskReason[] {
  const present = new Set(findings.map((finding) => finding.reason));
  return RISK_REASONS.filter((reason) => present.has(reason));
}

function describeUsed(usage: KeyUsage | undefined): UsedAccess {
  const resources = new Set<string>();
  for (const set of usage?.actions.values() ?? []) for (const resource of set) resources.add(resource);
  return {
    actions: [...(usage?.actions.keys() ?? [])].sort(),
    resources: [...resources].sort(),
    sourceIps: [...(usage?.sourceIps ?? [])].sort(),
    vpcEndpoints: [...(usage?.vpcEndpoints ?? [])].sort(),
    eventCount: usage?.eventCount ?? 0,
    firstSeen: usage?.firstSeen.toISOString(),
    lastSeen: usage?.lastSeen.toISOString(),
  };
}

/**
 * Granted and never used, at service and action level. Action patterns are reported as granted
 * (`s3:*`), since listing every action a wildcard stands for needs the whole IAM action catalog.
 */
function describeUnused(
  evaluator: PermissionEvaluator,
  usage: KeyUsage | undefined,
  servicesNotAccessedByUser: readonly string[] | undefined,
): UnusedAccess {
  const usedActions = [...(usage?.actions.keys() ?? [])].sort();
  const granted = new Set<string>();
  for (const statement of evaluator.allowStatements()) {
    const patterns = statement.isNotAction ? ['*'] : statement.actions;
    for (const pattern of patterns) {
      if (evaluator.access(pattern, '*', 'some').isAllowed) granted.add(pattern);
    }
  }
  const actions: string[] = [];
  const partlyUsed: { granted: string; used: string[] }[] = [];
  const services = new Set<string>();
  for (const pattern of [...granted].sort()) {
    const matched = usedActions.filter((action) =>
      wildcardMatches(pattern.toLowerCase(), action.toLowerCase()),
    );
    if (matched.length === 0) actions.push(pattern);
    else if (/[*?]/.test(pattern)) partlyUsed.push({ granted: pattern, used: matched });
    const service = (pattern.split(':')[0] ?? pattern).toLowerCase();
    if (
      !/[*?]/.test(service) &&
      !usedActions.some((action) => action.toLowerCase().startsWith(`${service}:`))
    ) {
      services.add(service);
    }
  }
  return {
    services: [...services].sort(),
    actions,
    partlyUsed,
    servicesNotAccessedByUser:
      servicesNotAccessedByUser === undefined ? undefined : [...servicesNotAccessedByUser],
  };
}

/**
 * Permissions that no API call of their own uses, so CloudTrail never logs them: `iam:PassRole` is
 * checked when another call (lambda:CreateFunction, ec2:RunInstances, …) hands a role to a service
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
 */
const PERMISSION_ONLY_ACTIONS = ['iam:PassRole'];

function dataEventBlindSpots(evaluator: PermissionEvaluator, trail: TrailInput): BlindSpot[] {
  const spots: BlindSpot[] = [];
  const permissionOnly = PERMISSION_ONLY_ACTIONS.filter(
    (action) => evaluator.access(action, '*', 'some').isAllowed,
  );
  if (permissionOnly.length > 0) {
    spots.push({
      code: 'permission-only-actions',
      message: `${permissionOnly.join(', ')}: checked inside other calls and never logged as an event of its own, so it shows as unused even when a call needs it (and is never suggested)`,
    });
  }
  const hasS3DataEvents = (trail.usage.coverage.dataEventsBySource.get('s3.amazonaws.com') ?? 0) > 0;
  const canUseObjects = [...S3_OBJECT_ACTIONS].some(
    (action) => evaluator.access(action, '*', 'some').isAllowed,
  );
  if (canUseObjects && (trail.kind === 'lookup-events' || !hasS3DataEvents)) {
    spots.push({
      code: 's3-object-use-invisible',
      message:
        'this key may read or write S3 objects, and the CloudTrail input has no S3 data events: object use is missing from used and from the suggested policy',
    });
  }
  const hasLambdaDataEvents = (trail.usage.coverage.dataEventsBySource.get('lambda.amazonaws.com') ?? 0) > 0;
  if (
    evaluator.access('lambda:InvokeFunction', '*', 'some').isAllowed &&
    (trail.kind === 'lookup-events' || !hasLambdaDataEvents)
  ) {
    spots.push({
      code: 'lambda-invoke-invisible',
      message:
        'this key may invoke Lambda functions, and Invoke is a data event the CloudTrail input does not have',
    });
  }
  return spots;
}

function trailBlindSpots(
  trail: TrailInput | undefined,
  unattributed: readonly string[],
  now: Date,
): BlindSpot[] {
  if (trail === undefined) {
    return [
      {
        code: 'no-cloudtrail',
        message:
          'no CloudTrail input: used and unused rights, suggested policies and proxy plans need --cloudtrail (or --live)',
      },
    ];
  }
  const spots: BlindSpot[] = [
    {
      code: 'unlogged-actions',
      message:
        'CloudTrail does not log every action (some services and read calls are not logged at all): a right missing from "used" may still be needed; test a suggested policy before enforcing it',
    },
  ];
  const { coverage } = trail.usage;
  if (trail.kind === 'lookup-events') {
    const loggedBy = trail.trailsLoggingS3DataEvents ?? [];
    spots.push({
      code: 'lookup-events-management-only',
      message:
        loggedBy.length > 0
          ? `LookupEvents returns management events only: the S3 data events that trail(s) ${loggedBy.join(', ')} log are in their delivered files; pass them with --cloudtrail`
          : 'LookupEvents returns management events only, and no trail logs S3 data events: object reads and writes are invisible',
    });
  } else if (coverage.managementEventCount > 0 && !coverage.dataEventsBySource.has('s3.amazonaws.com')) {
    spots.push({
      code: 's3-data-events-missing',
      message:
        'the CloudTrail input has management events but no S3 data events: the trail does not log object reads and writes (enable data events for the sensitive buckets)',
    });
  }
  if (
    trail.kind === 'log-files' &&
    coverage.firstEventAt !== undefined &&
    coverage.lastEventAt !== undefined
  ) {
    const days = Math.ceil((now.getTime() - coverage.firstEventAt.getTime()) / DAY_MS);
    if (days < KEY_AGE_LIMIT_DAYS) {
      spots.push({
        code: 'trail-window-short',
        message: `the CloudTrail input starts ${days} days ago: "unused" means unused since ${coverage.firstEventAt.toISOString()}`,
      });
    }
  }
  if (unattributed.length > 0) {
    spots.push({
      code: 'unattributed-key-activity',
      message: `CloudTrail shows long-term keys that match no key of the credential report: ${unattributed.join(', ')}`,
    });
  }
  return spots;
}

/**
 * Gives credential-report keys (which carry no key id) the long-term key ids CloudTrail shows for
 * their user: an id goes to the user's only key created before its first call, or, with two such
 * keys, to the one whose last use (as IAM records it) is nearest the id's last call.
 */
function attributeKeyIds(
  keys: readonly AccessKeyRecord[],
  usage: TrailUsage | undefined,
): { keys: AccessKeyRecord[]; unattributed: string[] } {
  const result = [...keys];
  const known = new Set(keys.flatMap((key) => (key.accessKeyId === undefined ? [] : [key.accessKeyId])));
  const unattributed: string[] = [];
  for (const [keyId, keyUsage] of usage?.keys ?? []) {
    // Long-term user keys start with AKIA; ASIA ids are temporary session credentials.
    if (!keyId.startsWith('AKIA') || known.has(keyId)) continue;
    const candidates = result
      .map((key, index) => ({ key, index }))
      .filter(
        ({ key }) =>
          key.accessKeyId === undefined &&
          key.user === keyUsage.userName &&
          key.createdAt <= keyUsage.firstSeen,
      );
    const chosen =
      candidates.length === 1
        ? candidates[0]
        : candidates
            .filter(({ key }) => key.lastUsedAt !== undefined)
            .sort(
              (a, b) =>
                distance(a.key.lastUsedAt, keyUsage.lastSeen) - distance(b.key.lastUsedAt, keyUsage.lastSeen),
            )[0];
    if (chosen === undefined) {
      unattributed.push(keyId);
      continue;
    }
    result[chosen.index] = { ...chosen.key, accessKeyId: keyId };
  }
  return { keys: result, unattributed: unattributed.sort() };
}

function hasLongTermKeyActivity(usage: TrailUsage, user: string): boolean {
  return [...usage.keys.values()].some(
    (keyUsage) => keyUsage.userName === user && keyUsage.accessKeyId.startsWith('AKIA'),
  );
}

function distance(a: Date | undefined, b: Date): number {
  return a === undefined ? Number.POSITIVE_INFINITY : Math.abs(a.getTime() - b.getTime());
}

function latest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
