import type { DynamoDB } from '@aws-sdk/client-dynamodb';
import { RateLimiterDynamo } from 'rate-limiter-flexible';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import { createFlexibleRateLimiter } from './flexible-rate-limiter.ts';

/** Where the DynamoDB counters live. */
export interface DynamoRateLimiterOptions {
  /** The aggregated `DynamoDB` client (rate-limiter-flexible calls `getItem`, `updateItem`), not `DynamoDBClient`. */
  readonly client: DynamoDB;
  readonly tableName: string;
}

/**
 * A `RateLimiter` shared by all instances through one DynamoDB table, which the stack creates:
 * partition key `key` (String); items hold `points` (Number) and `expire` (Number, epoch
 * seconds, `-1` for never); enable TTL on `expire` so old windows are deleted. The limiter
 * neither creates the table nor sets its TTL.
 */
export function createDynamoRateLimiter(options: DynamoRateLimiterOptions): RateLimiter {
  return createFlexibleRateLimiter(
    (limiterOptions) =>
      // ttlSet: otherwise the constructor calls UpdateTimeToLive and an unsupported or denied call crashes the process.
      new RateLimiterDynamo({
        ...limiterOptions,
        storeClient: options.client,
        tableName: options.tableName,
        tableCreated: true,
        ttlSet: true,
      }),
  );
}
