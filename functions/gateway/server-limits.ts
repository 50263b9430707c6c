/** How long the server waits for slow or idle clients, and how many it serves at once. */
export interface ServerLimits {
  /** Time a client has to send a request's headers (slow-header clients are cut off after it). */
  readonly headersTimeoutMs: number;
  /** Time a client has to send a whole request (the gateway reads no request bodies). */
  readonly requestTimeoutMs: number;
  /** Time an idle keep-alive connection stays open between requests. */
  readonly keepAliveTimeoutMs: number;
  /** Time a response may wait for a client that reads nothing before it is destroyed. */
  readonly writeStallTimeoutMs: number;
  /** Open connections; further ones are closed as they arrive. */
  readonly maxConnections: number;
}

/**
 * Limits for a gateway facing the internet: a client that stops reading is dropped after 30 s
 * instead of pinning its source and buffers forever.
 */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  writeStallTimeoutMs: 30_000,
  maxConnections: 1_024,
};
