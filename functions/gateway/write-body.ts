import type { Writable } from 'node:stream';

/**
 * Streams `body` into `out` with backpressure, pulling the next chunk only once the previous one
 * was written. The client leaving (`out` destroyed) or not reading for `stallTimeoutMs` (no
 * `drain`, which then destroys `out`) ends the body's iterator, which releases the source. A body
 * that throws destroys `out`, so the client sees a broken transfer, never a short object. Not
 * stream.pipeline: its per-call Readable, AbortController and AbortError cost more CPU than
 * serving a small object does.
 *
 * @throws the body's error, after destroying `out`
 */
export async function writeBody(
  body: AsyncIterable<Uint8Array>,
  out: Writable,
  stallTimeoutMs: number,
): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  try {
    while (!out.destroyed) {
      const next = await iterator.next();
      if (next.done) {
        out.end();
        return;
      }
      if (!out.write(next.value)) await drainOrStall(out, stallTimeoutMs);
    }
  } catch (error) {
    out.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  await iterator.return?.();
}

/** Waits for `drain`; a client that reads nothing for `stallTimeoutMs` is cut off. */
function drainOrStall(out: Writable, stallTimeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      clearTimeout(timer);
      out.off('drain', settle);
      out.off('close', settle);
      resolve();
    };
    const timer = setTimeout(() => {
      out.destroy();
      settle();
    }, stallTimeoutMs);
    out.on('drain', settle);
    out.on('close', settle);
  });
}
