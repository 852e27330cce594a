import { HandshakeAuthSchema, PROTOCOL_VERSION } from '@tandem/sync';

export type HandshakeRejection = { readonly code: 'unauthenticated' | 'protocol-mismatch'; readonly message: string };

/**
 * Checks a socket.io handshake `auth` payload: well formed, and this server's protocol version.
 * It carries a typed-in user only for dev sign-in; who the user is, the Authenticator decides.
 */
export function checkHandshake(auth: unknown): { readonly typedUser: string | undefined } | { readonly rejection: HandshakeRejection } {
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
  return { typedUser: parsed.data.user };
}
