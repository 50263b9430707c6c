import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Whether a server is answering, or about to answer, a request. */
export interface ServerActivity {
  /** No request is being answered and no accepted connection waits for its first request. */
  readonly isIdle: boolean;
  /** Resolves once {@link isIdle} holds (at once when it does). */
  whenIdle(): Promise<void>;
}

/**
 * Follows what `server` is doing, for work that should wait for a quiet moment (compiling rule
 * sets ahead of their first use). A connection counts from when it is accepted: its first request
 * is parsed one turn of the event loop or more later, and work run in between would hold it up.
 * After its first request, a kept-alive connection counts only while it is answered.
 *
 * @example
 * const activity = trackServerActivity(server);
 * await activity.whenIdle();
 */
export function trackServerActivity(server: Server): ServerActivity {
  const waitingForRequest = new Set<Socket>();
  let answering = 0;
  let idle: { promise: Promise<void>; resolve: () => void } | undefined;
  const isIdle = () => waitingForRequest.size === 0 && answering === 0;
  const settle = () => {
    if (idle === undefined || !isIdle()) return;
    idle.resolve();
    idle = undefined;
  };
  server.on('connection', (socket: Socket) => {
    waitingForRequest.add(socket);
    socket.once('close', () => {
      waitingForRequest.delete(socket);
      settle();
    });
  });
  server.on('request', (req, res) => {
    waitingForRequest.delete(req.socket);
    answering++;
    res.once('close', () => {
      answering--;
      settle();
    });
  });
  return {
    get isIdle() {
      return isIdle();
    },
    whenIdle() {
      if (isIdle()) return Promise.resolve();
      if (idle === undefined) {
        let resolve = () => {};
        const promise = new Promise<void>((done) => {
          resolve = done;
        });
        idle = { promise, resolve };
      }
      return idle.promise;
    },
  };
}
