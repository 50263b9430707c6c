import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, createRedisRateLimiter } from '../../functions/adapters/redis-rate-limiter.ts';
import { SlowDownError } from '../../functions/core/errors.ts';
import type { RateLimiter } from '../../functions/core/ports/rate-limiter.ts';

const limit = { points: 3, windowSeconds: 60 };

function isOnPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return address.port;
}

function redisClient(port: number): Redis {
  const client = createRedisClient({ host: '127.0.0.1', port, retryStrategy: () => null, lazyConnect: true });
  // Connection errors reach the tests through the limiter; without a listener ioredis logs each one.
  client.on('error', () => undefined);
  return client;
}

const hasRedisServer = isOnPath('redis-server');

describe.skipIf(!hasRedisServer)(
  'createRedisRateLimiter against redis-server (skipped: redis-server is not on PATH)',
  () => {
    let redis: ChildProcess;
    let client: Redis;
    let limiter: RateLimiter;

    beforeAll(async () => {
      const port = await freePort();
      redis = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      client = redisClient(port);
      for (let attempt = 0; ; attempt++) {
        try {
          await client.connect();
          break;
        } catch (error) {
          if (attempt === 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      limiter = createRedisRateLimiter(client);
    });

    afterAll(async () => {
      client?.disconnect();
      if (redis?.exitCode === null) {
        const exited = new Promise((resolve) => redis.once('exit', resolve));
        redis.kill('SIGTERM');
        await exited;
      }
    });

    it('allows the window’s points, then refuses with the seconds until the window frees them', async () => {
      const decisions = [];
      for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('caller-a', 1, limit));

      expect(decisions.slice(0, 3).every((decision) => decision.isAllowed)).toBe(true);
      expect(decisions[3]?.isAllowed).toBe(false);
      expect(decisions[3]?.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    });

    it('reports what remains, and the full limit for an unseen key', async () => {
      await limiter.consume('caller-b', 2, limit);

      expect(await limiter.remaining('caller-b', limit)).toBe(1);
      expect(await limiter.remaining('caller-unseen', limit)).toBe(3);
      expect(await client.get('maskpoint:caller-b')).toBe('2');
    });

    it('fails closed with SlowDownError once Redis is down', async () => {
      const exited = new Promise((resolve) => redis.once('exit', resolve));
      redis.kill('SIGTERM');
      await exited;

      await expect(limiter.consume('caller-c', 1, limit)).rejects.toBeInstanceOf(SlowDownError);
      await expect(limiter.remaining('caller-c', limit)).rejects.toBeInstanceOf(SlowDownError);
    });
  },
);

describe('createRedisRateLimiter without a reachable Redis', () => {
  it('fails closed with SlowDownError', async () => {
    const client = redisClient(await freePort());
    await client.connect().catch(() => undefined);
    const limiter = createRedisRateLimiter(client);

    await expect(limiter.consume('caller', 1, limit)).rejects.toBeInstanceOf(SlowDownError);
    await expect(limiter.remaining('caller', limit)).rejects.toBeInstanceOf(SlowDownError);
    client.disconnect();
  });
});
