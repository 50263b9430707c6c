import type { CreateJobCommandInput } from '@aws-sdk/client-s3-control';
import type { S3Url } from './s3-url.ts';

/** The list of objects a backfill job runs over. */
export type BackfillManifest =
  /** A CSV of `bucket,url-encoded-key[,version]` rows; `fields` names the columns. */
  | {
      readonly kind: 'csv';
      readonly location: S3Url;
      readonly etag: string;
      readonly fields: readonly BackfillManifestField[];
    }
  /** The `manifest.json` of a CSV S3 Inventory report. */
  | { readonly kind: 'inventory'; readonly location: S3Url; readonly etag: string };

export type BackfillManifestField = 'Bucket' | 'Key' | 'VersionId' | 'Ignore';

/** A view backfill of one protected bucket through S3 Batch Operations. */
export interface BackfillJob {
  /** The protected bucket (named in the job's description). */
  readonly bucket: string;
  readonly accountId: string;
  readonly partition: string;
  readonly manifest: BackfillManifest;
  /** The materializer function (stack output `MaterializerFunctionArn`). */
  readonly functionArn: string;
  /** The role Batch Operations runs as (stack output `BackfillRoleArn`). */
  readonly roleArn: string;
  /** Where the completion report goes. */
  readonly report: S3Url;
  /** Which tasks the report lists. */
  readonly reportScope: 'AllTasks' | 'FailedTasksOnly';
  /** Higher runs first among this account's jobs. */
  readonly priority: number;
  /** Idempotency token: a retried request with the same token creates no second job. */
  readonly clientRequestToken: string;
}

/**
 * The S3 Control `CreateJob` input of a backfill: a `LambdaInvoke` of the materializer for every
 * object of the manifest, invocation schema 2.0, no confirmation step, a CSV completion report.
 * Request shape: https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_CreateJob.html;
 * manifest formats and fields:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_JobManifestSpec.html (the manifest
 * is named by ARN and ETag, its keys URL-encoded:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-create-job.html); schema 2.0:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_LambdaInvokeOperation.html.
 */
export function backfillJobInput(job: BackfillJob): CreateJobCommandInput {
  const { manifest, report } = job;
  const reportPrefix = report.key.replace(/\/+$/, '');
  return {
    AccountId: job.accountId,
    ConfirmationRequired: false,
    Operation: { LambdaInvoke: { FunctionArn: job.functionArn, InvocationSchemaVersion: '2.0' } },
    Manifest: {
      Spec:
        manifest.kind === 'csv'
          ? { Format: 'S3BatchOperations_CSV_20180820', Fields: [...manifest.fields] }
          : { Format: 'S3InventoryReport_CSV_20161130' },
      Location: {
        ObjectArn: `arn:${job.partition}:s3:::${manifest.location.bucket}/${manifest.location.key}`,
        ETag: manifest.etag.replace(/^"(.*)"$/, '$1'),
      },
    },
    Report: {
      Enabled: true,
      Bucket: `arn:${job.partition}:s3:::${report.bucket}`,
      ...(reportPrefix === '' ? {} : { Prefix: reportPrefix }),
      Format: 'Report_CSV_20180820',
      ReportScope: job.reportScope,
    },
    Priority: job.priority,
    RoleArn: job.roleArn,
    ClientRequestToken: job.clientRequestToken,
    Description: `maskpoint: warm the redacted views of ${job.bucket}`.slice(0, 256),
  };
}
