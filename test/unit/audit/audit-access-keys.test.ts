import { describe, expect, it } from 'vitest';
import { type AccessKeyRecord, auditAccessKeys } from '../../../functions/audit/audit-access-keys.ts';
import type { CloudTrailRecord } from '../../../functions/audit/cloudtrail-record.ts';
import { summarizeTrail } from '../../../functions/audit/key-usage.ts';

const NOW = new Date('2025-06-01T00:00:00Z');

function key(fields: Partial<AccessKeyRecord> & Pick<AccessKeyRecord, 'user'>): AccessKeyRecord {
  return {
    userArn: `arn:aws:iam::111122223333:user/${fields.user}`,
    accessKeyId: undefined,
    slot: 1,
    isActive: true,
    createdAt: new Date('2025-05-01T00:00:00Z'),
    lastUsedAt: undefined,
    lastUsedService: undefined,
    ...fields,
  };
}

function call(
  identity: CloudTrailRecord['userIdentity'],
  eventName: string,
  eventTime: string,
): CloudTrailRecord {
  return {
    eventTime,
    eventSource: 'ec2.amazonaws.com',
    eventName,
    userIdentity: identity,
    sourceIPAddress: '203.0.113.1',
    managementEvent: true,
  };
}

function audit(keys: AccessKeyRecord[], records: CloudTrailRecord[]) {
  return auditAccessKeys({
    users: [],
    accessKeys: keys,
    trail: { usage: summarizeTrail(records), kind: 'log-files' },
    sensitiveBuckets: [],
    configuredBuckets: new Map(),
    now: NOW,
  });
}

describe('attributing CloudTrail activity to credential-report keys', () => {
  it("ties the root user's calls to the root key, which the report names <root_account>", () => {
    const report = audit(
      [key({ user: '<root_account>', userArn: 'arn:aws:iam::111122223333:root' })],
      [
        call(
          { type: 'Root', accessKeyId: 'AKIAROOTEXAMPLE00001', arn: 'arn:aws:iam::111122223333:root' },
          'RunInstances',
          '2025-05-20T00:00:00Z',
        ),
      ],
    );
    expect(report.keys[0]?.accessKeyId).toBe('AKIAROOTEXAMPLE00001');
    expect(report.keys[0]?.used?.actions).toEqual(['ec2:RunInstances']);
    expect(report.keys[0]?.reasons).toEqual(['admin']);
  });

  it('gives each of two keys the id whose last call is nearest the last use IAM recorded', () => {
    const report = audit(
      [
        key({ user: 'u', slot: 1, lastUsedAt: new Date('2025-05-10T00:00:00Z') }),
        key({ user: 'u', slot: 2, lastUsedAt: new Date('2025-05-30T00:00:00Z') }),
      ],
      [
        call(
          { type: 'IAMUser', userName: 'u', accessKeyId: 'AKIAFIRSTEXAMPLE0001' },
          'DescribeVpcs',
          '2025-05-10T00:00:00Z',
        ),
        call(
          { type: 'IAMUser', userName: 'u', accessKeyId: 'AKIASECONDEXAMPLE002' },
          'DescribeSubnets',
          '2025-05-30T00:00:00Z',
        ),
      ],
    );
    expect(report.keys.map((entry) => [entry.slot, entry.accessKeyId, entry.used?.actions])).toEqual([
      [1, 'AKIAFIRSTEXAMPLE0001', ['ec2:DescribeVpcs']],
      [2, 'AKIASECONDEXAMPLE002', ['ec2:DescribeSubnets']],
    ]);
  });

  it('leaves a key id unknown, and says so, when its calls predate every key of the user', () => {
    const report = audit(
      [
        key({
          user: 'u',
          createdAt: new Date('2025-05-15T00:00:00Z'),
          lastUsedAt: new Date('2025-05-20T00:00:00Z'),
        }),
      ],
      [
        call(
          { type: 'IAMUser', userName: 'u', accessKeyId: 'AKIAROTATEDAWAY00001' },
          'DescribeVpcs',
          '2025-05-01T00:00:00Z',
        ),
      ],
    );
    expect(report.keys[0]?.accessKeyId).toBeUndefined();
    expect(report.keys[0]?.used).toBeUndefined();
    expect(report.keys[0]?.blindSpots.map((spot) => spot.code)).toEqual([
      'unresolved-policy',
      'key-id-unknown',
    ]);
    expect(report.blindSpots.find((spot) => spot.code === 'unattributed-key-activity')?.message).toContain(
      'AKIAROTATEDAWAY00001',
    );
  });
});
