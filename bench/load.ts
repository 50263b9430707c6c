import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * `npm run load [-- --requests 10000 --concurrency 50 --limit 200]`
 *
 * Starts `maskpoint serve --workers 1` in its own process on a free port with a generated bucket
 * of CSV objects from 1 KB to 1 MB, then measures with the real SDK: requests/s, latency (request
 * to last byte) p50/p99 and errors for N GETs from C concurrent clients (and for 1 KB objects
 * alone, the per-request overhead); time to first byte and
 * throughput of one large object; and how closely the memory rate limiter holds a configured
 * limit under the same concurrency.
 *
 * Then, for production serving: `--workers 2` against `--workers 1`, the total throughput of 8
 * concurrent GETs of the large object (MB/s, and the server's CPU seconds per GB: the client
 * shares the cores); and SIGTERM to `--workers 2` during 20 downloads of it, half of them read
 * slowly: how many completed whole, how many broke off, none cut short as a success, and how long
 * the process took to exit against its drain deadline.
 */

const REPO_DIR = join(import.meta.dirname, '..');
const KB = 1024;
const LARGE_OBJECT_BYTES = 64 * KB * KB;
const RATE_PHASE_SECONDS = 5;
const SMALL_REQUESTS = 2000;
const PACED_PER_SECOND = 200;
const PACED_SECONDS = 10;
const SCALING_CONCURRENCY = 8;
const DRAIN_DOWNLOADS = 20;
const DRAIN_SECONDS = 5;
/** Bytes a slow client reads per second in the drain phase: it cannot finish 64 MB before the deadline. */
const SLOW_READ_BYTES_PER_SECOND = 2 * KB * KB;

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '50' },
    limit: { type: 'string', default: '200' },
  },
});
const totalRequests = Number(values.requests);
const concurrency = Number(values.concurrency);
const limitPerSecond = Number(values.limit);

/** A CSV of roughly `bytes` bytes, one email and phone per row so the engine has work to do. */
function csvOfSize(bytes: number): string {
  const rows = ['id,name,email,phone,note'];
  let length = rows[0]?.length ?? 0;
  for (let i = 0; length < bytes; i++) {
    const row = `${i},Person ${i},person${i}@example.com,(415) 555-01${String(i % 100).padStart(2, '0')},order ${i * 7} shipped`;
    rows.push(row);
    length += row.length + 1;
  }
  return `${rows.join('\n')}\n`;
}

function writeFixtures(bucketDir: string, rulesDir: string): string[] {
  const keys: string[] = [];
  for (let sizeKb = 1; sizeKb <= 1024; sizeKb *= 2) {
    for (const copy of ['a', 'b']) {
      const key = `objects/${String(sizeKb).padStart(4, '0')}kb-${copy}.csv`;
      writeFileSync(join(bucketDir, key), csvOfSize(sizeKb * KB));
      keys.push(key);
    }
  }
  writeFileSync(join(bucketDir, 'large.csv'), csvOfSize(LARGE_OBJECT_BYTES));
  for (const name of readdirSync(join(REPO_DIR, 'redaction-rules')).filter((file) =>
    file.endsWith('.yaml'),
  )) {
    copyFileSync(join(REPO_DIR, 'redaction-rules', name), join(rulesDir, name));
  }
  cpSync(join(REPO_DIR, 'redaction-rules', 'packs'), join(rulesDir, 'packs'), { recursive: true });
  writeFileSync(
    join(rulesDir, 'limited.yaml'),
    `name: limited\nextends: default\npriority: 20\nscope: { buckets: ['limited'] }\nrateLimit: { requestsPerWindow: ${limitPerSecond}, windowSeconds: 1 }\n`,
  );
  return keys;
}

