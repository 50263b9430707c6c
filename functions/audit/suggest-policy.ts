import type { KeyUsage } from './key-usage.ts';

/** An IAM policy document as the suggestion writes it. */
export interface SuggestedPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly SuggestedStatement[];
}

/** One Allow statement of a suggested policy. */
export interface SuggestedStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** A suggested least-privilege policy and what was left out of it, and why. */
export interface PolicySuggestion {
  /** Undefined when nothing that may be suggested was used. */
  readonly policy: SuggestedPolicy | undefined;
  /** Actions seen but never suggested (`s3:ListAllMyBuckets`, `iam:*`, `sts:*`). */
  readonly excludedActions: readonly string[];
  /** `aws:SourceIp`, `aws:SourceVpce`, or undefined with the reason in `notes`. */
  readonly networkCondition: 'aws:SourceIp' | 'aws:SourceVpce' | undefined;
  readonly notes: readonly string[];
}

/** Above this many object prefixes in one bucket the suggestion grants the whole bucket. */
export const MAX_PREFIXES_PER_BUCKET = 10;
/** Above this many distinct addresses no `aws:SourceIp` list is suggested (it would not restrict much). */
export const MAX_SOURCE_IPS = 16;

/** Never suggested: listing every bucket, and IAM and STS, which grant rights rather than use them. */
export function isNeverSuggested(action: string): boolean {
  const lower = action.toLowerCase();
  return lower === 's3:listallmybuckets' || lower.startsWith('iam:') || lower.startsWith('sts:');
}

/**
 * The policy that allows exactly what `usage` shows the key doing: the actions used, on the
 * resources used (S3 object keys collapsed to their common folders, see `collapseObjectKeys`),
 * from the VPC endpoints or addresses used when every call came from them.
 */
export function suggestPolicy(usage: KeyUsage): PolicySuggestion {
  const excludedActions: string[] = [];
  const byResources = new Map<string, { resources: string[]; actions: string[] }>();
  for (const [action, resources] of [...usage.actions].sort(([a], [b]) => a.localeCompare(b))) {
    if (isNeverSuggested(action)) {
      excludedActions.push(action);
      continue;
    }
    const patterns = action.startsWith('s3:') ? collapseS3Resources(resources) : collapseOther(resources);
    const id = patterns.join('\n');
    const group = byResources.get(id) ?? { resources: patterns, actions: [] };
    group.actions.push(action);
    byResources.set(id, group);
  }
  const { condition, networkCondition, notes } = networkConditionOf(usage);
  const statements = [...byResources.values()].map(
    (group, index): SuggestedStatement => ({
      Sid: `Used${index + 1}`,
      Effect: 'Allow',
      Action: group.actions,
      Resource: group.resources,
      ...(condition === undefined ? {} : { Condition: condition }),
    }),
  );
  return {
    policy: statements.length === 0 ? undefined : { Version: '2012-10-17', Statement: statements },
    excludedActions,
    networkCondition: statements.length === 0 ? undefined : networkCondition,
    notes,
  };
}

function networkConditionOf(usage: KeyUsage): {
  condition: SuggestedStatement['Condition'];
  networkCondition: PolicySuggestion['networkCondition'];
  notes: string[];
} {
  if (usage.vpcEndpoints.size > 0 && !usage.hasCallsOutsideVpce) {
    return {
      condition: { StringEquals: { 'aws:SourceVpce': [...usage.vpcEndpoints].sort() } },
      networkCondition: 'aws:SourceVpce',
      notes: [],
    };
  }
  if (usage.vpcEndpoints.size > 0) {
    return {
      condition: undefined,
      networkCondition: undefined,
      notes: [
        // aws:SourceIp is absent on calls through a VPC endpoint, so one condition cannot cover both:
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip
        'calls came both through VPC endpoints and over the internet: no aws:SourceIp or aws:SourceVpce condition covers both; move the caller behind one of them',
      ],
    };
  }
  if (usage.hasUnknownSource) {
    return {
      condition: undefined,
      networkCondition: undefined,
      notes: [
        'some calls came from an AWS service or an unnamed address: no aws:SourceIp condition suggested',
      ],
    };
  }
  if (usage.sourceIps.size > MAX_SOURCE_IPS) {
    return {
      condition: undefined,
      networkCondition: undefined,
      notes: [`calls came from ${usage.sourceIps.size} addresses: too many for a useful aws:SourceIp list`],
    };
  }
  const cidrs = [...usage.sourceIps].sort().map((ip) => (ip.includes(':') ? `${ip}/128` : `${ip}/32`));
  return { condition: { IpAddress: { 'aws:SourceIp': cidrs } }, networkCondition: 'aws:SourceIp', notes: [] };
}

function collapseOther(resources: ReadonlySet<string>): string[] {
  return resources.has('*') ? ['*'] : [...resources].sort();
}

function collapseS3Resources(resources: ReadonlySet<string>): string[] {
  const patterns = new Set<string>();
  const keysByBucket = new Map<string, string[]>();
  for (const resource of resources) {
    const match = /^(arn:[^:]+:s3:::[^/]+)\/(.+)$/.exec(resource);
    if (match?.[1] === undefined || match[2] === undefined) {
      patterns.add(resource);
      continue;
    }
    keysByBucket.set(match[1], [...(keysByBucket.get(match[1]) ?? []), match[2]]);
  }
  if (patterns.has('*')) return ['*'];
  for (const [bucketArn, keys] of keysByBucket) {
    for (const key of collapseObjectKeys(keys)) patterns.add(`${bucketArn}/${key}`);
  }
  return [...patterns].sort();
}

/**
 * Collapses object keys to key patterns: keys under the same top-level folder become their
 * deepest common folder (`reports/2024/01/a.csv` and `reports/2024/02/b.csv` → `reports/2024/*`),
 * keys at the root stay exact, and more than `MAX_PREFIXES_PER_BUCKET` patterns become `*`.
 */
export function collapseObjectKeys(keys: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  const exact = new Set<string>();
  for (const key of keys) {
    if (key === '*' || key.endsWith('/*')) {
      groups.set(key, [key]);
      continue;
    }
    const slash = key.indexOf('/');
    if (slash < 0) exact.add(key);
    else groups.set(key.slice(0, slash + 1), [...(groups.get(key.slice(0, slash + 1)) ?? []), key]);
  }
  const patterns = new Set(exact);
  for (const members of groups.values()) {
    if (members.length === 1 && (members[0] === '*' || members[0]?.endsWith('/*'))) {
      patterns.add(members[0]);
      continue;
    }
    patterns.add(`${commonFolder(members)}*`);
  }
  if (patterns.has('*') || patterns.size > MAX_PREFIXES_PER_BUCKET) return ['*'];
  return [...patterns].sort();
}

/** The longest common prefix of `keys` that ends in `/` (their deepest common folder). */
function commonFolder(keys: readonly string[]): string {
  let prefix = keys[0] ?? '';
  for (const key of keys) {
    let length = 0;
    while (length < prefix.length && length < key.length && prefix[length] === key[length]) length++;
    prefix = prefix.slice(0, length);
  }
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}
