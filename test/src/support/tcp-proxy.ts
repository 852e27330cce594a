import { createServer, connect, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a server, so a test can cut live connections (a long
 * watch, a keep-alive socket) the way a network blip or a restarting load balancer does.
 */
export interface TcpProxy {
  readonly url: string;
  readonly port: number;
  /** Connections accepted so far, held ones included. */
  readonly acceptedConnections: number;
  /** Cuts every open connection and holds new ones (accepted, not forwarded) until `resume()`. */
  suspend(): void;
  /** Forwards held connections and every new one again. */
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let held: Socket[] = [];
  let suspended = false;
  let accepted = 0;

  const forward = (client: Socket): void => {
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const server = createServer((client) => {
    accepted += 1;
    if (suspended) {
      // Paused so the request bytes wait in the socket until the proxy forwards them.
      client.pause();
      client.on('error', () => client.destroy());
      held.push(client);
      return;
    }
    forward(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('The TCP proxy did not get a TCP port');
  }
  const port = address.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get acceptedConnections() {
      return accepted;
    },
    suspend() {
      suspended = true;
      for (const socket of [...open]) socket.destroy();
      open.clear();
    },
    resume() {
      suspended = false;
      const waiting = held;
      held = [];
      for (const client of waiting) {
        if (!client.destroyed) forward(client);
      }
    },
    async close() {
      for (const socket of [...open, ...held]) socket.destroy();
      open.clear();
      held = [];
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
