import { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { createDynamoRateLimiter, createRateLimitDynamoClient } from '../adapters/dynamo-rate-limiter.ts';
import { tokenKeyringFromEnv } from '../adapters/keys-from-env.ts';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../adapters/local-rule-set-source.ts';
import { DEFAULT_GEO_DATABASE, openMaxmindGeoLookup } from '../adapters/maxmind-geo-lookup.ts';
import { createMemoryRateLimiter } from '../adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../adapters/node-redaction-stream.ts';
import { createPowertoolsAuditLog } from '../adapters/powertools-audit-log.ts';
import { createS3Client } from '../adapters/s3-object-source.ts';
import { createS3ViewStore } from '../adapters/s3-view-store.ts';
import { createSqsClient, createSqsViewRequestQueue } from '../adapters/sqs-view-request-queue.ts';
import { createWriteGetObjectResponseClient } from '../adapters/write-get-object-response-sink.ts';
import type { TokenKeyring } from '../core/ports/token-keyring.ts';
import { compileRegistry } from '../core/rule-registry.ts';
import type { ServeDependencies } from '../core/serve-object.ts';
import { viewKeyIds } from '../core/views/object-views.ts';
import { createRequestedViews } from '../core/views/requested-views.ts';
import { DEFAULT_VIEW_BUDGET_MS, type ServedViews } from '../core/views/served-views.ts';
import { createViewMaterializer } from '../core/views/view-materializer.ts';
import type { OriginSecret } from '../gateway/trusted-client-ip.ts';

/**
 * What every Object Lambda invocation shares, made once per instance. The object source is
 * not here: each invocation reads through its own presigned `inputS3Url`.
 */
export interface ObjectLambdaDependencies extends Omit<ServeDependencies, 'source'> {
  /** The client that calls WriteGetObjectResponse (one attempt per call). */
  readonly responses: S3Client;
  /** The protected bucket when the access point's payload names none. */
  readonly defaultBucket?: string | undefined;
  /** Set in trusted-header mode (CloudFront in front of the access point). */
  readonly originSecret?: OriginSecret | undefined;
  readonly logger: Logger;
}

/** What can be swapped without the environment: the key source (Secrets Manager in AWS) and the logger. */
export interface ObjectLambdaOverrides {
  /** @default - tokenKeyringFromEnv(env): Secrets Manager when MASKPOINT_TOKEN_KEYS_SECRET_ARN is set */
  readonly keyring?: TokenKeyring;
  /** @default - a Powertools Logger with service name `maskpoint-object-lambda` */
  readonly logger?: Logger;
}

/** The function's environment, validated once at cold start. */
const envSchema = z
  .object({
    MASKPOINT_RULES_DIR: z.string().min(1).default(DEFAULT_RULES_DIR),
    MASKPOINT_BUCKET: z.string().min(1).optional(),
    MASKPOINT_RATE_LIMIT_TABLE: z.string().min(1).optional(),
    MASKPOINT_GEO_DB: z.string().min(1).optional(),
    MASKPOINT_ORIGIN_SECRET_HEADER: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'a header name such as "x-origin-verify"')
      .optional(),
    MASKPOINT_ORIGIN_SECRET: z.string().min(16, 'at least 16 characters').optional(),
    MASKPOINT_VIEWS_BUCKET: z.string().min(1).optional(),
    MASKPOINT_VIEWS_PREFIX: z
      .string()
      .regex(/^([^*?]+\/)?$/, 'a key prefix ending in "/" such as "views/", or ""')
      .default('views/'),
    MASKPOINT_VIEW_BUDGET_SECONDS: z.coerce.number().min(0).max(60).optional(),
    MASKPOINT_MATERIALIZER_QUEUE_URL: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine(
    (env) =>
      (env.MASKPOINT_ORIGIN_SECRET_HEADER === undefined) === (env.MASKPOINT_ORIGIN_SECRET === undefined),
    {
      message:
        'set both MASKPOINT_ORIGIN_SECRET_HEADER and MASKPOINT_ORIGIN_SECRET (trusted-header mode) or neither',
    },
  )
  .refine(
    (env) => env.MASKPOINT_MATERIALIZER_QUEUE_URL === undefined || env.MASKPOINT_VIEWS_BUCKET !== undefined,
    {
      message:
        'MASKPOINT_MATERIALIZER_QUEUE_URL needs MASKPOINT_VIEWS_BUCKET: the views it asks for are kept there',
    },
  );

/**
 * Wires the Object Lambda function from its environment: rules from `MASKPOINT_RULES_DIR`
 * (default: the bundled `redaction-rules/`) compiled with the keyring's keys, all or nothing;
 * a DynamoDB rate limiter when `MASKPOINT_RATE_LIMIT_TABLE` is set, else per-instance memory;
 * audit lines through Powertools; WriteGetObjectResponse honouring `AWS_ENDPOINT_URL_S3`.
 * The geo database (`MASKPOINT_GEO_DB`, else the bundled one) is opened only in trusted-header
 * mode: without it no caller has an IP, so there is nothing to look up.
 *
 * With `MASKPOINT_VIEWS_BUCKET`, redacted views are kept in that cache bucket under
 * `MASKPOINT_VIEWS_PREFIX` (GET makes them, HEAD and LIST read them), and missing views are waited
 * for at most `MASKPOINT_VIEW_BUDGET_SECONDS` (default 10) by HEAD and LIST, which ask the
 * materializer for them through the SQS queue `MASKPOINT_MATERIALIZER_QUEUE_URL` when it is set.
 * A view asked for is expected for two budgets (the answer and the SDK's retry), then answered as
 * without a store (see `createRequestedViews`).
 *
 * @throws Error naming each invalid variable, the problem and what is allowed;
 *   RuleValidationError when a rule file is invalid; KeyringError when the keys cannot be read.
 */
export async function objectLambdaDependenciesFromEnv(
  env: NodeJS.ProcessEnv,
  overrides: ObjectLambdaOverrides = {},
): Promise<ObjectLambdaDependencies> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`,
    );
    throw new Error(`invalid Object Lambda environment:\n${problems.join('\n')}`);
  }
  const config = parsed.data;
  const logger = overrides.logger ?? new Logger({ serviceName: 'maskpoint-object-lambda' });
  const keyring = overrides.keyring ?? (await tokenKeyringFromEnv(env));
  const { MASKPOINT_ORIGIN_SECRET_HEADER: header, MASKPOINT_ORIGIN_SECRET: value } = config;
  const originSecret = header && value ? { header: header.toLowerCase(), value } : undefined;
  const keys = await keyring.load();
  return {
    rules: compileRegistry(await loadRuleCatalog(config.MASKPOINT_RULES_DIR), keys),
    tokenKeyIds: viewKeyIds(keys),
    views: servedViewsFromEnv(config, env),
    rateLimiter: config.MASKPOINT_RATE_LIMIT_TABLE
      ? createDynamoRateLimiter({
          client: createRateLimitDynamoClient(),
          tableName: config.MASKPOINT_RATE_LIMIT_TABLE,
        })
      : createMemoryRateLimiter(),
    geo: originSecret
      ? await openMaxmindGeoLookup(config.MASKPOINT_GEO_DB ?? DEFAULT_GEO_DATABASE)
      : undefined,
    audit: createPowertoolsAuditLog(logger),
    openRedaction: openRedactionStream,
    responses: createWriteGetObjectResponseClient(env),
    defaultBucket: config.MASKPOINT_BUCKET,
    originSecret,
    logger,
  };
}

function servedViewsFromEnv(
  config: z.infer<typeof envSchema>,
  env: NodeJS.ProcessEnv,
): ServedViews | undefined {
  if (config.MASKPOINT_VIEWS_BUCKET === undefined) return undefined;
  const store = createS3ViewStore({
    client: createS3Client(env),
    bucket: config.MASKPOINT_VIEWS_BUCKET,
    prefix: config.MASKPOINT_VIEWS_PREFIX,
  });
  const budgetSeconds = config.MASKPOINT_VIEW_BUDGET_SECONDS;
  const budgetMs = budgetSeconds === undefined ? DEFAULT_VIEW_BUDGET_MS : budgetSeconds * 1000;
  const queueUrl = config.MASKPOINT_MATERIALIZER_QUEUE_URL;
  return {
    store,
    materializer: createViewMaterializer(store),
    budgetMs,
    requested:
      queueUrl === undefined
        ? undefined
        : createRequestedViews(store, createSqsViewRequestQueue({ client: createSqsClient(), queueUrl }), {
            patienceMs: 2 * budgetMs,
          }),
  };
}
