import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMaskpointApp } from '../../infra/lib/maskpoint-app.ts';
import { defineProtectedBucket, type ProtectedBucketInput } from '../../infra/lib/protected-bucket-config.ts';
import type { ProtectedBucketStack } from '../../infra/lib/protected-bucket-stack.ts';
import { actionsOf, logicalIdOf, roleStatements, type TemplateStatement } from './template-policies.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const ACCOUNT = '111122223333';
const KMS_KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0f4c1e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6`;
const CERTIFICATE_ARN = `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/1a2b3c4d-5e6f-4a5b-8c9d-0e1f2a3b4c5d`;
const WEB_ACL_ARN = `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/maskpoint/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e`;
const PARTNER_ROLE = `arn:aws:iam::${ACCOUNT}:role/partner-reader`;

/** An SSE-KMS bucket served by both gateways: the function URL for small objects, the container for any size. */
const bothInput: ProtectedBucketInput = {
  name: 'exports',
  env: { account: ACCOUNT, region: 'eu-west-1' },
  bucket: { source: 'existing', bucketName: 'acme-exports', kmsKeyArn: KMS_KEY_ARN },
  rulesDir: 'redaction-rules',
  readPrefixes: ['exports/', 'shared/'],
  allowListing: true,
  logRetentionDays: 90,
  frontDoors: {
    gateway: [
      { kind: 'function-url' },
      {
        kind: 'fargate',
        certificateArn: CERTIFICATE_ARN,
        domainName: 's3-gateway.example.com',
        webAclArn: WEB_ACL_ARN,
        cpu: 2048,
        memoryMiB: 4096,
        minTasks: 2,
        maxTasks: 6,
      },
    ],
  },
  presigner: {
    frontDoor: 'gateway',
    callers: [{ principal: PARTNER_ROLE, prefixes: ['exports/'], maxExpiresSeconds: 600 }],
  },
};

/** The container alone, internal, in an existing VPC, counters per task. */
const internalInput: ProtectedBucketInput = {
  name: 'internal',
  env: { account: ACCOUNT, region: 'eu-west-1' },
  bucket: { source: 'existing', bucketName: 'acme-internal' },
  rulesDir: 'redaction-rules',
  rateLimit: { store: 'per-instance' },
  frontDoors: {
    gateway: {
      kind: 'fargate',
      certificateArn: CERTIFICATE_ARN,
      isInternal: true,
      allowedCidrs: ['10.20.0.0/16'],
      idleTimeoutSeconds: 1800,
      vpc: {
        source: 'existing',
        vpcId: 'vpc-0123456789abcdef0',
        vpcCidrBlock: '10.20.0.0/16',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        privateSubnetIds: ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445'],
      },
    },
  },
};

let both: ProtectedBucketStack;
let internal: ProtectedBucketStack;
let bothTemplate: Template;
let internalTemplate: Template;

beforeAll(async () => {
  // Lambda bundling is covered by demo-stack.test.ts; the container image is staged, never built, at synth.
  const { stacks } = await createMaskpointApp(
    [defineProtectedBucket(bothInput), defineProtectedBucket(internalInput)],
    {
      context: { 'aws:cdk:bundling-stacks': [] },
    },
  );
  [both, internal] = stacks as [ProtectedBucketStack, ProtectedBucketStack];
  bothTemplate = Template.fromStack(both);
  internalTemplate = Template.fromStack(internal);
}, 120_000);

function statementsOf(
  stack: ProtectedBucketStack,
  template: Template,
  role: Parameters<typeof logicalIdOf>[1],
) {
  return roleStatements(template, logicalIdOf(stack, role));
}

/** The properties of the one resource of `type`; fails when there is none. */
function onlyResource(template: Template, type: string): Record<string, unknown> {
  const [resource] = Object.values(template.findResources(type));
  if (resource === undefined) throw new Error(`no ${type}`);
  return resource.Properties as Record<string, unknown>;
}

/** The gateway container's definition. */
function containerOf(template: Template): Record<string, unknown> {
  const [container] = onlyResource(template, 'AWS::ECS::TaskDefinition').ContainerDefinitions as Record<
    string,
    unknown
  >[];
  if (container === undefined) throw new Error('no container');
  return container;
}

/** The container's environment as a record. */
function environmentOf(template: Template): Record<string, unknown> {
  return Object.fromEntries(
    (containerOf(template).Environment as { Name: string; Value: unknown }[]).map(({ Name, Value }) => [
      Name,
      Value,
    ]),
  );
}

/** A statement without its resource tokens, for comparing the two gateways' roles. */
function shape(statement: TemplateStatement) {
  return {
    Sid: statement.Sid,
    Effect: statement.Effect,
    Action: actionsOf(statement),
    Condition: statement.Condition,
  };
}

describe('the fargate gateway: load balancer', () => {
  it('listens on 443 only, with HTTPS, the configured certificate and a TLS 1.2+ policy', () => {
    bothTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    bothTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      SslPolicy: Match.stringLikeRegexp('TLS13'),
    });
  });

  it('keeps slow downloads open, passes the signed Host and appends the client IP, drops invalid headers', () => {
    const attributes = (template: Template) =>
      Object.fromEntries(
        (
          onlyResource(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').LoadBalancerAttributes as {
            Key: string;
            Value: string;
          }[]
        ).map(({ Key, Value }) => [Key, Value]),
      );
    expect(attributes(bothTemplate)).toMatchObject({
      'idle_timeout.timeout_seconds': '3600',
      'routing.http.preserve_host_header.enabled': 'true',
      'routing.http.xff_header_processing.mode': 'append',
      'routing.http.drop_invalid_header_fields.enabled': 'true',
    });
    expect(attributes(internalTemplate)['idle_timeout.timeout_seconds']).toBe('1800');
    bothTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
    });
    internalTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445'],
    });
  });

  it('takes HTTPS from anyone when internet-facing, from the allowed CIDRs when set, and sends only to the tasks', () => {
    const ingressOf = (template: Template) =>
      Object.values(template.findResources('AWS::EC2::SecurityGroup'))
        .flatMap((group) => (group.Properties.SecurityGroupIngress ?? []) as Record<string, unknown>[])
        .filter((rule) => rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined);
    expect(ingressOf(bothTemplate)).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]);
    expect(ingressOf(internalTemplate)).toEqual([
      expect.objectContaining({ CidrIp: '10.20.0.0/16', FromPort: 443, ToPort: 443 }),
    ]);
    // The tasks take traffic on the container port from the load balancer's group only.
    const taskIngress = Object.values(bothTemplate.findResources('AWS::EC2::SecurityGroupIngress'));
    expect(taskIngress).toHaveLength(1);
    expect(taskIngress[0]?.Properties).toMatchObject({
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [
          logicalIdOf(both, both.containerGateway?.node.findChild('LoadBalancerSecurityGroup')),
          'GroupId',
        ],
      },
    });
  });

  it('checks target health on /healthz and keeps a leaving task serving for the deregistration delay', () => {
    bothTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: '/healthz',
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '300' }]),
    });
  });

  it('associates the WAF web ACL when one is configured, and none otherwise', () => {
    bothTemplate.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: WEB_ACL_ARN,
      ResourceArn: { Ref: Match.stringLikeRegexp('LoadBalancer') },
    });
    internalTemplate.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });
});

describe('the fargate gateway: service and task', () => {
  it('runs the repository Dockerfile as an image asset, read-only, with tini, draining within the stop timeout', () => {
    const container = containerOf(bothTemplate);
    expect(onlyResource(bothTemplate, 'AWS::ECS::TaskDefinition')).toMatchObject({
      Cpu: '2048',
      Memory: '4096',
      RequiresCompatibilities: ['FARGATE'],
    });
    expect(container).toMatchObject({
      ReadonlyRootFilesystem: true,
      LinuxParameters: { InitProcessEnabled: true },
      StopTimeout: 35,
      PortMappings: [expect.objectContaining({ ContainerPort: 8080 })],
      MountPoints: [{ ContainerPath: '/var/lib/maskpoint', SourceVolume: 'maskpoint-home', ReadOnly: false }],
      HealthCheck: expect.objectContaining({
        Command: expect.arrayContaining([expect.stringContaining('/healthz')]),
      }),
      LogConfiguration: expect.objectContaining({ LogDriver: 'awslogs' }),
    });
    expect(JSON.stringify(container.Image)).toContain('cdk-hnb659fds-container-assets');
    const environment = environmentOf(bothTemplate);
    expect(environment).toMatchObject({
      MASKPOINT_S3_BUCKETS: 'acme-exports',
      MASKPOINT_REGION: 'eu-west-1',
      MASKPOINT_WORKERS: '2',
      MASKPOINT_DRAIN_SECONDS: '25',
      MASKPOINT_KEEP_ALIVE_TIMEOUT: '3605',
      MASKPOINT_TRUSTED_PROXY: 'alb',
      MASKPOINT_RATE_LIMIT_STORE: {
        'Fn::Join': ['', ['dynamodb:', { Ref: logicalIdOf(both, both.rateLimitTable?.table) }]],
      },
      MASKPOINT_GATEWAY_KEYS_SECRET_ARN: { Ref: logicalIdOf(both, both.gatewayKeys) },
      MASKPOINT_TOKEN_KEYS_SECRET_ARN: { Ref: logicalIdOf(both, both.tokenKeys.secret) },
    });
    expect(environmentOf(internalTemplate).MASKPOINT_RATE_LIMIT_STORE).toBe('memory');
  });

  it('logs to its own log group with the configured retention', () => {
    const options = (
      containerOf(bothTemplate).LogConfiguration as { Options: Record<string, { Ref: string }> }
    ).Options;
    const logGroupId = options['awslogs-group']?.Ref as string;
    expect(bothTemplate.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties.RetentionInDays).toBe(
      90,
    );
  });

  it('runs in private subnets without public IPs, with a circuit breaker, and scales on CPU and requests per target', () => {
    bothTemplate.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
    });
    bothTemplate.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 6,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    const policies = Object.values(
      bothTemplate.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'),
    ).map((policy) => policy.Properties.TargetTrackingScalingPolicyConfiguration);
    expect(policies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          TargetValue: 60,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        }),
        expect.objectContaining({
          TargetValue: 600,
          PredefinedMetricSpecification: expect.objectContaining({
            PredefinedMetricType: 'ALBRequestCountPerTarget',
          }),
        }),
      ]),
    );
    expect(policies).toHaveLength(2);
  });

  it('gives the task role exactly the function URL gateway role’s statements, one by one', () => {
    const door = both.containerGateway;
    const task = statementsOf(both, bothTemplate, door?.taskDefinition.taskRole);
    expect(task.map((statement) => statement.Sid ?? actionsOf(statement).join(','))).toEqual([
      'ReadProtectedObjects',
      'ListProtectedPrefixes',
      'ReadKeyRegistries',
      'DecryptThroughS3',
      'dynamodb:GetItem,dynamodb:UpdateItem',
    ]);
    const [read, list, secrets, decrypt, counters] = task as [
      TemplateStatement,
      TemplateStatement,
      TemplateStatement,
      TemplateStatement,
      TemplateStatement,
    ];
    expect(actionsOf(read)).toEqual(['s3:GetObject']);
    expect(JSON.stringify(read.Resource)).toContain('acme-exports/exports/*');
    expect(JSON.stringify(read.Resource)).toContain('acme-exports/shared/*');
    expect(actionsOf(list)).toEqual(['s3:ListBucket']);
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['exports/*', 'shared/*'] } });
    expect(actionsOf(secrets)).toEqual(['secretsmanager:GetSecretValue']);
    expect(secrets.Resource).toEqual([
      { Ref: logicalIdOf(both, both.tokenKeys.secret) },
      { Ref: logicalIdOf(both, both.gatewayKeys) },
    ]);
    expect(decrypt).toMatchObject({
      Action: 'kms:Decrypt',
      Resource: KMS_KEY_ARN,
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
    expect(actionsOf(counters)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);

    const functionRole = statementsOf(both, bothTemplate, both.gateway?.handler.role).filter(
      (statement) => !actionsOf(statement).some((action) => action.startsWith('logs:')),
    );
    expect(task.map(shape)).toEqual(functionRole.map(shape));
    expect(task.map((statement) => statement.Resource)).toEqual(
      functionRole.map((statement) => statement.Resource),
    );
  });

  it('lets the execution role pull the image and write its logs, nothing else', () => {
    const execution = statementsOf(
      both,
      bothTemplate,
      both.containerGateway?.taskDefinition.obtainExecutionRole(),
    );
    const actions = [...new Set(execution.flatMap(actionsOf))].sort();
    expect(actions).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:GetAuthorizationToken',
      'ecr:GetDownloadUrlForLayer',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });
});

describe('the fargate gateway: network', () => {
  it('creates a VPC whose S3 and DynamoDB traffic takes gateway endpoints, with flow logs', () => {
    const endpoints = Object.values(bothTemplate.findResources('AWS::EC2::VPCEndpoint')).map((endpoint) =>
      JSON.stringify(endpoint.Properties.ServiceName),
    );
    expect(endpoints).toHaveLength(2);
    expect(endpoints.some((name) => name.includes('.s3'))).toBe(true);
    expect(endpoints.some((name) => name.includes('.dynamodb'))).toBe(true);
    bothTemplate.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    bothTemplate.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', ResourceType: 'VPC' });
    bothTemplate.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('uses an existing VPC by its attributes, creating none', () => {
    internalTemplate.resourceCountIs('AWS::EC2::VPC', 0);
    internalTemplate.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          Subnets: ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445'],
        }),
      },
    });
  });
});

describe('the fargate gateway: outputs and presigner', () => {
  it('outputs the container endpoint on the configured domain and the load balancer to point it at', () => {
    bothTemplate.hasOutput('ContainerGatewayEndpoint', { Value: 'https://s3-gateway.example.com' });
    bothTemplate.hasOutput('ContainerGatewayLoadBalancerDnsName', {
      Value: { 'Fn::GetAtt': [Match.anyValue(), 'DNSName'] },
    });
    bothTemplate.hasOutput('GatewayEndpoint', Match.anyValue());
    internalTemplate.hasOutput('ContainerGatewayEndpoint', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DNSName'] }]] },
    });
    expect(Object.keys(internalTemplate.findOutputs('GatewayEndpoint'))).toEqual([]);
    internalTemplate.hasOutput('GatewayKeysSecretArn', Match.anyValue());
  });

  it('signs links for the function URL when both gateways exist', () => {
    const presigner =
      bothTemplate.findResources('AWS::Lambda::Function')[
        logicalIdOf(both, both.presigner?.handler.function)
      ];
    expect(JSON.stringify(presigner?.Properties.Environment.Variables.MASKPOINT_GATEWAY_ENDPOINT)).toContain(
      'FunctionUrl',
    );
  });
});

describe('cdk-nag AwsSolutions on the fargate stacks', () => {
  it('reports no unacknowledged finding', () => {
    for (const stack of [both, internal]) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(
        report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
        stack.stackName,
      ).toEqual([]);
    }
  });
});

describe('fargate gateway configs', () => {
  const fargate = (extra: Record<string, unknown>) => ({
    ...bothInput,
    presigner: undefined,
    frontDoors: { gateway: { kind: 'fargate', certificateArn: CERTIFICATE_ARN, ...extra } },
  });

  it('reads a gateway without kind as the function URL, as configs written before the container did', () => {
    const config = defineProtectedBucket({ ...bothInput, presigner: undefined, frontDoors: { gateway: {} } });
    expect(config.frontDoors.gateway).toEqual({ functionUrl: { kind: 'function-url' }, fargate: undefined });
    const parsedBoth = defineProtectedBucket(bothInput);
    expect(defineProtectedBucket(parsedBoth)).toEqual(parsedBoth);
  });

  it('rejects each invalid container setting, naming the field', () => {
    const cases: [ProtectedBucketInput, string][] = [
      [
        fargate({ certificateArn: 'arn:aws:iam::111122223333:server-certificate/x' }),
        'frontDoors.gateway.certificateArn: an ACM certificate ARN',
      ],
      [fargate({ cpu: 1000 }), 'a Fargate CPU size'],
      [fargate({ cpu: 1024, memoryMiB: 1024 }), 'memoryMiB: with cpu 1024, Fargate takes 2048–8192 MiB'],
      [fargate({ idleTimeoutSeconds: 5000 }), 'idleTimeoutSeconds'],
      [fargate({ drainSeconds: 115 }), 'drainSeconds'],
      [fargate({ minTasks: 5, maxTasks: 2 }), 'minTasks: must not exceed maxTasks'],
      [
        fargate({
          webAclArn:
            'arn:aws:wafv2:us-east-1:111122223333:global/webacl/x/0f4c1e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6',
        }),
        'a regional WAFv2 web ACL ARN',
      ],
      [
        fargate({
          vpc: {
            source: 'existing',
            vpcId: 'vpc-01234567',
            vpcCidrBlock: '10.0.0.0/16',
            availabilityZones: ['a', 'b'],
            privateSubnetIds: ['subnet-01234567', 'subnet-89abcdef'],
          },
        }),
        'an internet-facing load balancer needs at least two public subnets',
      ],
      [
        { ...bothInput, presigner: undefined, frontDoors: { gateway: [{ kind: 'function-url' }, {}] } },
        'at most one gateway of each kind',
      ],
      [
        {
          ...fargate({}),
          geo: { database: { source: 's3', bucketName: 'geo-data', zipKey: 'geo.zip', fileName: 'c.mmdb' } },
        },
        'geo.database: the fargate gateway reads the country database in its image',
      ],
    ];
    for (const [input, message] of cases) {
      expect(() => defineProtectedBucket(input), message).toThrow(message);
    }
  });

  it('refuses to bake rules from outside redaction-rules/ into the image', async () => {
    const config = defineProtectedBucket({ ...fargate({}), rulesDir: 'examples/rules' });
    await expect(
      createMaskpointApp([{ ...config, rulesDir: join(ROOT, 'redaction-rules') }], {
        context: { 'aws:cdk:bundling-stacks': [] },
      }),
    ).resolves.toBeDefined();
    const outside = mkdtempSync(join(tmpdir(), 'maskpoint-rules-'));
    try {
      const { cpSync } = await import('node:fs');
      cpSync(join(ROOT, 'redaction-rules'), outside, { recursive: true });
      await expect(
        createMaskpointApp([{ ...config, rulesDir: outside }], {
          context: { 'aws:cdk:bundling-stacks': [] },
        }),
      ).rejects.toThrow('the fargate gateway bakes its rules into the image from redaction-rules/');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('cdk synth of a fargate gateway', () => {
  let outdir: string;
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('needs neither docker nor AWS credentials: the image is an asset built at deploy', async () => {
    outdir = mkdtempSync(join(tmpdir(), 'maskpoint-fargate-synth-'));
    const script = `
      const { createMaskpointApp } = await import('./infra/lib/maskpoint-app.ts');
      const { defineProtectedBucket } = await import('./infra/lib/protected-bucket-config.ts');
      const input = ${JSON.stringify(internalInput)};
      const { app } = await createMaskpointApp([defineProtectedBucket(input)], { outdir: ${JSON.stringify(outdir)}, context: { 'aws:cdk:bundling-stacks': [] } });
      app.synth();`;
    // A PATH with node alone: no docker client, and no AWS variables.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    await run(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...env, PATH: join(process.execPath, '..') },
    });
    const assets = JSON.parse(readFileSync(join(outdir, 'Maskpoint-internal.assets.json'), 'utf8'));
    const images = Object.values(assets.dockerImages) as { source: Record<string, unknown> }[];
    expect(images).toHaveLength(1);
    expect(images[0]?.source).toMatchObject({
      dockerFile: 'Dockerfile',
      dockerBuildArgs: { RULES_DIR: 'redaction-rules' },
      platform: 'linux/amd64',
    });
    const staged = join(outdir, images[0]?.source.directory as string);
    expect(readFileSync(join(staged, 'Dockerfile'), 'utf8')).toContain('maskpoint.mjs');
  }, 120_000);
});
