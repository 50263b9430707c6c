import { z } from 'zod';
import { MAX_PRESIGN_EXPIRES_SECONDS } from '../../functions/core/presign-policy.ts';
import { fargateGatewaySchema } from './fargate-gateway-config.ts';

const BUCKET_NAME = /^(?=.{3,63}$)[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const KEBAB_NAME = /^(?=.{1,40}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const COUNTRY = /^[A-Z]{2}$/;
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;

/** A key prefix inside the bucket: empty (the whole bucket) or ending in `/`, never a wildcard. */
const keyPrefix = z
  .string()
  .regex(/^([^*?]+\/)?$/, 'a key prefix ending in "/" (such as "exports/"), or "" for the whole bucket');

const bucketSchema = z.discriminatedUnion('source', [
  z
    .object({
      source: z.literal('demo'),
      isDestroyedWithStack: z
        .boolean()
        .default(true)
        .describe('Delete the demo bucket and its objects with the stack'),
    })
    .strict(),
  z
    .object({
      source: z.literal('existing'),
      bucketName: z.string().regex(BUCKET_NAME, 'an S3 bucket name (3–63 of a-z 0-9 . -)'),
      kmsKeyArn: z
        .string()
        .regex(KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<uuid>)')
        .optional()
        .describe('The SSE-KMS key of the bucket: readers get kms:Decrypt on it through S3 only'),
    })
    .strict(),
]);

const geoDatabaseSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('bundled') }).strict(),
  z
    .object({
      source: z.literal('s3'),
      bucketName: z.string().regex(BUCKET_NAME, 'an S3 bucket name'),
      zipKey: z.string().regex(/\.zip$/, 'the key of a .zip that holds the .mmdb file'),
      fileName: z.string().regex(/^[\w.-]+\.mmdb$/, 'the .mmdb file name inside the zip'),
    })
    .strict()
    .describe('A zip in S3 holding a country .mmdb, attached as a Lambda layer (read at deploy time)'),
]);

const keyHolderSchema = z
  .object({
    name: z.string().regex(KEBAB_NAME, 'kebab-case, 1–40 characters, starting with a letter'),
    attachToRoles: z
      .array(z.string().regex(IAM_ROLE_NAME, 'an IAM role name in this account'))
      .default([])
      .describe('Roles of this account the Object Lambda policy is attached to'),
    sourceIps: z.array(z.string().min(1)).default([]).describe('aws:SourceIp fence (CIDRs)'),
    sourceVpces: z
      .array(z.string().regex(/^vpce-[0-9a-f]+$/, 'a VPC endpoint id (vpce-…)'))
      .default([])
      .describe('aws:SourceVpce fence'),
  })
  .strict();

/**
 * The redacted-view store and its warming. A view is the redacted bytes of one object version
 * under one rule set version, kept in a cache bucket the stack creates; HEAD and LIST get exact
 * sizes from it and repeated reads cost no CPU.
 */
const viewsSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe('Create the view cache bucket and give the front doors read/write on it. @default false'),
    expiryDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(7)
      .describe(
        'Days after which a view expires from the cache bucket (it is made again on the next read). @default 7',
      ),
    warmOnWrite: z
      .boolean()
      .default(true)
      .describe(
        'Warm views when objects are written and delete them when objects are removed (S3 events → SQS → materializer). @default true',
      ),
  })
  .strict();

const presignCallerSchema = z
  .object({
    principal: z.string().regex(IAM_PRINCIPAL_ARN, 'an IAM role or user ARN (no wildcards)'),
    prefixes: z.array(keyPrefix).min(1, 'at least one key prefix ("" for the whole bucket)'),
    maxExpiresSeconds: z.number().int().min(1).max(MAX_PRESIGN_EXPIRES_SECONDS),
  })
  .strict();

const functionUrlGatewaySchema = z
  .object({
    kind: z.literal('function-url'),
    cloudFront: z
      .object({
        allowCountries: z
          .array(z.string().regex(COUNTRY, 'an ISO 3166-1 alpha-2 code such as "DE"'))
          .default([]),
      })
      .strict()
      .optional(),
  })
  .strict()
  .describe('A Lambda function URL: objects up to 200 MB redacted, scale to zero');

/** One gateway front door; without `kind` it is the function URL (configs written before Fargate). */
const gatewayFrontDoorSchema = z.preprocess(
  (value) =>
    typeof value === 'object' && value !== null && !('kind' in value)
      ? { ...value, kind: 'function-url' }
      : value,
  z.discriminatedUnion('kind', [functionUrlGatewaySchema, fargateGatewaySchema]),
);

