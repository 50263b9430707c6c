import { isAbsolute, relative, resolve } from 'node:path';
import { CfnOutput, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyDocument, type PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  accessLogBucketProps,
  bundledGeoDatabasePath,
  demoBucketProps,
  denyExternalDirectReads,
  logRetention,
  REPOSITORY_ROOT,
} from './defaults.ts';
import { FargateFrontDoor } from './fargate-front-door.ts';
import { GatewayFrontDoor } from './gateway-front-door.ts';
import { KeyHolderPolicy } from './key-holder-policy.ts';
import type { GeoDatabaseSource, MaskpointFunctionSettings, RedactionAssets } from './maskpoint-function.ts';
import { Materializer } from './materializer.ts';
import { ObjectLambdaFrontDoor } from './object-lambda-front-door.ts';
import { Presigner } from './presigner.ts';
import type { ProtectedBucketConfig } from './protected-bucket-config.ts';
import { RateLimitTable } from './rate-limit-table.ts';
import { TokenKeysSecret } from './token-keys-secret.ts';
import { BACKFILL_PREFIX, ViewStoreBucket } from './view-store-bucket.ts';

/** Props of {@link ProtectedBucketStack}. */
export interface ProtectedBucketStackProps extends StackProps {
  /** A validated config (`defineProtectedBucket`); its rule directory already checked. */
  readonly config: ProtectedBucketConfig;
}

/**
 * Everything that protects one bucket: its front doors (Object Lambda access point, gateway or
 * both), the shared rate-limit table and key secrets, a policy per key holder, the optional
 * presigner, and the outputs to hand to the bucket owner and the external applications.
 */
export class ProtectedBucketStack extends Stack {
  readonly bucket: IBucket;
  /** @default - undefined when the bucket is not encrypted with a customer managed key */
  readonly kmsKey?: IKey;
  readonly tokenKeys: TokenKeysSecret;
  /** @default - undefined when counters are per instance */
  readonly rateLimitTable?: RateLimitTable;
  /** @default - undefined without an Object Lambda front door */
  readonly objectLambda?: ObjectLambdaFrontDoor;
  /** @default - undefined without a function URL gateway */
  readonly gateway?: GatewayFrontDoor;
  /** @default - undefined without a fargate gateway */
  readonly containerGateway?: FargateFrontDoor;
  /** @default - undefined without a gateway front door */
  readonly gatewayKeys?: Secret;
  readonly keyHolders: readonly KeyHolderPolicy[];
  /** @default - undefined when no presigner is configured */
  readonly presigner?: Presigner;
  /** @default - undefined unless `views.enabled` */
  readonly viewStore?: ViewStoreBucket;
  /** @default - undefined unless `views.enabled` */
  readonly materializer?: Materializer;

