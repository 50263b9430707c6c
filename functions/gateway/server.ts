import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GatewayDependencies, handleGatewayRequest } from './gateway.ts';
import { type OriginSecret, trustedClient } from './trusted-client-ip.ts';

/** A running local gateway. */
export interface GatewayServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** Stops accepting connections and closes the open ones. */
  close(): Promise<void>;
}

/**
 * Starts the gateway on a node:http server. Bodies stream with backpressure; an error while
 * streaming destroys the response, so the client sees a broken transfer rather than a short
 * object; HEAD answers carry no body (the gateway gives them none).
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
}): Promise<GatewayServer> {
  const server = createServer((req, res) => {
    serve(req, res, options.deps, options.originSecret).catch(() => res.destroy());
  });
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
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  deps: GatewayDependencies,
  originSecret: OriginSecret | undefined,
): Promise<void> {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const headers = flattenHeaders(req);
  const client = trustedClient({ peerIp: req.socket.remoteAddress, headers }, originSecret);
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
    },
    deps,
  );
  res.writeHead(response.status, response.headers);
  if (response.body instanceof Uint8Array) {
    res.end(response.body);
    return;
  }
  await writeBody(response.body, res);
}

/**
 * Streams `body` into `res` with backpressure: the body throwing destroys `res`, and the client
 * leaving ends the body's iterator (closing the source). Not stream.pipeline: its per-call
 * Readable, AbortController and AbortError cost more CPU than serving a small object does.
 */
async function writeBody(body: AsyncIterable<Uint8Array>, res: ServerResponse): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (res.destroyed) {
        await iterator.return?.();
        return;
      }
      if (!res.write(next.value)) await drainOrClose(res);
    }
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  res.end();
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      res.off('drain', settle);
      res.off('close', settle);
      resolve();
    };
    res.on('drain', settle);
    res.on('close', settle);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}
