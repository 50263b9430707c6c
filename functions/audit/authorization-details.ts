import { z } from 'zod';
import { AuditInputError } from './audit-input-error.ts';
import type { PrincipalPolicies } from './permission-evaluator.ts';
import { type NamedPolicy, type PolicyStatement, parsePolicyDocument } from './policy-document.ts';

// Shapes of GetAccountAuthorizationDetails
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html):
// the AWS CLI prints documents as JSON objects and dates as strings; the SDK gives URL-encoded
// strings and Date objects. Both are read; fields this audit does not use are let through.
const timestamp = z.union([z.string(), z.date()]).transform((value) => new Date(value));
const inlinePolicy = z.object({ PolicyName: z.string(), PolicyDocument: z.unknown() }).loose();
const attachedPolicy = z.object({ PolicyName: z.string().optional(), PolicyArn: z.string() }).loose();

const userDetail = z
  .object({
    UserName: z.string(),
    UserId: z.string(),
    Arn: z.string(),
    CreateDate: timestamp.optional(),
    UserPolicyList: z.array(inlinePolicy).default([]),
    GroupList: z.array(z.string()).default([]),
    AttachedManagedPolicies: z.array(attachedPolicy).default([]),
    PermissionsBoundary: z.object({ PermissionsBoundaryArn: z.string() }).loose().optional(),
  })
  .loose();

const groupDetail = z
  .object({
    GroupName: z.string(),
    GroupPolicyList: z.array(inlinePolicy).default([]),
    AttachedManagedPolicies: z.array(attachedPolicy).default([]),
  })
  .loose();

const managedPolicy = z
  .object({
    Arn: z.string(),
    DefaultVersionId: z.string().optional(),
    PolicyVersionList: z
      .array(
        z
          .object({
            Document: z.unknown(),
            VersionId: z.string().optional(),
            IsDefaultVersion: z.boolean().optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();

/** The parsed output of `aws iam get-account-authorization-details` (all pages merged). */
const authorizationDetailsSchema = z
  .object({
    UserDetailList: z.array(userDetail).default([]),
    GroupDetailList: z.array(groupDetail).default([]),
    Policies: z.array(managedPolicy).default([]),
  })
  .loose();

/** An IAM user with the policies that apply to it, ready for evaluation. */
export interface IamUser {
  readonly name: string;
  readonly id: string;
  readonly arn: string;
  readonly accountId: string;
  readonly policies: PrincipalPolicies;
  /** Managed policies attached (or set as boundary) whose document the export does not hold. */
  readonly unresolvedPolicies: readonly string[];
}

// AdministratorAccess is `Allow * on *` in every partition; known even when the export left it out.
const ADMINISTRATOR_ACCESS = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;
const ALLOW_ALL: readonly PolicyStatement[] = [
  {
    effect: 'Allow',
    actions: ['*'],
    isNotAction: false,
    resources: ['*'],
    isNotResource: false,
    condition: {},
  },
];

/**
 * Reads the users of an authorization-details export with their inline, group and managed
 * policies (each managed policy at its default version) and their permissions boundary.
 *
 * @throws AuditInputError naming the field or policy when the export is malformed.
 */
export function parseAuthorizationDetails(input: unknown): IamUser[] {
  const parsed = authorizationDetailsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuditInputError(
      `not the output of get-account-authorization-details: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
    );
  }
  const details = parsed.data;
  const documents = new Map<string, readonly PolicyStatement[]>();
  for (const policy of details.Policies) {
    const version =
      policy.PolicyVersionList.find((candidate) => candidate.IsDefaultVersion === true) ??
      policy.PolicyVersionList.find((candidate) => candidate.VersionId === policy.DefaultVersionId);
    if (version !== undefined) documents.set(policy.Arn, parseNamed(policy.Arn, version.Document));
  }
  const groups = new Map(details.GroupDetailList.map((group) => [group.GroupName, group]));

  return details.UserDetailList.map((user) => {
    const unresolved: string[] = [];
    const managed = (arn: string): NamedPolicy | undefined => {
      const statements = documents.get(arn) ?? (ADMINISTRATOR_ACCESS.test(arn) ? ALLOW_ALL : undefined);
      if (statements === undefined) unresolved.push(arn);
      return statements === undefined ? undefined : { name: arn, statements };
    };
    const identity: NamedPolicy[] = [
      ...user.UserPolicyList.map((inline) => ({
        name: `user ${user.UserName} inline "${inline.PolicyName}"`,
        statements: parseNamed(inline.PolicyName, inline.PolicyDocument),
      })),
      ...user.AttachedManagedPolicies.flatMap((attached) => managed(attached.PolicyArn) ?? []),
    ];
    for (const groupName of user.GroupList) {
      const group = groups.get(groupName);
      if (group === undefined) {
        unresolved.push(`group ${groupName}`);
        continue;
      }
      identity.push(
        ...group.GroupPolicyList.map((inline) => ({
          name: `group ${groupName} inline "${inline.PolicyName}"`,
          statements: parseNamed(inline.PolicyName, inline.PolicyDocument),
        })),
        ...group.AttachedManagedPolicies.flatMap((attached) => managed(attached.PolicyArn) ?? []),
      );
    }
    const boundaryArn = user.PermissionsBoundary?.PermissionsBoundaryArn;
    const boundary = boundaryArn === undefined ? undefined : managed(boundaryArn);
    return {
      name: user.UserName,
      id: user.UserId,
      arn: user.Arn,
      accountId: user.Arn.split(':')[4] ?? '',
      // An unreadable boundary caps nothing we can prove: evaluate without it (and report it).
      policies: { identity, boundary },
      unresolvedPolicies: unresolved,
    };
  });
}

function parseNamed(name: string, document: unknown): PolicyStatement[] {
  try {
    return parsePolicyDocument(document);
  } catch (error) {
    throw new AuditInputError(`policy "${name}" is not a valid IAM policy document`, { cause: error });
  }
}
