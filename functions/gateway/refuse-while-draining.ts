import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlowDownError } from '../core/errors.ts';
import { errorReason } from '../core/s3-error-map.ts';
import type { GatewayDependencies } from './gateway.ts';
import { identifyS3Request } from './s3-request.ts';
import { errorXml } from './s3-xml.ts';

/** Request ids are 16 upper-case hex digits, as S3's. */
const REQUEST_ID_BYTES = 8;

/**
 * Answers a request that arrived on an open connection while the server drains: 503 SlowDown
 * (S3 SDKs retry it, on a new connection that reaches another server) with `Connection: close`,
 * and one audit line, as for every request. Nothing about the request is checked or read.
 */
export function refuseWhileDraining(
  req: IncomingMessage,
  res: ServerResponse,
  deps: GatewayDependencies,
): void {
  const requestId = randomBytes(REQUEST_ID_BYTES).toString('hex').toUpperCase();
  const reason = errorReason(
    new SlowDownError('Please reduce your request rate. (the server is shutting down)'),
  );
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
  const target = identifyS3Request(
    {
      method: req.method ?? 'GET',
      rawPath,
      rawQuery: queryAt < 0 ? '' : url.slice(queryAt + 1),
      headers: { host: req.headers.host },
    },
    { baseHosts: deps.baseHosts },
  );
  deps.audit.record({
    requestId,
    operation: target.operation,
    caller: { id: 'unauthenticated', kind: 'gateway-key' },
    bucket: target.bucket,
    key: target.key,
    decision: 'error',
    status: reason.status,
    reason: `${reason.code}: ${reason.message}`,
    bytesIn: 0,
    bytesOut: 0,
    counts: {},
    durationMs: 0,
  });
  req.resume();
  res.shouldKeepAlive = false;
  const isHead = req.method === 'HEAD';
  res.writeHead(reason.status, {
    ...(isHead ? {} : { 'content-type': 'application/xml' }),
    'retry-after': '1',
    'x-amz-request-id': requestId,
  });
  res.end(isHead ? undefined : errorXml(reason, rawPath, requestId));
}
