import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEYS_FILE } from '../../functions/adapters/local-credential-store.ts';
import { startServe } from '../../functions/cli/serve-command.ts';
import type { GatewayServer } from '../../functions/gateway/server.ts';
import { gatewayClient } from './gateway-client.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

function printedKey(output: string): { accessKeyId: string; secretAccessKey: string } {
  const accessKeyId = /access key id: +(\S+)/.exec(output)?.[1];
  const secretAccessKey = /secret access key: +(\S+)/.exec(output)?.[1];
  if (accessKeyId === undefined || secretAccessKey === undefined) throw new Error('no key printed');
  return { accessKeyId, secretAccessKey };
}

describe('maskpoint serve', () => {
  let home: string;
  let previousHome: string | undefined;
  const servers: GatewayServer[] = [];

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'maskpoint-serve-'));
    previousHome = process.env.MASKPOINT_HOME;
    process.env.MASKPOINT_HOME = home;
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    if (previousHome === undefined) delete process.env.MASKPOINT_HOME;
    else process.env.MASKPOINT_HOME = previousHome;
    rmSync(home, { recursive: true, force: true });
  });

  async function serve(args: string[]): Promise<{ server: GatewayServer; output: string }> {
    let output = '';
    const server = await startServe(args, (text) => {
      output += text;
    });
    servers.push(server);
    return { server, output };
  }

  it('creates and prints a demo key on the first start, with a working CLI line and SDK snippet', async () => {
    const { server, output } = await serve(['--port', '0', '--bucket', `example=${ROOT}examples/bucket`]);
    expect(output).toContain(`maskpoint gateway listening on ${server.url}`);
    expect(output).toContain('First start: created gateway key "demo" for example');
    expect(output).toMatch(
      new RegExp(
        `AWS_ACCESS_KEY_ID=MPK\\w+ AWS_SECRET_ACCESS_KEY=\\S+ AWS_DEFAULT_REGION=us-east-1 aws s3api get-object --endpoint-url ${server.url} --bucket example --key customers\\.csv /dev/stdout`,
      ),
    );
    expect(output).toContain("new S3Client({ endpoint: '");

    const client = gatewayClient(server.url, printedKey(output), { maxAttempts: 1 });
    const object = await client.send(new GetObjectCommand({ Bucket: 'example', Key: 'customers.csv' }));
    const text = (await object.Body?.transformToString()) ?? '';
    client.destroy();
    expect(text).toContain('[EMAIL]');
    expect(text).not.toContain('jane.doe@example.com');
  });

  it('prints how to list and create keys when keys exist, and no secret', async () => {
    const first = await serve(['--port', '0', '--bucket', `example=${ROOT}examples/bucket`]);
    await first.server.close();
    servers.splice(0);
    const { output } = await serve(['--port', '0', '--bucket', `example=${ROOT}examples/bucket`]);
    expect(output).toContain('1 active gateway key');
    expect(output).toContain('maskpoint keys list');
    expect(output).toContain('maskpoint keys create --name NAME --bucket BUCKET');
    expect(output).not.toContain(printedKey(first.output).secretAccessKey);
  });

  it('writes one audit line per request to its output', async () => {
    let output = '';
    const server = await startServe(['--port', '0', '--bucket', `example=${ROOT}examples/bucket`], (text) => {
      output += text;
    });
    servers.push(server);
    const client = gatewayClient(server.url, printedKey(output), { maxAttempts: 1 });
    const object = await client.send(new GetObjectCommand({ Bucket: 'example', Key: 'app.log' }));
    await object.Body?.transformToString();
    client.destroy();
    const lines = output.split('\n').filter((line) => line.startsWith('{'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      message: 'audit',
      audit: { operation: 'GetObject', key: 'app.log', decision: 'allow', caller: { id: 'demo' } },
    });
  });

  describe('refusals', () => {
    let badRules: string;

    beforeAll(() => {
      badRules = mkdtempSync(join(tmpdir(), 'maskpoint-bad-rules-'));
      writeFileSync(join(badRules, 'broken.yaml'), 'name: broken\ndetectors:\n  - id: no-such-detector\n');
    });

    afterAll(() => rmSync(badRules, { recursive: true, force: true }));

    it('refuses to start with invalid rules, naming the file, and creates no key', async () => {
      await expect(
        serve(['--port', '0', '--bucket', `example=${ROOT}examples/bucket`, '--rules', badRules]),
      ).rejects.toThrow(/refusing to start: the rules in .* are invalid\n.*broken\.yaml/);
      expect(servers).toHaveLength(0);
      expect(existsSync(join(home, GATEWAY_KEYS_FILE))).toBe(false);
    });

    it.each([
      ['no bucket', ['--port', '0']],
      ['a malformed bucket', ['--bucket', 'Example']],
      ['a port out of range', ['--port', '70000', '--bucket', 'example=examples/bucket']],
      ['an unknown option', ['--bucket', 'example=examples/bucket', '--verbose']],
      [
        'a timeout that is not seconds',
        ['--bucket', 'example=examples/bucket', '--write-stall-timeout', '5m'],
      ],
      ['a zero timeout', ['--bucket', 'example=examples/bucket', '--keep-alive-timeout', '0']],
      [
        'a headers timeout beyond the request timeout',
        ['--bucket', 'example=examples/bucket', '--headers-timeout', '60'],
      ],
      ['a connection cap of zero', ['--bucket', 'example=examples/bucket', '--max-connections', '0']],
    ])('rejects %s', async (_name, args) => {
      await expect(serve(args)).rejects.toThrow();
    });
  });

  it('cuts off a client that trickles its headers after --headers-timeout', async () => {
    const { server } = await serve([
      '--port',
      '0',
      '--bucket',
      `example=${ROOT}examples/bucket`,
      '--headers-timeout',
      '0.2',
      '--request-timeout',
      '0.4',
    ]);
    const { hostname, port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      let received = '';
      const socket = connect({ host: hostname, port: Number(port) }, () => {
        socket.write('GET /example/app.log HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      });
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
      });
      socket.once('close', () => resolve(received));
      socket.once('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('stops cleanly with exit code 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['bin/maskpoint.js', 'serve', '--port', '0', '--workers', '1', '--bucket', 'example=examples/bucket'],
      { cwd: ROOT, env: { ...process.env, MASKPOINT_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('/dev/stdout')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM received, stopping the gateway');
  }, 20_000);
});
