import { CustomResource, Duration, SecretValue } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FUNCTION_RUNTIME } from './defaults.ts';

/**
 * Writes the first token key on stack creation, unless the secret already holds keys. CloudFormation
 * can generate passwords but not base64 key material, hence this one-shot function. CommonJS,
 * because inline code is deployed as `index.js`; the runtime's SDK is enough for two calls.
 */
const INITIALIZER_CODE = `
const { randomBytes } = require('node:crypto');
const { SecretsManagerClient, GetSecretValueCommand, PutSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const client = new SecretsManagerClient({});
async function initialize(secretId) {
  const current = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (JSON.parse(current.SecretString || '{}').keys) return;
  const keys = { currentKeyId: 'k1', keys: { k1: randomBytes(32).toString('base64') } };
  await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(keys) }));
}
exports.handler = async (event) => {
  const secretId = event.ResourceProperties.SecretArn;
  let status = 'SUCCESS';
  let reason = 'ok';
  try {
    if (event.RequestType === 'Create') await initialize(secretId);
  } catch (error) {
    status = 'FAILED';
    reason = error.name;
  }
  const body = JSON.stringify({
    Status: status, Reason: reason, PhysicalResourceId: event.PhysicalResourceId || secretId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
  });
  await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
};
`;

/** Props of {@link TokenKeysSecret}. */
export interface TokenKeysSecretProps {
  readonly logRetention: RetentionDays;
}

/**
 * The token keys of the hash and tokenize actions in Secrets Manager, in the local key file's
 * shape (`{ "currentKeyId": "k1", "keys": { "k1": "<base64 of 32 bytes>" } }`), with a first
 * random key written at stack creation. The stack never changes it again: rotation (a new key
 * id made current, old keys kept) is an operator's task.
 */
export class TokenKeysSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: TokenKeysSecretProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'maskpoint token keys (hash and tokenize actions)',
      // An empty document, not key material: the initializer below writes the first key.
      secretStringValue: SecretValue.unsafePlainText('{}'),
    });
    const role = new Role(this, 'InitializerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'maskpoint: writes the first token key',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [this.secret.secretArn],
      }),
    );
    const logGroup = new LogGroup(this, 'InitializerLogs', { retention: props.logRetention });
    logGroup.grantWrite(role);
    const initializer = new LambdaFunction(this, 'Initializer', {
      runtime: FUNCTION_RUNTIME,
      handler: 'index.handler',
      code: Code.fromInline(INITIALIZER_CODE),
      timeout: Duration.seconds(30),
      role,
      logGroup,
      description: 'maskpoint: writes the first token key',
    });
    new CustomResource(this, 'FirstKey', {
      serviceToken: initializer.functionArn,
      properties: { SecretArn: this.secret.secretArn },
    });
  }
}
