import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type TableProps } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  BucketEncryption,
  type BucketProps,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';

/** The repository root: entries, rule directories and the lock file are resolved from it. */
export const REPOSITORY_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** Where Lambda unpacks the function's asset. */
const TASK_ROOT = '/var/task';

/** Directory name of the rule files inside every function's asset. */
const ASSET_RULES_DIR = 'redaction-rules';

/**
 * File name of the bundled country database. `DEFAULT_GEO_DATABASE` in
 * functions/adapters/maxmind-geo-lookup.ts falls back to this name beside the bundle.
 */
const ASSET_GEO_DATABASE = 'geo-whois-asn-country.mmdb';

/** The runtime every maskpoint function runs on; the bundle targets the same Node major. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;

/** Where a function finds what its bundle carries, as environment variables. */
export function bundledAssetEnvironment(): Record<string, string> {
  return {
    MASKPOINT_RULES_DIR: `${TASK_ROOT}/${ASSET_RULES_DIR}`,
    MASKPOINT_GEO_DB: `${TASK_ROOT}/${ASSET_GEO_DATABASE}`,
  };
}

/** The country database of the npm package `@ip-location-db/geo-whois-asn-country-mmdb` on this machine. */
export function bundledGeoDatabasePath(): string {
  return createRequire(import.meta.url).resolve(
    `@ip-location-db/geo-whois-asn-country-mmdb/${ASSET_GEO_DATABASE}`,
  );
}

/** What goes into the function's asset besides the bundle. */
export interface AssetFiles {
  /** Absolute path of the rule set directory to copy as `redaction-rules/`; none for a function that does not redact. */
  readonly rulesDir?: string | undefined;
  /** Absolute path of the country database to copy beside the bundle; none when it comes from a layer. */
  readonly geoDatabase?: string | undefined;
}

/**
 * esbuild on this machine (never Docker): one ESM file for Node 22 with the AWS SDK bundled
 * (pinned by our lock file, not the runtime's), plus the rule files and the geo database if given.
 */
export function functionBundling(files: AssetFiles): BundlingOptions {
  const copies: string[] = [];
  if (files.rulesDir !== undefined) copies.push(`cp -R "${files.rulesDir}" "$OUT/${ASSET_RULES_DIR}"`);
  if (files.geoDatabase !== undefined) copies.push(`cp "${files.geoDatabase}" "$OUT/${ASSET_GEO_DATABASE}"`);
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    // ESM bundles have no `require`, `__filename` or `__dirname`; CommonJS dependencies inside the
    // bundle still use them (synckit, which recheck loads, reads `__dirname` at module load).
    banner: [
      "import { createRequire as maskpointCreateRequire } from 'node:module';",
      "import { fileURLToPath as maskpointFileURLToPath } from 'node:url';",
      'const require = maskpointCreateRequire(import.meta.url);',
      'const __filename = maskpointFileURLToPath(import.meta.url);',
      "const __dirname = maskpointFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
    bundleAwsSDK: true,
    // recheck's checkSync runs by default in a synckit worker that it resolves as the file
    // `./synckit-worker` beside its own module (node_modules/recheck/lib/main.js), a file no bundle
    // has: rule sets with a custom detector failed to load at cold start. Its `pure` backend runs
    // the same checker in the calling thread, and esbuild writes the choice into the bundle.
    define: { 'process.env.RECHECK_SYNC_BACKEND': JSON.stringify('pure') },
    minify: true,
    sourceMap: true,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir, outputDir) => copies.map((copy) => copy.replaceAll('$OUT', outputDir)),
    },
  };
}

/** Function settings shared by every maskpoint function. */
export function functionDefaults(): Pick<
  NodejsFunctionProps,
  'runtime' | 'architecture' | 'timeout' | 'environment' | 'depsLockFilePath' | 'projectRoot'
> {
  return {
    runtime: FUNCTION_RUNTIME,
    architecture: Architecture.ARM_64,
    // Object Lambda allows 60 s per request; the gateway streams objects up to the Lambda response limit.
    timeout: Duration.seconds(60),
    environment: { NODE_OPTIONS: '--enable-source-maps' },
    depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
    projectRoot: REPOSITORY_ROOT,
  };
}

/** The closest CloudWatch Logs retention at or above `days` (it only accepts fixed values). */
export function logRetention(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((value): value is RetentionDays => typeof value === 'number' && value > 0)
    .sort((a, b) => a - b);
  return allowed.find((value) => value >= days) ?? RetentionDays.INFINITE;
}

/** The demo bucket: encrypted, TLS only, versioned, private, access logs to `accessLogs`. */
export function demoBucketProps(accessLogs: IBucket, isDestroyedWithStack: boolean): BucketProps {
  return {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'demo-bucket/',
    removalPolicy: isDestroyedWithStack ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    autoDeleteObjects: isDestroyedWithStack,
  };
}

/** The bucket receiving the demo bucket's server access logs. */
export function accessLogBucketProps(isDestroyedWithStack: boolean): BucketProps {
  return {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: isDestroyedWithStack ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    autoDeleteObjects: isDestroyedWithStack,
  };
}

/**
 * The redacted-view cache bucket: encrypted (S3-managed keys, as the stack's other buckets), TLS
 * only, private, unversioned (a view is immutable and made again when missing), views expiring
 * after `expiryDays` and unfinished multipart uploads (a view abandoned mid-write) removed after
 * a day; deleted with its views when the stack goes, since it is a cache.
 */
export function viewStoreBucketProps(expiryDays: number): BucketProps {
  return {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: false,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [
      { id: 'ExpireViews', expiration: Duration.days(expiryDays) },
      { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  };
}

/** The rate limiter's table, in the shape `createDynamoRateLimiter` expects. */
export function rateLimitTableProps(): TableProps {
  return {
    partitionKey: { name: 'key', type: AttributeType.STRING },
    timeToLiveAttribute: 'expire',
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // Counters only: nothing to keep when the stack goes.
    removalPolicy: RemovalPolicy.DESTROY,
  };
}

/**
 * Bucket-policy statement denying direct reads by principals of other accounts: they read only
 * through this account's access points (the Object Lambda path) or the gateway, never raw.
 */
export function denyExternalDirectReads(bucket: IBucket, account: string): PolicyStatement {
  return new PolicyStatement({
    sid: 'DenyDirectReadsByExternalPrincipals',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions'],
    resources: [bucket.bucketArn, bucket.arnForObjects('*')],
    conditions: {
      StringNotEquals: { 'aws:PrincipalAccount': account },
      Null: { 's3:DataAccessPointArn': 'true' },
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}
