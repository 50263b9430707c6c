import type { RateLimiter } from '../core/ports/rate-limiter.ts';

/**
 * A `RateLimiter` whose counters live in this process: for the local gateway and tests.
 * Counters are not shared between processes or Lambda instances.
 *
 * rate-limiter-flexible is loaded at the first count, not with this module: a gateway starts
 * without it (~5 ms of CPU for its CommonJS modules), and requests under rule sets without rate
 * limits never need it. Should it fail to load, every count fails, and with it the request.
 */
export function createMemoryRateLimiter(): RateLimiter {
  let loaded: Promise<RateLimiter> | undefined;
  const limiter = () => {
    loaded ??= loadMemoryRateLimiter();
    return loaded;
  };
  return {
    consume: async (key, points, limit) => (await limiter()).consume(key, points, limit),
    remaining: async (key, limit) => (await limiter()).remaining(key, limit),
  };
}

async function loadMemoryRateLimiter(): Promise<RateLimiter> {
  const [{ default: RateLimiterMemory }, { createFlexibleRateLimiter }] = await Promise.all([
    import('rate-limiter-flexible/lib/RateLimiterMemory.js'),
    import('./flexible-rate-limiter.ts'),
  ]);
  return createFlexibleRateLimiter((options) => new RateLimiterMemory(options));
}
