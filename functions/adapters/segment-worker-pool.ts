import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LimitExceededError, MalformedObjectError } from '../core/errors.ts';
import type { SegmentFormat } from '../core/redaction/formats/redact-segment.ts';
import type { RuleSetOrigin } from '../core/redaction/redactor.ts';

/** One segment to redact: its bytes (a view of a buffer used by nothing else, transferred to the worker). */
export interface SegmentTask {
  readonly format: SegmentFormat;
  /** CSV: the object's text through its header record (see `Segment.head`); `''` for NDJSON. */
  readonly head: string;
  readonly body: Uint8Array;
  readonly isFirst: boolean;
  /** CSV delimiter as a character code: the object's, sniffed from its first record. */
  readonly delimiter: number;
  /** CSV: the body was cut after a line feed, quotes not read (see `Segment.isEndGuessed`). */
  readonly isEndGuessed?: boolean;
  /**
   * A buffer to write the output into (moved to the worker with the body): an earlier output of
   * the object, released by its consumer. Unused when too small for the body (see `runSegmentTask`).
   */
  readonly outBuffer?: ArrayBuffer;
}

/**
 * A redacted segment: UTF-8 output and counts per rule id, with the body's complete records
 * when its end was guessed; or, for a guessed end, that it lies inside a quoted cell.
 */
export type SegmentOutcome = (
  | {
      /** A view of a buffer of its own, from its start: a later task's `outBuffer` once released. */
      readonly out: Uint8Array;
      readonly counts: readonly (readonly [string, number])[];
      readonly records?: number;
      readonly isCutInQuotedCell?: false;
    }
  | { readonly isCutInQuotedCell: true }
) & {
  /**
   * The task's body handed back once read (its buffer transferred back), for a later segment of
   * the same object to be gathered into; absent when the runner keeps it.
   */
  readonly body?: Uint8Array;
};

/**
 * Redacts segments somewhere (worker threads, or in-process in tests). Rejects with the
 * redactor's error, numbered from the segment's head (see `redactSegment`).
 */
export interface SegmentRunner {
  run(origin: RuleSetOrigin, task: SegmentTask): Promise<SegmentOutcome>;
}

/** Message to a segment worker. */
export interface SegmentRequest {
  readonly id: number;
  readonly originId: number;
  /** Sent with the first task of a rule set on each worker. */
  readonly origin?: RuleSetOrigin;
  readonly task: SegmentTask;
}

/** Message from a segment worker. */
export type SegmentReply =
  | ({ readonly id: number; readonly error?: undefined } & SegmentOutcome)
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

export interface SegmentWorkerPoolOptions {
  /** @default - `os.availableParallelism()` */
  readonly threads?: number;
  /** @default - `defaultSegmentWorkerFile()` (a bundle passes its own built worker) */
  readonly workerFile?: string | URL;
}

/** A pool of worker threads that redact segments; `close` ends them. */
export interface SegmentWorkerPool extends SegmentRunner {
  readonly threads: number;
  /** Starts every worker on `origin` (compiles the rule set in each), ahead of the first object. */
  prepare(origin: RuleSetOrigin): Promise<void>;
  close(): Promise<void>;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly origins: Set<number>;
  readonly pending: Map<number, { resolve(outcome: SegmentOutcome): void; reject(error: Error): void }>;
}

/**
 * Worker threads for segment redaction. Each task goes to the worker with the fewest pending
 * tasks; a worker keeps the process alive only while it has work, so an idle pool never holds
 * a CLI or a test open. A worker that dies fails its pending tasks and is replaced.
 */
export function createSegmentWorkerPool(options: SegmentWorkerPoolOptions = {}): SegmentWorkerPool {
  const threads = options.threads ?? availableParallelism();
  const foundFile = options.workerFile ?? defaultSegmentWorkerFile();
  if (foundFile === undefined) {
    throw new Error('no segment worker beside this module (a bundle must pass its own)');
  }
  const workerFile: string | URL = foundFile;
  const originIds = new WeakMap<RuleSetOrigin, number>();
  let nextOriginId = 1;
  let nextTaskId = 1;
  const workers: PoolWorker[] = [];

  function start(): PoolWorker {
    const worker = String(workerFile).endsWith('.ts')
      ? // From source (tests, `tsx`): Node 20 applies no loader hooks to a worker, so it registers tsx itself.
        new Worker(
          `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(String(workerFile))}); });`,
          { eval: true },
        )
      : new Worker(workerFile);
    const entry: PoolWorker = { worker, origins: new Set(), pending: new Map() };
    entry.worker.unref();
    entry.worker.on('message', (reply: SegmentReply) => {
      const waiting = entry.pending.get(reply.id);
      entry.pending.delete(reply.id);
      if (entry.pending.size === 0) entry.worker.unref();
      if (waiting === undefined) return;
      if (reply.error === undefined) waiting.resolve(reply);
      else waiting.reject(toError(reply.error));
    });
    const fail = (error: Error): void => {
      const index = workers.indexOf(entry);
      if (index >= 0) workers[index] = start();
      for (const waiting of entry.pending.values()) waiting.reject(error);
      entry.pending.clear();
    };
    entry.worker.on('error', fail);
    entry.worker.on('exit', (code) => fail(new Error(`segment worker exited with code ${code}`)));
    return entry;
  }

  for (let i = 0; i < threads; i++) workers.push(start());

  const pool: SegmentWorkerPool = {
    threads,
    async prepare(origin) {
      const empty = (): SegmentTask => ({
        format: 'ndjson',
        head: '',
        body: new Uint8Array(0),
        isFirst: true,
        delimiter: 0,
      });
      // Each call goes to the least busy worker, so one lands on each.
      await Promise.all(workers.map(() => pool.run(origin, empty())));
    },
    run(origin, task) {
      let originId = originIds.get(origin);
      if (originId === undefined) {
        originId = nextOriginId++;
        originIds.set(origin, originId);
      }
      const entry = workers.reduce((best, next) => (next.pending.size < best.pending.size ? next : best));
      const id = nextTaskId++;
      const isNewOrigin = !entry.origins.has(originId);
      entry.origins.add(originId);
      return new Promise<SegmentOutcome>((resolve, reject) => {
        entry.pending.set(id, { resolve, reject });
        entry.worker.ref();
        const request: SegmentRequest = { id, originId, task, ...(isNewOrigin && { origin }) };
        const moved = [task.body.buffer as ArrayBuffer, ...(task.outBuffer ? [task.outBuffer] : [])];
        entry.worker.postMessage(request, moved);
      });
    },
    async close() {
      const closing = workers.splice(0);
      for (const entry of closing) entry.worker.removeAllListeners('exit');
      await Promise.all(closing.map((entry) => entry.worker.terminate()));
    },
  };
  return pool;
}

/**
 * The worker beside this module: segment-worker.ts from source, segment-worker.mjs in the CLI
 * bundle (bin/cli-bundle.js builds it as an entry point beside the chunks); `undefined` in a
 * bundle that did not build the worker.
 */
export function defaultSegmentWorkerFile(): URL | undefined {
  return ['./segment-worker.ts', './segment-worker.mjs']
    .map((name) => new URL(name, import.meta.url))
    .find((file) => file.protocol === 'file:' && existsSync(fileURLToPath(file)));
}

/** The worker's error as the class the single-pass path throws (the others stay plain errors). */
function toError({ name, message }: { name: string; message: string }): Error {
  if (name === MalformedObjectError.name) return new MalformedObjectError(message);
  if (name === LimitExceededError.name) return new LimitExceededError(message);
  return new Error(message);
}
