import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDB, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoRateLimiter } from '../../functions/adapters/dynamo-rate-limiter.ts';
import { SlowDownError } from '../../functions/core/errors.ts';
import type { RateLimiter } from '../../functions/core/ports/rate-limiter.ts';

const TABLE = 'maskpoint-rate-limits';
const limit = { points: 3, windowSeconds: 60 };

type Dynalite = (options: { createTableMs: number }) => Server;

function dynamoClient(endpoint: string): DynamoDB {
  return new DynamoDB({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

describe('createDynamoRateLimiter against dynalite', () => {
  let server: Server;
  let client: DynamoDB;
  let limiter: RateLimiter;

  beforeAll(async () => {
    const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
    server = dynalite({ createTableMs: 50 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = dynamoClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    // The table as the stack creates it: partition key `key` (S); TTL on `expire` is not supported by dynalite.
    await client.createTable({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    });
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: TABLE });
    limiter = createDynamoRateLimiter({ client, tableName: TABLE });
  });

  afterAll(async () => {
    client.destroy();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  });

  it('allows the window’s points, then refuses with the seconds until the window frees them', async () => {
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('caller-a', 1, limit));

    expect(decisions.slice(0, 3).every((decision) => decision.isAllowed)).toBe(true);
    expect(decisions[3]?.isAllowed).toBe(false);
    expect(decisions[3]?.retryAfterSeconds).toBeGreaterThanOrEqual(58);
    expect(decisions[3]?.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('reports what remains, and the full limit for an unseen key', async () => {
    await limiter.consume('caller-b', 2, limit);

    expect(await limiter.remaining('caller-b', limit)).toBe(1);
    expect(await limiter.remaining('caller-unseen', limit)).toBe(3);
  });

  it('stores counters under the key as given, with points and expire attributes', async () => {
    await limiter.consume('caller-c', 1, limit);

    const { Item } = await client.getItem({ TableName: TABLE, Key: { key: { S: 'maskpoint:caller-c' } } });
    expect(Item?.points?.N).toBe('1');
    expect(Number(Item?.expire?.N)).toBeGreaterThan(Date.now() / 1000);
  });

  it('shares counters between limiters on the same table', async () => {
    const other = createDynamoRateLimiter({ client, tableName: TABLE });

    await limiter.consume('caller-d', 3, limit);

    expect((await other.consume('caller-d', 1, limit)).isAllowed).toBe(false);
  });

  it('fails closed with SlowDownError once the store is down', async () => {
    await limiter.consume('caller-e', 1, limit);
    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();

    await expect(limiter.consume('caller-e', 1, limit)).rejects.toBeInstanceOf(SlowDownError);
    await expect(limiter.remaining('caller-e', limit)).rejects.toBeInstanceOf(SlowDownError);
  });
});
