import * as oidc from 'openid-client';
import type { AuthConfig } from '../config/config.schema.js';
import type { Session } from './session.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What a login in progress keeps in its short-lived cookie. */
export interface PendingLogin {
  readonly verifier: string;
  readonly state: string;
  readonly returnTo: string;
}

/**
 * OpenID Connect sign-in: authorization code flow with PKCE (openid-client), the user and groups
 * read from configurable claims, refresh with the refresh token.
 */
export class OidcSignIn {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(private readonly config: AuthConfig) {}

  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= (async () => {
      const { issuer, clientId, clientSecret } = this.config.oidc;
      if (issuer === undefined || clientId === undefined) throw new Error('TANDEM_OIDC_ISSUER and TANDEM_OIDC_CLIENT_ID are required');
      const url = new URL(issuer);
      const options: oidc.DiscoveryRequestOptions = {};
      // Plain http only for a provider on this machine (a test or a developer's own).
      if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) options.execute = [oidc.allowInsecureRequests];
      // A provider with a private CA: start the gateway with NODE_EXTRA_CA_CERTS=<bundle>.
      return oidc.discovery(url, clientId, clientSecret, clientSecret === undefined ? oidc.None() : undefined, options);
    })().catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async start(redirectUri: string, returnTo: string): Promise<{ url: string; pending: PendingLogin }> {
    const configuration = await this.discover();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.config.oidc.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    return { url: url.href, pending: { verifier, state, returnTo } };
  }

  /** Exchanges the code the provider sent back for tokens, and reads who signed in. */
  async finish(callbackUrl: URL, pending: PendingLogin): Promise<Session> {
    const configuration = await this.discover();
    const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: pending.state });
    return this.sessionOf(tokens);
  }

  async refresh(session: Session): Promise<Session | undefined> {
    if (session.refreshToken === undefined) return undefined;
    const configuration = await this.discover();
    const tokens = await oidc.refreshTokenGrant(configuration, session.refreshToken);
    return this.sessionOf(tokens, session);
  }

  private sessionOf(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, previous?: Session): Session {
    const claims: Record<string, unknown> = tokens.claims() ?? {};
    const user = claims[this.config.oidc.userClaim] ?? previous?.user;
    if (typeof user !== 'string' || user === '') throw new Error(`The ID token has no "${this.config.oidc.userClaim}" claim (TANDEM_OIDC_USER_CLAIM) to name the user`);
    const rawGroups = claims[this.config.oidc.groupsClaim];
    const groups = Array.isArray(rawGroups) ? rawGroups.filter((group): group is string => typeof group === 'string') : (previous?.groups ?? []);
    const expiresIn = tokens.expiresIn();
    return {
      user,
      groups,
      ...(tokens.refresh_token !== undefined ? { refreshToken: tokens.refresh_token } : previous?.refreshToken !== undefined ? { refreshToken: previous.refreshToken } : {}),
      ...(expiresIn !== undefined ? { refreshAt: Date.now() + expiresIn * 1000 } : {}),
    };
  }
}
