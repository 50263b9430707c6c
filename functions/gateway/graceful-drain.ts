import type { Server, ServerResponse } from 'node:http';

/** The share of a stop deadline kept for shutting down after the responses are done or aborted. */
const EXIT_RESERVE_SHARE = 0.2;
/** The most kept for shutting down: the aborted requests' audit lines, the workers' exit. */
const MAX_EXIT_RESERVE_MS = 2_000;

/**
 * How long responses in flight get when the whole process must be gone within `stopDeadlineMs`
 * (`--drain-seconds`): the deadline less a reserve for shutting down (20 %, at most 2 s).
 *
 * @example
 * responseDeadlineMs(25_000) // 23_000
 */
export function responseDeadlineMs(stopDeadlineMs: number): number {
  return stopDeadlineMs - Math.min(MAX_EXIT_RESERVE_MS, stopDeadlineMs * EXIT_RESERVE_SHARE);
}

/** What a drain did with the responses in flight when it began. */
export interface DrainOutcome {
  /** Responses being sent when the drain began. */
  readonly inFlight: number;
  /** Of those, the ones still sending at the deadline, whose connections were destroyed. */
  readonly aborted: number;
}

/** The responses a server is sending, and how it stops without cutting them short. */
export interface GracefulDrain {
  /** True from the first `drain` call on. */
  readonly isDraining: boolean;
  /** Counts `res` as in flight until it closes; during a drain its connection closes after it. */
  track(res: ServerResponse): void;
  /**
   * Stops taking connections (the listener closes, idle keep-alive connections close), lets the
   * responses in flight finish, each with `Connection: close` or its connection ended after it,
   * and resolves once they all have and their connections closed. At `deadlineMs` it destroys
   * every connection left: a client still receiving sees a broken transfer (a chunked body
   * without its last chunk, or fewer bytes than `Content-Length`), never a short object that
   * looks complete. Calling it again returns the same drain.
   */
  drain(deadlineMs: number): Promise<DrainOutcome>;
}

/**
 * Graceful stop for a node:http server (SIGTERM in a container, a load balancer deregistering
 * the target). Requests that arrive on an open connection during the drain are the server's to
 * refuse (see `isDraining`); tracked, they close their connection too.
 *
 * A finished response's connection is ended (FIN after the last byte), never destroyed: destroying
 * a socket that holds unread bytes (a pipelined request) resets it, and a reset can drop the end
 * of a response the kernel has not sent yet.
 *
 * @example
 * const drain = createGracefulDrain(server);
 * // in the request listener: drain.track(res);
 * const { aborted } = await drain.drain(30_000);
 */
export function createGracefulDrain(server: Server): GracefulDrain {
  const inFlight = new Set<ServerResponse>();
  let draining: Promise<DrainOutcome> | undefined;

  return {
    get isDraining() {
      return draining !== undefined;
    },

    track(res) {
      inFlight.add(res);
      if (draining !== undefined) closeConnectionAfter(res);
      res.once('close', () => inFlight.delete(res));
    },

    drain(deadlineMs) {
      draining ??= new Promise((resolve) => {
        const started = inFlight.size;
        const timer = setTimeout(() => {
          const aborted = inFlight.size;
          server.closeAllConnections();
          resolve({ inFlight: started, aborted });
        }, deadlineMs);
        // The callback runs once every connection has closed, the finished ones included.
        server.close(() => {
          clearTimeout(timer);
          resolve({ inFlight: started, aborted: 0 });
        });
        server.closeIdleConnections();
        for (const res of inFlight) closeConnectionAfter(res);
      });
      return draining;
    },
  };
}

/** Before the status line: `Connection: close`; after it: end the connection once the body is out. */
function closeConnectionAfter(res: ServerResponse): void {
  if (!res.headersSent) {
    res.shouldKeepAlive = false;
    return;
  }
  const socket = res.socket;
  res.once('finish', () => socket?.end());
}
