import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDB, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServingGateway, startServe } from '../../functions/cli/serve-command.ts';
import { gatewayClient } from './gateway-client.ts';

const POINTS = 3;
const RULES = `name: limited
scope: { buckets: ['limited'] }
detectors:
  - { id: email, action: { type: redact } }
rateLimit: { requestsPerWindow: ${POINTS}, windowSeconds: 3600 }
`;

type Dynalite = (options: { createTableMs: number }) => Server;

function isOnPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Two gateways (two workers, or two tasks) on one rate-limit store, and what each request got:
 * the HTTP status of every GET, alternating between them.
 */
async function statusesAcrossTwoGateways(store: string, requests: number): Promise<number[]> {
  const workDir = mkdtempSync(join(tmpdir(), 'maskpoint-store-'));
  const previousHome = process.env.MASKPOINT_HOME;
  process.env.MASKPOINT_HOME = join(workDir, 'home');
  const servers: ServingGateway[] = [];
  try {
    const rulesDir = join(workDir, 'rules');
    const bucketDir = join(workDir, 'bucket');
    mkdirSync(rulesDir);
    mkdirSync(bucketDir);
    writeFileSync(join(rulesDir, 'limited.yaml'), RULES);
    writeFileSync(join(bucketDir, 'a.csv'), 'id,email\n1,jane@example.com\n');
    let output = '';
    const args = [
      '--port',
      '0',
      '--bucket',
      `limited=${bucketDir}`,
      '--rules',
      rulesDir,
      '--rate-limit-store',
      store,
    ];
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startServe(args, (text) => {
          output += text;
        }),
      );
    }
    const accessKeyId = /access key id: +(\S+)/.exec(output)?.[1] as string;
    const secretAccessKey = /secret access key: +(\S+)/.exec(output)?.[1] as string;
    const clients = servers.map((server) =>
      gatewayClient(server.url, { accessKeyId, secretAccessKey }, { maxAttempts: 1 }),
    );
    const statuses: number[] = [];
    for (let i = 0; i < requests; i++) {
      const client = clients[i % clients.length];
      try {
        const object = await client?.send(new GetObjectCommand({ Bucket: 'limited', Key: 'a.csv' }));
        await object?.Body?.transformToString();
        statuses.push(200);
      } catch (error) {
        statuses.push((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0);
      }
    }
    for (const client of clients) client.destroy();
    return statuses;
  } finally {
    await Promise.all(servers.map((server) => server.close()));
    if (previousHome === undefined) delete process.env.MASKPOINT_HOME;
    else process.env.MASKPOINT_HOME = previousHome;
    rmSync(workDir, { recursive: true, force: true });
  }
}

describe('maskpoint serve --rate-limit-store', () => {
  it('memory: each process counts on its own, so two of them allow the budget twice', async () => {
    const statuses = await statusesAcrossTwoGateways('memory', 2 * POINTS + 2);
    expect(statuses.filter((status) => status === 200)).toHaveLength(2 * POINTS);
    expect(statuses.slice(-2)).toEqual([503, 503]);
  });

  describe('dynamodb:TABLE against dynalite', () => {
    const TABLE = 'maskpoint-rate-limits';
    let server: Server;
    let client: DynamoDB;
    const saved: Record<string, string | undefined> = {};

    beforeAll(async () => {
      const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
      server = dynalite({ createTableMs: 50 });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const env = {
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      };
      for (const [name, value] of Object.entries(env)) {
        saved[name] = process.env[name];
        process.env[name] = value;
      }
      client = new DynamoDB({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      await client.createTable({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      });
      await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: TABLE });
    });

    afterAll(async () => {
      client?.destroy();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      if (server?.listening) await new Promise((resolve) => server.close(resolve));
    });

    it('shares one budget between the processes: the request past it is refused on either', async () => {
      const statuses = await statusesAcrossTwoGateways(`dynamodb:${TABLE}`, POINTS + 2);
      expect(statuses).toEqual([...Array.from({ length: POINTS }, () => 200), 503, 503]);
    });
  });

  describe.skipIf(!isOnPath('redis-server'))(
    'redis:URL against redis-server (skipped: redis-server is not on PATH)',
    () => {
      let redis: ChildProcess;
      let port: number;

      beforeAll(async () => {
        port = await freePort();
        redis = spawn(
          'redis-server',
          ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
          {
            stdio: 'ignore',
          },
        );
        // Ready once it accepts a connection; bounded.
        for (let attempt = 0; ; attempt++) {
          const isUp = await new Promise<boolean>((resolve) => {
            const probe = connect(port, '127.0.0.1');
            probe.once('connect', () => {
              probe.destroy();
              resolve(true);
            });
            probe.once('error', () => resolve(false));
          });
          if (isUp) break;
          if (attempt === 100) throw new Error('redis-server did not start');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });

      afterAll(async () => {
        if (redis?.exitCode === null) {
          const exited = new Promise((resolve) => redis.once('exit', resolve));
          redis.kill('SIGTERM');
          await exited;
        }
      });

      it('shares one budget between the processes: the request past it is refused on either', async () => {
        const statuses = await statusesAcrossTwoGateways(`redis:redis://127.0.0.1:${port}/0`, POINTS + 2);
        expect(statuses).toEqual([...Array.from({ length: POINTS }, () => 200), 503, 503]);
      });
    },
  );
});
