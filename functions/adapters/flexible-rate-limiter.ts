import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js';
import { SlowDownError } from '../core/errors.ts';
import type { RateLimit, RateLimiter } from '../core/ports/rate-limiter.ts';

/** Options every rate-limiter-flexible store takes; the store adapters add their client. */
export interface FlexibleLimiterOptions {
  readonly keyPrefix: string;
  readonly points: number;
  readonly duration: number;
}

/** How long one call to the counter store may take. */
export interface StoreTimeoutOptions {
  /** @default RATE_LIMIT_STORE_TIMEOUT_MS */
  readonly storeTimeoutMs?: number;
}

/** Prefix of every counter in a shared store (`maskpoint:<key as given>`). */
export const RATE_LIMIT_KEY_PREFIX = 'maskpoint';

/**
 * Longest a request waits for the counter store, whatever its client does: a store that does not
 * answer in time refuses the request (503 SlowDown) rather than holding it.
 */
export const RATE_LIMIT_STORE_TIMEOUT_MS = 2_000;

/**
 * Adapts rate-limiter-flexible to the `RateLimiter` port. One limiter per distinct
 * (points, windowSeconds) is made by `createLimiter` on first use and kept. Over the limit,
 * rate-limiter-flexible rejects with a `RateLimiterRes`: that is a refusal. Any other rejection,
 * or no answer within `storeTimeoutMs`, means the store failed, and becomes `SlowDownError` so the
 * request fails closed and S3 clients back off and retry.
 */
export function createFlexibleRateLimiter(
  createLimiter: (options: FlexibleLimiterOptions) => RateLimiterAbstract,
  options: StoreTimeoutOptions = {},
): RateLimiter {
  const storeTimeoutMs = options.storeTimeoutMs ?? RATE_LIMIT_STORE_TIMEOUT_MS;
  const limiters = new Map<string, RateLimiterAbstract>();

  function limiterFor(limit: RateLimit): RateLimiterAbstract {
    const id = `${limit.points}/${limit.windowSeconds}`;
    let limiter = limiters.get(id);
    if (limiter === undefined) {
      limiter = createLimiter({
        keyPrefix: RATE_LIMIT_KEY_PREFIX,
        points: limit.points,
        duration: limit.windowSeconds,
      });
      limiters.set(id, limiter);
    }
    return limiter;
  }

  return {
    async consume(key, points, limit) {
      try {
        await withinDeadline(limiterFor(limit).consume(key, points), storeTimeoutMs);
        return { isAllowed: true };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw storeFailed(rejection);
        return { isAllowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
    },

    async remaining(key, limit) {
      const state = await withinDeadline(limiterFor(limit).get(key), storeTimeoutMs).catch(
        (error: unknown) => {
          throw storeFailed(error);
        },
      );
      return state === null ? limit.points : state.remainingPoints;
    },
  };
}

/** `call`, or a rejection once `timeoutMs` have passed; the timer never outlives the call. */
async function withinDeadline<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the rate limit store did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    // race subscribes to `call`, so its late rejection is handled, not unhandled.
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function storeFailed(cause: unknown): SlowDownError {
  return new SlowDownError('Please reduce your request rate. (the rate limit store is unavailable)', {
    cause,
  });
}
