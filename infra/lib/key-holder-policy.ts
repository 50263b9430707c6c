import { Stack } from 'aws-cdk-lib';
import { type IRole, type IUser, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { OBJECT_LAMBDA_SERVICE, type ObjectLambdaFrontDoor } from './object-lambda-front-door.ts';

/** Props of {@link KeyHolderPolicy}. */
export interface KeyHolderPolicyProps {
  readonly frontDoor: ObjectLambdaFrontDoor;
  /** Kebab-case name of the external application. */
  readonly holderName: string;
  readonly allowListing: boolean;
  /** @default - the bucket is not encrypted with a customer managed key */
  readonly kmsKey?: IKey | undefined;
  /** @default - requests from any address */
  readonly sourceIps?: readonly string[] | undefined;
  /** @default - requests through any (or no) VPC endpoint */
  readonly sourceVpces?: readonly string[] | undefined;
  /** @default - attached to no role */
  readonly roles?: readonly IRole[] | undefined;
  /** @default - attached to no user */
  readonly users?: readonly IUser[] | undefined;
}

/**
 * What an external application needs to read through the Object Lambda access point, and
 * nothing else: `s3-object-lambda:GetObject` (and `ListBucket` when listing is on) on the access
 * point, the function and the supporting access point only through S3 Object Lambda, and
 * `kms:Decrypt` through S3 for SSE-KMS buckets. The address fences apply to the request the
 * application makes; every other statement is only usable through that request.
 */
export class KeyHolderPolicy extends Construct {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: KeyHolderPolicyProps) {
    super(scope, id);
    this.policy = new ManagedPolicy(this, 'Policy', {
      description: `maskpoint: ${props.holderName} reads redacted objects through the Object Lambda access point`,
      statements: keyHolderStatements(props),
      roles: props.roles ? [...props.roles] : undefined,
      users: props.users ? [...props.users] : undefined,
    });
  }

  /** The policy document as JSON, for accounts that attach it themselves. */
  get documentJson(): string {
    return Stack.of(this).toJsonString(this.policy.document.toJSON());
  }
}

function keyHolderStatements(props: KeyHolderPolicyProps): PolicyStatement[] {
  const { frontDoor } = props;
  const calledVia = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': [OBJECT_LAMBDA_SERVICE] } };
  const fence: Record<string, Record<string, string[]>> = {};
  if (props.sourceIps?.length) fence.IpAddress = { 'aws:SourceIp': [...props.sourceIps] };
  if (props.sourceVpces?.length) fence.StringEquals = { 'aws:SourceVpce': [...props.sourceVpces] };
  const functionArn = frontDoor.handler.function.functionArn;
  const statements = [
    new PolicyStatement({
      sid: 'ReadThroughObjectLambdaAccessPoint',
      actions: ['s3-object-lambda:GetObject', ...(props.allowListing ? ['s3-object-lambda:ListBucket'] : [])],
      resources: [frontDoor.accessPointArn],
      conditions: Object.keys(fence).length > 0 ? fence : undefined,
    }),
    new PolicyStatement({
      sid: 'InvokeTransformThroughObjectLambda',
      actions: ['lambda:InvokeFunction'],
      // The access point names the unqualified function, which S3 Object Lambda invokes as $LATEST.
      resources: [functionArn, `${functionArn}:$LATEST`],
      conditions: calledVia,
    }),
    new PolicyStatement({
      sid: 'ReadSupportingAccessPointThroughObjectLambda',
      actions: ['s3:GetObject'],
      resources: [`${frontDoor.supportingAccessPointArn}/object/*`],
      conditions: calledVia,
    }),
  ];
  if (props.allowListing) {
    statements.push(
      new PolicyStatement({
        sid: 'ListSupportingAccessPointThroughObjectLambda',
        actions: ['s3:ListBucket'],
        resources: [frontDoor.supportingAccessPointArn],
        conditions: calledVia,
      }),
    );
  }
  if (props.kmsKey) {
    statements.push(
      new PolicyStatement({
        sid: 'DecryptThroughS3',
        actions: ['kms:Decrypt'],
        resources: [props.kmsKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(frontDoor).region}.amazonaws.com` } },
      }),
    );
  }
  return statements;
}