  constructor(scope: Construct, id: string, props: ProtectedBucketStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.bucket = this.protectedBucket(config);
    if (config.bucket.source === 'existing' && config.bucket.kmsKeyArn !== undefined) {
      this.kmsKey = Key.fromKeyArn(this, 'BucketKey', config.bucket.kmsKeyArn);
    }
    const settings: MaskpointFunctionSettings = {
      logRetention: logRetention(config.logRetentionDays),
      memoryMb: config.memoryMb,
      reservedConcurrency: config.reservedConcurrency,
    };
    const redaction: RedactionAssets = {
      rulesDir: isAbsolute(config.rulesDir) ? config.rulesDir : resolve(REPOSITORY_ROOT, config.rulesDir),
      geoDatabase: this.geoDatabase(config),
    };
    this.tokenKeys = new TokenKeysSecret(this, 'TokenKeys', { logRetention: settings.logRetention });
    if (config.rateLimit.store === 'dynamodb') this.rateLimitTable = new RateLimitTable(this, 'RateLimits');
    if (config.views.enabled) {
      this.viewStore = new ViewStoreBucket(this, 'Views', { expiryDays: config.views.expiryDays });
    }
    const shared = {
      ...settings,
      redaction,
      bucket: this.bucket,
      allowListing: config.allowListing,
      tokenKeys: this.tokenKeys.secret,
      rateLimitTable: this.rateLimitTable,
      viewStore: this.viewStore,
    };

    // Before the front doors: the Object Lambda function asks the materializer's queue for views.
    if (this.viewStore) {
      this.materializer = this.createMaterializer(config, this.viewStore, settings, redaction);
    }
    if (config.frontDoors.objectLambda) {
      this.objectLambda = new ObjectLambdaFrontDoor(this, 'ObjectLambda', {
        ...shared,
        accessPointName: `maskpoint-${config.name}`,
        viewRequests: this.materializer?.queue,
      });
      this.outputObjectLambda(this.objectLambda);
    }
    this.keyHolders = this.createKeyHolders(config);

    const gatewayDoors = config.frontDoors.gateway;
    if (gatewayDoors) {
      // One key registry for both gateways: a key works on the function URL and the container alike.
      this.gatewayKeys = new Secret(this, 'GatewayKeys', {
        description: 'maskpoint gateway keys (maskpoint keys create|list|revoke)',
        // An empty registry, not key material: keys are added with `maskpoint keys create`.
        secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ keys: [] })),
      });
      const reads = {
        ...shared,
        readPrefixes: config.readPrefixes,
        gatewayKeys: this.gatewayKeys,
        kmsKey: this.kmsKey,
      };
      if (gatewayDoors.functionUrl) {
        this.gateway = new GatewayFrontDoor(this, 'Gateway', {
          ...reads,
          cloudFront: gatewayDoors.functionUrl.cloudFront,
        });
        new CfnOutput(this, 'GatewayEndpoint', {
          value: this.gateway.endpoint,
          description: 'S3 endpoint for clients (path-style addressing); objects up to 200 MB',
        });
      }
      if (gatewayDoors.fargate) {
        this.containerGateway = new FargateFrontDoor(this, 'ContainerGateway', {
          ...reads,
          config: gatewayDoors.fargate,
          rulesDir: relative(REPOSITORY_ROOT, redaction.rulesDir),
          logRetention: settings.logRetention,
        });
        new CfnOutput(this, 'ContainerGatewayEndpoint', {
          value: this.containerGateway.endpoint,
          description: 'S3 endpoint for clients (path-style addressing); objects of any size',
        });
        new CfnOutput(this, 'ContainerGatewayLoadBalancerDnsName', {
          value: this.containerGateway.loadBalancer.loadBalancerDnsName,
          description: 'Point the domain name the certificate covers at this (CNAME or alias record)',
        });
      }
      this.outputGatewayKeys(this.gatewayKeys, config);
    }

    if (config.presigner) {
      this.presigner = this.createPresigner(config.presigner, settings);
    }
    this.applyBucketPolicy();
    new CfnOutput(this, 'TokenKeysSecretArn', {
      value: this.tokenKeys.secret.secretArn,
      description: 'Token keys (maskpoint detokenize, key rotation)',
    });
  }

  private protectedBucket(config: ProtectedBucketConfig): IBucket {
    if (config.bucket.source === 'existing') {
      return Bucket.fromBucketName(this, 'Bucket', config.bucket.bucketName);
    }
    const { isDestroyedWithStack } = config.bucket;
    const accessLogs = new Bucket(this, 'AccessLogs', accessLogBucketProps(isDestroyedWithStack));
    const bucket = new Bucket(this, 'Bucket', demoBucketProps(accessLogs, isDestroyedWithStack));
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'The demo bucket' });
    return bucket;
  }

  private geoDatabase(config: ProtectedBucketConfig): GeoDatabaseSource {
    const source = config.geo.database;
    if (source.source === 'bundled') return { kind: 'asset', localPath: bundledGeoDatabasePath() };
    const layer = new LayerVersion(this, 'GeoDatabase', {
      code: Code.fromBucketV2(
        Bucket.fromBucketName(this, 'GeoDatabaseBucket', source.bucketName),
        source.zipKey,
      ),
      description: `maskpoint country database ${source.fileName}`,
    });
    return { kind: 'layer', layer, runtimePath: `/opt/${source.fileName}` };
  }

  /** The view materializer, its event wiring and the backfill role, with their outputs. */
  private createMaterializer(
    config: ProtectedBucketConfig,
    viewStore: ViewStoreBucket,
    settings: MaskpointFunctionSettings,
    redaction: RedactionAssets,
  ): Materializer {
    const materializer = new Materializer(this, 'Materializer', {
      logRetention: settings.logRetention,
      memoryMb: settings.memoryMb,
      redaction,
      bucket: this.bucket,
      isBucketOwned: config.bucket.source === 'demo',
      readPrefixes: config.readPrefixes,
      viewStore,
      tokenKeys: this.tokenKeys.secret,
      kmsKey: this.kmsKey,
      warmOnWrite: config.views.warmOnWrite,
    });
    viewStore.acceptInventoryOf(this.bucket);
    const cache = viewStore.bucket.bucketName;
    new CfnOutput(this, 'MaterializerFunctionArn', {
      value: materializer.handler.function.functionArn,
      description: 'maskpoint views backfill --function-arn',
    });
    new CfnOutput(this, 'BackfillRoleArn', {
      value: materializer.backfillRole.roleArn,
      description: 'maskpoint views backfill --role-arn',
    });
    new CfnOutput(this, 'ViewsBucketName', {
      value: cache,
      description:
        'The redacted-view cache bucket (views/ for the front doors, backfill/ for S3 Batch Operations)',
    });
    new CfnOutput(this, 'BackfillCommand', {
      value: `npx maskpoint views backfill --bucket ${this.bucket.bucketName} --inventory s3://${cache}/${BACKFILL_PREFIX}inventory/${this.bucket.bucketName}/CONFIG/DATE/manifest.json --function-arn ${materializer.handler.function.functionArn} --role-arn ${materializer.backfillRole.roleArn} --report s3://${cache}/${BACKFILL_PREFIX}reports/`,
      description: `Warms existing objects with S3 Batch Operations, from a CSV S3 Inventory delivered to s3://<ViewsBucketName>/${BACKFILL_PREFIX}inventory/ (or --manifest s3://…/manifest.csv)`,
    });
    if (materializer.deadLetterQueue) {
      new CfnOutput(this, 'MaterializerDeadLetterQueueUrl', {
        value: materializer.deadLetterQueue.queueUrl,
        description: 'S3 events whose views could not be made after retries',
      });
    }
    if (materializer.notificationConfigurationForOwner) {
      new CfnOutput(this, 'BucketNotificationsForOwner', {
        value: materializer.notificationConfigurationForOwner,
        description:
          'Add these queue configurations to the bucket (put-bucket-notification-configuration): writes and deletes then keep the views current',
      });
    }
    return materializer;
  }

  private createKeyHolders(config: ProtectedBucketConfig): KeyHolderPolicy[] {
    const frontDoor = this.objectLambda;
    if (frontDoor === undefined) return [];
    return config.keyHolders.map((holder) => {
      const id = pascalCase(holder.name);
      const keyHolder = new KeyHolderPolicy(this, `KeyHolder${id}`, {
        frontDoor,
        holderName: holder.name,
        allowListing: config.allowListing,
        kmsKey: this.kmsKey,
        sourceIps: holder.sourceIps,
        sourceVpces: holder.sourceVpces,
        roles: holder.attachToRoles.map((roleName) =>
          Role.fromRoleName(this, `KeyHolder${id}Role${pascalCase(roleName)}`, roleName),
        ),
      });
      new CfnOutput(this, `KeyHolder${id}PolicyArn`, {
        value: keyHolder.policy.managedPolicyArn,
        description: `Attach to ${holder.name}'s role: reads through the Object Lambda access point`,
      });
      new CfnOutput(this, `KeyHolder${id}PolicyJson`, {
        value: keyHolder.documentJson,
        description: `${holder.name}'s policy document, for accounts that attach it themselves`,
      });
      return keyHolder;
    });
  }

  private createPresigner(
    presigner: NonNullable<ProtectedBucketConfig['presigner']>,
    settings: MaskpointFunctionSettings,
  ): Presigner {
    const policy = { callers: presigner.callers };
    // Links point at the function URL when there is one, else at the container.
    const gatewayDoor = this.gateway ?? this.containerGateway;
    const construct =
      presigner.frontDoor === 'objectLambda' && this.objectLambda
        ? new Presigner(this, 'Presigner', {
            ...settings,
            policy,
            kmsKey: this.kmsKey,
            target: { kind: 'objectLambda', frontDoor: this.objectLambda },
          })
        : gatewayDoor
          ? new Presigner(this, 'Presigner', {
              ...settings,
              policy,
              target: { kind: 'gateway', frontDoor: gatewayDoor },
            })
          : undefined;
    if (construct === undefined) {
      throw new Error(
        `the presigner signs for the ${presigner.frontDoor} front door, which this bucket does not have`,
      );
    }
    new CfnOutput(this, 'PresignerUrl', {
      value: construct.url.url,
      description: 'POST {"bucket","key","expiresSeconds"} signed with SigV4 (service lambda)',
    });
    new CfnOutput(this, 'PresignerSigningSecretArn', {
      value: construct.signingSecret.secretArn,
      description:
        presigner.frontDoor === 'gateway'
          ? 'Store {"accessKeyId","secretAccessKey"} of a gateway key here (maskpoint keys create --json)'
          : 'Access key of the presigner signing user (rotate by replacing the stack resource)',
    });
    return construct;
  }

  private outputObjectLambda(frontDoor: ObjectLambdaFrontDoor): void {
    new CfnOutput(this, 'ObjectLambdaAccessPointArn', {
      value: frontDoor.accessPointArn,
      description: 'Use as the Bucket parameter of GetObject/HeadObject/ListObjectsV2',
    });
    new CfnOutput(this, 'ObjectLambdaAccessPointAlias', {
      value: frontDoor.accessPointAlias,
      description: 'Use wherever a bucket name is expected',
    });
  }

  /**
   * Denies direct reads by other accounts' principals and, with Object Lambda, delegates reads to
   * the access points. A bucket this stack does not own gets the statements as an output.
   */
  private applyBucketPolicy(): void {
    const statements: PolicyStatement[] = [denyExternalDirectReads(this.bucket, this.account)];
    if (this.objectLambda) statements.push(this.objectLambda.delegationStatement);
    const isApplied = statements.every(
      (statement) => this.bucket.addToResourcePolicy(statement).statementAdded,
    );
    if (!isApplied) {
      new CfnOutput(this, 'BucketPolicyForOwner', {
        value: this.toJsonString(new PolicyDocument({ statements }).toJSON()),
        description:
          'Add these statements to the bucket policy: no direct reads by other accounts, reads delegated to the access points',
      });
    }
  }

  private outputGatewayKeys(gatewayKeys: Secret, config: ProtectedBucketConfig): void {
    new CfnOutput(this, 'GatewayKeysSecretArn', {
      value: gatewayKeys.secretArn,
      description: 'The gateway key registry',
    });
    const bucketName = this.bucket.bucketName;
    const holders = config.keyHolders.length > 0 ? config.keyHolders.map((holder) => holder.name) : ['NAME'];
    for (const holder of holders) {
      new CfnOutput(this, `GatewayKeyCommand${pascalCase(holder)}`, {
        value: `MASKPOINT_GATEWAY_KEYS_SECRET_ARN=${gatewayKeys.secretArn} npx maskpoint keys create --name ${holder} --bucket ${bucketName}`,
        description: `Issues a gateway key for ${holder}`,
      });
    }
  }
}

function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}
