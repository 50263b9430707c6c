/**
 * Account-wide listing actions: each enumerates every resource of its kind in the account (and so
 * tells an attacker where the data is). These actions support only `Resource: "*"` (Service
 * Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/),
 * so granting them on `*` is not itself a `wildcard-resource` finding.
 */
export const ACCOUNT_LISTING_ACTIONS: readonly string[] = [
  's3:ListAllMyBuckets',
  'iam:ListUsers',
  'iam:ListRoles',
  'iam:ListPolicies',
  'iam:ListGroups',
  'iam:GetAccountAuthorizationDetails',
  'ec2:DescribeInstances',
  'ec2:DescribeSnapshots',
  'ec2:DescribeVolumes',
  'rds:DescribeDBInstances',
  'rds:DescribeDBSnapshots',
  'lambda:ListFunctions',
  'dynamodb:ListTables',
  'secretsmanager:ListSecrets',
  'ssm:DescribeParameters',
  'kms:ListKeys',
  'sqs:ListQueues',
  'sns:ListTopics',
  'ecs:ListClusters',
  'eks:ListClusters',
  'cloudformation:ListStacks',
  'organizations:ListAccounts',
  'tag:GetResources',
];
