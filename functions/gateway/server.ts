import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GatewayDependencies, handleGatewayRequest } from './gateway.ts';
import { createGracefulDrain, type DrainOutcome } from './graceful-drain.ts';
import { healthAnswer, isHealthCheck } from './health-check.ts';
import { refuseWhileDraining } from './refuse-while-draining.ts';
import { type ServerActivity, trackServerActivity } from './server-activity.ts';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from './server-limits.ts';
import {
  clientBehindLoadBalancer,
  type OriginSecret,
  type TrustedProxy,
  trustedClient,
} from './trusted-client-ip.ts';
import { writeBody } from './write-body.ts';

/** Node checks header and request timeouts on an interval (30 s by default): a tenth of the timeout keeps them close. */
const TIMEOUT_CHECKS_PER_TIMEOUT = 10;

/** A running local gateway. */
export interface GatewayServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** Stops accepting connections and closes the open ones. */
  close(): Promise<void>;
  /**
   * Graceful stop: `GET /healthz` answers 503, the listener and idle connections close, requests
   * on open connections are refused (503 SlowDown, `Connection: close`), responses in flight
   * finish until `deadlineMs`, then the rest are aborted (see `createGracefulDrain`).
   */
  drain(deadlineMs: number): Promise<DrainOutcome>;
  /** Whether it is answering a request, for work that waits for it to be idle; none where nothing is answered (a cluster primary). */
  readonly activity?: ServerActivity;
}

/**
 * Starts the gateway on a node:http server. Bodies stream with backpressure; an error while
 * streaming destroys the response, so the client sees a broken transfer rather than a short
 * object; HEAD answers carry no body (the gateway gives them none). A client that leaves fires
 * the request's abort signal, which stops its redaction; slow, stalled and idle clients are cut
 * off by `limits`.
 *
 * @example
 * const server = await startGatewayServer({ host: '127.0.0.1', port: 9000, deps });
 * console.log(server.url);
 * await server.close();
 */
export async function startGatewayServer(options: {
  host: string;
  port: number;
  deps: GatewayDependencies;
  originSecret?: OriginSecret | undefined;
  /** @default DEFAULT_SERVER_LIMITS */
  limits?: Partial<ServerLimits> | undefined;
  /** What stands in front and says who the client is. @default 'none' - the socket's peer is the client */
  trustedProxy?: TrustedProxy | undefined;
}): Promise<GatewayServer> {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const trustedProxy = options.trustedProxy ?? 'none';
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(
        1,
        Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / TIMEOUT_CHECKS_PER_TIMEOUT),
      ),
    },
    (req, res) => {
      drain.track(res);
      if (isHealthCheck(req.method, req.url, req.headers)) {
        const answer = healthAnswer(drain.isDraining);
        res.writeHead(answer.status, answer.headers).end(req.method === 'HEAD' ? undefined : answer.body);
        return;
      }
      if (drain.isDraining) {
        refuseWhileDraining(req, res, options.deps);
        return;
      }
      serve(req, res, options.deps, {
        originSecret: options.originSecret,
        trustedProxy,
        writeStallTimeoutMs: limits.writeStallTimeoutMs,
      }).catch(() => res.destroy());
    },
  );
  const drain = createGracefulDrain(server);
  const activity = trackServerActivity(server);
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        // After a drain the listener is closed already.
        if (server.listening) server.close((error) => (error ? reject(error) : resolve()));
        else resolve();
        server.closeAllConnections();
      }),
    drain: (deadlineMs) => drain.drain(deadlineMs),
    activity,
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  deps: GatewayDependencies,
  {
    originSecret,
    trustedProxy,
    writeStallTimeoutMs,
  }: { originSecret: OriginSecret | undefined; trustedProxy: TrustedProxy; writeStallTimeoutMs: number },
): Promise<void> {
  const url = req.url ?? '/';
  const clientGone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) clientGone.abort();
  });
  const queryAt = url.indexOf('?');
  const headers = flattenHeaders(req);
  const client =
    trustedProxy === 'alb'
      ? clientBehindLoadBalancer(headers)
      : trustedClient({ peerIp: req.socket.remoteAddress, headers }, originSecret);
  // Request bodies are never read (the gateway only reads objects); let them drain.
  req.resume();
  const response = await handleGatewayRequest(
    {
      method: req.method ?? 'GET',
      rawPath: queryAt < 0 ? url : url.slice(0, queryAt),
      rawQuery: queryAt < 0 ? '' : url.slice(queryAt + 1),
      headers,
      sourceIp: client.ip,
      country: client.country,
      signal: clientGone.signal,
    },
    deps,
  );
  res.writeHead(response.status, response.headers);
  if (response.body instanceof Uint8Array) {
    res.end(response.body);
    return;
  }
  await writeBody(response.body, res, writeStallTimeoutMs);
}

function flattenHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}
