import fc from 'fast-check';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createFlexibleRateLimiter,
  RATE_LIMIT_STORE_TIMEOUT_MS,
} from '../../../functions/adapters/flexible-rate-limiter.ts';
import { createMemoryRateLimiter } from '../../../functions/adapters/memory-rate-limiter.ts';
import { SlowDownError } from '../../../functions/core/errors.ts';

const limit = { points: 3, windowSeconds: 60 };

describe('createMemoryRateLimiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('allows the window’s points, then refuses with the seconds until the window frees them', async () => {
    const limiter = createMemoryRateLimiter();

    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('caller-a', 1, limit));

    expect(decisions.slice(0, 3)).toEqual([{ isAllowed: true }, { isAllowed: true }, { isAllowed: true }]);
    expect(decisions[3]?.isAllowed).toBe(false);
    expect(decisions[3]?.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(decisions[3]?.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('counts each key on its own', async () => {
    const limiter = createMemoryRateLimiter();

    await limiter.consume('caller-a', 3, limit);

    expect(await limiter.consume('caller-b', 1, limit)).toEqual({ isAllowed: true });
    expect((await limiter.consume('caller-a', 1, limit)).isAllowed).toBe(false);
  });

  it('refuses a single consume of more points than the limit', async () => {
    const limiter = createMemoryRateLimiter();

    expect((await limiter.consume('bytes', 5000, { points: 4096, windowSeconds: 86_400 })).isAllowed).toBe(
      false,
    );
  });

  it('reports the full limit as remaining for an unseen key and what is left after consuming', async () => {
    const limiter = createMemoryRateLimiter();

    expect(await limiter.remaining('caller-a', limit)).toBe(3);
    await limiter.consume('caller-a', 2, limit);
    expect(await limiter.remaining('caller-a', limit)).toBe(1);
    await limiter.consume('caller-a', 2, limit);
    expect(await limiter.remaining('caller-a', limit)).toBe(0);
  });

  it('frees the points once the window has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const limiter = createMemoryRateLimiter();
    await limiter.consume('caller-a', 3, limit);

    vi.advanceTimersByTime(61_000);

    expect(await limiter.consume('caller-a', 1, limit)).toEqual({ isAllowed: true });
  });

  it('keeps one limiter per (points, windowSeconds), reusing it across calls', async () => {
    const create = vi.fn(
      (options: { points: number; duration: number; keyPrefix: string }) => new RateLimiterMemory(options),
    );
    const limiter = createFlexibleRateLimiter(create);

    await limiter.consume('k', 1, limit);
    await limiter.remaining('k', limit);
    await limiter.consume('k', 1, { points: 3, windowSeconds: 10 });
    await limiter.consume('k', 1, { points: 5, windowSeconds: 60 });

    expect(create.mock.calls.map(([options]) => [options.points, options.duration])).toEqual([
      [3, 60],
      [3, 10],
      [5, 60],
    ]);
  });

  it('fails closed with SlowDownError when the store rejects with an error', async () => {
    const broken = new RateLimiterMemory({ points: 1, duration: 1 });
    broken.consume = () => Promise.reject(new Error('connection refused'));
    broken.get = () => Promise.reject(new Error('connection refused'));
    const limiter = createFlexibleRateLimiter(() => broken);

    await expect(limiter.consume('k', 1, limit)).rejects.toBeInstanceOf(SlowDownError);
    await expect(limiter.remaining('k', limit)).rejects.toBeInstanceOf(SlowDownError);
  });

  it('fails closed with SlowDownError once a store that never answers has had storeTimeoutMs, not before', async () => {
    vi.useFakeTimers();
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.integer({ min: 1, max: 120_000 }), { nil: undefined }),
        fc.constantFrom('consume', 'remaining'),
        async (storeTimeoutMs, method) => {
          const frozen = new RateLimiterMemory({ points: 1, duration: 1 });
          frozen.consume = () => new Promise(() => {});
          frozen.get = () => new Promise(() => {});
          const limiter = createFlexibleRateLimiter(() => frozen, { storeTimeoutMs });
          const deadlineMs = storeTimeoutMs ?? RATE_LIMIT_STORE_TIMEOUT_MS;
          let outcome: unknown;
          const call = method === 'consume' ? limiter.consume('k', 1, limit) : limiter.remaining('k', limit);
          call.then(
            (value) => {
              outcome = value;
            },
            (error: unknown) => {
              outcome = error;
            },
          );

          await vi.advanceTimersByTimeAsync(deadlineMs - 1);
          expect(outcome).toBeUndefined();
          await vi.advanceTimersByTimeAsync(1);
          expect(outcome).toBeInstanceOf(SlowDownError);
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('leaves no deadline timer behind when the store answers in time', async () => {
    vi.useFakeTimers();
    const prompt = new RateLimiterMemory({ points: 1, duration: 1 });
    prompt.consume = () => Promise.resolve(new RateLimiterRes(2, 1000, 1, true));
    prompt.get = () => Promise.resolve(null);
    const limiter = createFlexibleRateLimiter(() => prompt);

    expect(await limiter.consume('k', 1, limit)).toEqual({ isAllowed: true });
    expect(await limiter.remaining('k', limit)).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
  });
});
