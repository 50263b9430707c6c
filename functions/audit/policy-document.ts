import { z } from 'zod';

const stringOrList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (typeof value === 'string' ? [value] : value));

// Condition values may be strings, numbers, booleans or lists of them; all compared as strings.
const conditionValue = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])
  .transform((value) => (Array.isArray(value) ? value : [value]).map(String));

const statementSchema = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: z.record(z.string(), z.record(z.string(), conditionValue)).optional(),
  })
  .loose()
  .refine((statement) => (statement.Action === undefined) !== (statement.NotAction === undefined), {
    message: 'a statement has exactly one of Action and NotAction',
  });

const documentSchema = z
  .object({
    Version: z.string().optional(),
    Statement: z.union([statementSchema, z.array(statementSchema)]),
  })
  .loose();

/** One statement of an identity policy, lists normalized, conditions as operator → key → values. */
export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  /** Action patterns as written; `NotAction` when `isNotAction`. */
  readonly actions: readonly string[];
  readonly isNotAction: boolean;
  /** Resource patterns; `NotResource` when `isNotResource`. A statement without either is `*`. */
  readonly resources: readonly string[];
  readonly isNotResource: boolean;
  readonly condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** A named policy document as attached to a user, a group or as a boundary. */
export interface NamedPolicy {
  /** Where it comes from, for reports: `user alice inline "s3-read"`, `arn:aws:iam::aws:policy/…`. */
  readonly name: string;
  readonly statements: readonly PolicyStatement[];
}

/**
 * Parses an IAM policy document given as an object (AWS CLI output) or as a JSON string, URL-encoded
 * or not (the IAM API returns documents URL-encoded per RFC 3986:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
 *
 * @throws Error naming what is wrong with the document (never its content).
 */
export function parsePolicyDocument(document: unknown): PolicyStatement[] {
  const value = typeof document === 'string' ? JSON.parse(decodeIfUrlEncoded(document)) : document;
  const parsed = documentSchema.parse(value);
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return statements.map((statement) => ({
    effect: statement.Effect,
    actions: statement.Action ?? statement.NotAction ?? [],
    isNotAction: statement.NotAction !== undefined,
    resources: statement.Resource ?? statement.NotResource ?? ['*'],
    isNotResource: statement.NotResource !== undefined,
    condition: statement.Condition ?? {},
  }));
}

function decodeIfUrlEncoded(text: string): string {
  const trimmed = text.trimStart();
  return trimmed.startsWith('{') ? text : decodeURIComponent(text);
}
