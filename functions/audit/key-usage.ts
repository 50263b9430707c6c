import { actionOfRecord, resourcesOfRecord } from './cloudtrail-action.ts';
import { type CloudTrailRecord, isDataEvent } from './cloudtrail-record.ts';
import { ROOT_ACCOUNT } from './credential-report.ts';

/** What CloudTrail shows one access key id doing. */
export interface KeyUsage {
  readonly accessKeyId: string;
  /** The IAM user (`<root_account>` for the root user) the records name. */
  readonly userName: string | undefined;
  /** IAM action → resources (ARNs, `*` when the record names none). */
  readonly actions: Map<string, Set<string>>;
  readonly sourceIps: Set<string>;
  readonly vpcEndpoints: Set<string>;
  /** Some call came from neither an IP address nor a VPC endpoint (`AWS Internal`, a service). */
  hasUnknownSource: boolean;
  /** Some call did not come through a VPC endpoint. */
  hasCallsOutsideVpce: boolean;
  eventCount: number;
  firstSeen: Date;
  lastSeen: Date;
}

/** What the CloudTrail input covers, for reporting its blind spots. */
export interface TrailCoverage {
  recordCount: number;
  managementEventCount: number;
  /** eventSource → number of data events. */
  readonly dataEventsBySource: Map<string, number>;
  firstEventAt: Date | undefined;
  lastEventAt: Date | undefined;
}

/** Usage per access key id, and the coverage of the trail it was read from. */
export interface TrailUsage {
  readonly keys: Map<string, KeyUsage>;
  readonly coverage: TrailCoverage;
}

const ACCESS_DENIED = /AccessDenied|Unauthorized/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f]*:[0-9a-f:.]*$/i;

/** Folds CloudTrail records into usage per access key id (long-term and temporary alike). */
export function summarizeTrail(records: Iterable<CloudTrailRecord>): TrailUsage {
  const summarizer = createTrailSummarizer();
  for (const record of records) summarizer.add(record);
  return summarizer.usage;
}

/** Folds records in as they are read (one log file at a time); `usage` is complete at the end. */
export function createTrailSummarizer(): { add(record: CloudTrailRecord): void; readonly usage: TrailUsage } {
  const keys = new Map<string, KeyUsage>();
  const coverage: TrailCoverage = {
    recordCount: 0,
    managementEventCount: 0,
    dataEventsBySource: new Map(),
    firstEventAt: undefined,
    lastEventAt: undefined,
  };
  function add(record: CloudTrailRecord): void {
    const at = new Date(record.eventTime);
    coverage.recordCount++;
    if (isDataEvent(record)) {
      coverage.dataEventsBySource.set(
        record.eventSource,
        (coverage.dataEventsBySource.get(record.eventSource) ?? 0) + 1,
      );
    } else {
      coverage.managementEventCount++;
    }
    if (coverage.firstEventAt === undefined || at < coverage.firstEventAt) coverage.firstEventAt = at;
    if (coverage.lastEventAt === undefined || at > coverage.lastEventAt) coverage.lastEventAt = at;

    const keyId = record.userIdentity?.accessKeyId;
    if (keyId === undefined || keyId === '') return;
    // A refused call was tried, not used: it needs no right in a suggested policy.
    if (record.errorCode !== undefined && ACCESS_DENIED.test(record.errorCode)) return;
    // The root user's records name no user; the credential report calls it <root_account>.
    const userName = record.userIdentity?.type === 'Root' ? ROOT_ACCOUNT : record.userIdentity?.userName;
    const usage = keys.get(keyId) ?? newUsage(keyId, userName, at);
    keys.set(keyId, usage);
    const action = actionOfRecord(record);
    const resources = usage.actions.get(action) ?? new Set<string>();
    for (const resource of resourcesOfRecord(record, action)) resources.add(resource);
    usage.actions.set(action, resources);
    const source = record.sourceIPAddress ?? '';
    if (record.vpcEndpointId !== undefined && record.vpcEndpointId !== '') {
      usage.vpcEndpoints.add(record.vpcEndpointId);
    } else {
      usage.hasCallsOutsideVpce = true;
    }
    if (IPV4.test(source) || IPV6.test(source)) usage.sourceIps.add(source);
    else usage.hasUnknownSource = true;
    usage.eventCount++;
    if (at < usage.firstSeen) usage.firstSeen = at;
    if (at > usage.lastSeen) usage.lastSeen = at;
  }
  return { add, usage: { keys, coverage } };
}

function newUsage(accessKeyId: string, userName: string | undefined, at: Date): KeyUsage {
  return {
    accessKeyId,
    userName,
    actions: new Map(),
    sourceIps: new Set(),
    vpcEndpoints: new Set(),
    hasUnknownSource: false,
    hasCallsOutsideVpce: false,
    eventCount: 0,
    firstSeen: at,
    lastSeen: at,
  };
}
