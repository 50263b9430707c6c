import { z } from 'zod';

const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const WAF_WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]+\/[0-9a-f-]{36}$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;
const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Fargate's vCPU units and the memory each allows (MiB), from the task size table. */
const FARGATE_SIZES: Readonly<Record<number, { min: number; max: number }>> = {
  256: { min: 512, max: 2048 },
  512: { min: 1024, max: 4096 },
  1024: { min: 2048, max: 8192 },
  2048: { min: 4096, max: 16_384 },
  4096: { min: 8192, max: 30_720 },
  8192: { min: 16_384, max: 61_440 },
  16384: { min: 32_768, max: 122_880 },
};

const vpcSchema = z.discriminatedUnion('source', [
  z
    .object({
      source: z.literal('new'),
      maxAzs: z.number().int().min(2).max(3).default(2),
      natGateways: z
        .number()
        .int()
        .min(1)
        .max(3)
        .default(1)
        .describe(
          'Egress for Secrets Manager, ECR and CloudWatch Logs; S3 and DynamoDB go through gateway endpoints',
        ),
    })
    .strict(),
  z
    .object({
      source: z.literal('existing'),
      vpcId: z.string().regex(/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/, 'a VPC id (vpc- and 8 or 17 hex digits)'),
      vpcCidrBlock: z.string().regex(CIDR, 'the VPC CIDR block, such as "10.0.0.0/16"'),
      availabilityZones: z.array(z.string().min(1)).min(2),
      privateSubnetIds: z
        .array(z.string().regex(SUBNET_ID, 'a subnet id (subnet- and 8 or 17 hex digits)'))
        .min(2)
        .describe('Subnets with egress (NAT) for the tasks, and for an internal load balancer'),
      publicSubnetIds: z
        .array(z.string().regex(SUBNET_ID, 'a subnet id (subnet- and 8 or 17 hex digits)'))
        .default([])
        .describe('Subnets of an internet-facing load balancer'),
    })
    .strict()
    .describe(
      'An existing VPC, named by attributes (synth needs no lookup); it should have S3 and DynamoDB gateway endpoints',
    ),
]);

/**
 * The container front door: `maskpoint serve` on ECS Fargate behind an Application Load
 * Balancer, for objects of any size (a function URL streams at most 200 MB).
 */
export const fargateGatewaySchema = z
  .object({
    kind: z.literal('fargate'),
    certificateArn: z
      .string()
      .regex(
        ACM_CERTIFICATE_ARN,
        'an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)',
      )
      .describe('The certificate of the HTTPS listener (443), in the stack region'),
    domainName: z
      .string()
      .regex(DOMAIN_NAME, 'a DNS name such as "s3-gateway.example.com"')
      .optional()
      .describe('The name the certificate covers and clients use (point it at the load balancer)'),
    isInternal: z
      .boolean()
      .default(false)
      .describe('An internal load balancer, reachable from the VPC (and networks joined to it) only'),
    vpc: vpcSchema.default({ source: 'new', maxAzs: 2, natGateways: 1 }),
    allowedCidrs: z
      .array(z.string().regex(CIDR, 'a CIDR block such as "203.0.113.0/24"'))
      .default([])
      .describe('Who may reach port 443; none means anyone (internet-facing) or the VPC CIDR (internal)'),
    idleTimeoutSeconds: z
      .number()
      .int()
      .min(60)
      .max(4000)
      .default(3600)
      .describe(
        'Load balancer idle timeout: how long a request may go without a byte (a HEAD of a large object redacts it all before answering)',
      ),
    deregistrationDelaySeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .describe('How long a task leaving the load balancer keeps serving its open downloads before SIGTERM'),
    drainSeconds: z
      .number()
      .int()
      .min(0)
      .max(110)
      .default(25)
      .describe(
        'After SIGTERM, how long until the process is gone, responses in flight finishing first (Fargate allows 120 s before SIGKILL)',
      ),
    cpu: z
      .number()
      .int()
      .refine((cpu) => cpu in FARGATE_SIZES, 'a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384')
      .default(1024),
    memoryMiB: z.number().int().min(512).default(2048),
    cpuArchitecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
    minTasks: z.number().int().min(1).default(1),
    maxTasks: z.number().int().min(1).default(4),
    targetCpuPercent: z.number().int().min(10).max(90).default(60),
    requestsPerTargetPerMinute: z.number().int().min(1).default(600),
    webAclArn: z
      .string()
      .regex(
        WAF_WEB_ACL_ARN,
        'a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/…)',
      )
      .optional()
      .describe('A WAF web ACL associated with the load balancer'),
  })
  .strict()
  .superRefine((door, context) => {
    const size = FARGATE_SIZES[door.cpu];
    if (size !== undefined && (door.memoryMiB < size.min || door.memoryMiB > size.max)) {
      context.addIssue({
        code: 'custom',
        path: ['memoryMiB'],
        message: `with cpu ${door.cpu}, Fargate takes ${size.min}–${size.max} MiB`,
      });
    }
    if (door.minTasks > door.maxTasks) {
      context.addIssue({ code: 'custom', path: ['minTasks'], message: 'must not exceed maxTasks' });
    }
    if (door.vpc.source === 'existing' && !door.isInternal && door.vpc.publicSubnetIds.length < 2) {
      context.addIssue({
        code: 'custom',
        path: ['vpc', 'publicSubnetIds'],
        message: 'an internet-facing load balancer needs at least two public subnets',
      });
    }
  })
  .describe('An ECS Fargate service behind an Application Load Balancer: objects of any size');

/** A validated Fargate gateway, defaults applied. */
export type FargateGatewayConfig = z.output<typeof fargateGatewaySchema>;
