import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import { CfnAccessPoint, type IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnAccessPoint as CfnObjectLambdaAccessPoint } from 'aws-cdk-lib/aws-s3objectlambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REPOSITORY_ROOT } from './defaults.ts';
import {
  MaskpointFunction,
  type MaskpointFunctionSettings,
  type RedactionAssets,
} from './maskpoint-function.ts';
import type { RateLimitTable } from './rate-limit-table.ts';
import type { ViewStoreBucket } from './view-store-bucket.ts';

/** The service every request through the supporting access point must come from. */
export const OBJECT_LAMBDA_SERVICE = 's3-object-lambda.amazonaws.com';

/** Props of {@link ObjectLambdaFrontDoor}. */
export interface ObjectLambdaFrontDoorProps extends MaskpointFunctionSettings {
  readonly redaction: RedactionAssets;
  readonly bucket: IBucket;
  /** Name of the supporting access point; the Object Lambda access point adds `-ol`. */
  readonly accessPointName: string;
  readonly tokenKeys: ISecret;
  readonly allowListing: boolean;
  /** @default - per-instance counters (each function instance limits on its own) */
  readonly rateLimitTable?: RateLimitTable | undefined;
  /**
   * The redacted-view cache bucket (`MASKPOINT_VIEWS_BUCKET`), read and written: views hold only
   * redacted bytes, so the role still cannot read the protected bucket. @default - no view store
   */
  readonly viewStore?: ViewStoreBucket | undefined;
  /**
   * The materializer's queue (`MASKPOINT_MATERIALIZER_QUEUE_URL`): HeadObject and ListObjects,
   * which cannot read the object through their `inputS3Url`, ask it for missing views
   * (`sqs:SendMessage` only). Needs `viewStore`.
   * @default - none: a HEAD or LIST that finds no view answers without a length
   */
  readonly viewRequests?: IQueue | undefined;
}

/**
 * The S3 Object Lambda front door: a supporting access point usable only through S3 Object
 * Lambda, the Object Lambda access point and its function. The function's role can write
 * responses and logs but cannot read the bucket: it reads each object through the caller-signed
 * `inputS3Url`, so every caller's own permissions decide what it may read. With views, it reads
 * and writes the cache bucket (redacted bytes only) and may send view requests to the
 * materializer's queue.
 */
export class ObjectLambdaFrontDoor extends Construct {
  readonly handler: MaskpointFunction;
  readonly supportingAccessPoint: CfnAccessPoint;
  readonly accessPoint: CfnObjectLambdaAccessPoint;
  /** ARN of the supporting access point (`arn:…:s3:<region>:<account>:accesspoint/<name>`). */
  readonly supportingAccessPointArn: string;
  readonly accessPointArn: string;
  /** The `…--ol-s3` alias, usable wherever a bucket name is. */
  readonly accessPointAlias: string;
  /**
   * The bucket-policy statement that delegates reads to this account's access points. It is in
   * the bucket's policy when the stack owns the bucket; otherwise the bucket owner must add it.
   */
  readonly delegationStatement: PolicyStatement;

