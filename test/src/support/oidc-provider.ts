/**
 * A real OpenID provider for the tests (the `oidc-provider` package), on loopback, with one
 * confidential client for Tandem and accounts whose ID tokens carry `preferred_username` and
 * `groups`. Its own development login page takes any password.
 */
import { createServer, type Server } from 'node:net';
import Provider from 'oidc-provider';

export interface TestOidcProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  close(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server: Server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts the provider at `http://localhost:<port>`; `redirectUris` are the gateways' `/auth/callback`s. */
export async function startOidcProvider(port: number, redirectUris: readonly string[], groups: Readonly<Record<string, readonly string[]>>): Promise<TestOidcProvider> {
  const issuer = `http://localhost:${String(port)}`;
  const clientId = 'tandem';
  const clientSecret = 'tandem-test-client-secret';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [...redirectUris], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }],
    scopes: ['openid', 'profile', 'groups', 'offline_access'],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], groups: ['groups'] },
    // Put the scopes' claims in the ID token, where the gateway reads them.
    conformIdTokenClaims: false,
    findAccount: (_context, id) => ({ accountId: id, claims: () => ({ sub: id, preferred_username: id, name: id, groups: [...(groups[id] ?? [])] }) }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['tandem-test-provider-cookie-key'] },
    ttl: { Interaction: 600, Session: 3_600, Grant: 3_600, AccessToken: 600, IdToken: 600, RefreshToken: 3_600 },
  });
  const server = provider.listen(port);
  await new Promise<void>((resolveListen, reject) => {
    server.once('listening', () => resolveListen());
    server.once('error', reject);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