/** `maskpoint serve` in its own process (the CLI, so `--workers` forks), its URL and demo key. */
async function startGateway(bucketDir: string, rulesDir: string, home: string, extraArgs: readonly string[]) {
  const child = spawn(
    process.execPath,
    [
      'bin/maskpoint.js',
      'serve',
      '--port',
      '0',
      '--bucket',
      `load=${bucketDir}`,
      '--bucket',
      `limited=${bucketDir}`,
      '--rules',
      rulesDir,
      ...extraArgs,
    ],
    { cwd: REPO_DIR, env: { ...process.env, MASKPOINT_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('/dev/stdout') || output.includes('active gateway key')) {
        child.stdout?.off('data', onData);
        // Audit lines keep coming; read and drop them so the gateway never blocks on its pipe.
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  const url = /listening on (\S+)/.exec(output)?.[1];
  if (!url) throw new Error(`unexpected gateway output:\n${output}`);
  const accessKeyId = /access key id: +(\S+)/.exec(output)?.[1];
  const secretAccessKey = /secret access key: +(\S+)/.exec(output)?.[1];
  if (accessKeyId && secretAccessKey) demoKey = { accessKeyId, secretAccessKey };
  if (demoKey === undefined) throw new Error(`no gateway key printed:\n${output}`);
  return { child, url, credentials: demoKey };
}

/** The key printed by the first start; later starts in the same home reuse it. */
let demoKey: { accessKeyId: string; secretAccessKey: string } | undefined;

/** Stops a gateway and waits for it to exit. */
async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The processes `pid` started; `ps` exits 1 when there are none. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((child) => child > 0);
  } catch {
    return [];
  }
}

/** CPU seconds used so far by a process and the processes it started (its workers). */
function cpuSecondsOfTree(pid: number): number {
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const pids = [pid];
  for (let index = 0; index < pids.length; index++) {
    pids.push(...childrenOf(pids[index] as number));
  }
  let ticks = 0;
  for (const each of pids) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${each}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // A process that exited meanwhile.
    }
  }
  return ticks / ticksPerSecond;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function drain(body: AsyncIterable<Uint8Array> | undefined): Promise<number> {
  let bytes = 0;
  for await (const chunk of body ?? []) bytes += chunk.byteLength;
  return bytes;
}

async function loadPhase(client: S3Client, keys: readonly string[], requests: number) {
  const latenciesMs: number[] = [];
  const errors: string[] = [];
  let next = 0;
  let bytes = 0;
  const startedAt = performance.now();
  async function worker(): Promise<void> {
    while (next < requests) {
      const index = next++;
      const key = keys[(index * 7919) % keys.length] as string;
      const sentAt = performance.now();
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: 'load', Key: key }));
        const received = await drain(object.Body as AsyncIterable<Uint8Array>);
        bytes += received;
        latenciesMs.push(performance.now() - sentAt);
      } catch (error) {
        errors.push(error instanceof Error ? error.name : String(error));
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - startedAt) / 1000;
  latenciesMs.sort((a, b) => a - b);
  return { seconds, latenciesMs, errors, bytes };
}

/**
 * 1 KB GETs sent on a fixed schedule (open loop: request i leaves at i / rate seconds, whether
 * or not earlier ones have finished), so latency is measured at a known offered load.
 */
async function pacedPhase(client: S3Client) {
  const latenciesMs: number[] = [];
  const errors: string[] = [];
  const startedAt = performance.now();
  const requests = PACED_PER_SECOND * PACED_SECONDS;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < requests; i++) {
    const due = startedAt + (i * 1000) / PACED_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAt = performance.now();
    inFlight.push(
      client
        .send(new GetObjectCommand({ Bucket: 'load', Key: `objects/0001kb-${i % 2 === 0 ? 'a' : 'b'}.csv` }))
        .then((object) => drain(object.Body as AsyncIterable<Uint8Array>))
        .then(
          () => void latenciesMs.push(performance.now() - sentAt),
          (error: unknown) => void errors.push(error instanceof Error ? error.name : String(error)),
        ),
    );
  }
  await Promise.all(inFlight);
  latenciesMs.sort((a, b) => a - b);
  return { latenciesMs, errors };
}

async function largeObjectPhase(client: S3Client) {
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'load', Key: 'large.csv' }));
  const sentAt = performance.now();
  const response = await fetch(url);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let firstByteMs = Number.NaN;
  let bytes = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    if (bytes === 0) firstByteMs = performance.now() - sentAt;
    bytes += read.value.byteLength;
  }
  return { status: response.status, firstByteMs, totalMs: performance.now() - sentAt, bytes };
}

