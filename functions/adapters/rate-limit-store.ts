import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import { createMemoryRateLimiter } from './memory-rate-limiter.ts';

/** Where the rate limiter keeps its counters. */
export type RateLimitStore =
  /** In the process: each process (each worker) counts on its own. */
  | { readonly kind: 'memory' }
  /** A DynamoDB table shaped as `createDynamoRateLimiter` expects, shared by every process. */
  | { readonly kind: 'dynamodb'; readonly table: string }
  /** A Redis server (`redis://` or `rediss://` for TLS), shared by every process. */
  | { readonly kind: 'redis'; readonly url: URL };

/** A rate limiter and what releases its connections. */
export interface OpenRateLimitStore {
  readonly limiter: RateLimiter;
  close(): Promise<void>;
}

/**
 * Opens the store: in-process counters, the DynamoDB table (region and endpoint from the AWS
 * environment) or a Redis connection with the bounds of `createRedisClient`. Redis connection
 * errors are reported through `warn` once per outage (requests meanwhile are refused with
 * SlowDown by the limiter), never with the URL's password. The DynamoDB and Redis clients are
 * loaded only for their store.
 */
export async function openRateLimitStore(
  store: RateLimitStore,
  warn: (line: string) => void = (line) => process.stderr.write(line),
): Promise<OpenRateLimitStore> {
  if (store.kind === 'memory') return { limiter: createMemoryRateLimiter(), close: async () => {} };
  if (store.kind === 'dynamodb') {
    const { createDynamoRateLimiter, createRateLimitDynamoClient } = await import('./dynamo-rate-limiter.ts');
    const client = createRateLimitDynamoClient();
    return {
      limiter: createDynamoRateLimiter({ client, tableName: store.table }),
      close: async () => client.destroy(),
    };
  }
  const { url } = store;
  const { createRedisClient, createRedisRateLimiter } = await import('./redis-rate-limiter.ts');
  const client = createRedisClient({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 6379 : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
    tls: url.protocol === 'rediss:' ? { servername: url.hostname } : undefined,
  });
  let isReported = false;
  client.on('error', (error: Error) => {
    if (isReported) return;
    isReported = true;
    warn(
      `maskpoint: rate limit store ${describeRateLimitStore(store)} unreachable (${error.name}); requests are refused with SlowDown until it answers\n`,
    );
  });
  client.on('ready', () => {
    isReported = false;
  });
  return {
    limiter: createRedisRateLimiter(client),
    close: async () => {
      client.disconnect();
    },
  };
}

/** The store as the startup line shows it: `memory`, `dynamodb:TABLE`, `redis:redis://host:port/db` (no credentials). */
export function describeRateLimitStore(store: RateLimitStore): string {
  if (store.kind === 'memory') return 'memory';
  if (store.kind === 'dynamodb') return `dynamodb:${store.table}`;
  return `redis:${store.url.protocol}//${store.url.host}${store.url.pathname === '/' ? '' : store.url.pathname}`;
}
