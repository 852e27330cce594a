import { HandshakeAuthSchema, PROTOCOL_VERSION } from '@tandem/sync';

/**
 * Who is on the other end of a socket. For now the development identity the client names in the
 * handshake; real authentication replaces `identify` and keeps this shape.
 */
export interface Identity {
  readonly user: string;
}

export type HandshakeRejection = { readonly code: 'unauthenticated' | 'protocol-mismatch'; readonly message: string };

/** Checks a socket.io handshake `auth` payload: a valid user name and this server's protocol version. */
export function identify(auth: unknown): { readonly identity: Identity } | { readonly rejection: HandshakeRejection } {
  const parsed = HandshakeAuthSchema.safeParse(auth);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
    return { rejection: { code: 'unauthenticated', message: `unauthenticated: ${reason}` } };
  }
  if (parsed.data.protocol !== PROTOCOL_VERSION) {
    return {
      rejection: { code: 'protocol-mismatch', message: `protocol-mismatch: server speaks ${PROTOCOL_VERSION}, client sent ${parsed.data.protocol}` },
    };
  }
  return { identity: { user: parsed.data.user } };
}