/**
 * Hammers a bucket whose rule set allows `limitPerSecond` requests per 1-second window. The memory
 * limiter's window opens at the first request it counts, so accepted requests are grouped the
 * same way: a window opens at the first accepted request after the previous one closed.
 */
async function rateLimitPhase(client: S3Client) {
  const acceptedAtMs: number[] = [];
  let attempts = 0;
  let refused = 0;
  let failed = 0;
  const startedAt = performance.now();
  const endAt = startedAt + RATE_PHASE_SECONDS * 1000;
  async function worker(): Promise<void> {
    while (performance.now() < endAt) {
      const sentAt = performance.now();
      attempts++;
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket: 'limited', Key: 'objects/0001kb-a.csv' }),
        );
        await drain(object.Body as AsyncIterable<Uint8Array>);
        acceptedAtMs.push(sentAt);
      } catch (error) {
        if ((error as { name?: string }).name === 'SlowDown') refused++;
        else failed++;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  acceptedAtMs.sort((a, b) => a - b);
  const perWindow: number[] = [];
  let windowEnd = Number.NEGATIVE_INFINITY;
  for (const at of acceptedAtMs) {
    if (at >= windowEnd) {
      perWindow.push(0);
      windowEnd = at + 1000;
    }
    perWindow[perWindow.length - 1] = (perWindow.at(-1) ?? 0) + 1;
  }
  return { perWindow, offeredPerSecond: attempts / RATE_PHASE_SECONDS, refused, failed };
}

/** Presigned GET of the large object, for plain HTTP clients. */
function largeObjectUrl(client: S3Client): Promise<string> {
  return getSignedUrl(client, new GetObjectCommand({ Bucket: 'load', Key: 'large.csv' }));
}

function clientFor(url: string, credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}

/** Bytes of a 200 response read to its end with node:http (lighter on the shared cores than fetch); 0 otherwise. */
function downloadBytes(url: string): Promise<number> {
  return new Promise((resolve) => {
    const outgoing = httpRequest(url, { agent: false }, (response) => {
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.byteLength;
      });
      response.on('end', () => resolve(response.statusCode === 200 ? received : 0));
      response.on('error', () => resolve(0));
    });
    outgoing.on('error', () => resolve(0));
    outgoing.end();
  });
}

/**
 * `SCALING_CONCURRENCY` concurrent GETs of the large object from a gateway with `workers`
 * workers: total MB/s and the server's CPU seconds per GB served. Without views, so that every
 * GET redacts (a stored view would be served without redaction work and measure the disk).
 */
async function scalingPhase(workers: number) {
  const gateway = await startGateway(bucketDir, rulesDir, home, ['--workers', String(workers), '--no-views']);
  try {
    const client = clientFor(gateway.url, gateway.credentials);
    const url = await largeObjectUrl(client);
    client.destroy();
    const cpuBefore = cpuSecondsOfTree(gateway.child.pid as number);
    // Other work on the machine takes cores from the workers: the 1-minute load average says how much.
    const loadAverage = loadavg()[0] ?? Number.NaN;
    const startedAt = performance.now();
    const bytes = await Promise.all(Array.from({ length: SCALING_CONCURRENCY }, () => downloadBytes(url)));
    const seconds = (performance.now() - startedAt) / 1000;
    const cpuSeconds = cpuSecondsOfTree(gateway.child.pid as number) - cpuBefore;
    const total = bytes.reduce((sum, each) => sum + each, 0);
    return {
      workers,
      seconds,
      bytes: total,
      cpuSeconds,
      loadAverage,
      isComplete: bytes.every((each) => each > 0),
    };
  } finally {
    await stopGateway(gateway.child);
  }
}

/**
 * SIGTERM to `serve --workers 2` while `DRAIN_DOWNLOADS` downloads of the large object are in
 * flight, every other one read at `SLOW_READ_BYTES_PER_SECOND`: each must end whole (same bytes as
 * a full read) or broken off, never short and normal; the process must exit by the deadline.
 */
