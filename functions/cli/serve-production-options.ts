import { availableParallelism } from 'node:os';
import type { RateLimitStore } from '../adapters/rate-limit-store.ts';
import type { TrustedProxy } from '../gateway/trusted-client-ip.ts';
import { UsageError } from './usage-error.ts';

/** Seconds a stopping server takes at most, responses in flight included, when `--drain-seconds` is not given. */
export const DEFAULT_DRAIN_SECONDS = 25;

/** Most workers `--workers` takes: more than this is a typo, not a machine. */
const MAX_WORKERS = 256;

/** Most seconds `--drain-seconds` takes (an ECS task gets at most 120 s between SIGTERM and SIGKILL). */
const MAX_DRAIN_SECONDS = 3_600;

/** The `serve` flags for running in production, for `parseArgs`. */
export const PRODUCTION_SERVE_OPTIONS = {
  workers: { type: 'string' },
  'drain-seconds': { type: 'string', default: String(DEFAULT_DRAIN_SECONDS) },
  'rate-limit-store': { type: 'string', default: 'memory' },
  'trusted-proxy': { type: 'string', default: 'none' },
  'geo-db': { type: 'string' },
} as const;

/** What `parseArgs` gives for {@link PRODUCTION_SERVE_OPTIONS}. */
export interface ProductionServeOptionValues {
  readonly workers?: string | undefined;
  readonly 'drain-seconds': string;
  readonly 'rate-limit-store': string;
  readonly 'trusted-proxy': string;
  readonly 'geo-db'?: string | undefined;
}

/** How `serve` runs in production, validated. */
export interface ProductionServeOptions {
  /** Processes serving the port (node:cluster); 1 serves in this process. */
  readonly workers: number;
  readonly drainDeadlineMs: number;
  readonly rateLimitStore: RateLimitStore;
  readonly trustedProxy: TrustedProxy;
  /** An .mmdb country database. @default - the bundled one */
  readonly geoDatabase?: string | undefined;
}

/**
 * Validates the production flags: `--workers N` (default: one per core), `--drain-seconds S`,
 * `--rate-limit-store memory|dynamodb:TABLE|redis:URL`, `--trusted-proxy none|alb`, `--geo-db FILE`.
 *
 * @throws UsageError naming the flag, the value given and what is allowed.
 */
export function parseProductionServeOptions(
  values: ProductionServeOptionValues,
  cores: number = availableParallelism(),
): ProductionServeOptions {
  return {
    workers: values.workers === undefined ? cores : parseWorkers(values.workers),
    drainDeadlineMs: parseDrainSeconds(values['drain-seconds']) * 1000,
    rateLimitStore: parseRateLimitStore(values['rate-limit-store']),
    trustedProxy: parseTrustedProxy(values['trusted-proxy']),
    geoDatabase: values['geo-db'],
  };
}

function parseWorkers(value: string): number {
  const workers = Number(value);
  if (!/^[1-9]\d{0,2}$/.test(value) || workers > MAX_WORKERS) {
    throw new UsageError(`--workers "${value}": expected a whole number from 1 to ${MAX_WORKERS}`);
  }
  return workers;
}

function parseDrainSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds > MAX_DRAIN_SECONDS) {
    throw new UsageError(
      `--drain-seconds "${value}": expected a number of seconds from 0 to ${MAX_DRAIN_SECONDS}`,
    );
  }
  return seconds;
}

/**
 * `memory`, `dynamodb:TABLE` or `redis:redis://[user:password@]host[:port][/db]` (`rediss://`
 * for TLS). The message for a bad Redis URL never repeats the value, which may hold a password.
 */
export function parseRateLimitStore(value: string): RateLimitStore {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('dynamodb:')) {
    const table = value.slice('dynamodb:'.length);
    if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(table)) {
      throw new UsageError(
        `--rate-limit-store "${value}": expected dynamodb:TABLE with a DynamoDB table name (3–255 of a-z A-Z 0-9 _ . -)`,
      );
    }
    return { kind: 'dynamodb', table };
  }
  if (value.startsWith('redis:')) {
    const url = URL.canParse(value.slice('redis:'.length))
      ? new URL(value.slice('redis:'.length))
      : undefined;
    const isValid =
      url !== undefined &&
      (url.protocol === 'redis:' || url.protocol === 'rediss:') &&
      url.hostname !== '' &&
      /^(\/\d{0,2})?$/.test(url.pathname) &&
      url.search === '' &&
      url.hash === '';
    if (!isValid) {
      throw new UsageError(
        '--rate-limit-store redis:…: expected redis:redis://[user:password@]host[:port][/db] or redis:rediss://… for TLS',
      );
    }
    return { kind: 'redis', url };
  }
  throw new UsageError(`--rate-limit-store "${value}": expected memory, dynamodb:TABLE or redis:URL`);
}

function parseTrustedProxy(value: string): TrustedProxy {
  if (value === 'none' || value === 'alb') return value;
  throw new UsageError(
    `--trusted-proxy "${value}": expected none (the socket's peer is the client) or alb (the last X-Forwarded-For entry an Application Load Balancer adds)`,
  );
}
