/** `@tandem/sync/client`: the typed socket.io client (kept apart so the gateway need not load socket.io-client). */
export * from './protocol/client.js';