  constructor(scope: Construct, id: string, props: ObjectLambdaFrontDoorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.handler = new MaskpointFunction(this, 'Handler', {
      logRetention: props.logRetention,
      memoryMb: props.memoryMb,
      reservedConcurrency: props.reservedConcurrency,
      redaction: props.redaction,
      entry: join(REPOSITORY_ROOT, 'functions/object-lambda/handler.ts'),
      description: `maskpoint Object Lambda front door for ${props.bucket.bucketName}`,
      environment: {
        MASKPOINT_BUCKET: props.bucket.bucketName,
        MASKPOINT_TOKEN_KEYS_SECRET_ARN: props.tokenKeys.secretArn,
        ...(props.rateLimitTable ? { MASKPOINT_RATE_LIMIT_TABLE: props.rateLimitTable.table.tableName } : {}),
        ...(props.viewStore
          ? {
              MASKPOINT_VIEWS_BUCKET: props.viewStore.bucket.bucketName,
              MASKPOINT_VIEWS_PREFIX: props.viewStore.viewsPrefix,
            }
          : {}),
        ...(props.viewRequests ? { MASKPOINT_MATERIALIZER_QUEUE_URL: props.viewRequests.queueUrl } : {}),
      },
    });
    const role = this.handler.role;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteGetObjectResponse',
        actions: ['s3-object-lambda:WriteGetObjectResponse'],
        // The action has no resource-level permissions.
        resources: ['*'],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadTokenKeys',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.tokenKeys.secretArn],
      }),
    );
    props.rateLimitTable?.grantConsume(role);
    props.viewStore?.grantReadWrite(role);
    if (props.viewRequests) {
      // SendMessageBatch is authorized as sqs:SendMessage
      // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html).
      // The queue is SSE-SQS encrypted: sending needs no KMS permission.
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'RequestViews',
          actions: ['sqs:SendMessage'],
          resources: [props.viewRequests.queueArn],
        }),
      );
    }

    const supportingName = props.accessPointName;
    this.supportingAccessPointArn = stack.formatArn({
      service: 's3',
      resource: 'accesspoint',
      resourceName: supportingName,
    });
    this.supportingAccessPoint = new CfnAccessPoint(this, 'SupportingAccessPoint', {
      bucket: props.bucket.bucketName,
      name: supportingName,
      publicAccessBlockConfiguration: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      policy: supportingAccessPointPolicy(this.supportingAccessPointArn, props.allowListing).toJSON(),
    });

    const actions = [
      'GetObject',
      'HeadObject',
      ...(props.allowListing ? ['ListObjects', 'ListObjectsV2'] : []),
    ];
    this.accessPoint = new CfnObjectLambdaAccessPoint(this, 'AccessPoint', {
      name: `${supportingName}-ol`,
      objectLambdaConfiguration: {
        supportingAccessPoint: this.supportingAccessPoint.attrArn,
        // The handler applies Range to the redacted bytes; partNumber is answered 501.
        allowedFeatures: ['GetObject-Range'],
        cloudWatchMetricsEnabled: true,
        transformationConfigurations: [
          {
            actions,
            contentTransformation: {
              AwsLambda: {
                FunctionArn: this.handler.function.functionArn,
                FunctionPayload: stack.toJsonString({ bucket: props.bucket.bucketName }),
              },
            },
          },
        ],
      },
    });
    this.accessPointArn = this.accessPoint.attrArn;
    this.accessPointAlias = this.accessPoint.attrAliasValue;

    this.delegationStatement = new PolicyStatement({
      sid: 'DelegateReadsToAccessPoints',
      principals: [new AccountRootPrincipal()],
      actions: ['s3:GetObject', ...(props.allowListing ? ['s3:ListBucket'] : [])],
      resources: [props.bucket.bucketArn, props.bucket.arnForObjects('*')],
      conditions: { StringEquals: { 's3:DataAccessPointAccount': stack.account } },
    });
  }
}

/**
 * Reads through the supporting access point are allowed only when S3 Object Lambda makes them
 * for a caller; any other use of the access point is denied, whatever identity policies say.
 */
function supportingAccessPointPolicy(accessPointArn: string, allowListing: boolean): PolicyDocument {
  const objects = `${accessPointArn}/object/*`;
  const actions = ['s3:GetObject', ...(allowListing ? ['s3:ListBucket'] : [])];
  const resources = allowListing ? [accessPointArn, objects] : [objects];
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'AllowThroughObjectLambdaOnly',
        principals: [new AccountRootPrincipal()],
        actions,
        resources,
        conditions: { 'ForAnyValue:StringEquals': { 'aws:CalledVia': [OBJECT_LAMBDA_SERVICE] } },
      }),
      new PolicyStatement({
        sid: 'DenyOutsideObjectLambda',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:*'],
        resources: [accessPointArn, objects],
        // ForAllValues is also true when aws:CalledVia is absent: direct requests are denied too.
        conditions: { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': [OBJECT_LAMBDA_SERVICE] } },
      }),
    ],
  });
}
