import { createServer, type Socket } from 'node:net';

/** A loopback TCP endpoint that accepts connections and then stops answering. */
export interface FrozenServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Closes the listener and every connection it accepted. */
  stop(): Promise<void>;
}

/**
 * Starts a frozen store on 127.0.0.1: it accepts every connection and never replies, unless
 * `handshake` answers some of what a client sends first (then it freezes all the same).
 */
export async function startFrozenServer(
  handshake?: (data: Buffer, socket: Socket) => void,
): Promise<FrozenServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (handshake !== undefined) socket.on('data', (data) => handshake(data, socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    connections: () => accepted,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The commands of a RESP request (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n` → `[['GET', 'k']]`). Enough
 * for a fake Redis that answers a client's connection handshake; not a full RESP parser.
 */
export function respCommands(data: Buffer): string[][] {
  const text = data.toString('utf8');
  const commands: string[][] = [];
  let at = 0;
  while (at < text.length && text[at] === '*') {
    const countEnd = text.indexOf('\r\n', at);
    const count = Number(text.slice(at + 1, countEnd));
    at = countEnd + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const lengthEnd = text.indexOf('\r\n', at);
      const length = Number(text.slice(at + 1, lengthEnd));
      args.push(text.slice(lengthEnd + 2, lengthEnd + 2 + length));
      at = lengthEnd + 2 + length + 2;
    }
    commands.push(args);
  }
  return commands;
}

/**
 * A Redis that completes ioredis's connection handshake (HELLO refused, so RESP2; CLIENT SETINFO;
 * the INFO ready check) and then never answers a command: Redis frozen after the client is ready.
 */
export function startFrozenRedis(): Promise<FrozenServer> {
  return startFrozenServer((data, socket) => {
    for (const [name = ''] of respCommands(data)) {
      const command = name.toLowerCase();
      if (command === 'hello') socket.write("-ERR unknown command 'hello'\r\n");
      else if (command === 'client') socket.write('+OK\r\n');
      else if (command === 'info') socket.write('$11\r\nloading:0\r\n\r\n');
    }
  });
}
