import { Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { RateLimitTable } from './rate-limit-table.ts';
import type { ViewStoreBucket } from './view-store-bucket.ts';

/** What a gateway (function URL or container) reads, and so what its role may read. */
export interface GatewayReads {
  readonly bucket: IBucket;
  /** Key prefixes the gateway may read (`''` is the whole bucket). */
  readonly readPrefixes: readonly string[];
  readonly allowListing: boolean;
  readonly tokenKeys: ISecret;
  readonly gatewayKeys: ISecret;
  /** @default - the bucket is not encrypted with a customer managed key */
  readonly kmsKey?: IKey | undefined;
  /** @default - counters are per process */
  readonly rateLimitTable?: RateLimitTable | undefined;
  /** The redacted-view cache bucket (`MASKPOINT_VIEWS_BUCKET`), read and written. @default - no view store */
  readonly viewStore?: ViewStoreBucket | undefined;
}

/** The object ARN patterns, one per read prefix, a gateway's role may read. */
export function readableObjects(reads: GatewayReads): string[] {
  return reads.readPrefixes.map((prefix) => reads.bucket.arnForObjects(`${prefix}*`));
}

/**
 * Grants a gateway's role exactly what serving needs, and nothing else: `s3:GetObject` on the
 * configured prefixes of the protected bucket, `s3:ListBucket` under them when listing is on,
 * `secretsmanager:GetSecretValue` on its two key registries, `kms:Decrypt` through S3 only for a
 * customer managed key, counting in the rate-limit table, and the redacted-view cache. Every gateway front door uses it,
 * so the container's task role is as narrow as the function's.
 */
export function grantGatewayReads(role: IRole, reads: GatewayReads): void {
  const wholeBucket = reads.readPrefixes.includes('');
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'ReadProtectedObjects',
      actions: ['s3:GetObject'],
      resources: readableObjects(reads),
    }),
  );
  if (reads.allowListing) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListProtectedPrefixes',
        actions: ['s3:ListBucket'],
        resources: [reads.bucket.bucketArn],
        conditions: wholeBucket
          ? undefined
          : { StringLike: { 's3:prefix': reads.readPrefixes.map((prefix) => `${prefix}*`) } },
      }),
    );
  }
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'ReadKeyRegistries',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [reads.tokenKeys.secretArn, reads.gatewayKeys.secretArn],
    }),
  );
  if (reads.kmsKey) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DecryptThroughS3',
        actions: ['kms:Decrypt'],
        resources: [reads.kmsKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(role).region}.amazonaws.com` } },
      }),
    );
  }
  reads.rateLimitTable?.grantConsume(role);
  reads.viewStore?.grantReadWrite(role);
}
