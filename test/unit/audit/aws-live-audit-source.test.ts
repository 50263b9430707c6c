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
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAwsLiveAuditSource } from '../../../functions/audit/aws-live-audit-source.ts';
import { auditCommand } from '../../../functions/cli/audit-command.ts';

const NOW = new Date('2025-06-01T00:00:00Z');
const ACCOUNT = '111122223333';
const BOB_KEY = 'AKIABOBEXAMPLE000002';
const ALICE_KEY = 'AKIAALICEEXAMPLE0001';

const iam = mockClient(IAMClient);
const cloudTrail = mockClient(CloudTrailClient);

// The IAM API returns policy documents URL-encoded (RFC 3986), as strings.
function encoded(document: unknown): string {
  return encodeURIComponent(JSON.stringify(document));
}

const CREDENTIAL_REPORT = [
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated',
  `<root_account>,arn:aws:iam::${ACCOUNT}:root,2022-01-05T10:00:00+00:00,not_supported,2025-05-28T07:00:00+00:00,not_supported,not_supported,false,true,2022-01-05T10:30:00+00:00,2025-05-01T10:00:00+00:00,us-east-1,ec2,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  `reporting-bob,arn:aws:iam::${ACCOUNT}:user/reporting-bob,2024-11-02T10:00:00+00:00,false,N/A,N/A,N/A,false,true,2025-03-15T10:00:00+00:00,2025-05-31T06:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
].join('\n');

function lookupEvent(
  id: string,
  keyId: string,
  eventName: string,
  eventTime: string,
): { EventId: string; CloudTrailEvent: string } {
  return {
    EventId: id,
    CloudTrailEvent: JSON.stringify({
      eventVersion: '1.09',
      userIdentity: {
        type: 'IAMUser',
        accessKeyId: keyId,
        userName: keyId === BOB_KEY ? 'reporting-bob' : 'admin-alice',
      },
      eventTime,
      eventSource: 's3.amazonaws.com',
      eventName,
      awsRegion: 'eu-west-1',
      sourceIPAddress: '198.51.100.7',
      requestParameters:
        eventName === 'GetBucketLocation' ? { bucketName: 'acme-customer-exports', location: '' } : null,
      managementEvent: true,
      eventCategory: 'Management',
    }),
  };
}

