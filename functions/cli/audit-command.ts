import { readdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ProtectedBucketConfig } from '../../infra/lib/protected-bucket-config.ts';
import { type AuditInput, auditAccessKeys } from '../audit/audit-access-keys.ts';
import { createAwsAuditClients, createAwsLiveAuditSource } from '../audit/aws-live-audit-source.ts';
import { formatAuditMarkdown, formatAuditTable } from '../audit/format-audit-report.ts';
import { createTrailSummarizer } from '../audit/key-usage.ts';
import { type LiveAuditSource, readLiveAuditInput } from '../audit/live-audit-source.ts';
import {
  readAuthorizationDetailsFile,
  readCloudTrailFiles,
  readCredentialReportFile,
} from '../audit/read-audit-exports.ts';
import { startProgressLine } from './progress.ts';
import { UsageError } from './usage-error.ts';

/** Buckets protected by `infra/buckets/`: bucket name → config file, and configs without a known name. */
export interface ConfiguredBuckets {
  readonly byName: ReadonlyMap<string, string>;
  /** Config files of buckets the stack creates, whose name is known only after deploy. */
  readonly unnamed: readonly string[];
}

const BUCKET_CONFIGS = new URL('../../infra/buckets/', import.meta.url);

/**
 * `maskpoint audit`: finds the high-impact AWS access keys of an account and what each needs. Reads
 * exports made with read-only rights (`--authorization-details`, `--credential-report`,
 * `--cloudtrail`) or, with `--live`, the same through the AWS SDK; prints a table, `--json` or
 * `--markdown`. `live` is for tests: the source `--live` uses instead of the SDK.
 */
export async function auditCommand(
  args: string[],
  dependencies: { readonly live?: LiveAuditSource; readonly now?: Date; readonly bucketConfigs?: URL } = {},
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'authorization-details': { type: 'string' },
      'credential-report': { type: 'string' },
      cloudtrail: { type: 'string', multiple: true },
      'sensitive-bucket': { type: 'string', multiple: true },
      live: { type: 'boolean', default: false },
      region: { type: 'string' },
      json: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
    },
  });
  if (values.json && values.markdown) throw new UsageError('audit takes --json or --markdown, not both');
  const hasExports =
    values['authorization-details'] !== undefined || values['credential-report'] !== undefined;
  if (values.live === hasExports) {
    throw new UsageError(
      'audit takes --authorization-details FILE and --credential-report FILE, or --live (not both)',
    );
  }
  const now = dependencies.now ?? new Date();
  const configured = await loadConfiguredBuckets(dependencies.bucketConfigs ?? BUCKET_CONFIGS);
  const sensitiveBuckets = values['sensitive-bucket'] ?? [...configured.byName.keys()];
  if (values['sensitive-bucket'] === undefined && configured.unnamed.length > 0) {
    process.stderr.write(
      `note: ${configured.unnamed.join(', ')} protect(s) a bucket the stack creates; its name is known after deploy: pass it with --sensitive-bucket\n`,
    );
  }

  const gathered = values.live
    ? await readLive(dependencies.live ?? defaultLiveSource(values.region), now)
    : await readExports(values['authorization-details'], values['credential-report'], values.cloudtrail);
  const report = auditAccessKeys({
    ...gathered,
    sensitiveBuckets,
    configuredBuckets: configured.byName,
    now,
  });
  // Absent values are written as null, so every key report has the same fields.
  if (values.json) process.stdout.write(`${JSON.stringify(report, (_, value) => value ?? null, 2)}\n`);
  else if (values.markdown) process.stdout.write(formatAuditMarkdown(report));
  else process.stdout.write(formatAuditTable(report));
  return 0;
}

type Gathered = Pick<AuditInput, 'users' | 'accessKeys' | 'trail' | 'servicesNotAccessed'>;

async function readExports(
  authorizationDetails: string | undefined,
  credentialReport: string | undefined,
  cloudTrailPaths: string[] | undefined,
): Promise<Gathered> {
  if (authorizationDetails === undefined || credentialReport === undefined) {
    throw new UsageError('audit takes both --authorization-details FILE and --credential-report FILE');
  }
  const users = await readAuthorizationDetailsFile(authorizationDetails);
  const accessKeys = await readCredentialReportFile(credentialReport);
  if (cloudTrailPaths === undefined) return { users, accessKeys, trail: undefined };
  const summarizer = createTrailSummarizer();
  await readCloudTrailFiles(cloudTrailPaths, (records) => {
    for (const record of records) summarizer.add(record);
  });
  return { users, accessKeys, trail: { usage: summarizer.usage, kind: 'log-files' } };
}

async function readLive(source: LiveAuditSource, now: Date): Promise<Gathered> {
  let progress = 'reading IAM';
  const stop = startProgressLine(() => `audit: ${progress}`);
  try {
    return await readLiveAuditInput(source, {
      now,
      onProgress: (done, total) => {
        progress = `${done}/${total} look-ups (keys, Access Advisor, CloudTrail)`;
      },
    });
  } finally {
    stop();
  }
}

function defaultLiveSource(region: string | undefined): LiveAuditSource {
  return createAwsLiveAuditSource(createAwsAuditClients(region));
}

/**
 * Reads the protected-bucket configs (each file's default export, as `infra/bin` does): existing
 * buckets by name; buckets the stack creates (`source: 'demo'`) have no name before deploy.
 */
export async function loadConfiguredBuckets(directory: URL): Promise<ConfiguredBuckets> {
  const byName = new Map<string, string>();
  const unnamed: string[] = [];
  let files: string[];
  try {
    files = (await readdir(directory)).filter((name) => name.endsWith('.ts')).sort();
  } catch {
    return { byName, unnamed };
  }
  for (const file of files) {
    const module: { default: ProtectedBucketConfig } = await import(new URL(file, directory).href);
    const path = `infra/buckets/${file}`;
    if (module.default.bucket.source === 'existing') byName.set(module.default.bucket.bucketName, path);
    else unnamed.push(path);
  }
  return { byName, unnamed };
}
