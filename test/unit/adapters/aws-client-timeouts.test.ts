import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, WriteGetObjectResponseCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AWS_CONNECT_TIMEOUT_MS,
  AWS_IDLE_TIMEOUT_MS,
  AWS_MAX_ATTEMPTS,
  AWS_RESPONSE_TIMEOUT_MS,
} from '../../../functions/adapters/aws-client-timeouts.ts';
import { createRateLimitDynamoClient } from '../../../functions/adapters/dynamo-rate-limiter.ts';
import { tokenKeyringFromEnv } from '../../../functions/adapters/keys-from-env.ts';
import { createS3Client } from '../../../functions/adapters/s3-object-source.ts';
import { createSecretsManagerClient } from '../../../functions/adapters/secrets-manager-json.ts';
import { createWriteGetObjectResponseClient } from '../../../functions/adapters/write-get-object-response-sink.ts';
import { KeyringError } from '../../../functions/core/errors.ts';

/** What the SDK's Node HTTP handler was configured with; it is filled in by the first call. */
interface HandlerConfigs {
  readonly connectionTimeout?: number;
  readonly requestTimeout?: number;
  readonly throwOnRequestTimeout?: boolean;
  readonly socketTimeout?: number;
}

interface BuiltClient {
  readonly config: {
    readonly requestHandler: unknown;
    maxAttempts(): Promise<number>;
  };
  destroy(): void;
}

function handlerConfigs(client: BuiltClient): HandlerConfigs {
  return (client.config.requestHandler as { httpHandlerConfigs(): HandlerConfigs }).httpHandlerConfigs();
}

const BOUNDED = {
  connectionTimeout: AWS_CONNECT_TIMEOUT_MS,
  requestTimeout: AWS_RESPONSE_TIMEOUT_MS,
  throwOnRequestTimeout: true,
  socketTimeout: AWS_IDLE_TIMEOUT_MS,
};

describe('AWS clients built by the adapters', () => {
  const savedEnv = { ...process.env };
  let server: Server;
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    // Every call fails with a retryable 500, so each client's attempts can be counted.
    server = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"__type":"InternalServerError","message":"try again"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    });
  });

  beforeEach(() => {
    requests = 0;
  });

  afterAll(async () => {
    process.env = savedEnv;
    await new Promise((resolve) => server.close(resolve));
  });

  async function callOnce(client: BuiltClient, call: () => Promise<unknown>): Promise<HandlerConfigs> {
    await call().catch(() => undefined);
    const configs = handlerConfigs(client);
    client.destroy();
    return configs;
  }

  it('bounds the S3 source client: connect, response and idle timeouts, and its attempts', async () => {
    const client = createS3Client({ AWS_ENDPOINT_URL_S3: url });

    const configs = await callOnce(client, () =>
      client.send(new HeadObjectCommand({ Bucket: 'protected', Key: 'a.csv' })),
    );

    expect(configs).toMatchObject(BOUNDED);
    expect(requests).toBe(AWS_MAX_ATTEMPTS);
  });

  it('bounds the rate-limit DynamoDB client', async () => {
    const client = createRateLimitDynamoClient({ endpoint: url });

    const configs = await callOnce(client, () =>
      client.send(new GetItemCommand({ TableName: 'limits', Key: { key: { S: 'k' } } })),
    );

    expect(configs).toMatchObject(BOUNDED);
    expect(requests).toBe(AWS_MAX_ATTEMPTS);
  });

  it('bounds the Secrets Manager client', async () => {
    const client = createSecretsManagerClient({ endpoint: url });

    const configs = await callOnce(client, () =>
      client.send(new GetSecretValueCommand({ SecretId: 'keys' })),
    );

    expect(configs).toMatchObject(BOUNDED);
    expect(requests).toBe(AWS_MAX_ATTEMPTS);
  });

  it('reads the deployed token keys through the bounded Secrets Manager client', async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = url;
    try {
      const keyring = await tokenKeyringFromEnv({ MASKPOINT_TOKEN_KEYS_SECRET_ARN: 'maskpoint/token-keys' });

      await expect(keyring.load()).rejects.toBeInstanceOf(KeyringError);
      expect(requests).toBe(AWS_MAX_ATTEMPTS);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    }
  });

  it('bounds connecting and silence on the WriteGetObjectResponse client, which streams for as long as the body takes', async () => {
    const client = createWriteGetObjectResponseClient({ AWS_ENDPOINT_URL_S3: url });

    const configs = await callOnce(client, () =>
      client.send(
        new WriteGetObjectResponseCommand({ RequestRoute: 'route', RequestToken: 'token', Body: 'x' }),
      ),
    );

    expect(configs).toMatchObject({
      connectionTimeout: AWS_CONNECT_TIMEOUT_MS,
      socketTimeout: AWS_IDLE_TIMEOUT_MS,
    });
    expect(requests).toBe(1);
  });
});
