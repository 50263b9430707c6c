import type { AccessKeyRecord, AuditInput } from './audit-access-keys.ts';
import { parseAuthorizationDetails } from './authorization-details.ts';
import type { CloudTrailRecord } from './cloudtrail-record.ts';
import { parseCredentialReport, ROOT_ACCOUNT } from './credential-report.ts';
import { createTrailSummarizer } from './key-usage.ts';

/** The read-only AWS calls `maskpoint audit --live` makes (implemented with the SDK at the edge). */
export interface LiveAuditSource {
  /** GetAccountAuthorizationDetails, every page merged into one object of that shape. */
  authorizationDetails(): Promise<unknown>;
  /** GenerateCredentialReport until ready, then GetCredentialReport: the CSV text. */
  credentialReport(): Promise<string>;
  /** ListAccessKeys and GetAccessKeyLastUsed for one user. */
  accessKeys(userName: string, userArn: string): Promise<AccessKeyRecord[]>;
  /** Access Advisor (service last accessed) for one user: services not used since `since`. */
  servicesNotAccessed(userArn: string, since: Date): Promise<string[]>;
  /** CloudTrail LookupEvents for one access key id between `start` and `end`. */
  lookupEvents(accessKeyId: string, start: Date, end: Date): Promise<CloudTrailRecord[]>;
  /** Names of the trails whose event selectors log S3 data events. */
  trailsLoggingS3DataEvents(): Promise<string[]>;
}

/** LookupEvents reaches back 90 days (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). */
export const LOOKUP_EVENTS_DAYS = 90;

/**
 * Gathers the audit's input from the live APIs: users and policies, every user's access keys with
 * their last use (and the root user's from the credential report), Access Advisor per user, and
 * the CloudTrail events of each key over the last 90 days. `onProgress` is called after each step.
 */
export async function readLiveAuditInput(
  source: LiveAuditSource,
  options: { readonly now: Date; readonly onProgress?: (done: number, total: number) => void },
): Promise<Pick<AuditInput, 'users' | 'accessKeys' | 'trail' | 'servicesNotAccessed'>> {
  const users = parseAuthorizationDetails(await source.authorizationDetails());
  const rootKeys = parseCredentialReport(await source.credentialReport()).filter(
    (key) => key.user === ROOT_ACCOUNT,
  );
  const start = new Date(options.now.getTime() - LOOKUP_EVENTS_DAYS * 86_400_000);
  let done = 0;
  let total = users.length * 2;
  const step = (): void => options.onProgress?.(++done, total);

  const accessKeys: AccessKeyRecord[] = [...rootKeys];
  const servicesNotAccessed = new Map<string, readonly string[]>();
  for (const user of users) {
    accessKeys.push(...(await source.accessKeys(user.name, user.arn)));
    step();
    servicesNotAccessed.set(user.name, await source.servicesNotAccessed(user.arn, start));
    step();
  }
  const keyIds = accessKeys.flatMap((key) => (key.accessKeyId === undefined ? [] : [key.accessKeyId]));
  total += keyIds.length;
  const summarizer = createTrailSummarizer();
  for (const keyId of keyIds) {
    for (const record of await source.lookupEvents(keyId, start, options.now)) summarizer.add(record);
    step();
  }
  return {
    users,
    accessKeys,
    servicesNotAccessed,
    trail: {
      usage: summarizer.usage,
      kind: 'lookup-events',
      trailsLoggingS3DataEvents: await source.trailsLoggingS3DataEvents(),
    },
  };
}
