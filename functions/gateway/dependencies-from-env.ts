import { z } from 'zod';
import { createDynamoRateLimiter, createRateLimitDynamoClient } from '../adapters/dynamo-rate-limiter.ts';
import { credentialStoreFromEnv, tokenKeyringFromEnv } from '../adapters/keys-from-env.ts';
import { DEFAULT_RULES_DIR } from '../adapters/local-rule-set-source.ts';
import { createPowertoolsAuditLog } from '../adapters/powertools-audit-log.ts';
import { createS3Client } from '../adapters/s3-object-source.ts';
import { createS3ViewStore } from '../adapters/s3-view-store.ts';
import { createGatewayDependencies } from './dependencies.ts';
import type { GatewayDependencies } from './gateway.ts';

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
    credentials: await credentialStoreFromEnv(env),
    keyring: await tokenKeyringFromEnv(env),
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
