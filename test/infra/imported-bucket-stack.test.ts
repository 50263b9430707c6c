import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMaskpointApp } from '../../infra/lib/maskpoint-app.ts';
import { defineProtectedBucket } from '../../infra/lib/protected-bucket-config.ts';
import type { ProtectedBucketStack } from '../../infra/lib/protected-bucket-stack.ts';
import {
  actionsOf,
  allIdentityStatements,
  allowedActions,
  logicalIdOf,
  roleStatements,
  type TemplateStatement,
} from './template-policies.ts';

const KMS_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0f4c1e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6';
const PARTNER_ROLE = 'arn:aws:iam::444455556666:role/partner-reader';

/** An existing SSE-KMS bucket with both front doors, CloudFront, fences, an Object Lambda presigner and views. */
const imported = defineProtectedBucket({
  name: 'exports',
  env: { account: '111122223333', region: 'eu-west-1' },
  bucket: { source: 'existing', bucketName: 'acme-exports', kmsKeyArn: KMS_KEY_ARN },
  rulesDir: 'redaction-rules',
  readPrefixes: ['exports/', 'shared/'],
  allowListing: true,
  frontDoors: { objectLambda: {}, gateway: { cloudFront: { allowCountries: ['DE', 'FR'] } } },
  reservedConcurrency: 20,
  logRetentionDays: 90,
  keyHolders: [
    {
      name: 'partner',
      attachToRoles: ['partner-reader'],
      sourceIps: ['203.0.113.0/24'],
      sourceVpces: ['vpce-0abc123'],
    },
  ],
  presigner: {
    frontDoor: 'objectLambda',
    callers: [{ principal: PARTNER_ROLE, prefixes: ['exports/'], maxExpiresSeconds: 3600 }],
  },
  views: { enabled: true, expiryDays: 3 },
});

/** A gateway-only bucket without listing, whose presigner signs gateway URLs. */
const gatewayOnly = defineProtectedBucket({
  name: 'logs',
  bucket: { source: 'existing', bucketName: 'acme-logs' },
  rulesDir: 'redaction-rules',
  readPrefixes: ['app/'],
  frontDoors: { gateway: {} },
  rateLimit: { store: 'per-instance' },
  presigner: {
    frontDoor: 'gateway',
    callers: [{ principal: PARTNER_ROLE, prefixes: ['app/'], maxExpiresSeconds: 600 }],
  },
});

/** A template value built with `Fn::Join` around `AWS::Partition`, as it reads in the aws partition. */
function inAwsPartition(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return join[1]
    .map((part) =>
      typeof part === 'string' ? part : JSON.stringify(part) === '{"Ref":"AWS::Partition"}' ? 'aws' : '?',
    )
    .join(join[0]);
}

let importedStack: ProtectedBucketStack;
let gatewayStack: ProtectedBucketStack;
let importedTemplate: Template;
let gatewayTemplate: Template;

