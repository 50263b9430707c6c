import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { WORKER_EXIT_GRACE_MS } from '../../functions/gateway/cluster.ts';
import type { GatewayRequest } from '../../functions/gateway/gateway.ts';
import { signRequest } from './gateway-client.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const DRAIN_SECONDS = 2;
const DOWNLOADS = 20;

/** CSVs of 0.5–2 MB: some fit in the socket buffers at once, some do not. */
const OBJECTS = [500, 1_000, 1_500, 2_000].map((kb) => {
  const rows: string[] = ['id,email,note'];
  for (let i = 0; rows.join('\n').length < kb * 1024; i++) {
    rows.push(...Array.from({ length: 500 }, (_, j) => `${i * 500 + j},person${j}@example.com,row ${i}`));
  }
  return { key: `data-${kb}kb.csv`, text: `${rows.join('\n')}\n` };
});

/** A running `maskpoint serve` process and everything it printed. */
interface Served {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly key: { accessKeyId: string; secretAccessKey: string };
  output(): string;
  /** Resolves once the output holds `text`; rejects if the process exits first. */
  printed(text: string): Promise<void>;
  readonly exited: Promise<{ code: number | null; at: number }>;
}

async function serve(args: string[], env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, ['bin/maskpoint.js', 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let output = '';
  let wake = () => {};
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => {
      resolve({ code, at: Date.now() });
      wake();
    }),
  );
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const printed = async (text: string) => {
    while (!output.includes(text)) {
      if (hasExited) throw new Error(`exited before printing "${text}":\n${output}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  await printed('/dev/stdout');
  const url = /listening on (\S+)/.exec(output)?.[1];
  const accessKeyId = /access key id: +(\S+)/.exec(output)?.[1];
  const secretAccessKey = /secret access key: +(\S+)/.exec(output)?.[1];
  if (!url || !accessKeyId || !secretAccessKey) throw new Error(`unexpected output:\n${output}`);
  return { child, url, key: { accessKeyId, secretAccessKey }, output: () => output, printed, exited };
}

/**
 * A GET that, unless `isReading`, stops reading after the first chunk until `resume()`; the
 * result says whether the body ended normally.
 */
function download(
  url: string,
  request: GatewayRequest,
  isReading: boolean,
): {
  started: Promise<void>;
  resume(): void;
  result: Promise<{ body: Buffer; isComplete: boolean; status: number }>;
} {
  let resume = () => {};
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const result = new Promise<{ body: Buffer; isComplete: boolean; status: number }>((resolve) => {
    const outgoing = httpRequest(`${url}${request.rawPath}`, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      const settle = (isComplete: boolean) =>
        resolve({ body: Buffer.concat(chunks), isComplete, status: response.statusCode ?? 0 });
      resume = () => response.resume();
      response.once('data', () => {
        markStarted();
        if (!isReading) response.pause();
      });
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => settle(true));
      response.on('error', () => settle(false));
      response.on('close', () => settle(response.complete));
    });
    outgoing.on('error', () => {
      markStarted();
      resolve({ body: Buffer.alloc(0), isComplete: false, status: 0 });
    });
    outgoing.end();
  });
  return { started, resume: () => resume(), result };
}

/** Process ids of the node processes `pid` started (tsx adds an esbuild helper to each, not counted). */
function workersOf(pid: number): number[] {
  return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, command]) => command === 'node')
    .map(([child]) => Number(child));
}

describe('maskpoint serve --workers 2', () => {
  let workDir: string;
  let served: Served;
  const expected = new Map<string, Buffer>();

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'maskpoint-cluster-'));
    const bucketDir = join(workDir, 'bucket');
    mkdirSync(bucketDir);
    for (const { key, text } of OBJECTS) writeFileSync(join(bucketDir, key), text);
    served = await serve(
      [
        '--workers',
        '2',
        '--port',
        '0',
        '--drain-seconds',
        String(DRAIN_SECONDS),
        '--bucket',
        `data=${bucketDir}`,
      ],
      { MASKPOINT_HOME: join(workDir, 'home') },
    );
    for (const { key } of OBJECTS) {
      const { result } = download(served.url, await get(`/data/${key}`), true);
      const { body, isComplete, status } = await result;
      expect(status).toBe(200);
      expect(isComplete).toBe(true);
      expected.set(key, body);
    }
  }, 60_000);

  afterAll(() => {
    if (served?.child.exitCode === null) served.child.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  });

  function get(path: string): Promise<GatewayRequest> {
    return signRequest({ key: served.key, host: new URL(served.url).host, path });
  }

  it('says how it runs: two workers, the drain deadline, and that in-memory rate limits count per worker', () => {
    expect(served.output()).toContain(`workers 2 · drain ${DRAIN_SECONDS} s`);
    expect(served.output()).toContain(
      'rate limits memory (per worker: each of the 2 workers counts on its own',
    );
    expect(workersOf(served.child.pid as number)).toHaveLength(2);
  });

  it('replaces a worker that dies, and keeps serving', async () => {
    const [victim] = workersOf(served.child.pid as number);
    process.kill(victim as number, 'SIGKILL');
    await served.printed(`gateway worker ${victim} exited (SIGKILL); starting another`);
    await served.printed('the new gateway worker is listening');
    expect(workersOf(served.child.pid as number)).toHaveLength(2);
    for (let i = 0; i < 4; i++) {
      const { result } = download(served.url, await get(`/data/${OBJECTS[0]?.key}`), true);
      const { body, isComplete } = await result;
      expect(isComplete).toBe(true);
      expect(body.equals(expected.get(OBJECTS[0]?.key as string) as Buffer)).toBe(true);
    }
  }, 60_000);

  it('on SIGTERM during 20 downloads, each one completes whole or fails, and the process exits within the drain deadline', async () => {
    const downloads = await Promise.all(
      Array.from({ length: DOWNLOADS }, async (_, index) => {
        const object = OBJECTS[index % OBJECTS.length] as (typeof OBJECTS)[number];
        // Every other client stops reading after its first chunk: those outlast the deadline.
        return {
          key: object.key,
          ...download(served.url, await get(`/data/${object.key}`), index % 2 === 0),
        };
      }),
    );
    await Promise.all(downloads.map((started) => started.started));
    const signalledAt = Date.now();
    served.child.kill('SIGTERM');
    const { code, at } = await served.exited;
    // The slow clients read what they were sent before the connection ended.
    for (const started of downloads) started.resume();
    const results = await Promise.all(downloads.map((started) => started.result));

    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(DRAIN_SECONDS * 1000 + WORKER_EXIT_GRACE_MS);
    let completed = 0;
    for (const [index, { body, isComplete, status }] of results.entries()) {
      const key = downloads[index]?.key as string;
      expect(status, key).toBe(200);
      if (isComplete) {
        completed++;
        expect(body.equals(expected.get(key) as Buffer), `${key}: completed, so whole`).toBe(true);
      } else {
        expect(body.byteLength, `${key}: broken off, so short`).toBeLessThan(
          (expected.get(key) as Buffer).byteLength,
        );
      }
    }
    // The clients that kept reading finished within the deadline.
    expect(completed).toBeGreaterThanOrEqual(DOWNLOADS / 2);
    expect(served.output()).toContain('SIGTERM received, stopping the gateway');
    expect(served.output()).not.toContain('did not stop after the drain; killing it');
  }, 60_000);
});

describe('maskpoint serve --workers 2 with an invalid rule file', () => {
  it('refuses to start: the error with its file and line once (the workers, forked early, never read the rules), exit code 1', () => {
    const workDir = mkdtempSync(join(tmpdir(), 'maskpoint-cluster-bad-rules-'));
    try {
      const rulesDir = join(workDir, 'rules');
      cpSync(DEFAULT_RULES_DIR, rulesDir, { recursive: true });
      appendFileSync(join(rulesDir, 'default.yaml'), 'detectors: [unclosed\n');
      const bucketDir = join(workDir, 'bucket');
      mkdirSync(bucketDir);
      const run = spawnSync(
        process.execPath,
        [
          'bin/maskpoint.js',
          'serve',
          '--workers',
          '2',
          '--port',
          '0',
          '--rules',
          rulesDir,
          '--bucket',
          `data=${bucketDir}`,
        ],
        { cwd: ROOT, env: { ...process.env, MASKPOINT_HOME: join(workDir, 'home') }, timeout: 60_000 },
      );
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status, output).toBe(1);
      expect(output.match(/refusing to start/g), output).toHaveLength(1);
      expect(output).toMatch(new RegExp(`${join(rulesDir, 'default.yaml')}:\\d+:\\d+: `));
      expect(output).not.toContain('listening');
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 60_000);
});
