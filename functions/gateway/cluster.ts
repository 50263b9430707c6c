import cluster, { type Worker } from 'node:cluster';
import { type DrainOutcome, responseDeadlineMs } from './graceful-drain.ts';
import type { GatewayServer } from './server.ts';
import { WorkerStartError } from './worker-start-error.ts';

/** Time a worker has past the drain deadline to report and exit before it is killed. */
export const WORKER_EXIT_GRACE_MS = 5_000;

/** What a worker tells the primary. */
type WorkerMessage =
  | { readonly type: 'maskpoint:waiting' }
  | { readonly type: 'maskpoint:listening'; readonly url: string }
  | { readonly type: 'maskpoint:drained'; readonly outcome: DrainOutcome };

/** What the primary tells a worker: to start serving (once it says it is waiting), or to drain. */
const START_MESSAGE = { type: 'maskpoint:start' } as const;
const DRAIN_MESSAGE = { type: 'maskpoint:drain' } as const;

/** Gateway workers forked by {@link forkGatewayCluster}, waiting for the primary's word. */
export interface GatewayCluster {
  /**
   * Lets every worker start (each loads the rules and keys and listens); resolves once every
   * worker listens, with the URL they share.
   *
   * @throws WorkerStartError when a worker exits before it listens (its own error is on stderr).
   */
  start(): Promise<GatewayServer>;
  /** Stops the workers before they start: the primary's own start failed. */
  abort(): Promise<void>;
}

/**
 * The primary of a gateway cluster: forks `workers` processes that each run the same command
 * (node:cluster re-runs the entry script with the same arguments), all serving one listening
 * socket, so redaction, which is CPU-bound, runs on every core. They are forked before the
 * primary loads the rules, so that loading the CLI in each worker overlaps the primary's own
 * checks, but each waits (in {@link startAllowed}) for `start()` before it reads the rules or
 * keys: only the primary reports invalid rules, and it creates the local token keys once.
 * A worker that dies after it listens is replaced (a replacement that dies before it listens is
 * not); when none is left the process exits with code 1 so the container runtime restarts it.
 *
 * `drain(deadlineMs)` asks every worker to drain (each stops taking requests and finishes or
 * aborts its responses by the deadline, see `GatewayServer.drain`) and resolves when all have
 * exited; a worker still running `WORKER_EXIT_GRACE_MS` after the deadline is killed.
 */
