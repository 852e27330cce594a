import { BadRequestException, Body, Controller, Get, Inject, Post, Query, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { KubeContextsService } from '../kube/kube-contexts.service.js';
import { Authenticator } from './authenticator.js';
import { OidcSignIn, type PendingLogin } from './oidc.js';
import { cookieOf, type Session } from './session.js';

const LOGIN_COOKIE = 'tandem_login';
const LOGIN_TTL_MS = 10 * 60_000;

const tokenSignInSchema = z.object({ token: z.string().trim().min(1, 'token must not be empty').max(16_384, 'token is too long') });
const tokenReviewSchema = z.looseObject({
  status: z
    .looseObject({
      authenticated: z.boolean().optional(),
      error: z.string().optional(),
      user: z.looseObject({ username: z.string().optional(), groups: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
});
const pendingSchema = z.object({ verifier: z.string(), state: z.string(), returnTo: z.string() });
const callbackQuerySchema = z.looseObject({ code: z.string().max(4_096).optional(), state: z.string().max(1_024).optional(), error: z.string().max(1_024).optional() });

/** A path on this site to return to after sign-in; anything else goes home (no open redirect). */
function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[^\s\\]*$/.test(value) ? value : '/';
}

export interface WhoAmI {
  readonly mode: AppConfig['auth']['mode'];
  readonly user: string | undefined;
  readonly groups: readonly string[];
}

/**
 * Sign-in and sign-out: `GET /auth/me` (who the browser is), `POST /auth/token` (token mode: a
 * Kubernetes bearer token checked by a TokenReview), `GET /auth/login` and `/auth/callback`
 * (oidc mode: authorization code flow with PKCE), `POST /auth/logout`.
 */
@Controller('auth')
export class AuthController {
  private readonly oidc: OidcSignIn;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly clients: KubeContextsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.oidc = new OidcSignIn(config.auth);
  }

  private publicUrl(request: IncomingMessage): URL {
    if (this.config.auth.publicUrl !== undefined) return new URL(this.config.auth.publicUrl);
    return new URL(`http://${request.headers.host ?? `${this.config.http.host}:${this.config.http.port}`}`);
  }

  private secure(request: IncomingMessage): boolean {
    return this.publicUrl(request).protocol === 'https:';
  }

  @Get('me')
  async me(@Req() request: IncomingMessage, @Res({ passthrough: true }) response: ServerResponse): Promise<WhoAmI> {
    const mode = this.config.auth.mode;
    if (mode === 'oidc') {
      // An OIDC session past its tokens' lifetime is refreshed here, where a new cookie can be set.
      let session = await this.authenticator.sessions.fromRequest(request);
      if (session?.refreshAt !== undefined && session.refreshAt < Date.now()) {
        session = await this.oidc.refresh(session).catch(() => undefined);
        response.setHeader('set-cookie', this.authenticator.sessions.cookie(session === undefined ? '' : await this.authenticator.sessions.seal(session), this.secure(request)));
      }
      return { mode, user: session?.user, groups: session?.groups ?? [] };
    }
    const result = await this.authenticator.authenticate(request, undefined);
    return 'actor' in result ? { mode, user: result.actor.user, groups: result.actor.groups } : { mode, user: undefined, groups: [] };
  }

  @Post('token')
  async token(@Req() request: IncomingMessage, @Res({ passthrough: true }) response: ServerResponse, @Body() body: unknown): Promise<WhoAmI> {
    if (this.config.auth.mode !== 'token') throw new BadRequestException(`Token sign-in is off (TANDEM_AUTH=${this.config.auth.mode})`);
    const parsed = tokenSignInSchema.safeParse(body);
    if (!parsed.success) throw new BadRequestException(parsed.error.issues.map((issue) => issue.message).join('; '));
    const context = this.config.auth.tokenContext ?? this.clients.defaultContext();
    if (context === undefined) throw new BadRequestException('No context to review tokens with: set TANDEM_TOKEN_CONTEXT');
    // A TokenReview, made with the gateway's credential (its ClusterRole in token mode allows creating them).
    const review = tokenReviewSchema.safeParse(
      await this.clients
        .client(context)
        .review('/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: parsed.data.token } }, 'Reviewing the token')
        .catch(() => undefined),
    );
    const user = review.success ? review.data.status?.user : undefined;
    if (!review.success || review.data.status?.authenticated !== true || user?.username === undefined) {
      throw new UnauthorizedException(`The cluster of context "${context}" does not accept this token`);
    }
    const session: Session = { user: user.username, groups: user.groups ?? [], token: parsed.data.token };
    response.setHeader('set-cookie', this.authenticator.sessions.cookie(await this.authenticator.sessions.seal(session), this.secure(request)));
    return { mode: 'token', user: session.user, groups: session.groups };
  }

  @Get('login')
  async login(@Req() request: IncomingMessage, @Res() response: ServerResponse, @Query('returnTo') returnTo: unknown): Promise<void> {
    if (this.config.auth.mode !== 'oidc') throw new BadRequestException(`OpenID Connect sign-in is off (TANDEM_AUTH=${this.config.auth.mode})`);
    const redirectUri = new URL('/auth/callback', this.publicUrl(request)).href;
    const { url, pending } = await this.oidc.start(redirectUri, safeReturnPath(returnTo));
    const sealed = await this.authenticator.sessions.sealClaims({ pending }, LOGIN_TTL_MS);
    response.setHeader('set-cookie', this.authenticator.sessions.cookie(sealed, this.secure(request), LOGIN_COOKIE, LOGIN_TTL_MS));
    response.statusCode = 302;
    response.setHeader('location', url);
    response.end();
  }

  @Get('callback')
  async callback(@Req() request: IncomingMessage, @Res() response: ServerResponse, @Query() query: unknown): Promise<void> {
    if (this.config.auth.mode !== 'oidc') throw new BadRequestException(`OpenID Connect sign-in is off (TANDEM_AUTH=${this.config.auth.mode})`);
    const parsedQuery = callbackQuerySchema.safeParse(query);
    if (!parsedQuery.success || parsedQuery.data.error !== undefined) throw new UnauthorizedException(`The provider refused the sign-in: ${parsedQuery.success ? String(parsedQuery.data.error) : 'malformed answer'}`);
    const claims = await this.authenticator.sessions.openClaims(cookieOf(request, LOGIN_COOKIE));
    const pending = pendingSchema.safeParse(claims?.['pending']);
    if (!pending.success) throw new UnauthorizedException('This sign-in expired or was started elsewhere; start again');
    const callbackUrl = new URL(request.url ?? '/auth/callback', this.publicUrl(request));
    let session: Session;
    try {
      session = await this.oidc.finish(callbackUrl, pending.data as PendingLogin);
    } catch (error) {
      throw new UnauthorizedException(`Sign-in failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const secure = this.secure(request);
    response.setHeader('set-cookie', [this.authenticator.sessions.cookie(await this.authenticator.sessions.seal(session), secure), this.authenticator.sessions.cookie('', secure, LOGIN_COOKIE)]);
    response.statusCode = 302;
    response.setHeader('location', pending.data.returnTo);
    response.end();
  }

  @Post('logout')
  logout(@Req() request: IncomingMessage, @Res({ passthrough: true }) response: ServerResponse): { signedOut: true } {
    response.setHeader('set-cookie', this.authenticator.sessions.cookie('', this.secure(request)));
    return { signedOut: true };
  }
}
