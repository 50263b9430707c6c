import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { createConsoleAuditLog } from '../adapters/console-audit-log.ts';
import { createDynamoRateLimiter, createRateLimitDynamoClient } from '../adapters/dynamo-rate-limiter.ts';
import { credentialStoreFromEnv, tokenKeyringFromEnv } from '../adapters/keys-from-env.ts';
import { createLocalCredentialStore } from '../adapters/local-credential-store.ts';
import { createLocalDirectorySource, type LocalBucket } from '../adapters/local-directory-source.ts';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../adapters/local-rule-set-source.ts';
import { createLocalTokenKeyring } from '../adapters/local-token-keyring.ts';
import { resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { DEFAULT_GEO_DATABASE, openMaxmindGeoLookup } from '../adapters/maxmind-geo-lookup.ts';
import { createMemoryRateLimiter } from '../adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../adapters/node-redaction-stream.ts';
import { createPowertoolsAuditLog } from '../adapters/powertools-audit-log.ts';
import { createS3Client, createS3ObjectSource } from '../adapters/s3-object-source.ts';
import { createS3ViewStore } from '../adapters/s3-view-store.ts';
import type { AuditLog } from '../core/ports/audit-log.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { ObjectSource } from '../core/ports/object-source.ts';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import type { TokenKeyring } from '../core/ports/token-keyring.ts';
import type { ViewStore } from '../core/ports/view-store.ts';
import { compileRegistry } from '../core/rule-registry.ts';
import { viewKeyIds } from '../core/views/object-views.ts';
import { DEFAULT_VIEW_BUDGET_MS } from '../core/views/served-views.ts';
import { createViewMaterializer } from '../core/views/view-materializer.ts';
import type { GatewayDependencies } from './gateway.ts';
import type { OriginSecret } from './trusted-client-ip.ts';

/** Hosts under which `bucket.<host>` is read as virtual-hosted addressing when none are configured. */
export const DEFAULT_BASE_HOSTS: readonly string[] = ['localhost'];

/** How a gateway is put together; everything not given has a local default. */
export interface GatewayOptions {
  /** Directory of rule files; invalid rules refuse the start. */
  readonly rulesDir: string;
  readonly region: string;
  /** Buckets served from local directories: name → directory (or directory and options). */
  readonly localBuckets?: ReadonlyMap<string, string | LocalBucket>;
  /** Buckets read from S3 with `s3Client`. */
  readonly s3Buckets?: readonly string[];
  /** @default - createS3Client(process.env), made only when `s3Buckets` is not empty */
  readonly s3Client?: S3Client;
  /** @default - the local key file in $MASKPOINT_HOME */
  readonly credentials?: CredentialStore;
  /** Token keys for hash and tokenize actions. @default - the local key file in $MASKPOINT_HOME */
  readonly keyring?: TokenKeyring;
  /** @default - in-process counters */
  readonly rateLimiter?: RateLimiter;
  /** An .mmdb country database. @default - DEFAULT_GEO_DATABASE */
  readonly geoDatabase?: string;
  /** @default - one JSON line per request on stdout */
  readonly audit?: AuditLog;
  /** @default - DEFAULT_BASE_HOSTS */
  readonly baseHosts?: readonly string[];
  /** @default - no CloudFront in front: the viewer host header is never trusted */
  readonly originSecret?: OriginSecret | undefined;
  /**
   * Where redacted views are kept: HEAD and LIST then answer exact sizes and MD5 ETags, and ranges
   * are read from the views. @default - no store: HEAD redacts to count, LIST has no sizes
   */
  readonly views?: ViewStore | undefined;
  /** How long HEAD, LIST and range GETs wait for a missing view (then 503 SlowDown). @default DEFAULT_VIEW_BUDGET_MS */
  readonly viewBudgetMs?: number | undefined;
  /** Answer ListBuckets with the caller's buckets. @default false - refused */
  readonly allowListBuckets?: boolean | undefined;
}

/**
 * Wires a gateway: rules (compiled once, all or nothing), credential store, object source,
 * rate limiter, geo lookup, audit log, the redaction engine and, when given a view store, the
 * materializer of this process over it.
 *
 * @throws RuleValidationError when any rule file is invalid.
 */
export async function createGatewayDependencies(options: GatewayOptions): Promise<GatewayDependencies> {
  const localBuckets = options.localBuckets ?? new Map<string, string>();
  const s3Buckets = options.s3Buckets ?? [];
  const keyring = options.keyring ?? createLocalTokenKeyring(resolveMaskpointHome());
  const keys = await keyring.load();
  const { views } = options;
  return {
    rules: compileRegistry(await loadRuleCatalog(options.rulesDir), keys),
    tokenKeyIds: viewKeyIds(keys),
    views:
      views === undefined
        ? undefined
        : {
            store: views,
            materializer: createViewMaterializer(views),
            budgetMs: options.viewBudgetMs ?? DEFAULT_VIEW_BUDGET_MS,
          },
    credentials: options.credentials ?? createLocalCredentialStore(resolveMaskpointHome()),
    source: routeByBucket(
      createLocalDirectorySource(localBuckets),
      s3Buckets.length > 0 ? createS3ObjectSource(options.s3Client ?? createS3Client()) : undefined,
      localBuckets,
    ),
    rateLimiter: options.rateLimiter ?? createMemoryRateLimiter(),
    geo: await openMaxmindGeoLookup(options.geoDatabase ?? DEFAULT_GEO_DATABASE),
    audit: options.audit ?? createConsoleAuditLog(),
    openRedaction: openRedactionStream,
    region: options.region,
    buckets: new Set([...localBuckets.keys(), ...s3Buckets]),
    baseHosts: options.baseHosts ?? DEFAULT_BASE_HOSTS,
    originSecret: options.originSecret,
    allowListBuckets: options.allowListBuckets,
  };
}

/** Local directories for their buckets, S3 for the rest. */
function routeByBucket(
  local: ObjectSource,
  s3: ObjectSource | undefined,
  localBuckets: ReadonlyMap<string, string | LocalBucket>,
): ObjectSource {
  if (s3 === undefined) return local;
  const pick = (bucket: string) => (localBuckets.has(bucket) ? local : s3);
  return {
    getObject: (location, conditions) => pick(location.bucket).getObject(location, conditions),
    headObject: (location, conditions) => pick(location.bucket).headObject(location, conditions),
    listObjects: (request) => pick(request.bucket).listObjects(request),
  };
}

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

/** The function URL's environment, validated once at cold start. */
const lambdaEnvSchema = z.object({
  MASKPOINT_BUCKETS: commaList.refine((list) => list.length > 0, 'at least one bucket name, comma-separated'),
  AWS_REGION: z.string().min(1),
  MASKPOINT_REGION: z.string().min(1).optional(),
  MASKPOINT_RULES_DIR: z.string().min(1).default(DEFAULT_RULES_DIR),
  MASKPOINT_GEO_DB: z.string().min(1).optional(),
  MASKPOINT_BASE_HOSTS: commaList.optional(),
  MASKPOINT_RATE_LIMIT_TABLE: z.string().min(1).optional(),
  MASKPOINT_ORIGIN_SECRET_HEADER: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'a lower-case header name such as "x-origin-verify"')
    .optional(),
  MASKPOINT_ORIGIN_SECRET: z.string().min(16).optional(),
  MASKPOINT_VIEWS_BUCKET: z.string().min(1).optional(),
  MASKPOINT_VIEWS_PREFIX: z
    .string()
    .regex(/^([^*?]+\/)?$/, 'a key prefix ending in "/" such as "views/", or ""')
    .default('views/'),
  MASKPOINT_VIEW_BUDGET_SECONDS: z.coerce.number().min(0).max(900).optional(),
});

