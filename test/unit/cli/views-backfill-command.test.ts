import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateJobCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../functions/cli/usage-error.ts';
import { viewsCommand } from '../../../functions/cli/views-command.ts';
import { InvalidArgumentError } from '../../../functions/core/errors.ts';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:Maskpoint-demo-Materializer1234';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/Maskpoint-demo-BackfillRole5678';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const s3 = mockClient(S3Client);
const control = mockClient(S3ControlClient);

function inventoryJson(fields: Record<string, unknown>): never {
  const text = JSON.stringify({
    sourceBucket: 'acme-exports',
    destinationBucket: 'arn:aws:s3:::maskpoint-cache',
    version: '2016-11-30',
    fileFormat: 'CSV',
    fileSchema: 'Bucket, Key',
    files: [{ key: 'inventory/acme-exports/all/data/a.csv.gz', size: 100, MD5checksum: 'x' }],
    ...fields,
  });
  return { transformToString: async () => text } as never;
}

describe('maskpoint views backfill', () => {
  let stdout: string;

  beforeEach(() => {
    stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    s3.reset();
    control.reset();
  });

  const required = [
    '--function-arn',
    FUNCTION_ARN,
    '--role-arn',
    ROLE_ARN,
    '--report',
    's3://maskpoint-cache/backfill/reports/',
  ];

  it('creates a LambdaInvoke job (schema 2.0) over a CSV manifest named by its ARN and ETag', async () => {
    s3.on(HeadObjectCommand, { Bucket: 'maskpoint-cache', Key: 'backfill/manifest.csv' }).resolves({
      ETag: '"60e460c9d1046e73f7dde5043ac3ae85"',
    });
    control.on(CreateJobCommand).resolves({ JobId: 'job-1' });

    const code = await viewsCommand([
      'backfill',
      '--bucket',
      'acme-exports',
      '--manifest',
      's3://maskpoint-cache/backfill/manifest.csv',
      ...required,
    ]);

    expect(code).toBe(0);
    expect(control.commandCalls(CreateJobCommand).map((call) => call.args[0].input)).toEqual([
      {
        AccountId: '111122223333',
        ConfirmationRequired: false,
        Operation: { LambdaInvoke: { FunctionArn: FUNCTION_ARN, InvocationSchemaVersion: '2.0' } },
        Manifest: {
          Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
          Location: {
            ObjectArn: 'arn:aws:s3:::maskpoint-cache/backfill/manifest.csv',
            ETag: '60e460c9d1046e73f7dde5043ac3ae85',
          },
        },
        Report: {
          Enabled: true,
          Bucket: 'arn:aws:s3:::maskpoint-cache',
          Prefix: 'backfill/reports',
          Format: 'Report_CSV_20180820',
          ReportScope: 'FailedTasksOnly',
        },
        Priority: 10,
        RoleArn: ROLE_ARN,
        ClientRequestToken: expect.stringMatching(UUID),
        Description: 'maskpoint: warm the redacted views of acme-exports',
      },
    ]);
    expect(stdout).toContain('created S3 Batch Operations job job-1');
  });

  it('creates a job over a CSV S3 Inventory report of the protected bucket, with the options given', async () => {
    s3.on(GetObjectCommand, { Bucket: 'maskpoint-cache', Key: 'backfill/inventory/manifest.json' }).resolves({
      ETag: '"abc"',
      Body: inventoryJson({}),
    });
    control.on(CreateJobCommand).resolves({ JobId: 'job-2' });

    await viewsCommand([
      'backfill',
      '--bucket',
      'acme-exports',
      '--inventory',
      's3://maskpoint-cache/backfill/inventory/manifest.json',
      ...required,
      '--priority',
      '42',
      '--report-scope',
      'all',
      '--account-id',
      '444455556666',
    ]);

    const input = control.commandCalls(CreateJobCommand)[0]?.args[0].input;
    expect(input?.Manifest).toEqual({
      Spec: { Format: 'S3InventoryReport_CSV_20161130' },
      Location: { ObjectArn: 'arn:aws:s3:::maskpoint-cache/backfill/inventory/manifest.json', ETag: 'abc' },
    });
    expect([input?.AccountId, input?.Priority, input?.Report?.ReportScope]).toEqual([
      '444455556666',
      42,
      'AllTasks',
    ]);
  });

  it('prints the CreateJob input with --dry-run and creates no job', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"e1"' });

    const code = await viewsCommand([
      'backfill',
      '--bucket',
      'acme-exports',
      '--manifest',
      's3://manifests/m.csv',
      '--manifest-fields',
      'Bucket,Key,VersionId',
      ...required,
      '--dry-run',
    ]);

    expect(code).toBe(0);
    expect(control.commandCalls(CreateJobCommand)).toHaveLength(0);
    const printed = JSON.parse(stdout);
    expect(printed.Operation).toEqual({
      LambdaInvoke: { FunctionArn: FUNCTION_ARN, InvocationSchemaVersion: '2.0' },
    });
    expect(printed.Manifest.Spec).toEqual({
      Format: 'S3BatchOperations_CSV_20180820',
      Fields: ['Bucket', 'Key', 'VersionId'],
    });
  });

  it.each([
    [
      'another bucket',
      { sourceBucket: 'someone-else' },
      'lists bucket someone-else, not --bucket acme-exports',
    ],
    [
      'an ORC inventory',
      { fileFormat: 'ORC' },
      'is a ORC inventory; Batch Operations reads CSV inventories only',
    ],
  ])('rejects an inventory of %s and creates no job', async (_, fields, message) => {
    s3.on(GetObjectCommand).resolves({ ETag: '"abc"', Body: inventoryJson(fields) });

    const run = viewsCommand([
      'backfill',
      '--bucket',
      'acme-exports',
      '--inventory',
      's3://inv/manifest.json',
      ...required,
    ]);

    await expect(run).rejects.toThrow(InvalidArgumentError);
    await expect(run).rejects.toThrow(message);
    expect(control.commandCalls(CreateJobCommand)).toHaveLength(0);
  });

  const manifest = ['--bucket', 'acme-exports', '--manifest', 's3://manifests/m.csv'];
  it.each([
    ['no manifest', ['--bucket', 'acme-exports', ...required], 'needs --manifest'],
    ['two manifests', [...manifest, '--inventory', 's3://manifests/i.json', ...required], 'needs --manifest'],
    ['no function', [...manifest, ...required.slice(2)], 'needs --bucket, --function-arn'],
    ['a role that is no role ARN', [...manifest, ...required, '--role-arn', 'role'], '--role-arn "role"'],
    [
      'a manifest without a Bucket column',
      [...manifest, ...required, '--manifest-fields', 'Key'],
      '--manifest-fields "Key"',
    ],
    [
      'an unknown report scope',
      [...manifest, ...required, '--report-scope', 'some'],
      '--report-scope "some"',
    ],
  ])('rejects %s', async (_, args, message) => {
    const run = viewsCommand(['backfill', ...args]);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message);
  });
});
