import type { ByteBudget } from './access-policy.ts';
import { ClientDisconnectedError } from './errors.ts';

/** How a response body ended, with the bytes handed to the front door until then. */
export type BodyEnd =
  | { readonly outcome: 'completed'; readonly bytesOut: number }
  | { readonly outcome: 'disconnected'; readonly bytesOut: number }
  | { readonly outcome: 'failed'; readonly bytesOut: number; readonly error: unknown };

export interface ServedBodyOptions {
  /** Chunks produced before the status line was sent; they are served first. */
  readonly held: readonly Uint8Array[];
  /** The rest of the body; `undefined` when `held` is all of it. */
  readonly rest?: AsyncIterator<Uint8Array> | undefined;
  readonly budget: ByteBudget;
  /** Called exactly once, when the body ends however it ends, after the budget is settled. */
  readonly onEnd: (end: BodyEnd) => void;
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * The body a front door streams. A chunk counts as sent when the front door takes it (`next()`),
 * and is taken from the byte budget then. The body ends once: read to the end (completed),
 * abandoned through `return()` or by a `ClientDisconnectedError` from the rest (disconnected), or
 * failed; ending early closes the rest, which releases the source. It is an iterator object, not
 * a generator, so that `return()` releases the source even when the front door never read it.
 *
 * @example
 * const body = createServedBody({ held: [first], rest, budget, onEnd: (end) => audit(end) });
 */
export function createServedBody(options: ServedBodyOptions): AsyncIterableIterator<Uint8Array> {
  const held = [...options.held];
  const { rest, budget } = options;
  let bytesOut = 0;
  let isEnded = false;

  async function endEarly(end: { outcome: 'disconnected' } | { outcome: 'failed'; error: unknown }) {
    isEnded = true;
    held.length = 0;
    try {
      await rest?.return?.();
    } catch {
      // Closing an abandoned source can fail; nothing more of it is sent either way.
    }
    // The bytes already sent are charged; a store failure now cannot take them back.
    await budget.settle().catch(() => {});
    options.onEnd({ ...end, bytesOut });
  }

  async function pull(): Promise<Uint8Array | undefined> {
    const chunk = held.shift();
    if (chunk !== undefined || rest === undefined) return chunk;
    const next = await rest.next();
    return next.done ? undefined : next.value;
  }

  return {
    [Symbol.asyncIterator]() {
      return this;
    },

    async next() {
      if (isEnded) return DONE;
      let chunk: Uint8Array | undefined;
      try {
        chunk = await pull();
        if (isEnded) return DONE;
        if (chunk === undefined) {
          isEnded = true;
          try {
            await budget.settle();
          } catch (error) {
            options.onEnd({ outcome: 'failed', bytesOut, error });
            throw error;
          }
          options.onEnd({ outcome: 'completed', bytesOut });
          return DONE;
        }
        await budget.take(chunk.byteLength);
      } catch (error) {
        if (!isEnded) {
          await endEarly(
            error instanceof ClientDisconnectedError
              ? { outcome: 'disconnected' }
              : { outcome: 'failed', error },
          );
        }
        throw error;
      }
      if (isEnded) return DONE;
      bytesOut += chunk.byteLength;
      return { value: chunk, done: false };
    },

    async return() {
      if (!isEnded) await endEarly({ outcome: 'disconnected' });
      return DONE;
    },
  };
}