/**
 * The gateway: a function URL, a container service on ECS Fargate, or both (a list with one of
 * each), normalised to `{ functionUrl?, fargate? }`; a normalised value reads back as itself.
 */
const gatewayFrontDoorsSchema = z
  .preprocess(
    (value) =>
      typeof value === 'object' && value !== null && ('functionUrl' in value || 'fargate' in value)
        ? Object.values(value).filter((door) => door !== undefined)
        : value,
    z.union([gatewayFrontDoorSchema, z.array(gatewayFrontDoorSchema).min(1).max(2)]),
  )
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .refine((doors) => new Set(doors.map((door) => door.kind)).size === doors.length, {
    message: 'at most one gateway of each kind: function-url, fargate',
  })
  .transform((doors) => ({
    functionUrl: doors.find((door) => door.kind === 'function-url'),
    fargate: doors.find((door) => door.kind === 'fargate'),
  }));

/** The validated shape of a protected bucket's configuration (defaults applied). */
export const protectedBucketConfigSchema = z
  .object({
    name: z.string().regex(KEBAB_NAME, 'kebab-case, 1–40 characters, starting with a letter'),
    env: z.object({ account: z.string().regex(/^\d{12}$/), region: z.string().min(1) }).optional(),
    bucket: bucketSchema,
    rulesDir: z.string().min(1).describe('Rule set directory, relative to the repository root'),
    readPrefixes: z
      .array(keyPrefix)
      .min(1)
      .default([''])
      .describe('What the gateway may read: key prefixes, "" for the whole bucket'),
    allowListing: z.boolean().default(false).describe('Serve ListObjectsV2 through the front doors'),
    frontDoors: z
      .object({
        objectLambda: z.object({}).strict().optional(),
        gateway: gatewayFrontDoorsSchema.optional(),
      })
      .strict()
      .refine((doors) => doors.objectLambda !== undefined || doors.gateway !== undefined, {
        message: 'at least one front door: objectLambda, gateway or both',
      }),
    rateLimit: z
      .object({ store: z.enum(['dynamodb', 'per-instance']).default('dynamodb') })
      .strict()
      .default({ store: 'dynamodb' }),
    geo: z
      .object({ database: geoDatabaseSchema.default({ source: 'bundled' }) })
      .strict()
      .default({ database: { source: 'bundled' } }),
    logRetentionDays: z.number().int().positive().default(30),
    memoryMb: z.number().int().min(128).max(10_240).default(1024),
    reservedConcurrency: z.number().int().positive().optional(),
    keyHolders: z.array(keyHolderSchema).default([]),
    views: viewsSchema.default({ enabled: false, expiryDays: 7, warmOnWrite: true }),
    presigner: z
      .object({
        frontDoor: z.enum(['objectLambda', 'gateway']),
        callers: z.array(presignCallerSchema).min(1),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((config, context) => {
    const door = config.presigner?.frontDoor;
    if (door !== undefined && config.frontDoors[door] === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['presigner', 'frontDoor'],
        message: `the presigner signs for the ${door} front door, which this bucket does not have`,
      });
    }
    if (config.frontDoors.gateway?.fargate && config.geo.database.source !== 'bundled') {
      context.addIssue({
        code: 'custom',
        path: ['geo', 'database'],
        message:
          'the fargate gateway reads the country database in its image (MASKPOINT_GEO_DB); a database from S3 is a Lambda layer, for function front doors only',
      });
    }
    const names = config.keyHolders.map((holder) => holder.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['keyHolders'],
        message: `duplicate key holder "${duplicate}"`,
      });
    }
  });

/** What a bucket config file writes (defaults not yet applied). */
export type ProtectedBucketInput = z.input<typeof protectedBucketConfigSchema>;

/** A protected bucket's configuration after validation, every default applied. */
export type ProtectedBucketConfig = z.output<typeof protectedBucketConfigSchema>;

/**
 * Validates a protected bucket's configuration; used by each file in `infra/buckets/`.
 *
 * @throws Error naming each invalid field, the value's problem and what is allowed.
 * @example
 * ```ts
 * export default defineProtectedBucket({
 *   name: 'demo',
 *   bucket: { source: 'demo' },
 *   rulesDir: 'redaction-rules',
 *   frontDoors: { objectLambda: {}, gateway: {} },
 * });
 * ```
 */
export function defineProtectedBucket(input: ProtectedBucketInput): ProtectedBucketConfig {
  const parsed = protectedBucketConfigSchema.safeParse(input);
  if (!parsed.success) {
    const where = typeof input?.name === 'string' ? ` "${input.name}"` : '';
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(config)'}: ${issue.message}`,
    );
    throw new Error(`invalid protected bucket config${where}:\n${problems.join('\n')}`);
  }
  return parsed.data;
}
