import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalCredentialStore } from '../../../functions/adapters/local-credential-store.ts';
import { keysCommand } from '../../../functions/cli/keys-command.ts';
import { UsageError } from '../../../functions/cli/usage-error.ts';

describe('keysCommand', () => {
  let root: string;
  let stdout: string;
  let stderr: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'maskpoint-keys-command-'));
    vi.stubEnv('MASKPOINT_HOME', root);
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    rmSync(root, { recursive: true, force: true });
  });

  it('creates a key and prints it as JSON with --json', async () => {
    const code = await keysCommand([
      'create',
      '--name',
      'reports-reader',
      '--bucket',
      'reports',
      '--bucket',
      'archive',
      '--json',
    ]);

    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(Object.keys(printed)).toEqual(['name', 'accessKeyId', 'secretAccessKey', 'buckets']);
    expect(printed).toMatchObject({ name: 'reports-reader', buckets: ['reports', 'archive'] });
    await expect(createLocalCredentialStore(root).find(printed.accessKeyId)).resolves.toMatchObject({
      secretAccessKey: printed.secretAccessKey,
    });
  });

  it('creates a key and shows the secret once, with a warning', async () => {
    await keysCommand(['create', '--name', 'reports-reader', '--bucket', 'reports']);

    const [listed] = await createLocalCredentialStore(root).list();
    expect(stdout).toContain(`access key id:     ${listed?.accessKeyId}`);
    expect(stdout).toMatch(/secret access key: [A-Za-z0-9+/]{40}\n/);
    expect(stderr).toContain('not shown again');
  });

  it('lists keys without secrets, revoked ones marked', async () => {
    await keysCommand(['create', '--name', 'a', '--bucket', 'reports', '--json']);
    const { secretAccessKey } = JSON.parse(stdout);
    await keysCommand(['create', '--name', 'b', '--bucket', 'archive']);
    await keysCommand(['revoke', 'b']);
    stdout = '';

    expect(await keysCommand(['list'])).toBe(0);

    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ACCESS KEY ID\s+BUCKETS\s+CREATED\s+STATUS$/);
    expect(lines[1]).toMatch(/^a\s+MPK[A-Z2-7]{17}\s+reports\s+\S+\s+active$/);
    expect(lines[2]).toMatch(/^b\s+MPK[A-Z2-7]{17}\s+archive\s+\S+\s+revoked \S+$/);
    expect(stdout).not.toContain(secretAccessKey);
  });

  it('lists keys as JSON with --json, never with secrets', async () => {
    await keysCommand(['create', '--name', 'a', '--bucket', 'reports']);
    stdout = '';

    await keysCommand(['list', '--json']);

    const [listed] = JSON.parse(stdout);
    expect(listed).toMatchObject({ name: 'a', buckets: ['reports'], isRevoked: false });
    expect(listed).not.toHaveProperty('secretAccessKey');
  });

  it('says how to create a key when there are none', async () => {
    await keysCommand(['list']);

    expect(stdout).toContain('maskpoint keys create --name NAME --bucket BUCKET');
  });

  it('revokes a key so the gateway no longer finds it', async () => {
    await keysCommand(['create', '--name', 'a', '--bucket', 'reports', '--json']);
    const { accessKeyId } = JSON.parse(stdout);

    expect(await keysCommand(['revoke', 'a'])).toBe(0);

    await expect(createLocalCredentialStore(root).find(accessKeyId)).resolves.toBeUndefined();
  });

  it('rejects bad usage with a UsageError', async () => {
    for (const args of [
      [],
      ['rotate'],
      ['create', '--name', 'a'],
      ['create', '--bucket', 'reports'],
      ['revoke'],
      ['revoke', 'a', 'b'],
    ]) {
      await expect(keysCommand(args)).rejects.toBeInstanceOf(UsageError);
    }
  });

  it('fails on unknown options', async () => {
    await expect(keysCommand(['list', '--secrets'])).rejects.toThrow(/Unknown option '--secrets'/);
  });
});

describe('keysCommand against a deployed secret', () => {
  const secretArn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:maskpoint-gateway-keys-AbCdEf';
  const secretsManager = mockClient(SecretsManagerClient);
  let root: string;
  let stdout: string;
  let stderr: string;
  let secret: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'maskpoint-keys-command-'));
    vi.stubEnv('MASKPOINT_HOME', root);
    vi.stubEnv('MASKPOINT_GATEWAY_KEYS_SECRET_ARN', secretArn);
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    secret = '{"keys":[]}';
    secretsManager.on(GetSecretValueCommand).callsFake(() => ({ SecretString: secret }));
    secretsManager.on(PutSecretValueCommand).callsFake((input: { SecretString: string }) => {
      secret = input.SecretString;
      return {};
    });
  });

  afterEach(() => {
    secretsManager.reset();
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the key in the secret named by MASKPOINT_GATEWAY_KEYS_SECRET_ARN, not in MASKPOINT_HOME', async () => {
    expect(await keysCommand(['create', '--name', 'app', '--bucket', 'reports', '--json'])).toBe(0);

    const printed = JSON.parse(stdout);
    expect(JSON.parse(secret).keys).toMatchObject([
      { name: 'app', accessKeyId: printed.accessKeyId, secretAccessKey: printed.secretAccessKey },
    ]);
    expect(secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretId).toBe(secretArn);
    expect(existsSync(join(root, 'gateway-keys.json'))).toBe(false);
    expect(stderr).toContain('running gateways accept it within 60 s');
  });

  it("talks to the secret's region, taken from its ARN", async () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');

    await keysCommand(['list']);

    const client = secretsManager.call(0).thisValue as SecretsManagerClient;
    await expect(client.config.region()).resolves.toBe('eu-west-1');
  });

  it('lists and revokes keys in the secret, never printing a secret', async () => {
    await keysCommand(['create', '--name', 'app', '--bucket', 'reports', '--json']);
    const { secretAccessKey } = JSON.parse(stdout);
    stdout = '';

    await keysCommand(['revoke', 'app']);
    await keysCommand(['list']);

    expect(stdout).toMatch(/^app\s+MPK[A-Z2-7]{17}\s+reports\s+\S+\s+revoked \S+$/m);
    expect(stdout).not.toContain(secretAccessKey);
    expect(JSON.parse(secret).keys[0].revokedAt).toBeDefined();
    expect(stderr).toContain('running gateways stop accepting it within 60 s');
  });

  it('takes the secret from --secret-id over the environment', async () => {
    const otherArn = secretArn.replace('AbCdEf', 'GhIjKl');

    await keysCommand(['create', '--name', 'app', '--bucket', 'reports', '--secret-id', otherArn]);

    expect(secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretId).toBe(otherArn);
  });

  it('rejects an empty --secret-id with a UsageError', async () => {
    await expect(keysCommand(['list', '--secret-id', ''])).rejects.toBeInstanceOf(UsageError);
  });
});
