import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REPOSITORY_ROOT } from './defaults.ts';
import {
  MaskpointFunction,
  type MaskpointFunctionSettings,
  type RedactionAssets,
} from './maskpoint-function.ts';
import { BACKFILL_PREFIX, type ViewStoreBucket } from './view-store-bucket.ts';

/** A view of a large object can take minutes to make: the Lambda maximum. */
const FUNCTION_TIMEOUT = Duration.minutes(15);
/**
 * Lambda's guidance for an SQS event source: a visibility timeout of at least six times the
 * function's timeout (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
 */
const QUEUE_VISIBILITY_TIMEOUT = Duration.minutes(90);
/** Deliveries of a message before it moves to the dead-letter queue. */
const MAX_RECEIVE_COUNT = 5;
/** The S3 events that keep the views current. */
const EVENTS = ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] as const;

/** Props of {@link Materializer}. */
export interface MaterializerProps extends MaskpointFunctionSettings {
  readonly redaction: RedactionAssets;
  readonly bucket: IBucket;
  /** Whether the stack created `bucket` and so owns its notification configuration. */
  readonly isBucketOwned: boolean;
  /** Key prefixes the materializer may read and is notified of (`''` is the whole bucket). */
  readonly readPrefixes: readonly string[];
  readonly viewStore: ViewStoreBucket;
  readonly tokenKeys: ISecret;
  /** @default - the bucket is not encrypted with a customer managed key */
  readonly kmsKey?: IKey | undefined;
  /** Subscribe to the bucket's ObjectCreated and ObjectRemoved events through SQS. @default true */
  readonly warmOnWrite?: boolean | undefined;
  /** Most instances warming from the queue at once (2–1000). @default 10 */
  readonly maxConcurrency?: number | undefined;
}

/**
 * Warms the redacted views of the protected bucket, so AWS rather than one machine does the
 * bulk work: a function that makes the views of each written object for every rule set that can
 * apply and deletes those of each removed one, fed by S3 event notifications through an
 * encrypted, TLS-only SQS queue with a dead-letter queue and partial batch failures; and a role
 * for S3 Batch Operations (`maskpoint views backfill`) that may invoke it, read manifests under
 * `backfill/` in the cache bucket and write reports there. The function reads only the
 * configured prefixes of the bucket and has no other access to it.
 */
export class Materializer extends Construct {
  readonly handler: MaskpointFunction;
  /** The object ARN patterns (one per read prefix) the function may read. */
  readonly readableObjects: readonly string[];
  /** @default - undefined without warmOnWrite */
  readonly queue?: Queue;
  /** @default - undefined without warmOnWrite */
  readonly deadLetterQueue?: Queue;
  /** The role `maskpoint views backfill --role-arn` names. */
  readonly backfillRole: Role;
  /**
   * The notification configuration the owner of an existing bucket applies
   * (PutBucketNotificationConfiguration), as JSON.
   * @default - undefined when the stack configures the notifications itself, or without warmOnWrite
   */
  readonly notificationConfigurationForOwner?: string;

  constructor(scope: Construct, id: string, props: MaterializerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefixes = coveringPrefixes(props.readPrefixes);
    this.readableObjects = prefixes.map((prefix) => props.bucket.arnForObjects(`${prefix}*`));
    this.handler = new MaskpointFunction(this, 'Handler', {
      logRetention: props.logRetention,
      memoryMb: props.memoryMb,
      redaction: props.redaction,
      timeout: FUNCTION_TIMEOUT,
      entry: join(REPOSITORY_ROOT, 'functions/materializer/handler.ts'),
      description: `maskpoint view materializer for ${props.bucket.bucketName}`,
      environment: {
        MASKPOINT_BUCKET: props.bucket.bucketName,
        MASKPOINT_VIEWS_BUCKET: props.viewStore.bucket.bucketName,
        MASKPOINT_VIEWS_PREFIX: props.viewStore.viewsPrefix,
        MASKPOINT_TOKEN_KEYS_SECRET_ARN: props.tokenKeys.secretArn,
      },
    });
    this.grantAccess(props);
    this.backfillRole = this.createBackfillRole(props.viewStore);

    if (props.warmOnWrite ?? true) {
      this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      this.queue = new Queue(this, 'Queue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: QUEUE_VISIBILITY_TIMEOUT,
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
      });
      this.handler.function.addEventSource(
        new SqsEventSource(this.queue, {
          batchSize: 10,
          reportBatchItemFailures: true,
          maxConcurrency: props.maxConcurrency ?? 10,
        }),
      );
      if (props.isBucketOwned) {
        const destination = new SqsDestination(this.queue);
        for (const prefix of prefixes) {
          const filters = prefix === '' ? [] : [{ prefix }];
          props.bucket.addEventNotification(EventType.OBJECT_CREATED, destination, ...filters);
          props.bucket.addEventNotification(EventType.OBJECT_REMOVED, destination, ...filters);
        }
      } else {
        this.queue.grantSendMessages(
          new ServicePrincipal('s3.amazonaws.com', {
            conditions: {
              ArnLike: { 'aws:SourceArn': props.bucket.bucketArn },
              StringEquals: { 'aws:SourceAccount': stack.account },
            },
          }),
        );
        this.notificationConfigurationForOwner = stack.toJsonString({
          QueueConfigurations: prefixes.map((prefix, index) => ({
            Id: `maskpoint-views-${index}`,
            QueueArn: this.queue?.queueArn,
            Events: EVENTS,
            ...(prefix === ''
              ? {}
              : { Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } } }),
          })),
        });
      }
    }
  }

  /** The protected prefixes (read only), the views (read/write), the token keys. */
  private grantAccess(props: MaterializerProps): void {
    const role = this.handler.role;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadProtectedObjects',
        actions: ['s3:GetObject'],
        resources: [...this.readableObjects],
      }),
    );
    if (props.kmsKey) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'DecryptThroughS3',
          actions: ['kms:Decrypt'],
          resources: [props.kmsKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadTokenKeys',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.tokenKeys.secretArn],
      }),
    );
    props.viewStore.grantReadWrite(role);
  }

  /**
   * The role S3 Batch Operations runs a backfill as (trust and permissions:
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html): invoke
   * this function, read manifests under `backfill/`, write completion reports under
   * `backfill/reports/`.
   */
  private createBackfillRole(viewStore: ViewStoreBucket): Role {
    const role = new Role(this, 'BackfillRole', {
      assumedBy: new ServicePrincipal('batchoperations.s3.amazonaws.com'),
      description: 'maskpoint: S3 Batch Operations backfill of the redacted views',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'InvokeMaterializer',
        actions: ['lambda:InvokeFunction'],
        resources: [this.handler.function.functionArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadBackfillManifests',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [viewStore.bucket.arnForObjects(`${BACKFILL_PREFIX}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteBackfillReports',
        actions: ['s3:PutObject'],
        resources: [viewStore.bucket.arnForObjects(`${BACKFILL_PREFIX}reports/*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'LocateCacheBucket',
        actions: ['s3:GetBucketLocation'],
        resources: [viewStore.bucket.bucketArn],
      }),
    );
    return role;
  }
}

/**
 * The prefixes that cover all of `prefixes`: one that another extends is dropped, since S3
 * refuses notification configurations whose prefixes overlap for the same event
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html).
 */
export function coveringPrefixes(prefixes: readonly string[]): string[] {
  const unique = [...new Set(prefixes)].sort();
  return unique.filter((prefix) => !unique.some((other) => other !== prefix && prefix.startsWith(other)));
}
