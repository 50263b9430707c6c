import type { IncomingHttpHeaders } from 'node:http';

/** The path a load balancer or container runtime probes. */
export const HEALTH_CHECK_PATH = '/healthz';

/**
 * Whether a request is a health probe rather than an S3 request: `GET` or `HEAD` of exactly
 * `/healthz`, no query, no `Authorization` header. Every S3 request is signed (header or
 * presigned query), so a signed `GET /healthz` (the object `healthz` of a virtual-hosted bucket)
 * still reaches the gateway, and an unsigned one would have been refused there anyway.
 *
 * @example
 * isHealthCheck('GET', '/healthz', {}) // true
 * isHealthCheck('GET', '/healthz?list-type=2', {}) // false
 */
export function isHealthCheck(
  method: string | undefined,
  url: string | undefined,
  headers: IncomingHttpHeaders,
): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    url === HEALTH_CHECK_PATH &&
    headers.authorization === undefined
  );
}

/**
 * The probe's answer: 200 while the server takes requests, 503 once it drains (so a load
 * balancer stops sending it any). No data, nothing about the buckets or the keys.
 */
export function healthAnswer(isDraining: boolean): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const body = isDraining ? 'draining\n' : 'ok\n';
  return {
    status: isDraining ? 503 : 200,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(body.length),
      'cache-control': 'no-store',
    },
    body,
  };
}
