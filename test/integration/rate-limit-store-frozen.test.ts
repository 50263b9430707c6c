import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoRateLimiter } from '../../functions/adapters/dynamo-rate-limiter.ts';
import { createRedisClient, createRedisRateLimiter } from '../../functions/adapters/redis-rate-limiter.ts';
import type { RateLimiter } from '../../functions/core/ports/rate-limiter.ts';
import { type FrozenServer, startFrozenRedis, startFrozenServer } from '../support/frozen-server.ts';
import { gatewayClient, startTestGateway } from './gateway-client.ts';

/** Short enough for a fast test; the default (RATE_LIMIT_STORE_TIMEOUT_MS) is what deployments use. */
const STORE_TIMEOUT_MS = 200;
/** Far above STORE_TIMEOUT_MS, far below the 45 s+ a frozen store used to hold a request. */
const GENEROUS_BOUND_MS = 8_000;

const LIMITED_RULES = `name: limited
scope: { buckets: ['limited'] }
detectors:
  - id: email
    action: { type: redact }
rateLimit: { requestsPerWindow: 100, windowSeconds: 60 }
`;

describe('a rate-limit store that stops answering', () => {
  let rulesDir: string;
  let bucketDir: string;
  let frozenDynamo: FrozenServer;
  let frozenRedis: FrozenServer;
  let redis: Redis;

  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'maskpoint-frozen-rules-'));
    bucketDir = mkdtempSync(join(tmpdir(), 'maskpoint-frozen-bucket-'));
    writeFileSync(join(rulesDir, 'limited.yaml'), LIMITED_RULES);
    writeFileSync(join(bucketDir, 'people.csv'), 'email\nann@example.com\n');
    frozenDynamo = await startFrozenServer();
    frozenRedis = await startFrozenRedis();
    redis = createRedisClient({ host: '127.0.0.1', port: frozenRedis.port, lazyConnect: true });
    redis.on('error', () => undefined);
    await redis.connect();
  });

  afterAll(async () => {
    redis.disconnect();
    await frozenDynamo.stop();
    await frozenRedis.stop();
    rmSync(rulesDir, { recursive: true, force: true });
    rmSync(bucketDir, { recursive: true, force: true });
  });

  async function getThroughGateway(rateLimiter: RateLimiter): Promise<unknown> {
    const gateway = await startTestGateway({
      rulesDir,
      localBuckets: new Map([['limited', bucketDir]]),
      rateLimiter,
    });
    const key = await gateway.store.create('reader', ['limited']);
    const client = gatewayClient(gateway.server.url, key, { maxAttempts: 1 });
    try {
      return await client
        .send(new GetObjectCommand({ Bucket: 'limited', Key: 'people.csv' }))
        .then(() => 'served')
        .catch((caught: unknown) => caught);
    } finally {
      client.destroy();
      await gateway.stop();
    }
  }

  it(
    'fails closed with 503 SlowDown when DynamoDB accepts the connection and never answers',
    async () => {
      // The SDK's defaults: no connect or request timeout, three attempts. The limiter's deadline alone bounds it.
      const client = new DynamoDB({
        endpoint: frozenDynamo.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const limiter = createDynamoRateLimiter({
        client,
        tableName: 'maskpoint-rate-limits',
        storeTimeoutMs: STORE_TIMEOUT_MS,
      });

      const outcome = await getThroughGateway(limiter);
      client.destroy();

      expect(frozenDynamo.connections()).toBeGreaterThan(0);
      expect(outcome).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    },
    GENEROUS_BOUND_MS,
  );

  it(
    'fails closed with 503 SlowDown when Redis, once ready, stops answering commands',
    async () => {
      expect(redis.status).toBe('ready');
      const limiter = createRedisRateLimiter(redis, { storeTimeoutMs: STORE_TIMEOUT_MS });

      const outcome = await getThroughGateway(limiter);

      expect(outcome).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    },
    GENEROUS_BOUND_MS,
  );

  it(
    'gives the Redis client its own command timeout, so a frozen Redis fails a command by itself',
    async () => {
      await expect(redis.get('maskpoint:anything')).rejects.toThrow('Command timed out');
    },
    GENEROUS_BOUND_MS,
  );
});
