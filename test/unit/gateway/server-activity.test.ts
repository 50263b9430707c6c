import { once } from 'node:events';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerActivity, trackServerActivity } from '../../../functions/gateway/server-activity.ts';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  }
});

/** A server on 127.0.0.1 whose responses wait in `held` until the test ends them. */
async function heldServer(): Promise<{ activity: ServerActivity; held: ServerResponse[]; port: number }> {
  const held: ServerResponse[] = [];
  const started = createServer((_req, res) => {
    held.push(res);
  });
  server = started;
  const activity = trackServerActivity(started);
  started.listen(0, '127.0.0.1');
  await once(started, 'listening');
  return { activity, held, port: (started.address() as { port: number }).port };
}

/** Opens a connection and waits until the server has accepted it. */
async function accepted(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await once(server as Server, 'connection');
  return socket;
}

/** Sends a GET on a new connection and waits until the server has it; `body` is the answer's. */
async function requested(port: number): Promise<{ body: Promise<string> }> {
  const done = new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
  await once(server as Server, 'request');
  return { body: done };
}

describe('trackServerActivity', () => {
  it('is idle before any connection', async () => {
    const { activity } = await heldServer();

    expect(activity.isIdle).toBe(true);
    await activity.whenIdle();
  });

  it('is busy from the accept of a connection, before its request, until the connection closes', async () => {
    const { activity, port } = await heldServer();
    const socket = await accepted(port);
    let isSettled = false;
    const idle = activity.whenIdle().then(() => {
      isSettled = true;
    });

    expect(activity.isIdle).toBe(false);
    socket.destroy();
    await idle;
    expect(isSettled).toBe(true);
    expect(activity.isIdle).toBe(true);
  });

  it('is busy while any response is being answered, idle once every one has closed, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 4 })
          .chain((count) =>
            fc.tuple(fc.constant(count), fc.shuffledSubarray([...Array(count).keys()], { minLength: count })),
          ),
        async ([count, order]) => {
          const { activity, held, port } = await heldServer();
          const bodies: Promise<string>[] = [];
          for (let i = 0; i < count; i++) bodies.push((await requested(port)).body);
          const idle = activity.whenIdle();
          for (const index of order) {
            expect(activity.isIdle).toBe(false);
            held[index]?.end(`answer ${index}`);
            await bodies[index];
          }
          await idle;
          expect(activity.isIdle).toBe(true);
          server?.closeAllConnections();
          await new Promise((resolve) => server?.close(resolve));
          server = undefined;
        },
      ),
      { numRuns: 15 },
    );
  });
});
