import { describe, expect, it, vi } from 'vitest';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';

// As an install without rate-limiter-flexible: the package is loaded at the first count.
vi.mock('rate-limiter-flexible/lib/RateLimiterMemory.js', () => {
  throw new Error('Cannot find package rate-limiter-flexible');
});

describe('createMemoryRateLimiter without rate-limiter-flexible', () => {
  it('is created, then fails every count and every query rather than allowing one', async () => {
    const limiter = createMemoryRateLimiter();
    const limit = { points: 3, windowSeconds: 60 };

    for (let i = 0; i < 3; i++) {
      await expect(limiter.consume('caller-a', 1, limit)).rejects.toThrow();
      await expect(limiter.remaining('caller-a', limit)).rejects.toThrow();
    }
  });
});
