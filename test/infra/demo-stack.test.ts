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

/** The two statements every role that reads and writes views gets, on the cache bucket only. */
function viewStatements(): TemplateStatement[] {
  const cache = logicalIdOf(stack, stack.viewStore?.bucket);
  return [
    {
      Sid: 'ReadWriteViews',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [cache, 'Arn'] }, '/views/*']] },
    },
    {
      Sid: 'ListViews',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: { 'Fn::GetAtt': [cache, 'Arn'] },
    },
  ];
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
      stack.materializer?.handler.function,
      stack.tokenKeys.node.findChild('Initializer'),
    ];
    for (const fn of ours) {
      expect(functions[logicalIdOf(stack, fn)]?.Properties.Runtime).toBe('nodejs22.x');
    }
  });

  it('bundles each front door and the materializer with its rules and the geo database in the asset', () => {
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    const bundles = assets.filter((name) => existsSync(join(outdir, name, 'index.mjs')));
    expect(bundles).toHaveLength(3);
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

  it('gives the function role no read of the protected bucket: responses, logs, counters, token keys, views and view requests', () => {
    const statements = statementsOfRole(stack.objectLambda?.handler);
    expect(allowedActions(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3-object-lambda:WriteGetObjectResponse',
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
    ]);
    const queue = logicalIdOf(stack, stack.materializer?.queue);
    const sqs = statements.filter((s) => actionsOf(s).some((action) => action.startsWith('sqs:')));
    expect(sqs).toEqual([
      {
        Sid: 'RequestViews',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
      },
    ]);
    const wildcard = statements.filter((s) => JSON.stringify(s.Resource) === '"*"');
    expect(wildcard.map(actionsOf)).toEqual([['s3-object-lambda:WriteGetObjectResponse']]);
    const s3Statements = statements.filter((s) => actionsOf(s).some((action) => action.startsWith('s3:')));
    expect(s3Statements.map((s) => [s.Sid, s.Resource])).toEqual(
      viewStatements().map((s) => [s.Sid, s.Resource]),
    );
    expect(JSON.stringify(statements)).not.toContain(logicalIdOf(stack, stack.bucket));
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

  it('reads only the protected bucket, its key registries, the counters and the views', () => {
    const statements = statementsOfRole(stack.gateway?.handler);
    expect(allowedActions(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'secretsmanager:GetSecretValue',
    ]);
    expect(statements.filter((s) => s.Sid === 'ReadWriteViews' || s.Sid === 'ListViews')).toEqual(
      viewStatements(),
    );
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

describe('the redacted-view store', () => {
  it('is an encrypted, private, TLS-only, unversioned cache bucket whose views expire after 7 days', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    const cache = buckets[logicalIdOf(stack, stack.viewStore?.bucket)]?.Properties;
    expect(cache.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(cache.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(cache.VersioningConfiguration).toBeUndefined();
    expect(cache.LifecycleConfiguration).toEqual({
      Rules: [
        { Id: 'ExpireViews', ExpirationInDays: 7, Status: 'Enabled' },
        {
          Id: 'AbortIncompleteUploads',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        },
      ],
    });
  });

  it('denies views to every principal but the front doors and the materializer, and plain HTTP to all', () => {
    const cache = logicalIdOf(stack, stack.viewStore?.bucket);
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (resource) => JSON.stringify(resource.Properties.Bucket) === JSON.stringify({ Ref: cache }),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as TemplateStatement[];
    const roleArn = (fn: MaskpointFunction | undefined) => ({
      'Fn::GetAtt': [logicalIdOf(stack, fn?.role), 'Arn'],
    });
    expect(statements.find((s) => s.Sid === 'DenyViewsToAllButMaskpointRoles')).toEqual({
      Sid: 'DenyViewsToAllButMaskpointRoles',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [cache, 'Arn'] }, '/views/*']] },
      Condition: {
        ArnNotEquals: {
          'aws:PrincipalArn': [
            roleArn(stack.materializer?.handler),
            roleArn(stack.objectLambda?.handler),
            roleArn(stack.gateway?.handler),
          ],
        },
      },
    });
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });

  it('accepts S3 Inventory reports of the protected bucket under backfill/inventory/ only', () => {
    const cache = logicalIdOf(stack, stack.viewStore?.bucket);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: cache },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AcceptInventoryReports',
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [cache, 'Arn'] }, '/backfill/inventory/*']] },
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalIdOf(stack, stack.bucket), 'Arn'] } },
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                's3:x-amz-acl': 'bucket-owner-full-control',
              },
            },
          },
        ]),
      },
    });
  });

  it('names the materializer queue and the view prefix to the Object Lambda function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [logicalIdOf(stack, stack.objectLambda?.handler.role), 'Arn'] },
      Environment: {
        Variables: Match.objectLike({
          MASKPOINT_VIEWS_PREFIX: 'views/',
          MASKPOINT_MATERIALIZER_QUEUE_URL: { Ref: logicalIdOf(stack, stack.materializer?.queue) },
        }),
      },
    });
  });

  it('names the cache bucket to both front doors and the materializer', () => {
    for (const fn of [stack.objectLambda?.handler, stack.gateway?.handler, stack.materializer?.handler]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [logicalIdOf(stack, fn?.role), 'Arn'] },
        Environment: {
          Variables: Match.objectLike({
            MASKPOINT_VIEWS_BUCKET: { Ref: logicalIdOf(stack, stack.viewStore?.bucket) },
          }),
        },
      });
    }
  });
});

