import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP proxy in front of a real S3 server that can cut object bodies short. */
export interface CuttingProxy {
  readonly endpoint: string;
  /** Bytes of each GET body forwarded before the connection is dropped; undefined forwards all. */
  cutAfterBytes: number | undefined;
  /** GET bodies cut so far: a body no longer than `cutAfterBytes` is forwarded whole, uncut. */
  readonly cutBodies: number;
  stop(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 that forwards every request to `upstream` unchanged and, while
 * `cutAfterBytes` is set, drops the connection after that many bytes of a GET response body,
 * the way an S3 stream cut mid-transfer looks to its reader: headers announcing the full
 * length, then a short body.
 */
export async function startCuttingProxy(upstream: string): Promise<CuttingProxy> {
  const target = new URL(upstream);
  let cutBodies = 0;
  const proxy: CuttingProxy = {
    endpoint: '',
    cutAfterBytes: undefined,
    get cutBodies() {
      return cutBodies;
    },
    stop: async () => {},
  };
  const server = createServer((req, res) => {
    const cutAt = req.method === 'GET' ? proxy.cutAfterBytes : undefined;
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        let sent = 0;
        let isCut = false;
        const announcedBytes = Number(upstreamResponse.headers['content-length'] ?? Number.POSITIVE_INFINITY);
        upstreamResponse.on('data', (chunk: Buffer) => {
          if (isCut) return;
          if (cutAt === undefined) {
            res.write(chunk);
            return;
          }
          const room = cutAt - sent;
          if (room > 0) res.write(chunk.subarray(0, room));
          sent += Math.min(room, chunk.byteLength);
          if (sent >= cutAt && sent < announcedBytes) {
            isCut = true;
            cutBodies++;
            upstreamResponse.destroy();
            // Flush what was written, then drop the connection without ending the body.
            res.socket?.end(() => res.socket?.destroy());
          }
        });
        // A body that arrived in one chunk still ends after its cut: the cut response must not.
        upstreamResponse.on('end', () => {
          if (!isCut) res.end();
        });
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
