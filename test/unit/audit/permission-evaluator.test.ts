import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPermissionEvaluator,
  type PrincipalPolicies,
} from '../../../functions/audit/permission-evaluator.ts';
import {
  type NamedPolicy,
  type PolicyStatement,
  parsePolicyDocument,
} from '../../../functions/audit/policy-document.ts';
import { wildcardMatches } from '../../../functions/audit/wildcard-pattern.ts';

const VARIABLES = { userName: 'alice', userId: 'AIDAALICE', accountId: '111122223333' };
const ACTIONS = ['s3:GetObject', 's3:PutObject', 'iam:PassRole', 'lambda:CreateFunction'];
const ACTION_PATTERNS = [...ACTIONS, 's3:*', '*', 's3:Get*', 'iam:*', 'lambda:Create*'];
const RESOURCES = [
  'arn:aws:s3:::b/x',
  'arn:aws:s3:::b/y/z',
  'arn:aws:s3:::c/x',
  'arn:aws:iam::111122223333:role/r',
];
const RESOURCE_PATTERNS = [...RESOURCES, '*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::b/y/*', 'arn:aws:s3:::*'];
const NETWORK = '10.0.0.0/8';

type ConditionKind = 'none' | 'network' | 'mfa' | 'unknown' | 'mfa-deny-always' | 'mfa-deny-never';

const CONDITIONS: Record<ConditionKind, PolicyStatement['condition']> = {
  none: {},
  network: {},
  mfa: { Bool: { 'aws:MultiFactorAuthPresent': ['true'] } },
  unknown: { StringLike: { 's3:prefix': ['home/*'] } },
  'mfa-deny-always': { BoolIfExists: { 'aws:MultiFactorAuthPresent': ['false'] } },
  'mfa-deny-never': { Bool: { 'aws:MultiFactorAuthPresent': ['false'] } },
};

interface GeneratedStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly isNotAction: boolean;
  readonly resources: string[];
  readonly isNotResource: boolean;
  readonly condition: ConditionKind;
}

const statementArbitrary = fc
  .record({
    effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Deny'),
    actions: fc.subarray(ACTION_PATTERNS, { minLength: 1, maxLength: 3 }),
    isNotAction: fc.boolean(),
    resources: fc.subarray(RESOURCE_PATTERNS, { minLength: 1, maxLength: 3 }),
    isNotResource: fc.boolean(),
    condition: fc.constantFrom<ConditionKind>(
      'none',
      'none',
      'network',
      'mfa',
      'unknown',
      'mfa-deny-always',
      'mfa-deny-never',
    ),
  })
  .map((statement): GeneratedStatement => statement);

function toStatement(generated: GeneratedStatement): PolicyStatement {
  const networkOperator = generated.effect === 'Allow' ? 'IpAddress' : 'NotIpAddress';
  return {
    effect: generated.effect,
    actions: generated.actions,
    isNotAction: generated.isNotAction,
    resources: generated.resources,
    isNotResource: generated.isNotResource,
    condition:
      generated.condition === 'network'
        ? { [networkOperator]: { 'aws:SourceIp': [NETWORK] } }
        : CONDITIONS[generated.condition],
  };
}

/** How IAM decides one concrete request signed with a long-term key, from inside or outside NETWORK. */
function referenceDecision(
  identity: readonly GeneratedStatement[],
  boundary: readonly GeneratedStatement[] | undefined,
  action: string,
  resource: string,
  isInside: boolean,
): boolean {
  const applies = (statement: GeneratedStatement): boolean => {
    const actionHit = statement.actions.some((pattern) =>
      wildcardMatches(pattern.toLowerCase(), action.toLowerCase()),
    );
    const resourceHit = statement.resources.some((pattern) => wildcardMatches(pattern, resource));
    return (
      (statement.isNotAction ? !actionHit : actionHit) &&
      (statement.isNotResource ? !resourceHit : resourceHit)
    );
  };
  const conditionHolds = (statement: GeneratedStatement): boolean => {
    switch (statement.condition) {
      case 'none':
        return true;
      case 'network':
        return statement.effect === 'Allow' ? isInside : !isInside;
      case 'mfa':
      case 'mfa-deny-never':
        return false; // a long-term key carries no aws:MultiFactorAuthPresent; Bool on an absent key fails
      case 'mfa-deny-always':
        return true;
      case 'unknown':
        return statement.effect === 'Allow'; // may hold: counted for an Allow, never for a Deny
    }
  };
  const effective = (statements: readonly GeneratedStatement[], effect: 'Allow' | 'Deny') =>
    statements.filter(
      (statement) => statement.effect === effect && applies(statement) && conditionHolds(statement),
    );
  if (effective([...identity, ...(boundary ?? [])], 'Deny').length > 0) return false;
  if (effective(identity, 'Allow').length === 0) return false;
  return boundary === undefined || effective(boundary, 'Allow').length > 0;
}

