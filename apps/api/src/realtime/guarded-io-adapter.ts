import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';

/** The options type of the socket.io copy Nest's adapter was built against (it has its own). */
type IoServerOptions = NonNullable<Parameters<IoAdapter['createIOServer']>[1]>;
type IoServer = ReturnType<IoAdapter['createIOServer']>;
import type { OriginPolicy } from '../http/origin-policy.js';

/**
 * The socket.io server with the gateway's Host and Origin checks on every handshake (socket.io
 * answers its own HTTP requests and WebSocket upgrades before Express sees them). A refused
 * handshake gets HTTP 403 and never becomes a socket.
 */
export class GuardedIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly policy: OriginPolicy,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: IoServerOptions): IoServer {
    const allowRequest: IoServerOptions['allowRequest'] = (req, callback) => {
      const problem = this.policy.problem(req.headers);
      callback(problem ?? null, problem === undefined);
    };
    // Nest always passes the gateway's options; without them socket.io's defaults apply.
    return super.createIOServer(port, options === undefined ? ({ allowRequest } as IoServerOptions) : { ...options, allowRequest });
  }
}
