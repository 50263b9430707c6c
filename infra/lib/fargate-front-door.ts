import { Duration, Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  FlowLogDestination,
  GatewayVpcEndpointAwsService,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  LinuxParameters,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  type ApplicationTargetGroup,
  ListenerCertificate,
  SslPolicy,
  XffHeaderProcessingMode,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { HEALTH_CHECK_PATH } from '../../functions/gateway/health-check.ts';
import { REPOSITORY_ROOT } from './defaults.ts';
import type { FargateGatewayConfig } from './fargate-gateway-config.ts';
import { type GatewayReads, grantGatewayReads, readableObjects } from './gateway-read-grants.ts';

/** The port `maskpoint serve` listens on inside the container (the image's MASKPOINT_PORT). */
export const CONTAINER_PORT = 8080;

/** Where the image keeps the rules it bakes in; the container reads them from /app/redaction-rules. */
const IMAGE_RULES_DIR = 'redaction-rules';

/** Seconds Fargate allows between SIGTERM and SIGKILL at most. */
const MAX_STOP_TIMEOUT_SECONDS = 120;

/** Props of {@link FargateFrontDoor}. */
export interface FargateFrontDoorProps extends GatewayReads {
  readonly config: FargateGatewayConfig;
  /** The rule directory baked into the image, relative to the repository root, inside `redaction-rules/`. */
  readonly rulesDir: string;
  readonly logRetention: RetentionDays;
}

/**
 * The container front door: `maskpoint serve` (one worker per vCPU) on ECS Fargate behind an
 * Application Load Balancer with an HTTPS listener on 443, for objects of any size.
 *
 * - Network: a new VPC (public and private subnets, NAT for Secrets Manager, ECR and logs, S3 and
 *   DynamoDB gateway endpoints so object bytes and counters stay off the NAT, flow logs) or an
 *   existing one; tasks in private subnets take traffic from the load balancer only.
 * - Load balancer: internet-facing or internal, an idle timeout long enough for a HEAD of a large
 *   object (redacted whole before it answers), the Host header preserved (clients sign it), the client IP appended to
 *   X-Forwarded-For (the gateway trusts the last entry, `--trusted-proxy alb`), invalid headers
 *   dropped, optional WAF web ACL.
 * - Service: health checked on /healthz; a task leaving keeps its downloads for the deregistration
 *   delay, then gets SIGTERM and `drainSeconds`; scales on CPU and on requests per target.
 * - Permissions: the task role is the function URL's (see `grantGatewayReads`); the image comes
 *   from this repository's Dockerfile (built by `cdk deploy`, not by synth).
 */
export class FargateFrontDoor extends Construct {
  readonly vpc: IVpc;
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly service: FargateService;
  readonly taskDefinition: FargateTaskDefinition;
  readonly targetGroup: ApplicationTargetGroup;
  /** `https://` and the configured domain name, else the load balancer's DNS name. */
  readonly endpoint: string;
  /** The object ARN patterns (one per read prefix) the task role may read. */
  readonly readableObjects: readonly string[];
  /** Whether any IPv4 address may reach the listener (internet-facing, no allowedCidrs). */
  readonly isOpenToAnyone: boolean;

  constructor(scope: Construct, id: string, props: FargateFrontDoorProps) {
    super(scope, id);
    const { config } = props;
    if (props.rulesDir !== IMAGE_RULES_DIR && !props.rulesDir.startsWith(`${IMAGE_RULES_DIR}/`)) {
      throw new Error(
        `the fargate gateway bakes its rules into the image from ${IMAGE_RULES_DIR}/ (or a folder inside it); rulesDir "${props.rulesDir}" is elsewhere`,
      );
    }
    this.readableObjects = readableObjects(props);
    this.vpc = this.network(config, props.logRetention);
    const isInternal = config.isInternal;
    this.isOpenToAnyone = !isInternal && config.allowedCidrs.length === 0;
    const allowed =
      config.allowedCidrs.length > 0
        ? config.allowedCidrs.map((cidr) => (cidr.includes(':') ? Peer.ipv6(cidr) : Peer.ipv4(cidr)))
        : [isInternal ? Peer.ipv4(this.vpc.vpcCidrBlock) : Peer.anyIpv4()];

    const loadBalancerGroup = new SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: this.vpc,
      description: 'maskpoint gateway load balancer: HTTPS from the allowed clients',
      allowAllOutbound: false,
    });
    for (const peer of allowed) loadBalancerGroup.addIngressRule(peer, Port.tcp(443), 'HTTPS from clients');
    const taskGroup = new SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'maskpoint gateway tasks: the load balancer only; out to AWS APIs',
      allowAllOutbound: true,
    });
    taskGroup.addIngressRule(loadBalancerGroup, Port.tcp(CONTAINER_PORT), 'From the load balancer');
    loadBalancerGroup.addEgressRule(taskGroup, Port.tcp(CONTAINER_PORT), 'To the gateway tasks');

    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: !isInternal,
      vpcSubnets: { subnetType: isInternal ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PUBLIC },
      securityGroup: loadBalancerGroup,
      idleTimeout: Duration.seconds(config.idleTimeoutSeconds),
      dropInvalidHeaderFields: true,
      // SigV4 signs the Host header: it must reach the gateway as the client sent it.
      preserveHostHeader: true,
      xffHeaderProcessingMode: XffHeaderProcessingMode.APPEND,
    });

    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.taskDefinition = new FargateTaskDefinition(this, 'Task', {
      cpu: config.cpu,
      memoryLimitMiB: config.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: config.cpuArchitecture === 'arm64' ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
      volumes: [{ name: 'maskpoint-home' }],
    });
    const stopTimeoutSeconds = Math.min(MAX_STOP_TIMEOUT_SECONDS, config.drainSeconds + 10);
    const container = this.taskDefinition.addContainer('Gateway', {
      image: ContainerImage.fromAsset(REPOSITORY_ROOT, {
        file: 'Dockerfile',
        platform: config.cpuArchitecture === 'arm64' ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
        buildArgs: { RULES_DIR: props.rulesDir },
      }),
      readonlyRootFilesystem: true,
      logging: LogDrivers.awsLogs({ streamPrefix: 'gateway', logGroup }),
      // Tini as PID 1 passes SIGTERM to `maskpoint serve`, which drains its workers.
      linuxParameters: new LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      stopTimeout: Duration.seconds(stopTimeoutSeconds),
      portMappings: [{ containerPort: CONTAINER_PORT }],
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${CONTAINER_PORT}${HEALTH_CHECK_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        startPeriod: Duration.seconds(20),
        retries: 3,
      },
      environment: {
        MASKPOINT_S3_BUCKETS: props.bucket.bucketName,
        MASKPOINT_REGION: Stack.of(this).region,
        MASKPOINT_PORT: String(CONTAINER_PORT),
        MASKPOINT_WORKERS: String(Math.max(1, Math.floor(config.cpu / 1024))),
        MASKPOINT_DRAIN_SECONDS: String(config.drainSeconds),
        // Longer than the load balancer's idle timeout, so the load balancer, not the task, closes
        // idle connections: a task closing one first can race a request and cause a 502
        // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html).
        MASKPOINT_KEEP_ALIVE_TIMEOUT: String(config.idleTimeoutSeconds + 5),
        MASKPOINT_TRUSTED_PROXY: 'alb',
        MASKPOINT_GATEWAY_KEYS_SECRET_ARN: props.gatewayKeys.secretArn,
        MASKPOINT_TOKEN_KEYS_SECRET_ARN: props.tokenKeys.secretArn,
        MASKPOINT_RATE_LIMIT_STORE: props.rateLimitTable
          ? `dynamodb:${props.rateLimitTable.table.tableName}`
          : 'memory',
        ...(props.viewStore ? { MASKPOINT_VIEWS_BUCKET: props.viewStore.bucket.bucketName } : {}),
      },
    });
    container.addMountPoints({
      sourceVolume: 'maskpoint-home',
      containerPath: '/var/lib/maskpoint',
      readOnly: false,
    });
    grantGatewayReads(this.taskDefinition.taskRole, props);

    const cluster = new Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    this.service = new FargateService(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: config.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [taskGroup],
      assignPublicIp: false,
      circuitBreaker: { rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
    });

    const listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: ApplicationProtocol.HTTPS,
      certificates: [
        ListenerCertificate.fromCertificateManager(
          Certificate.fromCertificateArn(this, 'Certificate', config.certificateArn),
        ),
      ],
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      open: false,
    });
    this.targetGroup = listener.addTargets('Gateway', {
      port: CONTAINER_PORT,
      protocol: ApplicationProtocol.HTTP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(config.deregistrationDelaySeconds),
      healthCheck: {
        path: HEALTH_CHECK_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: config.minTasks,
      maxCapacity: config.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: config.targetCpuPercent });
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: config.requestsPerTargetPerMinute,
      targetGroup: this.targetGroup,
    });

    if (config.webAclArn !== undefined) {
      new CfnWebACLAssociation(this, 'WebAcl', {
        resourceArn: this.loadBalancer.loadBalancerArn,
        webAclArn: config.webAclArn,
      });
    }
    this.endpoint = `https://${config.domainName ?? this.loadBalancer.loadBalancerDnsName}`;
  }

  /** A new VPC with gateway endpoints and flow logs, or the existing one the config names. */
  private network(config: FargateGatewayConfig, logRetention: RetentionDays): IVpc {
    if (config.vpc.source === 'existing') {
      return Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: config.vpc.vpcId,
        vpcCidrBlock: config.vpc.vpcCidrBlock,
        availabilityZones: config.vpc.availabilityZones,
        privateSubnetIds: config.vpc.privateSubnetIds,
        publicSubnetIds: config.vpc.publicSubnetIds.length > 0 ? config.vpc.publicSubnetIds : undefined,
      });
    }
    return new Vpc(this, 'Vpc', {
      maxAzs: config.vpc.maxAzs,
      natGateways: config.vpc.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // Object bytes and rate-limit counters reach S3 and DynamoDB without the NAT (no per-GB charge).
      gatewayEndpoints: {
        S3: { service: GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: GatewayVpcEndpointAwsService.DYNAMODB },
      },
      flowLogs: {
        All: {
          destination: FlowLogDestination.toCloudWatchLogs(
            new LogGroup(this, 'FlowLogs', { retention: logRetention }),
          ),
        },
      },
    });
  }
}
