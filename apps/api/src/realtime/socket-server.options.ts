import { MAX_MESSAGE_BYTES } from '@tandem/sync';

/**
 * Options of the one socket.io server every gateway class shares. Nest creates the server from the
 * first gateway it meets, so each `@WebSocketGateway` must pass these same options.
 */
export const SOCKET_SERVER_OPTIONS = { path: '/socket.io', serveClient: false, maxHttpBufferSize: MAX_MESSAGE_BYTES } as const;
