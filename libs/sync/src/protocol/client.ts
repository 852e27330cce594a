/**
 * TandemClient: a small typed wrapper over socket.io-client, used by the web app and by
 * the tests. Requests return promises of their ack; notifications are typed listeners.
 */
import { io, type Socket } from 'socket.io-client';
import { TypedEmitter } from '../events.js';
import { parseFailure, type Failure, type FailureShapeProblem } from './error-details.js';
import {
  PROTOCOL_VERSION,
  type Ack,
  type ProtocolError,
  type RequestName,
  type RequestPayload,
  type RequestResults,
  type ServerToClientEvents,
  type ClientToServerEvents,
} from './protocol.js';

export interface TandemClientOptions {
  /** Gateway base URL, e.g. `http://localhost:4280` (the page's origin when omitted in a browser). */
  readonly url?: string;
  /**
   * The typed-in name of dev sign-in. In every other mode the gateway takes the user from its own
   * session (the browser's cookie, or the proxy's headers) and ignores this.
   */
  readonly user?: string;
  /** Headers for the handshake (Node only; a browser sends its cookies itself), e.g. a session cookie. */
  readonly extraHeaders?: Readonly<Record<string, string>>;
  /** Milliseconds to wait for an ack before rejecting (default 10 s). */
  readonly timeoutMs?: number;
  /** Reconnect automatically (default true). */
  readonly reconnection?: boolean;
  /** Overrides the protocol version sent at connect (tests use it to provoke a mismatch). */
  readonly protocol?: number;
  /** socket.io transports (default websocket only: no long-polling upgrade dance). */
  readonly transports?: ('websocket' | 'polling')[];
}

/**
 * A request the gateway answered with `{ ok: false }`. `failure` is the answer with its details
 * checked against the code: switch on `failure.code` to read them typed.
 */
export class TandemRequestError extends Error {
  readonly code: Failure['code'];
  readonly details: ProtocolError['details'];
  constructor(
    readonly event: RequestName,
    readonly failure: Failure,
  ) {
    super(`${event}: ${failure.message}`);
    this.name = 'TandemRequestError';
    this.code = failure.code;
    this.details = failure.details as ProtocolError['details'];
  }
}

/**
 * The gateway's answer does not follow the protocol: a failed ack whose details do not have the
 * shape its code promises (or an unknown code). A client and gateway of different builds see this.
 */
export class TandemProtocolError extends Error {
  readonly code: string;
  constructor(
    readonly event: RequestName,
    readonly problem: FailureShapeProblem,
  ) {
    super(`${event}: the gateway's "${problem.code}" answer does not follow the protocol (${problem.problem}): ${problem.message}`);
    this.name = 'TandemProtocolError';
    this.code = problem.code;
  }
}

/** The error a failed ack becomes: typed when its details match its code, a protocol error when not. */
export function requestError(event: RequestName, error: ProtocolError): TandemRequestError | TandemProtocolError {
  const parsed = parseFailure(error);
  return parsed.ok ? new TandemRequestError(event, parsed.failure) : new TandemProtocolError(event, parsed.problem);
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export class TandemClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly timeoutMs: number;
  private readonly stateChanges = new TypedEmitter<{ state: [ConnectionState] }>();
  private currentState: ConnectionState = 'connecting';

  constructor(options: TandemClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const socketOptions = {
      path: '/socket.io',
      auth: { ...(options.user !== undefined && options.user !== '' ? { user: options.user } : {}), protocol: options.protocol ?? PROTOCOL_VERSION },
      ...(options.extraHeaders !== undefined ? { extraHeaders: { ...options.extraHeaders } } : {}),
      transports: options.transports ?? ['websocket'],
      reconnection: options.reconnection ?? true,
      reconnectionDelay: 250,
      reconnectionDelayMax: 5_000,
    };
    this.socket = options.url === undefined ? io(socketOptions) : io(options.url, socketOptions);
    this.socket.on('connect', () => this.setState('connected'));
    this.socket.on('disconnect', () => this.setState(this.socket.active ? 'reconnecting' : 'offline'));
    this.socket.on('connect_error', () => this.setState(this.socket.active ? 'reconnecting' : 'offline'));
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get id(): string | undefined {
    return this.socket.id;
  }

  /** Resolves once connected; rejects with the server's reason if the handshake is refused. */
  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onConnect = (): void => {
        this.socket.off('connect_error', onError);
        resolve();
      };
      const onError = (error: Error): void => {
        if (this.socket.active) return; // socket.io retries by itself
        this.socket.off('connect', onConnect);
        reject(error);
      };
      this.socket.once('connect', onConnect);
      this.socket.on('connect_error', onError);
    });
  }

  /**
   * Sends a request; resolves with the ack's result, rejects with `TandemRequestError` (its details
   * checked against its code) or, when the failed ack's details do not match, `TandemProtocolError`.
   */
  async request<E extends RequestName>(event: E, payload: RequestPayload<E>): Promise<RequestResults[E]> {
    const ack = await this.requestAck(event, payload);
    if (!ack.ok) throw requestError(event, ack.error);
    const { ok: _ok, ...result } = ack;
    return result as unknown as RequestResults[E];
  }

  /** Sends a request and returns the raw ack (for callers that branch on error codes). */
  requestAck<E extends RequestName>(event: E, payload: RequestPayload<E>): Promise<Ack<RequestResults[E]>> {
    // socket.io's typed emit cannot express a generic event name; the map above keeps callers typed.
    const timed = this.socket.timeout(this.timeoutMs);
    const emit = timed.emit as unknown as (
      event: E,
      payload: RequestPayload<E>,
      ack: (error: Error | null, result: Ack<RequestResults[E]>) => void,
    ) => void;
    return new Promise((resolve, reject) => {
      emit.call(timed, event, payload, (error, result) => {
        if (error) reject(new Error(`${event}: no answer from the gateway within ${this.timeoutMs} ms`));
        else resolve(result);
      });
    });
  }

  on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): () => void {
    // socket.io's listener typing is stricter than needed for a mapped event name.
    this.socket.on(event, listener as never);
    return () => {
      this.socket.off(event, listener as never);
    };
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    return this.stateChanges.on('state', listener);
  }

  close(): void {
    this.socket.disconnect();
    this.setState('offline');
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateChanges.emit('state', state);
  }
}
