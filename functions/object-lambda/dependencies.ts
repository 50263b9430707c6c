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
import { createWriteGetObjectResponseClient } from '../adapters/write-get-object-response-sink.ts';
import type { TokenKeyring } from '../core/ports/token-keyring.ts';
import { compileRegistry } from '../core/rule-registry.ts';
import type { ServeDependencies } from '../core/serve-object.ts';
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
  })
  .refine(
    (env) =>
      (env.MASKPOINT_ORIGIN_SECRET_HEADER === undefined) === (env.MASKPOINT_ORIGIN_SECRET === undefined),
    {
      message:
        'set both MASKPOINT_ORIGIN_SECRET_HEADER and MASKPOINT_ORIGIN_SECRET (trusted-header mode) or neither',
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
  const keyring = overrides.keyring ?? tokenKeyringFromEnv(env);
  const { MASKPOINT_ORIGIN_SECRET_HEADER: header, MASKPOINT_ORIGIN_SECRET: value } = config;
  const originSecret = header && value ? { header: header.toLowerCase(), value } : undefined;
  return {
    rules: compileRegistry(await loadRuleCatalog(config.MASKPOINT_RULES_DIR), await keyring.load()),
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