describe('maskpoint audit --live', () => {
  let stdout: string;

  beforeEach(() => {
    stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');

    iam
      .on(GetAccountAuthorizationDetailsCommand, { Marker: undefined })
      .resolves({
        IsTruncated: true,
        Marker: 'page-2',
        UserDetailList: [
          {
            UserName: 'reporting-bob',
            UserId: 'AIDABOBEXAMPLE000002',
            Arn: `arn:aws:iam::${ACCOUNT}:user/reporting-bob`,
            Path: '/',
            CreateDate: new Date('2024-11-02T10:00:00Z'),
            UserPolicyList: [
              {
                PolicyName: 'reporting-s3',
                PolicyDocument: encoded({
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Effect: 'Allow',
                      Action: 's3:*',
                      Resource: [
                        'arn:aws:s3:::acme-customer-exports',
                        'arn:aws:s3:::acme-customer-exports/*',
                      ],
                    },
                    { Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
                  ],
                }),
              },
            ],
            GroupList: [],
            AttachedManagedPolicies: [],
          },
        ],
      })
      .on(GetAccountAuthorizationDetailsCommand, { Marker: 'page-2' })
      .resolves({
        IsTruncated: false,
        UserDetailList: [
          {
            UserName: 'admin-alice',
            UserId: 'AIDAALICEEXAMPLE00001',
            Arn: `arn:aws:iam::${ACCOUNT}:user/admin-alice`,
            Path: '/',
            CreateDate: new Date('2023-02-01T09:00:00Z'),
            UserPolicyList: [],
            GroupList: [],
            AttachedManagedPolicies: [
              { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
            ],
          },
        ],
        Policies: [
          {
            PolicyName: 'AdministratorAccess',
            Arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
            DefaultVersionId: 'v1',
            PolicyVersionList: [
              {
                VersionId: 'v1',
                IsDefaultVersion: true,
                Document: encoded({
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
                }),
              },
            ],
          },
        ],
      });
    iam
      .on(GenerateCredentialReportCommand)
      .resolvesOnce({ State: 'STARTED' })
      .resolves({ State: 'COMPLETE' })
      .on(GetCredentialReportCommand)
      .resolves({ Content: new TextEncoder().encode(CREDENTIAL_REPORT), ReportFormat: 'text/csv' });
    iam
      .on(ListAccessKeysCommand, { UserName: 'reporting-bob' })
      .resolves({
        AccessKeyMetadata: [
          {
            UserName: 'reporting-bob',
            AccessKeyId: BOB_KEY,
            Status: 'Active',
            CreateDate: new Date('2025-03-15T10:00:00Z'),
          },
        ],
      })
      .on(ListAccessKeysCommand, { UserName: 'admin-alice' })
      .resolves({
        AccessKeyMetadata: [
          {
            UserName: 'admin-alice',
            AccessKeyId: ALICE_KEY,
            Status: 'Active',
            CreateDate: new Date('2025-04-01T09:00:00Z'),
          },
        ],
      })
      .on(GetAccessKeyLastUsedCommand, { AccessKeyId: BOB_KEY })
      .resolves({
        AccessKeyLastUsed: {
          LastUsedDate: new Date('2025-05-31T06:00:00Z'),
          ServiceName: 's3',
          Region: 'eu-west-1',
        },
      })
      .on(GetAccessKeyLastUsedCommand, { AccessKeyId: ALICE_KEY })
      .resolves({ AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
    iam
      .on(GenerateServiceLastAccessedDetailsCommand)
      .resolves({ JobId: 'job-1' })
      .on(GetServiceLastAccessedDetailsCommand)
      .resolvesOnce({ JobStatus: 'IN_PROGRESS', ServicesLastAccessed: [], JobCreationDate: NOW })
      .resolves({
        JobStatus: 'COMPLETED',
        JobCreationDate: NOW,
        ServicesLastAccessed: [
          {
            ServiceName: 'Amazon S3',
            ServiceNamespace: 's3',
            LastAuthenticated: new Date('2025-05-31T06:00:00Z'),
          },
          { ServiceName: 'Amazon DynamoDB', ServiceNamespace: 'dynamodb' },
        ],
      });
    cloudTrail
      .on(LookupEventsCommand, { NextToken: undefined })
      .callsFake((input) => {
        const keyId = input.LookupAttributes?.[0]?.AttributeValue;
        if (keyId === BOB_KEY) {
          return {
            Events: [lookupEvent('e1', BOB_KEY, 'ListBuckets', '2025-05-29T06:00:00Z')],
            NextToken: 'more',
          };
        }
        return { Events: [] };
      })
      .on(LookupEventsCommand, { NextToken: 'more' })
      .resolves({ Events: [lookupEvent('e2', BOB_KEY, 'GetBucketLocation', '2025-05-30T06:00:00Z')] })
      .on(DescribeTrailsCommand)
      .resolves({
        trailList: [
          { Name: 'org-trail', TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
        ],
      })
      .on(GetEventSelectorsCommand)
      .resolves({
        AdvancedEventSelectors: [
          {
            Name: 'sensitive buckets',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            ],
          },
        ],
      });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    iam.reset();
    cloudTrail.reset();
  });

  async function auditLive(): Promise<{
    blindSpots: { code: string; message: string }[];
    keys: {
      user: string;
      accessKeyId: string | null;
      risk: string;
      reasons: string[];
      used: { actions: string[] } | null;
      unused: { servicesNotAccessedByUser: string[] | null } | null;
      blindSpots: { code: string }[];
    }[];
  }> {
    const live = createAwsLiveAuditSource({
      iam: new IAMClient({}),
      cloudTrail: new CloudTrailClient({}),
      pollIntervalMs: 0,
      lookupIntervalMs: 0,
    });
    const code = await auditCommand(['--live', '--json', '--sensitive-bucket', 'acme-customer-exports'], {
      live,
      now: NOW,
      bucketConfigs: new URL('file:///nonexistent-maskpoint-bucket-configs/'),
    });
    expect(code).toBe(0);
    return JSON.parse(stdout);
  }

  it('audits every key with its id from the IAM, Access Advisor and CloudTrail APIs', async () => {
    const report = await auditLive();
    expect(report.keys.map((key) => [key.user, key.accessKeyId, key.risk])).toEqual([
      ['<root_account>', null, 'high'],
      ['admin-alice', ALICE_KEY, 'high'],
      ['reporting-bob', BOB_KEY, 'high'],
    ]);
    const [root, alice, bob] = report.keys;
    expect(root?.reasons).toEqual(['admin', 'old-key']);
    // LookupEvents is asked per key id, and the root key's id is not known: its use is unknown, not none.
    expect(root?.used).toBeNull();
    expect(root?.blindSpots.map((spot) => spot.code)).toEqual(['key-id-unknown']);
    expect(alice?.reasons).toContain('admin');
    expect(bob?.reasons).toEqual(['resource-listing', 'sensitive-data', 'no-ip-restriction']);
    // Both pages of LookupEvents, mapped to IAM actions.
    expect(bob?.used?.actions).toEqual(['s3:GetBucketLocation', 's3:ListAllMyBuckets']);
    expect(bob?.unused?.servicesNotAccessedByUser).toEqual(['dynamodb']);
    expect(bob?.blindSpots.map((spot) => spot.code)).toContain('s3-object-use-invisible');
    const lookupOnly = report.blindSpots.find((spot) => spot.code === 'lookup-events-management-only');
    expect(lookupOnly?.message).toContain('org-trail');
  });

  it('makes only read-only calls, and looks up each key over the last 90 days', async () => {
    await auditLive();
    const sent = [...iam.calls(), ...cloudTrail.calls()].map((call) => call.args[0].constructor.name);
    const readOnly = new Set([
      'GetAccountAuthorizationDetailsCommand',
      'GenerateCredentialReportCommand',
      'GetCredentialReportCommand',
      'ListAccessKeysCommand',
      'GetAccessKeyLastUsedCommand',
      'GenerateServiceLastAccessedDetailsCommand',
      'GetServiceLastAccessedDetailsCommand',
      'LookupEventsCommand',
      'DescribeTrailsCommand',
      'GetEventSelectorsCommand',
    ]);
    expect(sent.filter((name) => !readOnly.has(name))).toEqual([]);
    expect(iam.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(2);
    expect(iam.commandCalls(GenerateCredentialReportCommand)).toHaveLength(2);
    const lookups = cloudTrail.commandCalls(LookupEventsCommand).map((call) => call.args[0].input);
    expect(lookups.map((input) => input.LookupAttributes?.[0]?.AttributeValue)).toEqual([
      BOB_KEY,
      BOB_KEY,
      ALICE_KEY,
    ]);
    for (const input of lookups) {
      expect(input.StartTime).toEqual(new Date('2025-03-03T00:00:00Z'));
      expect(input.EndTime).toEqual(NOW);
    }
  });

  it('fails when the credential report never becomes ready, after a bounded number of polls', async () => {
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' });
    const live = createAwsLiveAuditSource({
      iam: new IAMClient({}),
      cloudTrail: new CloudTrailClient({}),
      pollIntervalMs: 0,
      maxPolls: 3,
    });
    await expect(live.credentialReport()).rejects.toThrow(
      'the credential report was not ready after 3 polls',
    );
    expect(iam.commandCalls(GenerateCredentialReportCommand)).toHaveLength(3);
  });
});
