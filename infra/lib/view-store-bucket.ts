import { Lazy, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, type IRole, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEFAULT_VIEWS_S3_PREFIX } from '../../functions/cli/view-store-options.ts';
import { viewStoreBucketProps } from './defaults.ts';

/** Props of {@link ViewStoreBucket}. */
export interface ViewStoreBucketProps {
  /** Days after which a view expires. @default 7 */
  readonly expiryDays?: number | undefined;
}

/** Where backfill manifests, S3 Inventory reports and job reports live inside the cache bucket. */
export const BACKFILL_PREFIX = 'backfill/';

/**
 * The redacted-view cache bucket (see {@link viewStoreBucketProps}). Views live under `views/`,
 * readable and writable only by the roles given {@link grantReadWrite}: a bucket-policy statement
 * denies every other principal, whatever its identity policies allow, so a key holder can never
 * read the cache. Views hold only redacted bytes. `backfill/` holds what S3 Batch Operations
 * reads and writes (manifests, inventory reports, completion reports).
 */
export class ViewStoreBucket extends Construct {
  readonly bucket: Bucket;
  /** Key prefix of the views (the S3 view store's default). */
  readonly viewsPrefix = DEFAULT_VIEWS_S3_PREFIX;
  /** The object ARN pattern of the views. */
  readonly viewObjects: string;
  private readonly roleArns: string[] = [];

  constructor(scope: Construct, id: string, props: ViewStoreBucketProps = {}) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', viewStoreBucketProps(props.expiryDays ?? 7));
    this.viewObjects = this.bucket.arnForObjects(`${this.viewsPrefix}*`);
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyViewsToAllButMaskpointRoles',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
        resources: [this.viewObjects],
        conditions: {
          ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.roleArns }) },
        },
      }),
    );
  }

  /**
   * Lets `role` read, write and delete views. `s3:ListBucket` (the whole bucket, unconditioned)
   * makes S3 answer a missing view 404 rather than 403, which the view store reads as a miss: "If
   * you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code 403"
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html); it also lists an
   * object's views to delete them. Call once per role.
   */
  grantReadWrite(role: IRole): void {
    this.roleArns.push(role.roleArn);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadWriteViews',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [this.viewObjects],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListViews',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
  }

  /**
   * Lets S3 Inventory deliver reports of `source` under `backfill/inventory/`, for backfills from
   * an inventory (destination bucket policy:
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/configure-inventory.html).
   */
  acceptInventoryOf(source: IBucket): void {
    const stack = Stack.of(this);
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AcceptInventoryReports',
        principals: [new ServicePrincipal('s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${BACKFILL_PREFIX}inventory/*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': source.bucketArn },
          StringEquals: { 'aws:SourceAccount': stack.account, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      }),
    );
  }
}
