import type { ProxyPlan } from './proxy-plan.ts';
import type { SuggestedPolicy } from './suggest-policy.ts';

/** Stable reason codes of a key's risk; they appear in `--json` output and are safe to match on. */
export const RISK_REASONS = [
  'admin',
  'privilege-escalation',
  'resource-listing',
  'sensitive-data',
  'unused-key',
  'old-key',
  'no-ip-restriction',
  'wildcard-resource',
] as const;

/** One reason code. */
export type RiskReason = (typeof RISK_REASONS)[number];

/** How much harm the key can do if it leaks. */
export type RiskLevel = 'high' | 'medium' | 'low';

/** One reason with what caused it (methods, actions, buckets). */
export interface Finding {
  readonly reason: RiskReason;
  readonly detail: string;
}

/**
 * Something the inputs cannot show, reported rather than silently ignored: a generated policy
 * or an "unused" verdict may be wrong where one applies. Codes are stable.
 */
export interface BlindSpot {
  readonly code: string;
  readonly message: string;
}

/** What CloudTrail shows a key doing. */
export interface UsedAccess {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly sourceIps: readonly string[];
  readonly vpcEndpoints: readonly string[];
  readonly eventCount: number;
  readonly firstSeen: string | undefined;
  readonly lastSeen: string | undefined;
}

/** Rights granted and never used. */
export interface UnusedAccess {
  /** Service prefixes granted with no call seen. */
  readonly services: readonly string[];
  /** Granted action patterns (as written, wildcards kept) that no call seen matches. */
  readonly actions: readonly string[];
  /** Wildcard grants of which only some actions were used. */
  readonly partlyUsed: readonly { readonly granted: string; readonly used: readonly string[] }[];
  /** Services the user (all its keys and its password) has not used, from Access Advisor (live mode). */
  readonly servicesNotAccessedByUser: readonly string[] | undefined;
}

/** The audit of one access key. */
export interface KeyReport {
  readonly user: string;
  readonly userArn: string;
  /** Undefined when the export does not say (the credential report has no key ids). */
  readonly accessKeyId: string | undefined;
  /** The credential report's slot (1 or 2), when the key comes from it. */
  readonly slot: 1 | 2 | undefined;
  readonly status: 'Active' | 'Inactive';
  readonly createdAt: string;
  readonly ageDays: number;
  readonly lastUsedAt: string | undefined;
  readonly lastUsedService: string | undefined;
  readonly risk: RiskLevel;
  readonly reasons: readonly RiskReason[];
  readonly findings: readonly Finding[];
  /** Undefined without CloudTrail input (or when the key's activity could not be attributed). */
  readonly used: UsedAccess | undefined;
  readonly unused: UnusedAccess | undefined;
  readonly suggestedPolicy: SuggestedPolicy | undefined;
  readonly suggestionNotes: readonly string[];
  readonly proxy: ProxyPlan | undefined;
  readonly blindSpots: readonly BlindSpot[];
}

/** The whole audit: keys riskiest first, and what the inputs could not show. */
export interface AuditReport {
  readonly generatedAt: string;
  readonly sensitiveBuckets: readonly string[];
  readonly blindSpots: readonly BlindSpot[];
  readonly keys: readonly KeyReport[];
}
