import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

/** One IAM statement as it appears in the synthesized template. */
export interface TemplateStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The logical id of a construct's CloudFormation resource; fails when there is no construct. */
export function logicalIdOf(stack: Stack, construct: IConstruct | undefined): string {
  if (construct === undefined) throw new Error('no such construct in the stack');
  const resource = construct.node.defaultChild ?? construct;
  return stack.getLogicalId(resource as Parameters<Stack['getLogicalId']>[0]);
}

/** Every statement of the inline (AWS::IAM::Policy) policies attached to the role. */
export function roleStatements(template: Template, roleLogicalId: string): TemplateStatement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as TemplateStatement[]);
}

/** Every statement of every identity policy in the template, inline or managed. */
export function allIdentityStatements(template: Template): TemplateStatement[] {
  const inline = Object.values(template.findResources('AWS::IAM::Policy'));
  const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
  return [...inline, ...managed].flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as TemplateStatement[],
  );
}

/** The statement's actions as a sorted list. */
export function actionsOf(statement: TemplateStatement): string[] {
  return (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).slice().sort();
}

/** Every action allowed by the statements, sorted and unique. */
export function allowedActions(statements: readonly TemplateStatement[]): string[] {
  return [...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf))].sort();
}
