import { describeRateLimitStore } from '../adapters/rate-limit-store.ts';
import type { ServerLimits } from '../gateway/server-limits.ts';
import type { ProductionServeOptions } from './serve-production-options.ts';

/**
 * The startup lines that say how `serve` runs: workers, drain deadline, where the client IP
 * comes from, the rate-limit store (and that in-memory counters are per worker), the client
 * limits, where the keys are and the country database. No secret appears: a Redis URL is shown
 * without its credentials.
 */
export function serveSettingsLines(settings: {
  workers: number;
  production: ProductionServeOptions;
  limits: ServerLimits;
  /** The key file's directory or the Secrets Manager secret of the gateway keys. */
  keysLocation: string;
  tokenKeysLocation: string;
}): string[] {
  const { workers, production, limits } = settings;
  const store = production.rateLimitStore;
  const counters =
    store.kind !== 'memory'
      ? 'shared by every worker and instance'
      : workers > 1
        ? `per worker: each of the ${workers} workers counts on its own, so a budget is allowed up to ${workers} times`
        : 'in this process';
  return [
    `  workers ${workers} · drain ${production.drainDeadlineMs / 1000} s · client IP ${production.trustedProxy === 'alb' ? "from the load balancer's X-Forwarded-For" : 'from the socket'}`,
    `  rate limits ${describeRateLimitStore(store)} (${counters})`,
    `  client limits: headers ${limits.headersTimeoutMs / 1000} s, request ${limits.requestTimeoutMs / 1000} s, keep-alive ${limits.keepAliveTimeoutMs / 1000} s, write stall ${limits.writeStallTimeoutMs / 1000} s, ${limits.maxConnections} connections${workers > 1 ? ' per worker' : ''}`,
    `  gateway keys ${settings.keysLocation} · token keys ${settings.tokenKeysLocation} · geo ${production.geoDatabase ?? 'bundled database'}`,
  ];
}
