import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { createLocalViewStore } from '../../functions/adapters/local-view-store.ts';
import type { GatewayKey } from '../../functions/core/ports/credential-store.ts';
import { gatewayClient, startTestGateway, type TestGateway } from './gateway-client.ts';

/** Objects of the bucket the clients read: every format, nested prefixes, a space and unicode in names. */
const OBJECTS: Record<string, string> = {
  'customers.csv': 'id,name,email\n1,Jane Roe,jane.roe@example.com\n2,John Poe,john.poe@example.org\n',
  'logs/app.log': '2026-12-01 INFO login jane.roe@example.com from 203.0.113.9\n'.repeat(400),
  'logs/2026/12/orders.ndjson': '{"id":1,"card":"4111 1111 1111 1111","email":"a.b@example.com"}\n'.repeat(
    50,
  ),
  'profile.json':
    '{"name":"Jane Roe","contact":{"email":"jane.roe@example.com"},"password":"hunter2-hunter2"}',
  'reports/q4 summary.txt': 'call +1 415 555 0132 or mail ops.lead@example.com\n',
  'reports/élan/notes.txt': 'ssn 219-09-9999 on file\n',
};
const PLANTED = [
  'jane.roe@example.com',
  '4111 1111 1111 1111',
  '203.0.113.9',
  'hunter2-hunter2',
  '219-09-9999',
];

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a client in its own process, asynchronously: the gateway serving it runs in this test's
 * event loop, which a synchronous spawn would block.
 */
