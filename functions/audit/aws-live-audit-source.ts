import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  GenerateCredentialReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  GetServiceLastAccessedDetailsCommand,
  IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import type { AccessKeyRecord } from './audit-access-keys.ts';
import { AuditInputError } from './audit-input-error.ts';
import { type CloudTrailRecord, parseCloudTrailRecord } from './cloudtrail-record.ts';
import type { LiveAuditSource } from './live-audit-source.ts';

/** Options of the SDK-backed live source. */
export interface AwsLiveAuditSourceOptions {
  readonly iam: IAMClient;
  readonly cloudTrail: CloudTrailClient;
  /** Pause between polls of a report or Access Advisor job. @default 2000 */
  readonly pollIntervalMs?: number;
  /** Polls before giving up on a report or job. @default 60 */
  readonly maxPolls?: number;
  /** Pause between LookupEvents pages: the API allows 2 requests per second per account and region. @default 500 */
  readonly lookupIntervalMs?: number;
}

/**
 * `LiveAuditSource` over the AWS SDK. Every call is a read: the Generate* calls start a report or
 * an Access Advisor job and change nothing (access level "Read" in the Service Authorization
 * Reference for IAM). LookupEvents is throttled to 2 requests per second
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 */
export function createAwsLiveAuditSource(options: AwsLiveAuditSourceOptions): LiveAuditSource {
  const { iam, cloudTrail } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const maxPolls = options.maxPolls ?? 60;
  const lookupIntervalMs = options.lookupIntervalMs ?? 500;

  async function authorizationDetails(): Promise<unknown> {
    const merged = {
      UserDetailList: [] as unknown[],
      GroupDetailList: [] as unknown[],
      Policies: [] as unknown[],
    };
    let marker: string | undefined;
    do {
      const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: marker }));
      merged.UserDetailList.push(...(page.UserDetailList ?? []));
      merged.GroupDetailList.push(...(page.GroupDetailList ?? []));
      merged.Policies.push(...(page.Policies ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker !== undefined);
    return merged;
  }

  async function credentialReport(): Promise<string> {
    for (let poll = 0; poll < maxPolls; poll++) {
      const { State } = await iam.send(new GenerateCredentialReportCommand({}));
      if (State === 'COMPLETE') {
        const { Content } = await iam.send(new GetCredentialReportCommand({}));
        if (Content === undefined) throw new AuditInputError('GetCredentialReport returned no content');
        return new TextDecoder().decode(Content);
      }
      await sleep(pollIntervalMs);
    }
    throw new AuditInputError(`the credential report was not ready after ${maxPolls} polls`);
  }

  async function accessKeys(userName: string, userArn: string): Promise<AccessKeyRecord[]> {
    const keys: AccessKeyRecord[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListAccessKeysCommand({ UserName: userName, Marker: marker }));
      for (const metadata of page.AccessKeyMetadata ?? []) {
        if (metadata.AccessKeyId === undefined || metadata.CreateDate === undefined) continue;
        const { AccessKeyLastUsed } = await iam.send(
          new GetAccessKeyLastUsedCommand({ AccessKeyId: metadata.AccessKeyId }),
        );
        const service = AccessKeyLastUsed?.ServiceName;
        keys.push({
          user: userName,
          userArn,
          accessKeyId: metadata.AccessKeyId,
          slot: undefined,
          isActive: metadata.Status === 'Active',
          createdAt: metadata.CreateDate,
          lastUsedAt: AccessKeyLastUsed?.LastUsedDate,
          lastUsedService: service === undefined || service === 'N/A' ? undefined : service,
        });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker !== undefined);
    return keys;
  }

  async function servicesNotAccessed(userArn: string, since: Date): Promise<string[]> {
    const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: userArn }));
    if (JobId === undefined)
      throw new AuditInputError('GenerateServiceLastAccessedDetails returned no job id');
    const unused: string[] = [];
    let marker: string | undefined;
    for (let poll = 0; poll < maxPolls; poll++) {
      const page = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId, Marker: marker }));
      if (page.JobStatus === 'FAILED') {
        throw new AuditInputError(
          `Access Advisor job for ${userArn} failed: ${page.Error?.Code ?? 'no code'}`,
        );
      }
      if (page.JobStatus !== 'COMPLETED') {
        await sleep(pollIntervalMs);
        continue;
      }
      for (const service of page.ServicesLastAccessed ?? []) {
        const last = service.LastAuthenticated;
        if (service.ServiceNamespace !== undefined && (last === undefined || last < since)) {
          unused.push(service.ServiceNamespace);
        }
      }
      if (!page.IsTruncated) return unused.sort();
      marker = page.Marker;
    }
    throw new AuditInputError(`the Access Advisor job for ${userArn} did not finish after ${maxPolls} polls`);
  }

  async function lookupEvents(accessKeyId: string, start: Date, end: Date): Promise<CloudTrailRecord[]> {
    const records: CloudTrailRecord[] = [];
    let token: string | undefined;
    do {
      const page = await cloudTrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: accessKeyId }],
          StartTime: start,
          EndTime: end,
          NextToken: token,
        }),
      );
      for (const event of page.Events ?? []) {
        records.push(
          parseCloudTrailRecord(event.CloudTrailEvent ?? '', `LookupEvents ${event.EventId ?? ''}`),
        );
      }
      token = page.NextToken;
      if (token !== undefined) await sleep(lookupIntervalMs);
    } while (token !== undefined);
    return records;
  }

  async function trailsLoggingS3DataEvents(): Promise<string[]> {
    const { trailList } = await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
    const names: string[] = [];
    for (const trail of trailList ?? []) {
      const name = trail.TrailARN ?? trail.Name;
      if (name === undefined) continue;
      const selectors = await cloudTrail.send(new GetEventSelectorsCommand({ TrailName: name }));
      const basic = (selectors.EventSelectors ?? []).some((selector) =>
        (selector.DataResources ?? []).some((resource) => resource.Type === 'AWS::S3::Object'),
      );
      const advanced = (selectors.AdvancedEventSelectors ?? []).some((selector) =>
        (selector.FieldSelectors ?? []).some(
          (field) => field.Field === 'resources.type' && (field.Equals ?? []).includes('AWS::S3::Object'),
        ),
      );
      if (basic || advanced) names.push(trail.Name ?? name);
    }
    return [...new Set(names)].sort();
  }

  return {
    authorizationDetails,
    credentialReport,
    accessKeys,
    servicesNotAccessed,
    lookupEvents,
    trailsLoggingS3DataEvents,
  };
}

/** Clients for the live audit in `region` (default chain of credentials, SDK retries on throttling). */
export function createAwsAuditClients(region: string | undefined): {
  iam: IAMClient;
  cloudTrail: CloudTrailClient;
} {
  const config = region === undefined ? {} : { region };
  return { iam: new IAMClient(config), cloudTrail: new CloudTrailClient(config) };
}
