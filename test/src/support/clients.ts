import { TandemClient, type TandemClientOptions } from '@tandem/sync/client';

/** The TandemClients a scenario opened, so that it can close them together. */
export class ClientPool {
  private readonly open: TandemClient[] = [];

  /** A client of the gateway at `url` that does not reconnect (a dropped socket stays dropped), not yet connected. */
  create(url: string, user: string, options: Partial<Omit<TandemClientOptions, 'url' | 'user'>> = {}): TandemClient {
    const client = new TandemClient({ url, user, reconnection: false, ...options });
    this.open.push(client);
    return client;
  }

  /** `create`, then waits for the connection. */
  async connect(url: string, user: string): Promise<TandemClient> {
    const client = this.create(url, user);
    await client.connected();
    return client;
  }

  /** Closes every client opened so far. */
  closeAll(): void {
    for (const client of this.open.splice(0)) client.close();
  }
}