function run(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  // The clients talk plain HTTP on loopback; a CA bundle from the machine's environment only
  // breaks rclone (it cannot load one into its transport).
  const { AWS_CA_BUNDLE: _caBundle, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: { ...inherited, AWS_MAX_ATTEMPTS: '1', ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/** Whether a client runs here; a missing one is skipped, and the test output says so. */
function isInstalled(command: string, versionArgs: readonly string[] = ['--version']): boolean {
  const isThere = spawnSync(command, versionArgs, { encoding: 'utf8', timeout: 20_000 }).status === 0;
  if (!isThere)
    console.warn(`real-clients: ${command} ${versionArgs.join(' ')} failed; its tests are skipped`);
  return isThere;
}

/** Every file under `dir`, as bucket-relative keys with their bytes. */
function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path).split('\\').join('/'), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

describe('real S3 clients against the gateway', () => {
  let gateway: TestGateway;
  let key: GatewayKey;
  let sdk: S3Client;
  let bucketDir: string;
  let workDir: string;
  /** What the gateway serves for each key: the redacted GET, byte for byte. */
  const redacted = new Map<string, Buffer>();
  let endpoint: string;
  let credentialsEnv: Record<string, string>;

  beforeAll(async () => {
    bucketDir = mkdtempSync(join(tmpdir(), 'maskpoint-clients-bucket-'));
    workDir = mkdtempSync(join(tmpdir(), 'maskpoint-clients-work-'));
    for (const [objectKey, body] of Object.entries(OBJECTS)) {
      mkdirSync(join(bucketDir, objectKey, '..'), { recursive: true });
      writeFileSync(join(bucketDir, objectKey), body);
    }
    gateway = await startTestGateway({
      rulesDir: DEFAULT_RULES_DIR,
      localBuckets: new Map([['data', bucketDir]]),
      views: createLocalViewStore({ directory: join(workDir, 'views'), maxBytes: 2 ** 30 }),
    });
    key = await gateway.store.create('clients', ['data']);
    sdk = gatewayClient(gateway.server.url, key);
    for (const objectKey of Object.keys(OBJECTS)) {
      const object = await sdk.send(new GetObjectCommand({ Bucket: 'data', Key: objectKey }));
      redacted.set(objectKey, Buffer.from((await object.Body?.transformToByteArray()) ?? []));
    }
    endpoint = gateway.server.url;
    credentialsEnv = {
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  });

  afterAll(async () => {
    sdk.destroy();
    await gateway.stop();
    rmSync(bucketDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  function expectRedactedCopy(dir: string, prefix = ''): void {
    const files = filesUnder(dir);
    const expected = [...redacted.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length));
    expect([...files.keys()].sort()).toEqual(expected.sort());
    for (const [name, bytes] of files) {
      expect(bytes.equals(redacted.get(prefix + name) ?? Buffer.alloc(0)), name).toBe(true);
      for (const value of PLANTED) expect(bytes.toString('utf8')).not.toContain(value);
    }
  }

  function freshDir(name: string): string {
    const dir = join(workDir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  describe('AWS CLI', () => {
    const hasCli = isInstalled('aws');
    const aws = (...args: string[]) => run('aws', ['--endpoint-url', endpoint, ...args], credentialsEnv);

    it.skipIf(!hasCli)('lists with sizes equal to the redacted bytes (aws s3 ls --recursive)', async () => {
      const listing = await aws('s3', 'ls', '--recursive', 's3://data/');
      expect(listing.stderr).toBe('');
      const sizes = new Map(
        listing.stdout
          .trim()
          .split('\n')
          .map((line) => {
            const match = /^\S+ \S+\s+(\d+) (.+)$/.exec(line);
            return [match?.[2] ?? line, Number(match?.[1])] as const;
          }),
      );
      for (const [objectKey, bytes] of redacted)
        expect(sizes.get(objectKey), objectKey).toBe(bytes.byteLength);
    });

    it.skipIf(!hasCli)('lists one level with prefixes (aws s3 ls)', async () => {
      const listing = await aws('s3', 'ls', 's3://data/');
      expect(listing.status).toBe(0);
      expect(listing.stdout).toContain('PRE logs/');
      expect(listing.stdout).toContain('customers.csv');
    });

    it.skipIf(!hasCli)('copies one object to stdout (aws s3 cp s3://… -)', async () => {
      const copy = await run(
        'aws',
        ['--endpoint-url', endpoint, 's3', 'cp', 's3://data/profile.json', '-'],
        credentialsEnv,
      );
      expect(copy.status, copy.stderr).toBe(0);
      expect(copy.stdout).toBe(redacted.get('profile.json')?.toString('utf8'));
    });

    it.skipIf(!hasCli)(
      'copies a bucket recursively and syncs it (aws s3 cp --recursive, aws s3 sync)',
      async () => {
        const copied = freshDir('aws-cp');
        const copy = await aws('s3', 'cp', '--recursive', 's3://data/', copied);
        expect(copy.status, copy.stderr).toBe(0);
        expectRedactedCopy(copied);
        const synced = freshDir('aws-sync');
        const sync = await aws('s3', 'sync', 's3://data/', synced);
        expect(sync.status, sync.stderr).toBe(0);
        expectRedactedCopy(synced);
        const again = await aws('s3', 'sync', 's3://data/', synced);
        expect(again.status).toBe(0);
        expect(again.stdout.trim()).toBe('');
      },
    );
  });

  describe('boto3', () => {
    const hasBoto3 = isInstalled('python3', ['-c', 'import boto3']);
    const script = `
import sys, json, boto3
endpoint, target = sys.argv[1], sys.argv[2]
s3 = boto3.client('s3', endpoint_url=endpoint)
s3.download_file('data', 'logs/app.log', target)
bucket = boto3.resource('s3', endpoint_url=endpoint).Bucket('data')
print(json.dumps({o.key: o.size for o in bucket.objects.filter(Prefix='logs/')}))
`;

    it.skipIf(!hasBoto3)(
      'downloads with download_file and lists with the resource API (ListObjects v1)',
      async () => {
        const target = join(freshDir('boto3'), 'app.log');
        const result = await run('python3', ['-c', script, endpoint, target], credentialsEnv);
        expect(result.status, result.stderr).toBe(0);
        expect(readFileSync(target).equals(redacted.get('logs/app.log') ?? Buffer.alloc(0))).toBe(true);
        expect(JSON.parse(result.stdout)).toEqual({
          'logs/2026/12/orders.ndjson': redacted.get('logs/2026/12/orders.ndjson')?.byteLength,
          'logs/app.log': redacted.get('logs/app.log')?.byteLength,
        });
      },
    );
  });

  describe('rclone', () => {
    const hasRclone = isInstalled('rclone', ['version']);
    const rclone = (...args: string[]) =>
      run('rclone', [...args, '--config', '/dev/null'], {
        RCLONE_CONFIG_MP_TYPE: 's3',
        RCLONE_CONFIG_MP_PROVIDER: 'Other',
        RCLONE_CONFIG_MP_ENDPOINT: endpoint,
        RCLONE_CONFIG_MP_ACCESS_KEY_ID: key.accessKeyId,
        RCLONE_CONFIG_MP_SECRET_ACCESS_KEY: key.secretAccessKey,
        RCLONE_CONFIG_MP_REGION: 'us-east-1',
        RCLONE_CONFIG_MP_FORCE_PATH_STYLE: 'true',
      });

    it.skipIf(!hasRclone)(
      'lists sizes, copies, and checks sizes and MD5 (rclone ls, copy, check)',
      async () => {
        const listing = await rclone('ls', 'mp:data');
        expect(listing.status, listing.stderr).toBe(0);
        for (const [objectKey, bytes] of redacted)
          expect(listing.stdout).toContain(`${bytes.byteLength} ${objectKey}`);
        const copied = freshDir('rclone');
        const copy = await rclone('copy', 'mp:data', copied);
        expect(copy.status, copy.stderr).toBe(0);
        expectRedactedCopy(copied);
        const check = await rclone('check', 'mp:data', copied);
        expect(check.status, check.stderr).toBe(0);
        expect(check.stderr).toContain('0 differences found');
      },
    );
  });

  describe('s3cmd', () => {
    const hasS3cmd = isInstalled('s3cmd');
    const s3cmd = (...args: string[]) => {
      const host = new URL(endpoint).host;
      return run('s3cmd', [
        '--config=/dev/null',
        `--host=${host}`,
        '--host-bucket=',
        '--no-ssl',
        `--access_key=${key.accessKeyId}`,
        `--secret_key=${key.secretAccessKey}`,
        '--region=us-east-1',
        ...args,
      ]);
    };

    it.skipIf(!hasS3cmd)('lists, gets and syncs (s3cmd ls, get, sync)', async () => {
      const listing = await s3cmd('ls', '--recursive', 's3://data/');
      expect(listing.status, listing.stderr).toBe(0);
      for (const [objectKey, bytes] of redacted) {
        expect(listing.stdout).toMatch(
          new RegExp(
            `\\s${bytes.byteLength}\\s+s3://data/${objectKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
          ),
        );
      }
      const target = join(freshDir('s3cmd-get'), 'customers.csv');
      const get = await s3cmd('get', 's3://data/customers.csv', target);
      expect(get.status, get.stderr).toBe(0);
      expect(readFileSync(target).equals(redacted.get('customers.csv') ?? Buffer.alloc(0))).toBe(true);
      const synced = freshDir('s3cmd-sync');
      const sync = await s3cmd('sync', 's3://data/', `${synced}/`);
      expect(sync.status, sync.stderr).toBe(0);
      expectRedactedCopy(synced);
    });
  });
});
