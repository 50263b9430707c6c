import { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { createGatewayUrlPresigner } from '../adapters/gateway-url-presigner.ts';
import { createObjectLambdaUrlPresigner } from '../adapters/object-lambda-url-presigner.ts';
import { createSecretsManagerClient, readSecretsManagerJson } from '../adapters/secrets-manager-json.ts';
import type { UrlPresigner } from '../core/ports/url-presigner.ts';
import { type PresignPolicy, presignPolicySchema } from '../core/presign-policy.ts';

/** What every presigner invocation shares, made once per instance. */
export interface PresignerDependencies {
  readonly policy: PresignPolicy;
  readonly presigner: UrlPresigner;
  readonly logger: Logger;
  /** Writes the audit lines at INFO whatever the function's log level. */
  readonly auditLogger: Logger;
}

/** What tests swap: the Secrets Manager client and the logger. */
export interface PresignerOverrides {
  /** @default - createSecretsManagerClient(): the function's region, every call bounded */
  readonly secretsManager?: SecretsManagerClient;
  /** @default - a Powertools Logger with service name `maskpoint-presigner` */
  readonly logger?: Logger;
}

const OBJECT_LAMBDA_ARN_PATTERN =
  /^arn:aws[a-z-]*:s3-object-lambda:[a-z0-9-]+:\d{12}:accesspoint\/[a-z0-9-]{3,45}$/;

const policyJsonSchema = z
  .string()
  .transform((text, context): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      context.addIssue({ code: 'custom', message: 'not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(presignPolicySchema);

/** The function's environment, validated once at cold start. */
const envSchema = z
  .object({
    MASKPOINT_PRESIGN_POLICY: policyJsonSchema,
    MASKPOINT_SIGNING_SECRET_ARN: z.string().min(1),
    MASKPOINT_GATEWAY_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    MASKPOINT_GATEWAY_REGION: z.string().min(1).optional(),
    MASKPOINT_OBJECT_LAMBDA_ARN: z
      .string()
      .regex(
        OBJECT_LAMBDA_ARN_PATTERN,
        'an ARN such as arn:aws:s3-object-lambda:us-east-1:111122223333:accesspoint/my-olap',
      )
      .optional(),
    AWS_REGION: z.string().min(1).optional(),
  })
  .refine(
    (env) =>
      (env.MASKPOINT_GATEWAY_ENDPOINT === undefined) !== (env.MASKPOINT_OBJECT_LAMBDA_ARN === undefined),
    {
      message:
        'set MASKPOINT_GATEWAY_ENDPOINT (URLs for the gateway) or MASKPOINT_OBJECT_LAMBDA_ARN (URLs for the access point), not both',
    },
  )
  .refine(
    (env) =>
      env.MASKPOINT_GATEWAY_ENDPOINT === undefined ||
      (env.MASKPOINT_GATEWAY_REGION ?? env.AWS_REGION) !== undefined,
    {
      message: 'MASKPOINT_GATEWAY_REGION (or AWS_REGION) is needed with MASKPOINT_GATEWAY_ENDPOINT',
      path: ['MASKPOINT_GATEWAY_REGION'],
    },
  );

/** The secret `MASKPOINT_SIGNING_SECRET_ARN` names. */
const signingKeySchema = z.object({
  accessKeyId: z.string().min(16),
  secretAccessKey: z.string().min(1),
});

/**
 * Wires the presigner from its environment: the policy from `MASKPOINT_PRESIGN_POLICY` (JSON), the
 * signing key from the secret `MASKPOINT_SIGNING_SECRET_ARN` (`{ "accessKeyId", "secretAccessKey" }`,
 * read once), and URLs either for the gateway (`MASKPOINT_GATEWAY_ENDPOINT`, signed for
 * `MASKPOINT_GATEWAY_REGION`, else `AWS_REGION`) or for an Object Lambda access point
 * (`MASKPOINT_OBJECT_LAMBDA_ARN`).
 *
 * @throws Error naming each invalid variable, the problem and what is allowed; KeyringError when
 *   the signing secret cannot be read or is malformed (naming the secret, never its value).
 */
export async function presignerDependenciesFromEnv(
  env: NodeJS.ProcessEnv,
  overrides: PresignerOverrides = {},
): Promise<PresignerDependencies> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`,
    );
    throw new Error(`invalid presigner environment:\n${problems.join('\n')}`);
  }
  const config = parsed.data;
  const logger = overrides.logger ?? new Logger({ serviceName: 'maskpoint-presigner' });
  const credentials = await readSecretsManagerJson(
    overrides.secretsManager ?? createSecretsManagerClient(),
    config.MASKPOINT_SIGNING_SECRET_ARN,
    signingKeySchema,
  );
  const presigner =
    config.MASKPOINT_OBJECT_LAMBDA_ARN === undefined
      ? createGatewayUrlPresigner({
          endpoint: config.MASKPOINT_GATEWAY_ENDPOINT as string,
          region: (config.MASKPOINT_GATEWAY_REGION ?? config.AWS_REGION) as string,
          credentials,
        })
      : createObjectLambdaUrlPresigner({ accessPointArn: config.MASKPOINT_OBJECT_LAMBDA_ARN, credentials });
  return {
    policy: config.MASKPOINT_PRESIGN_POLICY,
    presigner,
    logger,
    auditLogger: logger.createChild({ logLevel: 'INFO' }),
  };
}
