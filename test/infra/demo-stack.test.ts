import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import demo from '../../infra/buckets/demo.ts';
import { createMaskpointApp } from '../../infra/lib/maskpoint-app.ts';
import type { MaskpointFunction } from '../../infra/lib/maskpoint-function.ts';
import type { ProtectedBucketStack } from '../../infra/lib/protected-bucket-stack.ts';
import {
  actionsOf,
  allIdentityStatements,
  allowedActions,
  logicalIdOf,
  roleStatements,
  type TemplateStatement,
} from './template-policies.ts';

// One synthesis (with the real esbuild bundles) for the whole file.
let stack: ProtectedBucketStack;
let template: Template;
let outdir: string;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'maskpoint-demo-'));
  const built = await createMaskpointApp([demo], { outdir });
  stack = built.stacks[0] as ProtectedBucketStack;
  template = Template.fromStack(stack);
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function statementsOfRole(fn: MaskpointFunction | undefined): TemplateStatement[] {
  return roleStatements(template, logicalIdOf(stack, fn?.role));
}

describe('the shipped demo config', () => {
  it('creates an encrypted, versioned, TLS-only demo bucket with access logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('deploys both front doors', () => {
    template.resourceCountIs('AWS::S3ObjectLambda::AccessPoint', 1);
    template.resourceCountIs('AWS::S3::AccessPoint', 1);
    template.resourceCountIs('AWS::Lambda::Url', 1);
  });

  it('runs every maskpoint function on nodejs22.x', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const ours = [
      stack.objectLambda?.handler.function,
      stack.gateway?.handler.function,
      stack.tokenKeys.node.findChild('Initializer'),
    ];
    for (const fn of ours) {
      expect(functions[logicalIdOf(stack, fn)]?.Properties.Runtime).toBe('nodejs22.x');
    }
  });

  it('bundles each front door with its rules and the geo database in the asset', () => {
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    const bundles = assets.filter((name) => existsSync(join(outdir, name, 'index.mjs')));
    expect(bundles).toHaveLength(2);
    for (const bundle of bundles) {
      expect(existsSync(join(outdir, bundle, 'redaction-rules', 'default.yaml'))).toBe(true);
      expect(existsSync(join(outdir, bundle, 'geo-whois-asn-country.mmdb'))).toBe(true);
    }
  });

  it('points the functions at the bundled rules and geo database', () => {
    for (const door of [stack.objectLambda, stack.gateway]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: Match.absent(),
        Role: { 'Fn::GetAtt': [logicalIdOf(stack, door?.handler.role), 'Arn'] },
        Environment: {
          Variables: Match.objectLike({
            MASKPOINT_RULES_DIR: '/var/task/redaction-rules',
            MASKPOINT_GEO_DB: '/var/task/geo-whois-asn-country.mmdb',
            MASKPOINT_TOKEN_KEYS_SECRET_ARN: { Ref: logicalIdOf(stack, stack.tokenKeys.secret) },
            MASKPOINT_RATE_LIMIT_TABLE: { Ref: logicalIdOf(stack, stack.rateLimitTable?.table) },
          }),
        },
      });
    }
  });
});

describe('the Object Lambda front door', () => {
  it('configures the access point with Range support, the function and the bucket payload', () => {
    template.hasResourceProperties('AWS::S3ObjectLambda::AccessPoint', {
      Name: 'maskpoint-demo-ol',
      ObjectLambdaConfiguration: {
        SupportingAccessPoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('SupportingAccessPoint'), 'Arn'] },
        AllowedFeatures: ['GetObject-Range'],
        TransformationConfigurations: [
          {
            Actions: ['GetObject', 'HeadObject', 'ListObjects', 'ListObjectsV2'],
            ContentTransformation: {
              AwsLambda: {
                FunctionArn: {
                  'Fn::GetAtt': [logicalIdOf(stack, stack.objectLambda?.handler.function), 'Arn'],
                },
                FunctionPayload: {
                  'Fn::Join': ['', ['{"bucket":"', { Ref: logicalIdOf(stack, stack.bucket) }, '"}']],
                },
              },
            },
          },
        ],
      },
    });
  });

  it('lets the supporting access point be used only through S3 Object Lambda', () => {
    const accessPoint = Object.values(template.findResources('AWS::S3::AccessPoint'))[0];
    const statements = accessPoint?.Properties.Policy.Statement as TemplateStatement[];
    const allow = statements.find((s) => s.Effect === 'Allow');
    const deny = statements.find((s) => s.Effect === 'Deny');
    expect(actionsOf(allow as TemplateStatement)).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(allow?.Condition).toEqual({
      'ForAnyValue:StringEquals': { 'aws:CalledVia': ['s3-object-lambda.amazonaws.com'] },
    });
    expect(deny?.Condition).toEqual({
      'ForAllValues:StringNotEquals': { 'aws:CalledVia': ['s3-object-lambda.amazonaws.com'] },
    });
  });

  it('delegates reads of the new bucket to the account access points', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DelegateReadsToAccessPoints',
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:ListBucket'],
            Condition: { StringEquals: { 's3:DataAccessPointAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    expect(Object.keys(template.findOutputs('BucketPolicyForOwner'))).toEqual([]);
  });

  it('denies direct reads of the new bucket by principals of other accounts', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DenyDirectReadsByExternalPrincipals',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: {
              StringNotEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } },
              Null: { 's3:DataAccessPointArn': 'true' },
              BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
            },
          }),
        ]),
      },
    });
  });

  it('gives the function role no S3 read: only responses, logs, counters and token keys', () => {
    const statements = statementsOfRole(stack.objectLambda?.handler);
    expect(allowedActions(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3-object-lambda:WriteGetObjectResponse',
      'secretsmanager:GetSecretValue',
    ]);
    const wildcard = statements.filter((s) => JSON.stringify(s.Resource) === '"*"');
    expect(wildcard.map(actionsOf)).toEqual([['s3-object-lambda:WriteGetObjectResponse']]);
  });
});