function policiesOf(
  identity: readonly GeneratedStatement[],
  boundary: readonly GeneratedStatement[] | undefined,
): PrincipalPolicies {
  const named = (name: string, statements: readonly GeneratedStatement[]): NamedPolicy => ({
    name,
    statements: statements.map(toStatement),
  });
  return {
    identity: [named('identity', identity)],
    boundary: boundary === undefined ? undefined : named('boundary', boundary),
  };
}

describe('permission evaluation', () => {
  it('decides every concrete request as IAM evaluation logic does, from inside and outside the fenced network', () => {
    fc.assert(
      fc.property(
        fc.array(statementArbitrary, { maxLength: 5 }),
        fc.option(fc.array(statementArbitrary, { maxLength: 3 }), { nil: undefined }),
        fc.constantFrom(...ACTIONS),
        fc.constantFrom(...RESOURCES),
        (identity, boundary, action, resource) => {
          const access = createPermissionEvaluator(policiesOf(identity, boundary), VARIABLES).access(
            action,
            resource,
            'some',
          );
          const inside = referenceDecision(identity, boundary, action, resource, true);
          const outside = referenceDecision(identity, boundary, action, resource, false);
          expect(access.isAllowed).toBe(inside || outside);
          if (access.isAllowed) expect(access.isNetworkRestricted).toBe(!outside);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('allows nothing once an unconditional Deny of everything is added', () => {
    fc.assert(
      fc.property(
        fc.array(statementArbitrary, { maxLength: 5 }),
        fc.constantFrom(...ACTION_PATTERNS),
        fc.constantFrom(...RESOURCE_PATTERNS),
        (identity, action, resource) => {
          const denyAll: GeneratedStatement = {
            effect: 'Deny',
            actions: ['*'],
            isNotAction: false,
            resources: ['*'],
            isNotResource: false,
            condition: 'none',
          };
          const evaluator = createPermissionEvaluator(
            policiesOf([...identity, denyAll], undefined),
            VARIABLES,
          );
          expect(evaluator.access(action, resource, 'some').isAllowed).toBe(false);
          expect(evaluator.isAdministrator()).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never allows more with a permissions boundary than without', () => {
    fc.assert(
      fc.property(
        fc.array(statementArbitrary, { maxLength: 5 }),
        fc.array(statementArbitrary, { maxLength: 3 }),
        fc.constantFrom(...ACTION_PATTERNS),
        fc.constantFrom(...RESOURCE_PATTERNS),
        (identity, boundary, action, resource) => {
          const bounded = createPermissionEvaluator(policiesOf(identity, boundary), VARIABLES).access(
            action,
            resource,
            'some',
          );
          const unbounded = createPermissionEvaluator(policiesOf(identity, undefined), VARIABLES).access(
            action,
            resource,
            'some',
          );
          if (bounded.isAllowed) expect(unbounded.isAllowed).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('resolves the aws:username policy variable so a self-service grant reaches only the user itself', () => {
    const statements = parsePolicyDocument({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Action: 'iam:CreateAccessKey',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
        Resource: 'arn:aws:iam::*:user/${aws:username}',
      },
    });
    const evaluator = createPermissionEvaluator(
      { identity: [{ name: 'self', statements }], boundary: undefined },
      VARIABLES,
    );
    expect(
      evaluator.access('iam:CreateAccessKey', 'arn:aws:iam::111122223333:user/alice', 'some').isAllowed,
    ).toBe(true);
    expect(
      evaluator.access('iam:CreateAccessKey', 'arn:aws:iam::111122223333:user/bob', 'some').isAllowed,
    ).toBe(false);
  });

  it('does not let a Deny naming an unknown variable take anything away', () => {
    const statements = parsePolicyDocument({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
        { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::${aws:PrincipalTag/team}/*' },
      ],
    });
    const evaluator = createPermissionEvaluator(
      { identity: [{ name: 'p', statements }], boundary: undefined },
      VARIABLES,
    );
    expect(evaluator.access('s3:GetObject', 'arn:aws:s3:::finance/*', 'some').isAllowed).toBe(true);
  });

  it('reads URL-encoded policy documents as the IAM API returns them', () => {
    const document = encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', NotAction: 's3:*', NotResource: 'arn:aws:s3:::b/*' }],
      }),
    );
    expect(parsePolicyDocument(document)).toEqual([
      {
        effect: 'Deny',
        actions: ['s3:*'],
        isNotAction: true,
        resources: ['arn:aws:s3:::b/*'],
        isNotResource: true,
        condition: {},
      },
    ]);
  });

  it('rejects a statement with both Action and NotAction', () => {
    expect(() =>
      parsePolicyDocument({
        Statement: [{ Effect: 'Allow', Action: 's3:*', NotAction: 'iam:*', Resource: '*' }],
      }),
    ).toThrow(/exactly one of Action and NotAction/);
  });
});
