import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../../functions/audit/cloudtrail-record.ts';
import { summarizeTrail } from '../../../functions/audit/key-usage.ts';
import { createPermissionEvaluator } from '../../../functions/audit/permission-evaluator.ts';
import { parsePolicyDocument } from '../../../functions/audit/policy-document.ts';
import {
  collapseObjectKeys,
  isNeverSuggested,
  MAX_PREFIXES_PER_BUCKET,
  suggestPolicy,
} from '../../../functions/audit/suggest-policy.ts';
import { wildcardMatches } from '../../../functions/audit/wildcard-pattern.ts';

const KEY_ID = 'AKIAGENERATEDKEY0001';
const CALLS = [
  { eventSource: 's3.amazonaws.com', eventName: 'GetObject' },
  { eventSource: 's3.amazonaws.com', eventName: 'HeadObject' },
  { eventSource: 's3.amazonaws.com', eventName: 'PutObject' },
  { eventSource: 's3.amazonaws.com', eventName: 'ListObjects' },
  { eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' },
  { eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey' },
  { eventSource: 'iam.amazonaws.com', eventName: 'ListUsers' },
  { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole' },
  { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' },
  { eventSource: 'lambda.amazonaws.com', eventName: 'Invoke' },
  { eventSource: 'dynamodb.amazonaws.com', eventName: 'DescribeTable' },
];
const objectKey = fc
  .array(fc.constantFrom('reports', 'raw', '2025', '05', 'a.csv', 'b.json', 'x'), {
    minLength: 1,
    maxLength: 4,
  })
  .map((segments) => segments.join('/'));
const source = fc.oneof(
  fc.record({
    ip: fc.constantFrom('198.51.100.7', '203.0.113.9', '2001:db8::1'),
    vpce: fc.constant(undefined),
  }),
  fc.record({ ip: fc.constant('10.0.1.5'), vpce: fc.constantFrom('vpce-0a1b2c3d', 'vpce-0f0e0d0c') }),
  fc.record({ ip: fc.constant('AWS Internal'), vpce: fc.constant(undefined) }),
);
const record = fc
  .record({ call: fc.constantFrom(...CALLS), bucket: fc.constantFrom('b1', 'b2'), key: objectKey, source })
  .map(({ call, bucket, key, source }): CloudTrailRecord => {
    const isS3 = call.eventSource === 's3.amazonaws.com' && call.eventName !== 'ListBuckets';
    const isObject = isS3 && call.eventName !== 'ListObjects';
    return {
      eventTime: '2025-05-01T00:00:00Z',
      eventSource: call.eventSource,
      eventName: call.eventName,
      userIdentity: { type: 'IAMUser', accessKeyId: KEY_ID, userName: 'u' },
      sourceIPAddress: source.ip,
      ...(source.vpce === undefined ? {} : { vpcEndpointId: source.vpce }),
      requestParameters: isS3 ? { bucketName: bucket, ...(isObject ? { key } : {}) } : null,
    };
  });

describe('suggested policies', () => {
  it('allow every call the key made, and never IAM, STS or ListAllMyBuckets', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), (records) => {
        const usage = summarizeTrail(records).keys.get(KEY_ID);
        if (usage === undefined) throw new Error('no usage');
        const suggestion = suggestPolicy(usage);
        const statements = suggestion.policy?.Statement ?? [];
        for (const statement of statements) {
          for (const action of statement.Action) expect(isNeverSuggested(action)).toBe(false);
        }
        const evaluator = createPermissionEvaluator(
          {
            identity: [
              { name: 'suggested', statements: parsePolicyDocument(suggestion.policy ?? { Statement: [] }) },
            ],
            boundary: undefined,
          },
          { userName: 'u', userId: 'AIDAU', accountId: '111122223333' },
        );
        for (const [action, resources] of usage.actions) {
          if (isNeverSuggested(action)) {
            expect(suggestion.excludedActions).toContain(action);
            continue;
          }
          for (const resource of resources) {
            const access = evaluator.access(action, resource, 'some');
            expect(access.isAllowed).toBe(true);
            expect(access.isNetworkRestricted).toBe(suggestion.networkCondition !== undefined);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('restrict to the VPC endpoints when every call came through one, else to the addresses seen', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), (records) => {
        const usage = summarizeTrail(records).keys.get(KEY_ID);
        if (usage === undefined) throw new Error('no usage');
        const { policy, networkCondition } = suggestPolicy(usage);
        if (policy === undefined) return;
        const allViaEndpoint = records.every((call) => call.vpcEndpointId !== undefined);
        const noneViaEndpoint = records.every((call) => call.vpcEndpointId === undefined);
        const allFromAddresses = records.every((call) => call.sourceIPAddress !== 'AWS Internal');
        const condition = policy.Statement[0]?.Condition;
        if (allViaEndpoint) {
          expect(networkCondition).toBe('aws:SourceVpce');
          expect(condition?.StringEquals?.['aws:SourceVpce']).toEqual(
            [...new Set(records.map((call) => call.vpcEndpointId))].sort(),
          );
        } else if (noneViaEndpoint && allFromAddresses) {
          expect(networkCondition).toBe('aws:SourceIp');
          const cidrs = condition?.IpAddress?.['aws:SourceIp'] ?? [];
          expect(new Set(cidrs.map((cidr) => cidr.replace(/\/(32|128)$/, '')))).toEqual(
            new Set(records.map((call) => call.sourceIPAddress)),
          );
        } else {
          expect(networkCondition).toBeUndefined();
          expect(condition).toBeUndefined();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('collapse object keys to at most a few patterns that cover every key', () => {
    fc.assert(
      fc.property(fc.array(objectKey, { minLength: 1, maxLength: 40 }), (keys) => {
        const patterns = collapseObjectKeys(keys);
        expect(patterns.length).toBeLessThanOrEqual(MAX_PREFIXES_PER_BUCKET);
        for (const key of keys) expect(patterns.some((pattern) => wildcardMatches(pattern, key))).toBe(true);
      }),
    );
  });

  it('collapse keys under one folder to their deepest common folder', () => {
    expect(
      collapseObjectKeys(['reports/2025/05/a.csv', 'reports/2025/04/b.csv', 'raw/x', 'top.csv']),
    ).toEqual(['raw/*', 'reports/2025/*', 'top.csv']);
  });
});
