import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { openRedactionStream } from '../adapters/node-redaction-stream.ts';
import { createSegmentWorkerPool, defaultSegmentWorkerFile } from '../adapters/segment-worker-pool.ts';
import { DEFAULT_SEGMENT_BYTES, PARALLEL_MIN_BYTES } from '../adapters/segmented-redaction.ts';
import { loadRules, RULES_OPTIONS } from './load-rules.ts';
import { startProgress } from './progress.ts';
import { type CliInput, inputSize, openInput } from './read-input.ts';
import { UsageError } from './usage-error.ts';
import { writeToStdout } from './write-to-stdout.ts';

/**
 * `maskpoint redact [--threads N|auto] FILE|-`: writes the redacted object to stdout. With
 * `--threads` above 1, a big CSV or NDJSON object (or standard input, whose size is unknown) is
 * redacted in segments on that many worker threads. One thread is the default: each worker holds
 * its own compiled rule set and V8 heap (a 70 MB CSV peaked at about 100 MiB on one thread and
 * 440 MiB on a pool of two), and the memory target for `redact` is 128 MiB.
 */
export async function redactCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...RULES_OPTIONS, 'content-type': { type: 'string' }, threads: { type: 'string' } },
  });
  const path = positionals[0];
  if (path === undefined || positionals.length > 1)
    throw new UsageError('redact takes one FILE, or - for standard input');
  const ruleSet = await loadRules(values);
  const threads = threadCount(values.threads);
  const workerFile = defaultSegmentWorkerFile();
  if (threads > 1 && workerFile === undefined)
    throw new Error('--threads needs the segment worker, which this build of maskpoint lacks');
  const pool =
    threads > 1 &&
    workerFile !== undefined &&
    (inputSize(path) ?? Number.POSITIVE_INFINITY) >= PARALLEL_MIN_BYTES
      ? createSegmentWorkerPool({ threads, workerFile })
      : undefined;
  const segments = pool && { runner: pool, segmentBytes: DEFAULT_SEGMENT_BYTES, maxInFlight: 2 * threads };
  let input: CliInput | undefined;
  try {
    input = openInput(path);
    const redaction = await openRedactionStream(
      input.stream,
      { ruleSet, key: path === '-' ? undefined : path, contentType: values['content-type'] },
      segments,
    );
    const stopProgress = startProgress(() => redaction.bytes.in, input.sizeBytes);
    try {
      await writeToStdout(redaction.body);
    } finally {
      stopProgress();
    }
  } finally {
    await pool?.close();
    await input?.close();
  }
  return 0;
}

/** `--threads`: a whole number of threads from 1, or `auto` for one per core; 1 when not given. */
function threadCount(option: string | undefined): number {
  if (option === undefined) return 1;
  if (option === 'auto') return availableParallelism();
  const count = Number(option);
  if (!Number.isInteger(count) || count < 1 || count > 256)
    throw new UsageError(
      `--threads ${JSON.stringify(option)} is not allowed: a whole number from 1 to 256, or auto`,
    );
  return count;
}