export function forkGatewayCluster(options: {
  workers: number;
  write: (text: string) => void;
}): GatewayCluster {
  // node:cluster forks the entry script again; `node -e` and the REPL have none.
  if (process.argv[1] === undefined) {
    throw new WorkerStartError(
      'gateway workers need maskpoint run as a script (bin/maskpoint.js); here give --workers 1',
    );
  }
  const live = new Set<Worker>();
  const exited = new Map<Worker, Promise<void>>();
  let isDraining = false;
  /** Whether `start()` was called: a worker that says it waits is then let start. */
  let isStarted = false;
  /** Workers that said they wait (see {@link startAllowed}): a message sent earlier could be lost. */
  const waiting = new Set<Worker>();
  let totals: { inFlight: number; aborted: number } = { inFlight: 0, aborted: 0 };

  /** Forks a worker, which is let start when it waits and `start()` was called. */
  function fork(): Promise<string> {
    const worker = cluster.fork();
    live.add(worker);
    let url: string | undefined;
    const listening = new Promise<string>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'maskpoint:waiting') {
          waiting.add(worker);
          if (isStarted) worker.send(START_MESSAGE);
        } else if (message.type === 'maskpoint:listening') {
          url = message.url;
          resolve(message.url);
        } else if (message.type === 'maskpoint:drained') {
          totals = {
            inFlight: totals.inFlight + message.outcome.inFlight,
            aborted: totals.aborted + message.outcome.aborted,
          };
        }
      });
      exited.set(
        worker,
        new Promise((resolveExit) =>
          worker.once('exit', (code, signal) => {
            live.delete(worker);
            waiting.delete(worker);
            resolveExit();
            if (url === undefined) {
              reject(
                new WorkerStartError(
                  `gateway worker ${worker.process.pid} exited (${signal ?? `code ${code}`}) before it was listening`,
                ),
              );
            } else if (!isDraining) {
              replace(worker, signal ?? `code ${code}`);
            }
          }),
        ),
      );
    });
    return listening;
  }

  function replace(worker: Worker, how: string): void {
    options.write(`maskpoint: gateway worker ${worker.process.pid} exited (${how}); starting another\n`);
    fork().then(
      () => options.write('maskpoint: the new gateway worker is listening\n'),
      (error: unknown) => {
        options.write(`maskpoint: ${(error as Error).message}; not replacing it\n`);
        if (live.size === 0 && !isDraining) {
          options.write('maskpoint: no gateway worker is left; exiting\n');
          process.exit(1);
        }
      },
    );
  }

  const listening = Array.from({ length: options.workers }, fork);
  // A worker that exits while waiting is reported by start(), not as an unhandled rejection.
  for (const promise of listening) promise.catch(() => {});

  async function stopAll(): Promise<void> {
    isDraining = true;
    for (const worker of live) worker.process.kill('SIGTERM');
    await Promise.all(exited.values());
  }

  async function drain(deadlineMs: number): Promise<DrainOutcome> {
    isDraining = true;
    const workers = [...live];
    for (const worker of workers) if (worker.isConnected()) worker.send(DRAIN_MESSAGE);
    const timer = setTimeout(() => {
      for (const worker of live) {
        options.write(
          `maskpoint: gateway worker ${worker.process.pid} did not stop after the drain; killing it\n`,
        );
        worker.process.kill('SIGKILL');
      }
    }, deadlineMs + WORKER_EXIT_GRACE_MS);
    await Promise.all(workers.map((worker) => exited.get(worker)));
    clearTimeout(timer);
    return totals;
  }

  return {
    async start() {
      isStarted = true;
      for (const worker of waiting) if (worker.isConnected()) worker.send(START_MESSAGE);
      let url: string;
      try {
        [url] = (await Promise.all(listening)) as [string];
      } catch (error) {
        await stopAll();
        throw error;
      }
      return {
        url,
        drain,
        close: async () => {
          await drain(0);
        },
      };
    },
    abort: stopAll,
  };
}

/**
 * The worker's side of the start: resolves when the primary lets this worker start (see
 * {@link forkGatewayCluster}); exits the process if the primary goes away first.
 */
export function startAllowed(): Promise<void> {
  const allowed = new Promise<void>((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isMessage(message, START_MESSAGE.type)) return;
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      resolve();
    };
    const onDisconnect = () => process.exit(0);
    process.on('message', onMessage);
    process.once('disconnect', onDisconnect);
  });
  // Only now: a message that arrives before a listener is there is dropped.
  send({ type: 'maskpoint:waiting' });
  return allowed;
}

/**
 * The worker's side: tells the primary it listens at `server.url`, then waits for a reason to
 * stop (the primary's drain message, SIGTERM or SIGINT sent to the worker itself, or the primary
 * going away), drains so that it is gone within `drainDeadlineMs` (see `responseDeadlineMs`),
 * reports the outcome and exits.
 */
export async function runClusterWorker(server: GatewayServer, drainDeadlineMs: number): Promise<never> {
  send({ type: 'maskpoint:listening', url: server.url });
  await new Promise<void>((resolve) => {
    process.on('message', (message: unknown) => {
      if (isMessage(message, DRAIN_MESSAGE.type)) resolve();
    });
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
    process.once('disconnect', () => resolve());
  });
  try {
    const outcome = await server.drain(responseDeadlineMs(drainDeadlineMs));
    if (outcome.aborted > 0) {
      process.stderr.write(
        `maskpoint: gateway worker ${process.pid}: drain deadline reached, ${outcome.aborted} of ${outcome.inFlight} responses aborted\n`,
      );
    }
    await server.close();
    if (process.connected) {
      await new Promise<void>((resolve) =>
        process.send?.({ type: 'maskpoint:drained', outcome }, () => resolve()),
      );
    }
    process.exit(0);
  } catch (error) {
    process.stderr.write(
      `maskpoint: gateway worker ${process.pid} failed to stop cleanly (${(error as Error).name})\n`,
    );
    process.exit(1);
  }
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function isMessage(message: unknown, type: string): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}
