/** A limit: `points` per `windowSeconds`. */
export interface RateLimit {
  readonly points: number;
  readonly windowSeconds: number;
}

export interface RateLimitDecision {
  readonly isAllowed: boolean;
  /** Seconds until the window frees points, when refused. */
  readonly retryAfterSeconds?: number | undefined;
}

/**
 * Port: shared counters per key (memory, DynamoDB, Redis through rate-limiter-flexible).
 * Throws `SlowDownError` when the store cannot be reached or does not answer in time, so callers
 * fail closed (503 SlowDown, which S3 clients retry with backoff).
 */
export interface RateLimiter {
  /** Counts `points` against `key`; refused once the window's points are used up. */
  consume(key: string, points: number, limit: RateLimit): Promise<RateLimitDecision>;
  /** Points still free in the current window, without consuming any. */
  remaining(key: string, limit: RateLimit): Promise<number>;
}
