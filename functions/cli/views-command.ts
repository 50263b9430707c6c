import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateJobCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { z } from 'zod';
import { tokenKeyringFromEnv } from '../adapters/keys-from-env.ts';
import { createLocalDirectorySource } from '../adapters/local-directory-source.ts';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../adapters/local-rule-set-source.ts';
import { openRedactionStream } from '../adapters/node-redaction-stream.ts';
import { createS3Client, createS3ObjectSource } from '../adapters/s3-object-source.ts';
import { InvalidArgumentError } from '../core/errors.ts';
import { compileRegistry } from '../core/rule-registry.ts';
import { viewKeyIds } from '../core/views/object-views.ts';
import { createViewMaterializer } from '../core/views/view-materializer.ts';
import { type WarmSummary, warmPrefix } from '../core/views/warm-prefix.ts';
import { type BackfillManifest, type BackfillManifestField, backfillJobInput } from './backfill-job-input.ts';
import { parseBucketOption } from './bucket-option.ts';
import { startProgressLine } from './progress.ts';
import { parseS3Url, type S3Url } from './s3-url.ts';
import { UsageError } from './usage-error.ts';
import { openViewStore, VIEW_STORE_OPTIONS } from './view-store-options.ts';

const WARM_OPTIONS = {
  bucket: { type: 'string', multiple: true, default: [] as string[] },
  rules: { type: 'string', default: DEFAULT_RULES_DIR },
  concurrency: { type: 'string', default: '8' },
  json: { type: 'boolean', default: false },
  ...VIEW_STORE_OPTIONS,
} as const;

const BACKFILL_OPTIONS = {
  bucket: { type: 'string' },
  manifest: { type: 'string' },
  'manifest-fields': { type: 'string', default: 'Bucket,Key' },
  inventory: { type: 'string' },
  'function-arn': { type: 'string' },
  'role-arn': { type: 'string' },
  report: { type: 'string' },
  'report-scope': { type: 'string', default: 'failed' },
  priority: { type: 'string', default: '10' },
  'account-id': { type: 'string' },
  region: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
} as const;

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/[\w+=,.@/-]+$/;
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/;
const MANIFEST_FIELDS: readonly BackfillManifestField[] = ['Bucket', 'Key', 'VersionId', 'Ignore'];

/** The part of an S3 Inventory `manifest.json` a backfill checks. */
const inventoryManifestSchema = z.object({ sourceBucket: z.string(), fileFormat: z.string() });

/**
 * `maskpoint views warm|backfill`:
 *
 * - `warm [s3://BUCKET/PREFIX] [--bucket NAME=DIR] [--views DIR | --views-s3 s3://CACHE/PREFIX]
 *   [--views-max SIZE] [--concurrency N] [--rules DIR] [--json]`: makes the redacted view of every
 *   object under the prefix for every rule set some caller could read it with, on this machine.
 *   A bucket given as `--bucket NAME=DIR` is read from that directory, any other from S3 (default
 *   credential chain; `AWS_ENDPOINT_URL_S3` is honoured). Prints a summary (objects, views made and
 *   already present, bytes, refusals and failures by reason code). Exit code 1 when a view failed
 *   for a reason worth retrying (store, source, engine); refused objects are counted, not errors.
 * - `backfill --bucket B (--manifest s3://…/manifest.csv | --inventory s3://…/manifest.json)
 *   --function-arn ARN --role-arn ARN --report s3://BUCKET/PREFIX [--dry-run]`: creates an S3 Batch
 *   Operations job that invokes the materializer function for every listed object, so AWS warms a
 *   bucket of any size; `--dry-run` prints the CreateJob input instead.
 *
 * @throws UsageError for wrong arguments; RuleValidationError for invalid rules.
 */
export async function viewsCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'warm') return warm(rest);
  if (subcommand === 'backfill') return backfill(rest);
  throw new UsageError('views takes warm or backfill');
}

