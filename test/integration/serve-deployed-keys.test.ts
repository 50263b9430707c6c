import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEYS_FILE } from '../../functions/adapters/local-credential-store.ts';
import { startServe } from '../../functions/cli/serve-command.ts';
import { gatewayClient } from './gateway-client.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const GATEWAY_KEYS_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:maskpoint-gateway-keys-AbCdEf';
const TOKEN_KEYS_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:maskpoint-token-keys-AbCdEf';
const KEY = {
  name: 'partner',
  accessKeyId: 'MPKAAAAAAAAAAAAAAAAA',
  secretAccessKey: randomBytes(30).toString('base64'),
  buckets: ['example'],
  createdAt: '2026-01-01T00:00:00.000Z',
};
const TOKEN_MASTER_KEY = randomBytes(32).toString('base64');

describe('maskpoint serve with keys in Secrets Manager (MASKPOINT_GATEWAY_KEYS_SECRET_ARN, MASKPOINT_TOKEN_KEYS_SECRET_ARN)', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  const saved: Record<string, string | undefined> = {};
  let home: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'maskpoint-deployed-keys-'));
    const env = {
      MASKPOINT_HOME: home,
      MASKPOINT_GATEWAY_KEYS_SECRET_ARN: GATEWAY_KEYS_ARN,
      MASKPOINT_TOKEN_KEYS_SECRET_ARN: TOKEN_KEYS_ARN,
      AWS_REGION: 'eu-west-1',
    };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    secretsManager
      .on(GetSecretValueCommand, { SecretId: GATEWAY_KEYS_ARN })
      .resolves({ SecretString: JSON.stringify({ keys: [KEY] }) })
      .on(GetSecretValueCommand, { SecretId: TOKEN_KEYS_ARN })
      .resolves({ SecretString: JSON.stringify({ currentKeyId: 'k1', keys: { k1: TOKEN_MASTER_KEY } }) });
  });

  afterAll(() => {
    secretsManager.restore();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('serves with the deployed keys, creates no demo key and prints no key material', async () => {
    let output = '';
    const server = await startServe(['--port', '0', '--bucket', `example=${ROOT}examples/bucket`], (text) => {
      output += text;
    });
    try {
      expect(output).not.toContain('First start');
      expect(output).not.toContain(KEY.secretAccessKey);
      expect(output).not.toContain(TOKEN_MASTER_KEY);
      expect(output).toContain(`Gateway keys: the registry in ${GATEWAY_KEYS_ARN}`);
      expect(output).toContain(`gateway keys ${GATEWAY_KEYS_ARN} · token keys ${TOKEN_KEYS_ARN}`);
      expect(existsSync(join(home, GATEWAY_KEYS_FILE))).toBe(false);

      const client = gatewayClient(server.url, KEY, { maxAttempts: 1 });
      const object = await client.send(new GetObjectCommand({ Bucket: 'example', Key: 'customers.csv' }));
      const text = (await object.Body?.transformToString()) ?? '';
      client.destroy();
      expect(text).toContain('[EMAIL]');
    } finally {
      await server.close();
    }
  });
});
