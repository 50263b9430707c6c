import { describe, expect, it } from 'vitest';
import { actionOfRecord, resourcesOfRecord } from '../../../functions/audit/cloudtrail-action.ts';
import { isDataEvent, parseCloudTrailRecord } from '../../../functions/audit/cloudtrail-record.ts';

describe('CloudTrail records', () => {
  it.each([
    ['s3.amazonaws.com', 'ListObjects', 's3:ListBucket'],
    ['s3.amazonaws.com', 'HeadObject', 's3:GetObject'],
    ['s3.amazonaws.com', 'ListBuckets', 's3:ListAllMyBuckets'],
    ['s3.amazonaws.com', 'CompleteMultipartUpload', 's3:PutObject'],
    ['lambda.amazonaws.com', 'CreateFunction20150331', 'lambda:CreateFunction'],
    ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', 'lambda:UpdateFunctionCode'],
    ['lambda.amazonaws.com', 'Invoke', 'lambda:InvokeFunction'],
    ['monitoring.amazonaws.com', 'PutMetricData', 'cloudwatch:PutMetricData'],
    ['iam.amazonaws.com', 'ListUsers', 'iam:ListUsers'],
  ])('maps %s %s to the IAM action %s', (eventSource, eventName, action) => {
    expect(actionOfRecord({ eventSource, eventName })).toBe(action);
  });

  it('takes the object from requestParameters when a record lists no resources', () => {
    const record = parseCloudTrailRecord(
      {
        eventTime: '2025-05-01T00:00:00Z',
        eventSource: 's3.amazonaws.com',
        eventName: 'GetObject',
        requestParameters: { bucketName: 'b', key: 'x/y.csv' },
      },
      'test',
    );
    expect(resourcesOfRecord(record, 's3:GetObject')).toEqual(['arn:aws:s3:::b/x/y.csv']);
    expect(resourcesOfRecord(record, 's3:ListBucket')).toEqual(['arn:aws:s3:::b']);
    // Records older than eventVersion 1.06 carry no eventCategory: the call decides.
    expect(isDataEvent(record)).toBe(true);
  });

  it('rejects a record without the documented fields, naming the field', () => {
    expect(() => parseCloudTrailRecord({ eventSource: 's3.amazonaws.com' }, 'file.json: record 3')).toThrow(
      /file\.json: record 3: eventTime/,
    );
  });
});
