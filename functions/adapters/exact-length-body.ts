import { ServiceUnavailableError } from '../core/errors.ts';

/**
 * A source object's body that must hold exactly the length its source announced (a file's size
 * at open, S3's `Content-Length`). A body that ends short, runs long or fails while streaming
 * fails with `ServiceUnavailableError` (retrying may succeed): a cut transfer never ends like a
 * complete one, which would let the redactor flush its held tail, a partial value, unscanned.
 * Closing the returned iterator closes the body's, even before the first read, so an abandoned
 * source releases its file or socket.
 *
 * @param expectedBytes - the announced length; `undefined` when none was (failures still fail).
 * @example
 * const body = exactLengthBody(response.Body, response.ContentLength);
 */
export function exactLengthBody(
  body: AsyncIterable<Uint8Array>,
  expectedBytes: number | undefined,
): AsyncIterable<Uint8Array> {
  const announced = expectedBytes === undefined ? 'no announced length' : `${expectedBytes} bytes announced`;
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const inner = body[Symbol.asyncIterator]();
      let receivedBytes = 0;
      const broken = (cause?: unknown) =>
        new ServiceUnavailableError(
          `the source object's body broke off after ${receivedBytes} bytes (${announced})`,
          { cause },
        );
      return {
        async next(): Promise<IteratorResult<Uint8Array>> {
          let step: IteratorResult<Uint8Array>;
          try {
            step = await inner.next();
          } catch (error) {
            throw broken(error);
          }
          if (step.done) {
            if (expectedBytes !== undefined && receivedBytes !== expectedBytes) throw broken();
            return step;
          }
          receivedBytes += step.value.byteLength;
          if (expectedBytes !== undefined && receivedBytes > expectedBytes) {
            await inner.return?.();
            throw new ServiceUnavailableError(`the source object's body exceeds the ${announced}`);
          }
          return step;
        },
        async return(): Promise<IteratorResult<Uint8Array>> {
          await inner.return?.();
          // A stream's async iterator that was never read ends without running its cleanup, so
          // its file or socket would stay open until garbage collection: destroy it outright.
          if (isDestroyable(body)) body.destroy();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

function isDestroyable(body: object): body is { destroy(): void } {
  return typeof (body as { destroy?: unknown }).destroy === 'function';
}
