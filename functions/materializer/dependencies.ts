import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { tokenKeyringFromEnv } from '../adapters/keys-from-env.ts';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../adapters/local-rule-set-source.ts';
import { openRedactionStream } from '../adapters/node-redaction-stream.ts';
import { createS3Client, createS3ObjectSource } from '../adapters/s3-object-source.ts';
import { createS3ViewStore } from '../adapters/s3-view-store.ts';
import type { TokenKeyring } from '../core/ports/token-keyring.ts';
import { compileRegistry } from '../core/rule-registry.ts';
import { viewKeyIds } from '../core/views/object-views.ts';
import { createViewMaterializer } from '../core/views/view-materializer.ts';
import type { MaterializerDependencies } from './handle-materializer-event.ts';

/** The function's environment, validated once at cold start. */
const envSchema = z.object({
  MASKPOINT_BUCKET: z.string().min(1),
  MASKPOINT_VIEWS_BUCKET: z.string().min(1),
  MASKPOINT_VIEWS_PREFIX: z
    .string()
    .regex(/^([^*?]+\/)?$/, 'a key prefix ending in "/" such as "views/", or ""')
    .default('views/'),
  MASKPOINT_RULES_DIR: z.string().min(1).default(DEFAULT_RULES_DIR),
  MASKPOINT_MATERIALIZE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
});

/** What tests swap: the key source and the logger. */
export interface MaterializerOverrides {
  /** @default - tokenKeyringFromEnv(env): Secrets Manager when MASKPOINT_TOKEN_KEYS_SECRET_ARN is set */
  readonly keyring?: TokenKeyring;
  /** @default - a Powertools Logger with service name `maskpoint-materializer` */
  readonly logger?: Logger;
}

/**
 * Wires the materializer from its environment: the protected bucket `MASKPOINT_BUCKET` read with
 * the function's role, views in the cache bucket `MASKPOINT_VIEWS_BUCKET` under
 * `MASKPOINT_VIEWS_PREFIX`, the bundled rules compiled with the token keys (all or nothing), at
 * most `MASKPOINT_MATERIALIZE_CONCURRENCY` views made at once per instance. S3 requests honour
 * `AWS_ENDPOINT_URL_S3`.
 *
 * @throws Error naming each invalid variable; RuleValidationError for an invalid rule;
 *   KeyringError when the keys cannot be read.
 */
export async function materializerDependenciesFromEnv(
  env: NodeJS.ProcessEnv,
  overrides: MaterializerOverrides = {},
): Promise<MaterializerDependencies & { readonly logger: Logger }> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid materializer environment:\n${problems.join('\n')}`);
  }
  const config = parsed.data;
  const keys = await (overrides.keyring ?? (await tokenKeyringFromEnv(env))).load();
  const client = createS3Client(env);
  const store = createS3ViewStore({
    client,
    bucket: config.MASKPOINT_VIEWS_BUCKET,
    prefix: config.MASKPOINT_VIEWS_PREFIX,
  });
  return {
    bucket: config.MASKPOINT_BUCKET,
    source: createS3ObjectSource(client),
    openRedaction: openRedactionStream,
    rules: compileRegistry(await loadRuleCatalog(config.MASKPOINT_RULES_DIR), keys),
    tokenKeyIds: viewKeyIds(keys),
    store,
    materializer: createViewMaterializer(store, { maxConcurrent: config.MASKPOINT_MATERIALIZE_CONCURRENCY }),
    logger: overrides.logger ?? new Logger({ serviceName: 'maskpoint-materializer' }),
  };
}
