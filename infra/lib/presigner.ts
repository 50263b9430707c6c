import { join } from 'node:path';
import { SecretValue, Stack } from 'aws-cdk-lib';
import { AccessKey, ArnPrincipal, PolicyStatement, User } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { PresignPolicy } from '../../functions/core/presign-policy.ts';
import { REPOSITORY_ROOT } from './defaults.ts';
import type { GatewayFrontDoor } from './gateway-front-door.ts';
import { KeyHolderPolicy } from './key-holder-policy.ts';
import { MaskpointFunction, type MaskpointFunctionSettings } from './maskpoint-function.ts';
import type { ObjectLambdaFrontDoor } from './object-lambda-front-door.ts';

/** The front door the presigned URLs are for. */
export type PresignTarget =
  | { readonly kind: 'objectLambda'; readonly frontDoor: ObjectLambdaFrontDoor }
  | { readonly kind: 'gateway'; readonly frontDoor: Pick<GatewayFrontDoor, 'endpoint'> };

/** Props of {@link Presigner}. */
export interface PresignerProps extends MaskpointFunctionSettings {
  readonly target: PresignTarget;
  /** Who may presign what; each principal (an exact IAM ARN) may call the function URL. */
  readonly policy: PresignPolicy;
  /** @default - the bucket is not encrypted with a customer managed key */
  readonly kmsKey?: IKey | undefined;
}

/**
 * The presigner: a function URL with `AWS_IAM` auth that hands allowed callers presigned GET URLs
 * for one front door, within their prefixes and maximum lifetime (`MASKPOINT_PRESIGN_POLICY`).
 *
 * The signing key lives in a secret (`{ "accessKeyId", "secretAccessKey" }`). For the Object
 * Lambda front door it is the access key of an IAM user created here that holds only the
 * key-holder policy of the access point (a role's keys would expire before most URLs). For the
 * gateway it is a gateway key the operator creates with `maskpoint keys create` and stores in
 * the secret; until then the presigner refuses to start.
 */
export class Presigner extends Construct {
  readonly handler: MaskpointFunction;
  readonly url: FunctionUrl;
  readonly signingSecret: Secret;

  constructor(scope: Construct, id: string, props: PresignerProps) {
    super(scope, id);
    const { target } = props;
    this.signingSecret =
      target.kind === 'objectLambda'
        ? this.createObjectLambdaSigner(target.frontDoor, props.kmsKey)
        : new Secret(this, 'SigningKey', {
            description: 'maskpoint presigner: the gateway key it signs with; set by the operator',
            // Not a key: a note that fails the presigner's validation until a real key replaces it.
            secretObjectValue: {
              setup: SecretValue.unsafePlainText('store {"accessKeyId","secretAccessKey"} of a gateway key'),
            },
          });
    const targetEnvironment: Record<string, string> =
      target.kind === 'objectLambda'
        ? { MASKPOINT_OBJECT_LAMBDA_ARN: target.frontDoor.accessPointArn }
        : {
            MASKPOINT_GATEWAY_ENDPOINT: target.frontDoor.endpoint,
            MASKPOINT_GATEWAY_REGION: Stack.of(this).region,
          };
    this.handler = new MaskpointFunction(this, 'Handler', {
      logRetention: props.logRetention,
      memoryMb: props.memoryMb,
      reservedConcurrency: props.reservedConcurrency,
      entry: join(REPOSITORY_ROOT, 'functions/presigner/handler.ts'),
      description: 'maskpoint presigner',
      environment: {
        MASKPOINT_PRESIGN_POLICY: JSON.stringify(props.policy),
        MASKPOINT_SIGNING_SECRET_ARN: this.signingSecret.secretArn,
        ...targetEnvironment,
      },
    });
    this.handler.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadSigningKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.signingSecret.secretArn],
      }),
    );
    this.url = this.handler.function.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
    for (const caller of props.policy.callers) {
      this.handler.function.grantInvokeUrl(new ArnPrincipal(caller.principal));
    }
  }

  private createObjectLambdaSigner(frontDoor: ObjectLambdaFrontDoor, kmsKey: IKey | undefined): Secret {
    const signer = new User(this, 'Signer');
    new KeyHolderPolicy(this, 'SignerPolicy', {
      frontDoor,
      holderName: 'presigner',
      allowListing: false,
      kmsKey,
      users: [signer],
    });
    const accessKey = new AccessKey(this, 'SignerAccessKey', { user: signer });
    return new Secret(this, 'SigningKey', {
      description: 'maskpoint presigner: access key of its signing user',
      secretObjectValue: {
        accessKeyId: SecretValue.unsafePlainText(accessKey.accessKeyId),
        secretAccessKey: accessKey.secretAccessKey,
      },
    });
  }
}