async function warm(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: WARM_OPTIONS, allowPositionals: true });
  const localBuckets = new Map(values.bucket.map(parseBucketOption));
  const target = warmTarget(positionals, localBuckets);
  const concurrency = Number(values.concurrency);
  if (!/^\d{1,4}$/.test(values.concurrency) || concurrency < 1) {
    throw new UsageError(`--concurrency "${values.concurrency}": expected a whole number from 1 to 9999`);
  }
  let s3Client: S3Client | undefined;
  const s3 = () => {
    s3Client ??= createS3Client();
    return s3Client;
  };
  const store = await openViewStore(values, s3);
  const source = localBuckets.has(target.bucket)
    ? createLocalDirectorySource(localBuckets)
    : createS3ObjectSource(s3());
  const keys = await (await tokenKeyringFromEnv(process.env)).load();
  const rules = compileRegistry(await loadRuleCatalog(values.rules), keys);
  const deps = {
    source,
    openRedaction: openRedactionStream,
    rules,
    tokenKeyIds: viewKeyIds(keys),
    store,
    materializer: createViewMaterializer(store, { maxConcurrent: concurrency }),
  };
  let running: Readonly<WarmSummary> | undefined;
  const stopProgress = startProgressLine(() =>
    running === undefined ? 'warming: listing…' : `warming: ${describeProgress(running)}`,
  );
  let summary: WarmSummary;
  try {
    summary = await warmPrefix(
      { bucket: target.bucket, prefix: target.key, concurrency },
      deps,
      (_, totals) => {
        running = totals;
      },
    );
  } finally {
    stopProgress();
    s3Client?.destroy();
  }
  const where = `s3://${target.bucket}/${target.key}`;
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ bucket: target.bucket, prefix: target.key, ...summary })}\n`
      : describeSummary(where, summary),
  );
  return Object.keys(summary.failures).length > 0 ? 1 : 0;
}

/** The bucket and prefix to warm: the `s3://` argument, else the one `--bucket`. */
function warmTarget(positionals: readonly string[], localBuckets: ReadonlyMap<string, string>): S3Url {
  const [location, ...more] = positionals;
  if (more.length > 0) throw new UsageError('views warm takes one s3://BUCKET/PREFIX');
  if (location !== undefined) return parseS3Url(location, 'views warm');
  const [only, ...others] = localBuckets.keys();
  if (only === undefined || others.length > 0) {
    throw new UsageError('views warm needs s3://BUCKET/PREFIX, or one --bucket NAME=DIR to warm all of it');
  }
  return { bucket: only, key: '' };
}

function describeProgress(summary: Readonly<WarmSummary>): string {
  const refused = Object.values(summary.refusals).reduce((sum, count) => sum + count, 0);
  const failed = Object.values(summary.failures).reduce((sum, count) => sum + count, 0);
  return `${summary.objects} objects, ${summary.viewsMade} views made, ${summary.viewsPresent} present, ${refused} refused, ${failed} failed, ${megabytes(summary.redactedBytes)} MB`;
}