/**
 * The Lambda function URL's wiring from its environment: S3 source, Powertools audit log,
 * DynamoDB rate limiter when `MASKPOINT_RATE_LIMIT_TABLE` is set (else per-instance memory),
 * gateway keys and token keys from Secrets Manager when `MASKPOINT_GATEWAY_KEYS_SECRET_ARN` and
 * `MASKPOINT_TOKEN_KEYS_SECRET_ARN` are set (else the local files in `$MASKPOINT_HOME`),
 * redacted views in the cache bucket `MASKPOINT_VIEWS_BUCKET` under `MASKPOINT_VIEWS_PREFIX` when
 * it is set, waited for at most `MASKPOINT_VIEW_BUDGET_SECONDS`. Lambda freezes an execution
 * environment once the invocation is done
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html), so a view
 * still being made past the budget goes on only in a later invocation of that instance: views
 * are best made ahead, by the materializer function that S3 events start.
 *
 * @throws Error naming each invalid variable, the value's problem and what is allowed.
 */
export async function gatewayDependenciesFromEnv(env: NodeJS.ProcessEnv): Promise<GatewayDependencies> {
  const parsed = lambdaEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid gateway environment:\n${problems.join('\n')}`);
  }
  const config = parsed.data;
  const { MASKPOINT_ORIGIN_SECRET_HEADER: header, MASKPOINT_ORIGIN_SECRET: value } = config;
  const originSecret = header && value ? { header, value } : undefined;
  const s3Client = createS3Client(env);
  const budgetSeconds = config.MASKPOINT_VIEW_BUDGET_SECONDS;
  return createGatewayDependencies({
    rulesDir: config.MASKPOINT_RULES_DIR,
    region: config.MASKPOINT_REGION ?? config.AWS_REGION,
    s3Buckets: config.MASKPOINT_BUCKETS,
    s3Client,
    views:
      config.MASKPOINT_VIEWS_BUCKET === undefined
        ? undefined
        : createS3ViewStore({
            client: s3Client,
            bucket: config.MASKPOINT_VIEWS_BUCKET,
            prefix: config.MASKPOINT_VIEWS_PREFIX,
          }),
    viewBudgetMs: budgetSeconds === undefined ? undefined : budgetSeconds * 1000,
    credentials: credentialStoreFromEnv(env),
    keyring: tokenKeyringFromEnv(env),
    geoDatabase: config.MASKPOINT_GEO_DB,
    audit: createPowertoolsAuditLog(),
    baseHosts: config.MASKPOINT_BASE_HOSTS,
    rateLimiter: config.MASKPOINT_RATE_LIMIT_TABLE
      ? createDynamoRateLimiter({
          client: createRateLimitDynamoClient(),
          tableName: config.MASKPOINT_RATE_LIMIT_TABLE,
        })
      : undefined,
    originSecret,
  });
}
