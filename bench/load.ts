import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * `npm run load [-- --requests 10000 --concurrency 50 --limit 200]`
 *
 * Starts `maskpoint serve` in its own process on a free port with a generated bucket of CSV
 * objects from 1 KB to 1 MB, then measures with the real SDK: requests/s, latency (request to
 * last byte) p50/p99 and errors for N GETs from C concurrent clients (and for 1 KB objects
 * alone, the per-request overhead); time to first byte and
 * throughput of one large object; and how closely the memory rate limiter holds a configured
 * limit under the same concurrency.
 */

const REPO_DIR = join(import.meta.dirname, '..');
const KB = 1024;
const LARGE_OBJECT_BYTES = 64 * KB * KB;
const RATE_PHASE_SECONDS = 5;
const SMALL_REQUESTS = 2000;
const PACED_PER_SECOND = 200;
const PACED_SECONDS = 10;

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

async function startGateway(bucketDir: string, rulesDir: string, home: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx/esm',
      '-e',
      `const { serveCommand } = await import('./functions/cli/serve-command.ts'); process.exitCode = await serveCommand(${JSON.stringify(['--port', '0', '--bucket', `load=${bucketDir}`, '--bucket', `limited=${bucketDir}`, '--rules', rulesDir])});`,
    ],
    { cwd: REPO_DIR, env: { ...process.env, MASKPOINT_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('/dev/stdout')) {
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
  const accessKeyId = /access key id: +(\S+)/.exec(output)?.[1];
  const secretAccessKey = /secret access key: +(\S+)/.exec(output)?.[1];
  if (!url || !accessKeyId || !secretAccessKey) throw new Error(`unexpected gateway output:\n${output}`);
  return { child, url, credentials: { accessKeyId, secretAccessKey } };
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

const workDir = mkdtempSync(join(tmpdir(), 'maskpoint-load-'));
const bucketDir = join(workDir, 'bucket');
const rulesDir = join(workDir, 'rules');
const home = join(workDir, 'home');
for (const dir of [join(bucketDir, 'objects'), rulesDir, home]) mkdirSync(dir, { recursive: true });
let gateway: { child: ChildProcess } | undefined;
try {
  const keys = writeFixtures(bucketDir, rulesDir);
  const started = await startGateway(bucketDir, rulesDir, home);
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
  client.destroy();

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
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode =
    load.errors.length === 0 &&
    small.errors.length === 0 &&
    paced.errors.length === 0 &&
    large.status === 200 &&
    rate.failed === 0
      ? 0
      : 1;
} finally {
  gateway?.child.kill('SIGTERM');
  rmSync(workDir, { recursive: true, force: true });
}