describe('the gateway front door', () => {
  it('is a streaming function URL that authenticates callers itself', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
      TargetFunctionArn: {
        'Fn::GetAtt': [logicalIdOf(stack, stack.gateway?.handler.function), 'Arn'],
      },
    });
  });

  it('reads only the protected bucket, its key registries and the counters', () => {
    const statements = statementsOfRole(stack.gateway?.handler);
    expect(allowedActions(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      's3:ListBucket',
      'secretsmanager:GetSecretValue',
    ]);
    const bucket = logicalIdOf(stack, stack.bucket);
    const read = statements.find((s) => s.Sid === 'ReadProtectedObjects');
    expect(read?.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] });
    const list = statements.find((s) => s.Sid === 'ListProtectedPrefixes');
    expect(list?.Resource).toEqual({ 'Fn::GetAtt': [bucket, 'Arn'] });
    const secrets = statements.find((s) => s.Sid === 'ReadKeyRegistries');
    expect(secrets?.Resource).toEqual([
      { Ref: logicalIdOf(stack, stack.tokenKeys.secret) },
      { Ref: logicalIdOf(stack, stack.gatewayKeys) },
    ]);
  });

  it('outputs the endpoint and how to issue a gateway key for each key holder', () => {
    template.hasOutput('GatewayEndpoint', {});
    template.hasOutput('GatewayKeyCommandAnalyticsPartner', {
      Value: Match.objectLike({
        'Fn::Join': [
          '',
          Match.arrayWith([Match.stringLikeRegexp('maskpoint keys create --name analytics-partner')]),
        ],
      }),
    });
  });
});

describe('least privilege across the stack', () => {
  it('allows no wildcard S3 action anywhere', () => {
    const actions = allowedActions(allIdentityStatements(template));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('never grants account-wide listing, IAM or STS', () => {
    const actions = allowedActions(allIdentityStatements(template));
    expect(actions.filter((action) => /^(iam|sts):|ListAllMyBuckets/.test(action))).toEqual([]);
  });
});

describe('the key holder policy', () => {
  it('holds exactly the Object Lambda read statements', () => {
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    const statements = policy?.Properties.PolicyDocument.Statement as TemplateStatement[];
    const calledVia = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['s3-object-lambda.amazonaws.com'] } };
    expect(statements.map((s) => [s.Sid, actionsOf(s), s.Condition])).toEqual([
      [
        'ReadThroughObjectLambdaAccessPoint',
        ['s3-object-lambda:GetObject', 's3-object-lambda:ListBucket'],
        undefined,
      ],
      ['InvokeTransformThroughObjectLambda', ['lambda:InvokeFunction'], calledVia],
      ['ReadSupportingAccessPointThroughObjectLambda', ['s3:GetObject'], calledVia],
      ['ListSupportingAccessPointThroughObjectLambda', ['s3:ListBucket'], calledVia],
    ]);
  });

  it('is output as an attachable policy ARN and as JSON', () => {
    template.hasOutput('KeyHolderAnalyticsPartnerPolicyArn', { Value: { Ref: Match.anyValue() } });
    template.hasOutput('KeyHolderAnalyticsPartnerPolicyJson', {});
  });
});

describe('state and secrets', () => {
  it('keeps rate limits in an on-demand table keyed by "key" with TTL on "expire"', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expire', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('writes the first token key once, with access to that secret only', () => {
    template.resourceCountIs('AWS::CloudFormation::CustomResource', 1);
    const secret = logicalIdOf(stack, stack.tokenKeys.secret);
    const initializer = stack.tokenKeys.node.findChild('InitializerRole');
    const statements = roleStatements(template, logicalIdOf(stack, initializer));
    const secretStatement = statements.find((s) => actionsOf(s).includes('secretsmanager:PutSecretValue'));
    expect(secretStatement?.Resource).toEqual({ Ref: secret });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });
});
