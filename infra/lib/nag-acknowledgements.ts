import { Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import type { MaskpointFunction } from './maskpoint-function.ts';
import type { ProtectedBucketStack } from './protected-bucket-stack.ts';
import { BACKFILL_PREFIX } from './view-store-bucket.ts';

/** The construct id CDK gives its singleton bucket-notifications function (aws-s3 notifications-resource-handler). */
const BUCKET_NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** One accepted cdk-nag finding on one construct (and its children). */
export interface NagAcknowledgement {
  readonly scope: IConstruct;
  /** The finding: a rule id, or a granular one such as `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  readonly reason: string;
}

const REASONS = {
  runtime:
    'nodejs22.x on purpose: the bundles target node22 and are tested on that LTS line; moving to a newer runtime is a deliberate change, not a default.',
  tokenKeysRotation:
    'Token keys cannot rotate automatically: a rotation must keep every old key so earlier tokens still reverse. Operators add a key and move currentKeyId.',
  gatewayKeysRotation:
    'A registry of many gateway keys, not one credential: each key is issued and revoked on its own with maskpoint keys; a scheduled rotation would replace them all.',
  originSecretRotation:
    'CloudFront and the gateway read the value at deploy time; rotating it means redeploying both, so it is rotated by redeploying, not on a schedule.',
  signingKeyRotation:
    'Holds an access key (IAM user or gateway key) whose rotation is replacing that key; URLs signed with it die with it, so rotation is an operator decision.',
  writeGetObjectResponse:
    's3-object-lambda:WriteGetObjectResponse has no resource-level permissions (service authorization reference): Resource "*" is the only form.',
  supportingAccessPointObjects:
    'Objects under the supporting access point, usable only with aws:CalledVia s3-object-lambda.amazonaws.com: which keys a caller reads is decided by the rule sets and the caller.',
  gatewayObjects:
    'Objects under the configured read prefixes of the one protected bucket: the gateway serves any key there, each one redacted.',
  accessLogBucket:
    "This bucket receives the demo bucket's server access logs; logging it into itself or another bucket would loop or only move the finding.",
  cloudFrontGeo:
    'Countries are fenced by the rule sets (the gateway denies by CloudFront-Viewer-Country); the CloudFront allow list is optional and configured per bucket.',
  cloudFrontWaf:
    'Every request is SigV4-verified and rate limited by the gateway; a WAF web ACL is an account-level choice to add in front, not part of this stack.',
  cloudFrontLogs:
    'The gateway writes one audit event per request (caller, object, decision); CloudFront access logs would duplicate them with less detail.',
  viewStoreLogs:
    'The cache holds only redacted views, read and written only by the maskpoint roles (its bucket policy denies every other principal); each read through a front door is already one audit event, and server access logs would log the cache traffic of every request again.',
  viewObjects:
    'Views of the cache bucket: their ids are hashes, unknown until a request computes one, so the front doors and the materializer need every key under views/ (a bucket-policy deny keeps everyone else out).',
  materializerObjects:
    'Objects under the configured read prefixes of the one protected bucket: the materializer warms whichever object an S3 event or a backfill task names there, each one redacted.',
  backfillObjects:
    'S3 Batch Operations reads the manifests and inventory reports an operator places under backfill/ and writes its completion reports under backfill/reports/; their names are chosen per backfill.',
  bucketNotificationsHandler:
    "CDK's own BucketNotificationsHandler, which applies the demo bucket's event notifications at deploy time: its role holds only the AWSLambdaBasicExecutionRole managed policy (its logs) and is not ours to shape.",
  loadBalancerOpen:
    'The container gateway serves external applications on the internet: every request is SigV4-verified against gateway keys, rate limited and geo fenced. Narrow it with allowedCidrs, isInternal or a WAF web ACL.',
  loadBalancerLogs:
    'The gateway writes one audit event per request (caller, object, decision, bytes sent); load balancer access logs would duplicate them with less detail. WAF, when attached, logs what it blocks.',
  taskEnvironment:
    'The container environment holds bucket names, secret ARNs, the table name and settings only; the key material is read from Secrets Manager at run time by the task role.',
  imagePull:
    'ecr:GetAuthorizationToken has no resource-level permissions (service authorization reference): the execution role pulls the image asset from the CDK repository with Resource "*" for that action only.',
  cloudFrontTls:
    'The distribution uses the default *.cloudfront.net certificate, which CloudFront serves with TLSv1 as the minimum; use a custom domain to set TLSv1.2_2021.',
} as const;

/** Every cdk-nag finding the stack accepts, each with the reason: the one place they are listed. */
export function nagAcknowledgements(stack: ProtectedBucketStack): NagAcknowledgement[] {
  const acknowledgements: NagAcknowledgement[] = [];
  const add = (scope: IConstruct, id: string, reason: string) => acknowledgements.push({ scope, id, reason });
  const runtime = (fn: MaskpointFunction) => add(fn.function, 'AwsSolutions-L1', REASONS.runtime);

  add(stack.tokenKeys, 'AwsSolutions-L1', REASONS.runtime);
  add(stack.tokenKeys.secret, 'AwsSolutions-SMG4', REASONS.tokenKeysRotation);
  const accessLogs = stack.node.tryFindChild('AccessLogs');
  if (accessLogs) add(accessLogs, 'AwsSolutions-S1', REASONS.accessLogBucket);

  if (stack.objectLambda) {
    const door = stack.objectLambda;
    runtime(door.handler);
    add(door.handler.role, 'AwsSolutions-IAM5[Resource::*]', REASONS.writeGetObjectResponse);
    for (const holder of stack.keyHolders) {
      add(
        holder,
        wildcardResource(`${door.supportingAccessPointArn}/object/*`),
        REASONS.supportingAccessPointObjects,
      );
    }
  }
  if (stack.gatewayKeys) add(stack.gatewayKeys, 'AwsSolutions-SMG4', REASONS.gatewayKeysRotation);
  if (stack.gateway) {
    const door = stack.gateway;
    runtime(door.handler);
    for (const objects of door.readableObjects) {
      add(door.handler.role, wildcardResource(objects), REASONS.gatewayObjects);
    }
    const originSecret = door.node.tryFindChild('OriginSecret');
    if (originSecret) add(originSecret, 'AwsSolutions-SMG4', REASONS.originSecretRotation);
    if (door.distribution) {
      add(door.distribution, 'AwsSolutions-CFR1', REASONS.cloudFrontGeo);
      add(door.distribution, 'AwsSolutions-CFR2', REASONS.cloudFrontWaf);
      add(door.distribution, 'AwsSolutions-CFR3', REASONS.cloudFrontLogs);
      add(door.distribution, 'AwsSolutions-CFR4', REASONS.cloudFrontTls);
    }
  }
  if (stack.viewStore) {
    const views = stack.viewStore;
    add(views.bucket, 'AwsSolutions-S1', REASONS.viewStoreLogs);
    for (const fn of [stack.objectLambda?.handler, stack.gateway?.handler, stack.materializer?.handler]) {
      if (fn) add(fn.role, wildcardResource(views.viewObjects), REASONS.viewObjects);
    }
    const taskRole = stack.containerGateway?.taskDefinition.taskRole;
    if (taskRole) add(taskRole, wildcardResource(views.viewObjects), REASONS.viewObjects);
  }
  if (stack.materializer) {
    const materializer = stack.materializer;
    runtime(materializer.handler);
    for (const objects of materializer.readableObjects) {
      add(materializer.handler.role, wildcardResource(objects), REASONS.materializerObjects);
    }
    for (const prefix of [BACKFILL_PREFIX, `${BACKFILL_PREFIX}reports/`]) {
      const objects = stack.viewStore?.bucket.arnForObjects(`${prefix}*`);
      if (objects) add(materializer.backfillRole, wildcardResource(objects), REASONS.backfillObjects);
    }
    const notifications = stack.node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER_ID);
    if (notifications) {
      add(
        notifications,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        REASONS.bucketNotificationsHandler,
      );
    }
  }
  if (stack.containerGateway) {
    const door = stack.containerGateway;
    for (const objects of door.readableObjects) {
      add(door.taskDefinition.taskRole, wildcardResource(objects), REASONS.gatewayObjects);
    }
    add(door.taskDefinition, 'AwsSolutions-ECS2', REASONS.taskEnvironment);
    add(door.taskDefinition.obtainExecutionRole(), 'AwsSolutions-IAM5[Resource::*]', REASONS.imagePull);
    add(door.loadBalancer, 'AwsSolutions-ELB2', REASONS.loadBalancerLogs);
    if (door.isOpenToAnyone) {
      add(door.node.findChild('LoadBalancerSecurityGroup'), 'AwsSolutions-EC23', REASONS.loadBalancerOpen);
    }
  }
  if (stack.presigner) {
    runtime(stack.presigner.handler);
    add(stack.presigner.signingSecret, 'AwsSolutions-SMG4', REASONS.signingKeyRotation);
    const signerPolicy = stack.presigner.node.tryFindChild('SignerPolicy');
    if (signerPolicy && stack.objectLambda) {
      add(
        signerPolicy,
        wildcardResource(`${stack.objectLambda.supportingAccessPointArn}/object/*`),
        REASONS.supportingAccessPointObjects,
      );
    }
  }
  return acknowledgements;

  /** The granular IAM5 finding for exactly this resource, as cdk-nag spells it. */
  function wildcardResource(resource: string): string {
    return `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(resource))}]`;
  }
}

/** Records every acknowledgement of {@link nagAcknowledgements} on its construct. */
export function acknowledgeNagFindings(stack: ProtectedBucketStack): void {
  for (const { scope, id, reason } of nagAcknowledgements(stack)) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}
