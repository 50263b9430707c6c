import type { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundledAssetEnvironment, functionBundling, functionDefaults } from './defaults.ts';

/** Where a function's country database comes from. */
export type GeoDatabaseSource =
  /** A database on this machine (the npm package's), copied into the asset. */
  | { readonly kind: 'asset'; readonly localPath: string }
  /** A layer holding the database; `runtimePath` is where Lambda mounts it (`/opt/…`). */
  | { readonly kind: 'layer'; readonly layer: ILayerVersion; readonly runtimePath: string };

/** What a redacting function carries: its rules and its country database. */
export interface RedactionAssets {
  /** Absolute path of the rule set directory copied into the asset. */
  readonly rulesDir: string;
  readonly geoDatabase: GeoDatabaseSource;
}

/** Settings every maskpoint function of a protected bucket shares. */
export interface MaskpointFunctionSettings {
  readonly logRetention: RetentionDays;
  readonly memoryMb: number;
  /** @default - no reserved concurrency: the account's unreserved pool */
  readonly reservedConcurrency?: number | undefined;
}

/** Props of {@link MaskpointFunction}. */
export interface MaskpointFunctionProps extends MaskpointFunctionSettings {
  /** Absolute path of the handler's TypeScript entry. */
  readonly entry: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  /** Rules and geo database, with `MASKPOINT_RULES_DIR` and `MASKPOINT_GEO_DB` set. @default - neither (the function does not redact) */
  readonly redaction?: RedactionAssets | undefined;
  /** @default - functionDefaults().timeout (60 s, the Object Lambda limit) */
  readonly timeout?: Duration | undefined;
}

/**
 * A maskpoint Lambda function: bundled locally with esbuild (with rules and geo database in the
 * asset when it redacts), its own role with no permission at all until granted (no AWS managed policy), and
 * its own log group with a retention; the role may write to that log group only.
 */
export class MaskpointFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: MaskpointFunctionProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    logGroup.grantWrite(this.role);
    const defaults = functionDefaults();
    const geoDatabase = props.redaction?.geoDatabase;
    this.function = new NodejsFunction(this, 'Function', {
      ...defaults,
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      memorySize: props.memoryMb,
      timeout: props.timeout ?? defaults.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup,
      layers: geoDatabase?.kind === 'layer' ? [geoDatabase.layer] : undefined,
      environment: {
        ...defaults.environment,
        ...(props.redaction ? bundledAssetEnvironment() : {}),
        ...(geoDatabase?.kind === 'layer' ? { MASKPOINT_GEO_DB: geoDatabase.runtimePath } : {}),
        ...props.environment,
      },
      bundling: functionBundling({
        rulesDir: props.redaction?.rulesDir,
        geoDatabase: geoDatabase?.kind === 'asset' ? geoDatabase.localPath : undefined,
      }),
    });
  }
}