function describeSummary(where: string, summary: WarmSummary): string {
  const lines = [
    `warmed ${where}: ${summary.objects} objects (${summary.uncovered} under no rule set), ${summary.viewsMade} views made (${megabytes(summary.redactedBytes)} MB redacted), ${summary.viewsPresent} already present`,
  ];
  const counts = (byReason: Record<string, number>) =>
    Object.entries(byReason)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
  if (Object.keys(summary.refusals).length > 0) lines.push(`refused: ${counts(summary.refusals)}`);
  if (Object.keys(summary.failures).length > 0) {
    lines.push(`failed: ${counts(summary.failures)} (run again to retry these)`);
  }
  return `${lines.join('\n')}\n`;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

async function backfill(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: BACKFILL_OPTIONS, allowPositionals: true });
  const bucket = values.bucket;
  const functionArn = values['function-arn'];
  const roleArn = values['role-arn'];
  if (positionals.length > 0 || bucket === undefined || functionArn === undefined || roleArn === undefined) {
    throw new UsageError(
      'views backfill needs --bucket, --function-arn, --role-arn and --report, and no other arguments',
    );
  }
  if ((values.manifest === undefined) === (values.inventory === undefined)) {
    throw new UsageError(
      'views backfill needs --manifest s3://…/manifest.csv or --inventory s3://…/manifest.json',
    );
  }
  if (values.report === undefined) throw new UsageError('views backfill needs --report s3://BUCKET/PREFIX');
  const role = ROLE_ARN.exec(roleArn);
  if (role === null) throw new UsageError(`--role-arn "${roleArn}": expected arn:aws:iam::ACCOUNT:role/NAME`);
  if (!FUNCTION_ARN.test(functionArn)) {
    throw new UsageError(
      `--function-arn "${functionArn}": expected arn:aws:lambda:REGION:ACCOUNT:function:NAME`,
    );
  }
  const accountId = values['account-id'] ?? (role[2] as string);
  if (!/^\d{12}$/.test(accountId)) throw new UsageError(`--account-id "${accountId}": expected 12 digits`);
  const priority = Number(values.priority);
  if (!/^\d{1,9}$/.test(values.priority)) {
    throw new UsageError(`--priority "${values.priority}": expected a whole number from 0 to 999999999`);
  }
  const scope = { all: 'AllTasks', failed: 'FailedTasksOnly' } as const;
  const reportScope = scope[values['report-scope'] as keyof typeof scope];
  if (reportScope === undefined) {
    throw new UsageError(`--report-scope "${values['report-scope']}": expected all or failed`);
  }
  const report = parseS3Url(values.report, '--report');
  const s3 = createS3Client();
  try {
    const manifest =
      values.inventory !== undefined
        ? await inventoryManifest(s3, parseS3Url(values.inventory, '--inventory'), bucket)
        : await csvManifest(
            s3,
            parseS3Url(values.manifest as string, '--manifest'),
            values['manifest-fields'],
          );
    const input = backfillJobInput({
      bucket,
      accountId,
      partition: role[1] as string,
      manifest,
      functionArn,
      roleArn,
      report,
      reportScope,
      priority,
      clientRequestToken: randomUUID(),
    });
    if (values['dry-run']) {
      process.stdout.write(`${JSON.stringify(input, null, 2)}\n`);
      return 0;
    }
    const control = new S3ControlClient(values.region === undefined ? {} : { region: values.region });
    try {
      const { JobId } = await control.send(new CreateJobCommand(input));
      process.stdout.write(
        `created S3 Batch Operations job ${JobId}\n  follow it: aws s3control describe-job --account-id ${accountId} --job-id ${JobId}\n`,
      );
    } finally {
      control.destroy();
    }
    return 0;
  } finally {
    s3.destroy();
  }
}

async function csvManifest(s3: S3Client, location: S3Url, fieldsText: string): Promise<BackfillManifest> {
  const fields = fieldsText.split(',').map((field) => field.trim());
  const unknown = fields.find((field) => !MANIFEST_FIELDS.includes(field as BackfillManifestField));
  if (unknown !== undefined || !fields.includes('Bucket') || !fields.includes('Key')) {
    throw new UsageError(
      `--manifest-fields "${fieldsText}": the CSV columns, among ${MANIFEST_FIELDS.join(', ')}, with Bucket and Key`,
    );
  }
  const head = await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
  return {
    kind: 'csv',
    location,
    etag: requireEtag(head.ETag, location),
    fields: fields as BackfillManifestField[],
  };
}

/**
 * Reads the inventory's `manifest.json`: Batch Operations takes CSV inventory reports only
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-create-job.html), and the
 * report must list the protected bucket.
 */
async function inventoryManifest(s3: S3Client, location: S3Url, bucket: string): Promise<BackfillManifest> {
  const response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  const text = (await response.Body?.transformToString('utf8')) ?? '';
  let parsed: z.infer<typeof inventoryManifestSchema>;
  try {
    parsed = inventoryManifestSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new InvalidArgumentError(`--inventory ${describe(location)} is not an S3 Inventory manifest.json`, {
      cause: error,
    });
  }
  if (parsed.fileFormat !== 'CSV') {
    throw new InvalidArgumentError(
      `--inventory ${describe(location)} is a ${parsed.fileFormat} inventory; Batch Operations reads CSV inventories only`,
    );
  }
  if (parsed.sourceBucket !== bucket) {
    throw new InvalidArgumentError(
      `--inventory ${describe(location)} lists bucket ${parsed.sourceBucket}, not --bucket ${bucket}`,
    );
  }
  return { kind: 'inventory', location, etag: requireEtag(response.ETag, location) };
}

function requireEtag(etag: string | undefined, location: S3Url): string {
  if (etag === undefined) throw new InvalidArgumentError(`${describe(location)} has no ETag to name it by`);
  return etag;
}

function describe(location: S3Url): string {
  return `s3://${location.bucket}/${location.key}`;
}
