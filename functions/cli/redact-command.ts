import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { openRedactionStream } from '../adapters/node-redaction-stream.ts';
import { createSegmentWorkerPool, defaultSegmentWorkerFile } from '../adapters/segment-worker-pool.ts';
import { DEFAULT_SEGMENT_BYTES, PARALLEL_MIN_BYTES } from '../adapters/segmented-redaction.ts';
import { loadRules, RULES_OPTIONS } from './load-rules.ts';
import { startProgress } from './progress.ts';
import { openInput } from './read-input.ts';
import { UsageError } from './usage-error.ts';
import { writeToStdout } from './write-to-stdout.ts';

/**
 * `maskpoint redact FILE|-`: writes the redacted object to stdout. A big CSV or NDJSON object
 * (or standard input, whose size is unknown) is redacted on every core, in segments.
 */
export async function redactCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...RULES_OPTIONS, 'content-type': { type: 'string' } },
  });
  const path = positionals[0];
  if (path === undefined || positionals.length > 1)
    throw new UsageError('redact takes one FILE, or - for standard input');
  const ruleSet = await loadRules(values);
  const input = openInput(path);
  const threads = availableParallelism();
  const workerFile = defaultSegmentWorkerFile();
  const pool =
    threads > 1 &&
    workerFile !== undefined &&
    (input.sizeBytes ?? Number.POSITIVE_INFINITY) >= PARALLEL_MIN_BYTES
      ? createSegmentWorkerPool({ threads, workerFile })
      : undefined;
  const segments = pool && { runner: pool, segmentBytes: DEFAULT_SEGMENT_BYTES, maxInFlight: 2 * threads };
  try {
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
  }
  return 0;
}
