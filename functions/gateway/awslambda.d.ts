import type { Writable } from 'node:stream';

/**
 * The globals the Node.js Lambda runtime provides for response streaming
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html).
 */
declare global {
  namespace awslambda {
    /** Wraps a handler so it writes its response to `responseStream` instead of returning it. */
    function streamifyResponse<TEvent>(
      handler: (event: TEvent, responseStream: Writable, context: unknown) => Promise<void>,
    ): (event: TEvent, context: unknown) => Promise<void>;

    namespace HttpResponseStream {
      /** Sends the status line and headers of a function URL response; the body follows on the returned stream. */
      function from(
        responseStream: Writable,
        metadata: { statusCode: number; headers?: Record<string, string> },
      ): Writable;
    }
  }
}