async function drainPhase(expectedSha256: string) {
  const gateway = await startGateway(bucketDir, rulesDir, home, [
    '--workers',
    '2',
    '--drain-seconds',
    String(DRAIN_SECONDS),
  ]);
  const client = clientFor(gateway.url, gateway.credentials);
  const url = await largeObjectUrl(client);
  client.destroy();
  const results: Promise<'whole' | 'broken' | 'short-but-ended'>[] = [];
  const started: Promise<void>[] = [];
  for (let index = 0; index < DRAIN_DOWNLOADS; index++) {
    const isSlow = index % 2 === 1;
    let markStarted = () => {};
    started.push(
      new Promise<void>((resolve) => {
        markStarted = resolve;
      }),
    );
    results.push(
      new Promise((resolve) => {
        const hash = createHash('sha256');
        const outgoing = httpRequest(url, { agent: false }, (response) => {
          response.once('data', markStarted);
          response.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            if (isSlow) {
              response.pause();
              setTimeout(() => response.resume(), (chunk.byteLength / SLOW_READ_BYTES_PER_SECOND) * 1000);
            }
          });
          response.on('end', () =>
            resolve(hash.digest('hex') === expectedSha256 ? 'whole' : 'short-but-ended'),
          );
          response.on('error', () => resolve('broken'));
          response.on('close', () => {
            if (!response.complete) resolve('broken');
          });
        });
        outgoing.on('error', () => {
          markStarted();
          resolve('broken');
        });
        outgoing.end();
      }),
    );
  }
  await Promise.all(started);
  const signalledAt = performance.now();
  const exited = new Promise<number | null>((resolve) => gateway.child.once('exit', resolve));
  gateway.child.kill('SIGTERM');
  const code = await exited;
  const exitSeconds = (performance.now() - signalledAt) / 1000;
  const outcomes = await Promise.all(results);
  const count = (outcome: string) => outcomes.filter((each) => each === outcome).length;
  return {
    code,
    exitSeconds,
    whole: count('whole'),
    broken: count('broken'),
    shortButEnded: count('short-but-ended'),
  };
}

