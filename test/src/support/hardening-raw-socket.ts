import { PROTOCOL_VERSION } from '@tandem/sync';
import { io, type Socket } from 'socket.io-client';

/** What became of one frame sent on a RawSocket. */
export type FrameOutcome =
  | { readonly kind: 'ack'; readonly ack: unknown }
  | { readonly kind: 'disconnected'; readonly reason: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'sent' };

/**
 * A socket.io connection that writes frames as a hostile client would: any event name, any payload
 * text (nesting no JSON.stringify could produce), with or without an ack id, or not a valid frame
 * at all. Acks are read off the wire by id; a disconnect settles every frame still waiting.
 */
export class RawSocket {
  /** Far above the ids socket.io-client gives its own acks (sendBinary), so the two never meet. */
  private nextId = 1_000_000;
  private readonly waiting = new Map<number, (outcome: FrameOutcome) => void>();
  private closedReason: string | undefined;

  private constructor(readonly socket: Socket) {
    const engine = socket.io.engine;
    engine.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type !== 'message' || typeof packet.data !== 'string') return;
      const match = /^3(\d+)(\[.*)$/s.exec(packet.data);
      if (match === null) return;
      const id = Number(match[1]);
      const settle = this.waiting.get(id);
      if (settle === undefined) return;
      this.waiting.delete(id);
      settle({ kind: 'ack', ack: (JSON.parse(match[2] ?? '[]') as unknown[])[0] });
    });
    socket.on('disconnect', (reason) => {
      this.closedReason = reason;
      for (const settle of this.waiting.values()) settle({ kind: 'disconnected', reason });
      this.waiting.clear();
    });
  }

  static async connect(url: string, user: string): Promise<RawSocket> {
    const socket = io(url, { path: '/socket.io', auth: { user, protocol: PROTOCOL_VERSION }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new RawSocket(socket);
  }

  get connected(): boolean {
    return this.closedReason === undefined && this.socket.connected;
  }

  /**
   * Sends `2[<id>][<event JSON>,<payload text>]` (a socket.io EVENT) and resolves with its ack, or
   * with the disconnect if the gateway closes the connection first; without `ack`, resolves once written.
   */
  send(event: string, payloadText: string | undefined, options: { ack: boolean; timeoutMs?: number }): Promise<FrameOutcome> {
    const args = payloadText === undefined ? JSON.stringify(event) : `${JSON.stringify(event)},${payloadText}`;
    if (!options.ack) return this.write(`2[${args}]`);
    const id = this.nextId++;
    return this.expect(id, `2${id}[${args}]`, options.timeoutMs ?? 20_000);
  }

  /** Writes a frame that is not valid socket.io, with an ack id the gateway could answer if it parsed it. */
  sendMalformed(text: string): Promise<FrameOutcome> {
    return this.write(text);
  }

  /** A socket.io event with a binary attachment (the client library encodes it), with an ack. */
  sendBinary(event: string, payload: unknown, timeoutMs = 20_000): Promise<FrameOutcome> {
    if (!this.connected) return Promise.resolve({ kind: 'disconnected', reason: this.closedReason ?? 'not connected' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
      const onDisconnect = (reason: string): void => {
        clearTimeout(timer);
        resolve({ kind: 'disconnected', reason });
      };
      this.socket.once('disconnect', onDisconnect);
      this.socket.emit(event, payload, (ack: unknown) => {
        clearTimeout(timer);
        this.socket.off('disconnect', onDisconnect);
        resolve({ kind: 'ack', ack });
      });
    });
  }

  close(): void {
    this.socket.close();
  }

  private write(text: string): Promise<FrameOutcome> {
    if (!this.connected) return Promise.resolve({ kind: 'disconnected', reason: this.closedReason ?? 'not connected' });
    this.socket.io.engine.send(text);
    return Promise.resolve({ kind: 'sent' });
  }

  private expect(id: number, text: string, timeoutMs: number): Promise<FrameOutcome> {
    if (!this.connected) return Promise.resolve({ kind: 'disconnected', reason: this.closedReason ?? 'not connected' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.waiting.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      this.socket.io.engine.send(text);
    });
  }
}
