import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { ServiceUnavailableError } from '../core/errors.ts';
import type { RateLimit, RateLimiter } from '../core/ports/rate-limiter.ts';

/** Options every rate-limiter-flexible store takes; the store adapters add their client. */
export interface FlexibleLimiterOptions {
  readonly keyPrefix: string;
  readonly points: number;
  readonly duration: number;
}

/** Prefix of every counter in a shared store (`maskpoint:<key as given>`). */
export const RATE_LIMIT_KEY_PREFIX = 'maskpoint';

/**
 * Adapts rate-limiter-flexible to the `RateLimiter` port. One limiter per distinct
 * (points, windowSeconds) is made by `createLimiter` on first use and kept. Over the limit,
 * rate-limiter-flexible rejects with a `RateLimiterRes`: that is a refusal. Any other rejection
 * means the store failed, and becomes `ServiceUnavailableError` so the request fails closed.
 */
export function createFlexibleRateLimiter(
  createLimiter: (options: FlexibleLimiterOptions) => RateLimiterAbstract,
): RateLimiter {
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
        await limiterFor(limit).consume(key, points);
        return { isAllowed: true };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw storeFailed(rejection);
        return { isAllowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
    },

    async remaining(key, limit) {
      const state = await limiterFor(limit)
        .get(key)
        .catch((error: unknown) => {
          throw storeFailed(error);
        });
      return state === null ? limit.points : state.remainingPoints;
    },
  };
}

function storeFailed(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError('the rate limit store could not be reached', { cause });
}
