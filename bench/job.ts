import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { releaseChunk } from '../functions/adapters/lent-chunks.ts';
import { loadRuleCatalog } from '../functions/adapters/local-rule-set-source.ts';
import { openRedactionStream } from '../functions/adapters/node-redaction-stream.ts';
import {
  createSegmentWorkerPool,
  type SegmentWorkerPool,
} from '../functions/adapters/segment-worker-pool.ts';
import { DEFAULT_SEGMENT_BYTES } from '../functions/adapters/segmented-redaction.ts';
import { openInput } from '../functions/cli/read-input.ts';
import { MaskpointError } from '../functions/core/errors.ts';
import type { RedactionStream } from '../functions/core/ports/redaction-engine.ts';
import type { TokenKeys } from '../functions/core/ports/token-keyring.ts';
import { compileRuleSet } from '../functions/core/redaction/compile-rule-set.ts';
import type { CompiledRuleSet } from '../functions/core/redaction/redactor.ts';

/**
 * What one job process does: a ceiling (`raw` read, `utf8` decode+encode round trip, `gzip`
 * gunzip→gzip(1)) or the engine's `redact` stream with a rule set from `rulesDir`.
 */
export type JobSpec =
  | { readonly mode: 'raw' | 'utf8' | 'gzip'; readonly file: string }
  | {
      readonly mode: 'redact';
      readonly file: string;
      readonly rulesDir: string;
      readonly ruleSetName: string;
      /** Redact in segments on this many worker threads (one big object on several cores). */
      readonly threads?: number;
      /**
       * Redact the file this many times in this process, each time as a new object (a new
       * stream and redactor), as a server does: the result is then the steady figure (see
       * {@link JobResult.first}).
       */
      readonly objects?: number;
    };

/** One measured run, printed by the job process as one JSON line. */
export interface JobResult {
  /** Bytes read from the file (compressed bytes for gzip input; up to the refusal when refused). */
  readonly fileBytes: number;
  readonly outBytes: number;
  readonly seconds: number;
  /** Milliseconds from opening the stream to its first output byte. */
  readonly firstByteMs: number | undefined;
  /** User + system CPU of the whole process (zlib threadpool included) during the run. */
  readonly cpuSeconds: number;
  /** Peak resident set of this process image, in KiB. */
  readonly maxRssKiB: number;
  /** CPU used by other processes during the run, in % of one core (other workloads skew results). */
  readonly foreignCpuPct: number | undefined;
  /** Values handled per rule id (redact jobs). */
  readonly counts: Record<string, number>;
  /** Set when the engine refused or aborted the object. */
  readonly refused?: { readonly code: string; readonly message: string };
  /**
   * With `objects`: the first object, which pays for the JIT warming up (the rule set is
   * compiled before it, outside every measured interval). The other fields are then those of
   * the object of median time among the second half, when the code is warm.
   */
  readonly first?: { readonly seconds: number; readonly cpuSeconds: number };
}

/** Fixed benchmark key `k1`: tokens are deterministic across runs, never a real secret. */
const BENCH_KEYS: TokenKeys = {
  currentKeyId: 'k1',
  keys: new Map([['k1', new Uint8Array(32).map((_, i) => i + 1)]]),
};

interface Measured {
  fileBytes: number;
  outBytes: number;
  firstByteMs: number | undefined;
  counts: Record<string, number>;
  refused?: { code: string; message: string };
}

async function runJob(spec: JobSpec): Promise<JobResult> {
  if (spec.mode !== 'redact') return measure(() => runCeiling(spec.mode, spec.file));
  // Rule loading and compilation are cold-start work, kept out of the measured interval.
  const ruleSet = await loadCompiledRuleSet(spec.rulesDir, spec.ruleSetName);
  const pool = spec.threads === undefined ? undefined : await startPool(spec.threads, ruleSet);
  try {
    const once = () => measure((start) => runRedaction(spec.file, ruleSet, start, pool));
    return spec.objects === undefined ? await once() : await measureObjects(spec.objects, once);
  } finally {
    await pool?.close();
  }
}

/** Worker threads started and their rule set compiled: cold-start work, like rule loading. */
async function startPool(threads: number, ruleSet: CompiledRuleSet): Promise<SegmentWorkerPool> {
  if (ruleSet.origin === undefined) throw new Error('the rule set has no origin to hand to workers');
  // The bundle (job.mjs) runs the bundled worker beside it; from source, the worker's source.
  const workerFile = import.meta.url.endsWith('.mjs')
    ? new URL('./segment-worker.mjs', import.meta.url)
    : new URL('../functions/adapters/segment-worker.ts', import.meta.url);
  const pool = createSegmentWorkerPool({ threads, workerFile });
  await pool.prepare(ruleSet.origin);
  return pool;
}

/**
 * Runs `once` for `objects` objects in a row; each must give the same output size and counts
 * as the first. Returns the object of median time among the second half, with the first.
 */