describe('the materializer', () => {
  it('reads only the protected objects, its token keys and the views, and consumes its queue', () => {
    const statements = statementsOfRole(stack.materializer?.handler);
    expect(allowedActions(statements)).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'secretsmanager:GetSecretValue',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ]);
    const bucket = logicalIdOf(stack, stack.bucket);
    expect(statements.find((s) => s.Sid === 'ReadProtectedObjects')).toEqual({
      Sid: 'ReadProtectedObjects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
    });
    expect(statements.filter((s) => s.Sid === 'ReadWriteViews' || s.Sid === 'ListViews')).toEqual(
      viewStatements(),
    );
    expect(statements.find((s) => s.Sid === 'ReadTokenKeys')?.Resource).toEqual({
      Ref: logicalIdOf(stack, stack.tokenKeys.secret),
    });
    const queue = logicalIdOf(stack, stack.materializer?.queue);
    const sqs = statements.filter((s) => actionsOf(s).some((action) => action.startsWith('sqs:')));
    expect(sqs.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [queue, 'Arn'] }]);
  });

  it('runs up to 15 minutes and reports partial batch failures from an encrypted queue with a dead-letter queue', () => {
    const fn = logicalIdOf(stack, stack.materializer?.handler.function);
    expect(template.findResources('AWS::Lambda::Function')[fn]?.Properties.Timeout).toBe(900);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fn },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.materializer?.queue), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    const queues = template.findResources('AWS::SQS::Queue');
    expect(queues[logicalIdOf(stack, stack.materializer?.queue)]?.Properties).toEqual({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 5400,
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [logicalIdOf(stack, stack.materializer?.deadLetterQueue), 'Arn'],
        },
        maxReceiveCount: 5,
      },
    });
    expect(queues[logicalIdOf(stack, stack.materializer?.deadLetterQueue)]?.Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    for (const queue of [stack.materializer?.queue, stack.materializer?.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalIdOf(stack, queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('is sent the demo bucket’s ObjectCreated and ObjectRemoved events', () => {
    const queueArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.materializer?.queue), 'Arn'] };
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalIdOf(stack, stack.bucket) },
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], QueueArn: queueArn },
          { Events: ['s3:ObjectRemoved:*'], QueueArn: queueArn },
        ],
      },
    });
    expect(Object.keys(template.findOutputs('BucketNotificationsForOwner'))).toEqual([]);
  });

  it('gives S3 Batch Operations a role that invokes the materializer and uses backfill/ of the cache bucket only', () => {
    const role = stack.materializer?.backfillRole;
    const roles = template.findResources('AWS::IAM::Role');
    expect(roles[logicalIdOf(stack, role)]?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'batchoperations.s3.amazonaws.com' },
      },
    ]);
    const cacheArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.viewStore?.bucket), 'Arn'] };
    const under = (path: string) => ({ 'Fn::Join': ['', [cacheArn, path]] });
    const statements = roleStatements(template, logicalIdOf(stack, role));
    expect(statements.map((s) => [s.Sid, actionsOf(s), s.Resource])).toEqual([
      [
        'InvokeMaterializer',
        ['lambda:InvokeFunction'],
        { 'Fn::GetAtt': [logicalIdOf(stack, stack.materializer?.handler.function), 'Arn'] },
      ],
      ['ReadBackfillManifests', ['s3:GetObject', 's3:GetObjectVersion'], under('/backfill/*')],
      ['WriteBackfillReports', ['s3:PutObject'], under('/backfill/reports/*')],
      ['LocateCacheBucket', ['s3:GetBucketLocation'], cacheArn],
    ]);
  });

  it('outputs what maskpoint views backfill needs', () => {
    template.hasOutput('MaterializerFunctionArn', {});
    template.hasOutput('BackfillRoleArn', {});
    template.hasOutput('ViewsBucketName', { Value: { Ref: logicalIdOf(stack, stack.viewStore?.bucket) } });
    template.hasOutput('BackfillCommand', {
      Value: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('npx maskpoint views backfill --bucket ')])],
      }),
    });
    template.hasOutput('MaterializerDeadLetterQueueUrl', {});
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