beforeAll(async () => {
  // Bundling is covered by demo-stack.test.ts; these stacks are about resources and policies.
  const { stacks } = await createMaskpointApp([imported, gatewayOnly], {
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  [importedStack, gatewayStack] = stacks as [ProtectedBucketStack, ProtectedBucketStack];
  importedTemplate = Template.fromStack(importedStack);
  gatewayTemplate = Template.fromStack(gatewayStack);
}, 120_000);

describe('an existing bucket', () => {
  it('is not created or given a policy: the deny and delegation statements are output for its owner', () => {
    const cache = logicalIdOf(importedStack, importedStack.viewStore?.bucket);
    expect(Object.keys(importedTemplate.findResources('AWS::S3::Bucket'))).toEqual([cache]);
    const policies = Object.values(importedTemplate.findResources('AWS::S3::BucketPolicy'));
    expect(policies.map((policy) => policy.Properties.Bucket)).toEqual([{ Ref: cache }]);
    const output = importedTemplate.findOutputs('BucketPolicyForOwner').BucketPolicyForOwner;
    const document = JSON.parse(inAwsPartition(output?.Value));
    expect(document.Statement).toEqual([
      {
        Sid: 'DenyDirectReadsByExternalPrincipals',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions'],
        Resource: ['arn:aws:s3:::acme-exports', 'arn:aws:s3:::acme-exports/*'],
        Condition: {
          StringNotEquals: { 'aws:PrincipalAccount': '111122223333' },
          Null: { 's3:DataAccessPointArn': 'true' },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        },
      },
      {
        Sid: 'DelegateReadsToAccessPoints',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::acme-exports', 'arn:aws:s3:::acme-exports/*'],
        Condition: { StringEquals: { 's3:DataAccessPointAccount': '111122223333' } },
      },
    ]);
  });

  it('limits the gateway to the configured prefixes, listing included', () => {
    const statements = roleStatements(
      importedTemplate,
      logicalIdOf(importedStack, importedStack.gateway?.handler.role),
    );
    const read = statements.find((s) => s.Sid === 'ReadProtectedObjects');
    expect(((read?.Resource ?? []) as unknown[]).map(inAwsPartition)).toEqual([
      'arn:aws:s3:::acme-exports/exports/*',
      'arn:aws:s3:::acme-exports/shared/*',
    ]);
    const list = statements.find((s) => s.Sid === 'ListProtectedPrefixes');
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': ['exports/*', 'shared/*'] } });
  });

  it('lets the gateway decrypt with the bucket key only through S3', () => {
    const statements = roleStatements(
      importedTemplate,
      logicalIdOf(importedStack, importedStack.gateway?.handler.role),
    );
    expect(statements.find((s) => s.Sid === 'DecryptThroughS3')).toEqual({
      Sid: 'DecryptThroughS3',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: KMS_KEY_ARN,
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
  });

  it('caps the functions with the configured reserved concurrency and log retention', () => {
    importedTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Role: {
        'Fn::GetAtt': [logicalIdOf(importedStack, importedStack.gateway?.handler.role), 'Arn'],
      },
      ReservedConcurrentExecutions: 20,
    });
    importedTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});

describe('views of an existing bucket', () => {
  it('outputs the notification configuration its owner applies, one per read prefix, to an encrypted queue', () => {
    const output = importedTemplate.findOutputs('BucketNotificationsForOwner').BucketNotificationsForOwner;
    const value = output?.Value as { 'Fn::Join': [string, unknown[]] };
    const queueArn = { 'Fn::GetAtt': [logicalIdOf(importedStack, importedStack.materializer?.queue), 'Arn'] };
    const parts = value['Fn::Join'][1].map((part) =>
      JSON.stringify(part) === JSON.stringify(queueArn) ? 'QUEUE' : part,
    );
    expect(JSON.parse(parts.join(''))).toEqual({
      QueueConfigurations: [
        {
          Id: 'maskpoint-views-0',
          QueueArn: 'QUEUE',
          Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'exports/' }] } },
        },
        {
          Id: 'maskpoint-views-1',
          QueueArn: 'QUEUE',
          Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'shared/' }] } },
        },
      ],
    });
    importedTemplate.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  it('lets S3 send that bucket’s events to the queue, and no other bucket’s', () => {
    importedTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalIdOf(importedStack, importedStack.materializer?.queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-exports']],
                },
              },
              StringEquals: { 'aws:SourceAccount': '111122223333' },
            },
          }),
        ]),
      },
    });
  });

  it('lets the materializer read the configured prefixes only, decrypting through S3', () => {
    const statements = roleStatements(
      importedTemplate,
      logicalIdOf(importedStack, importedStack.materializer?.handler.role),
    );
    const read = statements.find((s) => s.Sid === 'ReadProtectedObjects');
    expect(((read?.Resource ?? []) as unknown[]).map(inAwsPartition)).toEqual([
      'arn:aws:s3:::acme-exports/exports/*',
      'arn:aws:s3:::acme-exports/shared/*',
    ]);
    expect(statements.find((s) => s.Sid === 'DecryptThroughS3')?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
    });
    expect(statements.filter((s) => actionsOf(s).includes('s3:ListBucket')).map((s) => s.Sid)).toEqual([
      'ListViews',
    ]);
  });

  it('expires views after the configured days', () => {
    const buckets = importedTemplate.findResources('AWS::S3::Bucket');
    const cache = buckets[logicalIdOf(importedStack, importedStack.viewStore?.bucket)];
    expect(cache?.Properties.LifecycleConfiguration.Rules[0]).toEqual({
      Id: 'ExpireViews',
      ExpirationInDays: 3,
      Status: 'Enabled',
    });
  });

  it('keeps the Object Lambda role off the protected bucket: views only', () => {
    const statements = roleStatements(
      importedTemplate,
      logicalIdOf(importedStack, importedStack.objectLambda?.handler.role),
    );
    const s3 = statements.filter((s) => actionsOf(s).some((action) => action.startsWith('s3:')));
    expect(s3.map((s) => s.Sid)).toEqual(['ReadWriteViews', 'ListViews']);
    expect(JSON.stringify(statements)).not.toContain('acme-exports');
  });
});

describe('a key holder with fences', () => {
  it('gets exactly the listed actions, fenced by address and VPC endpoint, and KMS through S3', () => {
    const policies = importedTemplate.findResources('AWS::IAM::ManagedPolicy');
    const policy = policies[logicalIdOf(importedStack, importedStack.keyHolders[0]?.policy)];
    const statements = policy?.Properties.PolicyDocument.Statement as TemplateStatement[];
    expect(statements.map((s) => [s.Sid, actionsOf(s)])).toEqual([
      ['ReadThroughObjectLambdaAccessPoint', ['s3-object-lambda:GetObject', 's3-object-lambda:ListBucket']],
      ['InvokeTransformThroughObjectLambda', ['lambda:InvokeFunction']],
      ['ReadSupportingAccessPointThroughObjectLambda', ['s3:GetObject']],
      ['ListSupportingAccessPointThroughObjectLambda', ['s3:ListBucket']],
      ['DecryptThroughS3', ['kms:Decrypt']],
    ]);
    expect(statements[0]?.Condition).toEqual({
      IpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] },
      StringEquals: { 'aws:SourceVpce': ['vpce-0abc123'] },
    });
    const accessPoint = logicalIdOf(importedStack, importedStack.objectLambda?.accessPoint);
    expect(statements[0]?.Resource).toEqual({ 'Fn::GetAtt': [accessPoint, 'Arn'] });
    expect(inAwsPartition(statements[2]?.Resource)).toBe(
      'arn:aws:s3:eu-west-1:111122223333:accesspoint/maskpoint-exports/object/*',
    );
    expect(policy?.Properties.Roles).toEqual(['partner-reader']);
  });
});

describe('the gateway behind CloudFront', () => {
  it('adds the origin secret header and fences countries', () => {
    importedTemplate.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Restrictions: { GeoRestriction: { RestrictionType: 'whitelist', Locations: ['DE', 'FR'] } },
        Origins: [
          Match.objectLike({
            OriginCustomHeaders: [{ HeaderName: 'x-maskpoint-origin-verify', HeaderValue: Match.anyValue() }],
          }),
        ],
      }),
    });
    importedTemplate.hasOutput('GatewayEndpoint', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DomainName'] }]] },
    });
  });

  it('copies the Host the client signed into x-maskpoint-viewer-host in a viewer-request function', () => {
    const functions = importedTemplate.findResources('AWS::CloudFront::Function');
    const [[functionId, resource] = []] = Object.entries(functions);
    expect(Object.keys(functions)).toHaveLength(1);
    expect(resource?.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    importedTemplate.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          FunctionAssociations: [
            { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
          ],
        }),
      }),
    });

    const handler = new Function(`${resource?.Properties.FunctionCode}\nreturn handler;`)();
    const request = handler({
      request: {
        headers: {
          host: { value: 'd111.cloudfront.net' },
          'x-maskpoint-viewer-host': { value: 'spoofed.example.com' },
        },
      },
    });
    expect(request.headers['x-maskpoint-viewer-host']).toEqual({ value: 'd111.cloudfront.net' });
    expect(handler({ request: { headers: { 'x-maskpoint-viewer-host': { value: 'spoofed' } } } })).toEqual({
      headers: {},
    });
  });

  it('forwards the viewer host header to the gateway', () => {
    importedTemplate.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: {
            HeaderBehavior: 'whitelist',
            Headers: ['Authorization', 'x-maskpoint-viewer-host'],
          },
        }),
      }),
    });
    const [policy] = Object.values(importedTemplate.findResources('AWS::CloudFront::OriginRequestPolicy'));
    const headers: string[] = policy?.Properties.OriginRequestPolicyConfig.HeadersConfig.Headers;
    // CloudFront's default quota: more headers in an origin request policy fail the deployment.
    expect(headers.length).toBeLessThanOrEqual(10);
  });

  it('tells the gateway which header proves a request came through CloudFront', () => {
    importedTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MASKPOINT_ORIGIN_SECRET_HEADER: 'x-maskpoint-origin-verify',
          MASKPOINT_ORIGIN_SECRET: Match.anyValue(),
          MASKPOINT_BUCKETS: 'acme-exports',
        }),
      },
    });
  });
});

describe('the presigner', () => {
  it('is a function URL with AWS_IAM auth that each configured caller may invoke', () => {
    importedTemplate.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    importedTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      Principal: PARTNER_ROLE,
      FunctionUrlAuthType: 'AWS_IAM',
    });
  });

  it('receives the per-caller policy and the Object Lambda access point it signs for', () => {
    importedTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MASKPOINT_PRESIGN_POLICY: JSON.stringify({
            callers: [{ principal: PARTNER_ROLE, prefixes: ['exports/'], maxExpiresSeconds: 3600 }],
          }),
          MASKPOINT_OBJECT_LAMBDA_ARN: Match.anyValue(),
          MASKPOINT_SIGNING_SECRET_ARN: {
            Ref: logicalIdOf(importedStack, importedStack.presigner?.signingSecret),
          },
        }),
      },
    });
  });

  it('signs with a user that holds only the key-holder policy, and reads only its signing secret', () => {
    const statements = roleStatements(
      importedTemplate,
      logicalIdOf(importedStack, importedStack.presigner?.handler.role),
    );
    expect(allowedActions(statements)).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
    ]);
    importedTemplate.resourceCountIs('AWS::IAM::User', 1);
    importedTemplate.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Users: [{ Ref: Match.stringLikeRegexp('PresignerSigner') }],
    });
  });

  it('signs gateway URLs for the gateway endpoint when configured so', () => {
    gatewayTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MASKPOINT_GATEWAY_ENDPOINT: { 'Fn::GetAtt': [Match.anyValue(), 'FunctionUrl'] },
          MASKPOINT_GATEWAY_REGION: { Ref: 'AWS::Region' },
        }),
      },
    });
    gatewayTemplate.resourceCountIs('AWS::IAM::User', 0);
  });
});

describe('a gateway-only bucket without listing', () => {
  it('has no view store, materializer or queue when views are not enabled', () => {
    gatewayTemplate.resourceCountIs('AWS::S3::Bucket', 0);
    gatewayTemplate.resourceCountIs('AWS::SQS::Queue', 0);
    expect(gatewayStack.materializer).toBeUndefined();
    expect(JSON.stringify(gatewayTemplate.toJSON())).not.toContain('MASKPOINT_VIEWS_BUCKET');
  });

  it('has no Object Lambda resources and no listing permission', () => {
    gatewayTemplate.resourceCountIs('AWS::S3ObjectLambda::AccessPoint', 0);
    gatewayTemplate.resourceCountIs('AWS::S3::AccessPoint', 0);
    const actions = allowedActions(allIdentityStatements(gatewayTemplate));
    expect(actions.filter((action) => action.includes('List'))).toEqual([]);
  });

  it('keeps per-instance counters: no table, no DynamoDB permission', () => {
    gatewayTemplate.resourceCountIs('AWS::DynamoDB::Table', 0);
    const actions = allowedActions(allIdentityStatements(gatewayTemplate));
    expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding on either stack', () => {
    for (const stack of [importedStack, gatewayStack]) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(
        report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
    }
  });
});
