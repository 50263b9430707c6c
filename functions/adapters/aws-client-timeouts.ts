/** Longest wait for the TCP (and TLS) connection to an AWS endpoint. */
export const AWS_CONNECT_TIMEOUT_MS = 1_000;
/** Longest wait from sending a request to its response headers. */
export const AWS_RESPONSE_TIMEOUT_MS = 5_000;
/** Longest silence on an open connection, also while a response body streams (a stalled GetObject). */
export const AWS_IDLE_TIMEOUT_MS = 10_000;
/** Attempts per call, the first included: one retry of a transient failure. */
export const AWS_MAX_ATTEMPTS = 2;

/**
 * AWS SDK v3 client settings that bound every call: without them the SDK waits for a silent
 * endpoint forever (its handler's timeouts default to 0, "no timeout"). `requestTimeout` only
 * throws with `throwOnRequestTimeout` (otherwise @smithy/node-http-handler 4.x merely logs a
 * warning) and runs until the response headers; `socketTimeout` then bounds a stalled body.
 * Option names as in @smithy/types `NodeHttpHandlerOptions`.
 *
 * @example
 * const client = new DynamoDB({ ...AWS_CLIENT_TIMEOUTS, region });
 */
export const AWS_CLIENT_TIMEOUTS = {
  maxAttempts: AWS_MAX_ATTEMPTS,
  requestHandler: {
    connectionTimeout: AWS_CONNECT_TIMEOUT_MS,
    requestTimeout: AWS_RESPONSE_TIMEOUT_MS,
    throwOnRequestTimeout: true,
    socketTimeout: AWS_IDLE_TIMEOUT_MS,
  },
} as const;