async function measureObjects(objects: number, once: () => Promise<JobResult>): Promise<JobResult> {
  const results: JobResult[] = [];
  for (let object = 0; object < objects; object++) {
    const result = await once();
    const first = results[0];
    if (
      first !== undefined &&
      (result.outBytes !== first.outBytes || JSON.stringify(result.counts) !== JSON.stringify(first.counts))
    ) {
      throw new Error(`object ${object + 1} of ${objects}: output size or counts differ from the first`);
    }
    results.push(result);
    if (result.refused !== undefined) return result;
  }
  const warm = results.slice(Math.floor(objects / 2)).sort((a, b) => a.seconds - b.seconds);
  const steady = warm[Math.floor((warm.length - 1) / 2)] ?? results[0];
  const first = results[0];
  if (steady === undefined || first === undefined) throw new Error('objects: expected at least one');
  return {
    ...steady,
    foreignCpuPct: warm.reduce<number | undefined>(
      (most, result) =>
        result.foreignCpuPct === undefined ? most : Math.max(most ?? 0, result.foreignCpuPct),
      undefined,
    ),
    maxRssKiB: await peakRssKiB(),
    first: { seconds: first.seconds, cpuSeconds: first.cpuSeconds },
  };
}

async function measure(run: (start: number) => Promise<Measured>): Promise<JobResult> {
  const busyBefore = await machineBusySeconds();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const measured = await run(start);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const busyAfter = await machineBusySeconds();
  return {
    ...measured,
    seconds,
    cpuSeconds,
    maxRssKiB: await peakRssKiB(),
    foreignCpuPct:
      busyBefore === undefined || busyAfter === undefined
        ? undefined
        : Math.max(0, ((busyAfter - busyBefore - cpuSeconds) / seconds) * 100),
  };
}

/**
 * VmHWM of this process image. `resourceUsage().maxRSS` is not used on Linux: it survives
 * `execve`, so a child reports its parent's footprint at fork time when that was larger.
 */
async function peakRssKiB(): Promise<number> {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(await readFile('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]);
  } catch {
    // Not Linux: fall back below.
  }
  return process.resourceUsage().maxRSS;
}

/** Non-idle CPU seconds of the whole machine from /proc/stat (USER_HZ = 100), or undefined off Linux. */
async function machineBusySeconds(): Promise<number | undefined> {
  try {
    const fields = (await readFile('/proc/stat', 'utf8'))
      .split('\n', 1)[0]
      ?.trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    if (fields === undefined || fields.length < 5) return undefined;
    const total = fields.reduce((sum, value) => sum + value, 0);
    // user nice system idle iowait irq softirq steal; guest time is already inside user.
    return (total - (fields[3] ?? 0) - (fields[4] ?? 0)) / 100;
  } catch {
    return undefined;
  }
}

async function loadCompiledRuleSet(rulesDir: string, name: string): Promise<CompiledRuleSet> {
  const resolved = (await loadRuleCatalog(rulesDir)).get(name);
  if (resolved === undefined) throw new Error(`rule set "${name}" not found in ${rulesDir}`);
  return compileRuleSet(resolved.ruleSet, BENCH_KEYS, resolved.positionOf, resolved.packs);
}

async function runRedaction(
  file: string,
  ruleSet: CompiledRuleSet,
  start: number,
  pool: SegmentWorkerPool | undefined,
): Promise<Measured> {
  let outBytes = 0;
  let firstByteMs: number | undefined;
  let stream: RedactionStream | undefined;
  let refused: Measured['refused'];
  // Opened as the CLI opens it.
  const input = openInput(file);
  try {
    const segments = pool && {
      runner: pool,
      segmentBytes: DEFAULT_SEGMENT_BYTES,
      maxInFlight: 2 * pool.threads,
    };
    stream = await openRedactionStream(input.stream, { ruleSet, key: basename(file) }, segments);
    for await (const chunk of stream.body) {
      firstByteMs ??= performance.now() - start;
      outBytes += chunk.byteLength;
      // As a sink whose write has called back: a lent output's buffer goes back to the workers.
      releaseChunk(chunk);
    }
  } catch (error) {
    if (!(error instanceof MaskpointError)) throw error;
    refused = { code: error.code, message: error.message };
  } finally {
    await input.close();
  }
  return {
    fileBytes: stream?.bytes.in ?? 0,
    outBytes,
    firstByteMs,
    counts: Object.fromEntries(stream?.redactor.counts ?? []),
    ...(refused && { refused }),
  };
}

async function runCeiling(mode: 'raw' | 'utf8' | 'gzip', file: string): Promise<Measured> {
  let fileBytes = 0;
  let outBytes = 0;
  if (mode === 'raw') {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) fileBytes += chunk.byteLength;
    return { fileBytes, outBytes: fileBytes, firstByteMs: undefined, counts: {} };
  }
  if (mode === 'utf8') {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      fileBytes += chunk.byteLength;
      outBytes += Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8').byteLength;
    }
    outBytes += Buffer.from(decoder.decode(), 'utf8').byteLength;
    return { fileBytes, outBytes, firstByteMs: undefined, counts: {} };
  }
  await pipeline(
    createReadStream(file).on('data', (chunk) => {
      fileBytes += chunk.length;
    }),
    createGunzip(),
    createGzip({ level: 1 }),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        outBytes += chunk.byteLength;
        done();
      },
    }),
  );
  return { fileBytes, outBytes, firstByteMs: undefined, counts: {} };
}

const spec = JSON.parse(process.argv[2] ?? '') as JobSpec;
process.stdout.write(`${JSON.stringify(await runJob(spec))}\n`);
