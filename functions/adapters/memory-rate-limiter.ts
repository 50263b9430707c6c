import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import { createFlexibleRateLimiter } from './flexible-rate-limiter.ts';

/**
 * A `RateLimiter` whose counters live in this process: for the local gateway and tests.
 * Counters are not shared between processes or Lambda instances.
 */
export function createMemoryRateLimiter(): RateLimiter {
  return createFlexibleRateLimiter((options) => new RateLimiterMemory(options));
}