const workDir = mkdtempSync(join(tmpdir(), 'maskpoint-load-'));
const bucketDir = join(workDir, 'bucket');
const rulesDir = join(workDir, 'rules');
const home = join(workDir, 'home');
for (const dir of [join(bucketDir, 'objects'), rulesDir, home]) mkdirSync(dir, { recursive: true });
let gateway: { child: ChildProcess } | undefined;
try {
  const keys = writeFixtures(bucketDir, rulesDir);
  const started = await startGateway(bucketDir, rulesDir, home, ['--workers', '1']);
  gateway = started;
  const client = new S3Client({
    endpoint: started.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: started.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // 503 SlowDown must reach the rate-limit phase as is; errors in the load phase are counted, not retried.
    maxAttempts: 1,
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: concurrency } },
  });

  const load = await loadPhase(client, keys, totalRequests);
  const small = await loadPhase(client, ['objects/0001kb-a.csv', 'objects/0001kb-b.csv'], SMALL_REQUESTS);
  const paced = await pacedPhase(client);
  const large = await largeObjectPhase(client);
  const rate = await rateLimitPhase(client);
  const expectedLarge = await fetch(await largeObjectUrl(client)).then(async (response) =>
    createHash('sha256')
      .update(Buffer.from(await response.arrayBuffer()))
      .digest('hex'),
  );
  client.destroy();
  await stopGateway(started.child);

  const single = await scalingPhase(1);
  const double = await scalingPhase(2);
  const drain = await drainPhase(expectedLarge);

  const mb = (bytes: number) => bytes / 1e6;
  const lines = [
    `## maskpoint gateway load (${totalRequests} GETs, ${concurrency} concurrent clients, objects 1 KB–1 MB)`,
    '',
    '| measure | value |',
    '|---|---|',
    `| requests/s | ${(totalRequests / load.seconds).toFixed(0)} |`,
    `| latency p50 / p99 (to last byte) | ${percentile(load.latenciesMs, 50).toFixed(1)} ms / ${percentile(load.latenciesMs, 99).toFixed(1)} ms |`,
    `| errors | ${load.errors.length}${load.errors.length > 0 ? ` (${[...new Set(load.errors)].join(', ')})` : ''} |`,
    `| 1 KB objects only (${SMALL_REQUESTS} GETs): requests/s, p50 / p99 | ${(SMALL_REQUESTS / small.seconds).toFixed(0)}, ${percentile(small.latenciesMs, 50).toFixed(1)} ms / ${percentile(small.latenciesMs, 99).toFixed(1)} ms, errors ${small.errors.length} |`,
    `| 1 KB objects at ${PACED_PER_SECOND} req/s for ${PACED_SECONDS} s: p50 / p99 / max | ${percentile(paced.latenciesMs, 50).toFixed(1)} ms / ${percentile(paced.latenciesMs, 99).toFixed(1)} ms / ${(paced.latenciesMs.at(-1) ?? Number.NaN).toFixed(1)} ms, errors ${paced.errors.length} |`,
    `| redacted bytes served | ${mb(load.bytes).toFixed(1)} MB in ${load.seconds.toFixed(1)} s (${(mb(load.bytes) / load.seconds).toFixed(1)} MB/s) |`,
    `| large object (${mb(LARGE_OBJECT_BYTES).toFixed(0)} MB CSV): status, first byte, total | ${large.status}, ${large.firstByteMs.toFixed(1)} ms, ${(large.totalMs / 1000).toFixed(2)} s (${(mb(large.bytes) / (large.totalMs / 1000)).toFixed(1)} MB/s) |`,
    `| rate limit ${limitPerSecond}/s: offered, accepted per limiter window | ${rate.offeredPerSecond.toFixed(0)}/s offered; ${rate.perWindow.join(', ')} |`,
    `| rate limit: refused (503 SlowDown) / other errors | ${rate.refused} / ${rate.failed} |`,
    '',
    `## serve --workers: ${SCALING_CONCURRENCY} concurrent GETs of the ${mb(LARGE_OBJECT_BYTES).toFixed(0)} MB CSV`,
    '',
    `| workers | total MB/s | server CPU-s per GB | server cores busy | wall time | load average before (${cpus().length} cores) |`,
    '|---|---|---|---|---|---|',
    ...[single, double].map(
      (run) =>
        `| ${run.workers} | ${(mb(run.bytes) / run.seconds).toFixed(1)} | ${(run.cpuSeconds / (run.bytes / 1e9)).toFixed(1)} | ${(run.cpuSeconds / run.seconds).toFixed(2)} | ${run.seconds.toFixed(1)} s | ${run.loadAverage.toFixed(1)} |`,
    ),
    `| 2 vs 1 | ${(mb(double.bytes) / double.seconds / (mb(single.bytes) / single.seconds)).toFixed(2)}× | | | | |`,
    '',
    `## SIGTERM to serve --workers 2 during ${DRAIN_DOWNLOADS} downloads (half read at ${mb(SLOW_READ_BYTES_PER_SECOND).toFixed(0)} MB/s), --drain-seconds ${DRAIN_SECONDS}`,
    '',
    `| completed whole | broken off | short but ended normally | exit code | exit after SIGTERM |`,
    '|---|---|---|---|---|',
    `| ${drain.whole} | ${drain.broken} | ${drain.shortButEnded} | ${drain.code} | ${drain.exitSeconds.toFixed(1)} s |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode =
    load.errors.length === 0 &&
    small.errors.length === 0 &&
    paced.errors.length === 0 &&
    large.status === 200 &&
    rate.failed === 0 &&
    single.isComplete &&
    double.isComplete &&
    drain.shortButEnded === 0 &&
    drain.code === 0
      ? 0
      : 1;
} finally {
  if (gateway) await stopGateway(gateway.child);
  rmSync(workDir, { recursive: true, force: true });
}
