import { DynamoDB, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { RateLimiterDynamo } from 'rate-limiter-flexible';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import { AWS_CLIENT_TIMEOUTS } from './aws-client-timeouts.ts';
import { createFlexibleRateLimiter, type StoreTimeoutOptions } from './flexible-rate-limiter.ts';

/** Where the DynamoDB counters live. */
export interface DynamoRateLimiterOptions extends StoreTimeoutOptions {
  /** The aggregated `DynamoDB` client (rate-limiter-flexible calls `getItem`, `updateItem`), not `DynamoDBClient`. */
  readonly client: DynamoDB;
  readonly tableName: string;
}

/**
 * The DynamoDB client for the rate-limit table, every call bounded by `AWS_CLIENT_TIMEOUTS`.
 * `config` adds to or overrides those settings (region, endpoint).
 */
export function createRateLimitDynamoClient(config: DynamoDBClientConfig = {}): DynamoDB {
  return new DynamoDB({ ...AWS_CLIENT_TIMEOUTS, ...config });
}

/**
 * A `RateLimiter` shared by all instances through one DynamoDB table, which the stack creates:
 * partition key `key` (String); items hold `points` (Number) and `expire` (Number, epoch
 * seconds, `-1` for never); enable TTL on `expire` so old windows are deleted. The limiter
 * neither creates the table nor sets its TTL. A table that does not answer within
 * `storeTimeoutMs` refuses the request (`SlowDownError`), whatever the client's own timeouts.
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
    options,
  );
}
