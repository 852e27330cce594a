import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { z } from 'zod';

/** The session cookie: httpOnly, SameSite=Lax, Secure over https. */
export const SESSION_COOKIE = 'tandem_session';

const sessionSchema = z.object({
  user: z.string().min(1),
  groups: z.array(z.string()),
  /** token mode: the person's own Kubernetes bearer token. */
  token: z.string().optional(),
  /** oidc mode: what refreshes the session before it lapses. */
  refreshToken: z.string().optional(),
  /** oidc mode: when the provider's tokens lapse (epoch ms); a refresh is due after it. */
  refreshAt: z.number().optional(),
});

export type Session = z.infer<typeof sessionSchema>;

/**
 * Sessions kept in the browser as an encrypted cookie (JWE, A256GCM), so any gateway of a
 * deployment that shares TANDEM_SESSION_SECRET can read them and nothing on the server must be
 * stored or shared. The cookie holds a token-mode user's bearer token: it is encrypted, httpOnly,
 * and never readable by page scripts.
 */
export class SessionCodec {
  private readonly key: Uint8Array;

  constructor(
    secret: string | undefined,
    private readonly ttlMs: number,
  ) {
    // A random key when none is set: sessions then last as long as this process and bind to it.
    this.key = createHash('sha256').update(secret ?? randomBytes(32)).digest();
  }

  async seal(session: Session): Promise<string> {
    return this.sealClaims({ session }, this.ttlMs);
  }

  /** Any small value, encrypted and authenticated, valid for `ttlMs` (e.g. an OIDC login's PKCE verifier). */
  sealClaims(claims: Record<string, unknown>, ttlMs: number): Promise<string> {
    return new EncryptJWT(claims)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime(new Date(Date.now() + ttlMs))
      .encrypt(this.key);
  }

  async openClaims(sealed: string | undefined): Promise<Record<string, unknown> | undefined> {
    if (sealed === undefined || sealed === '' || sealed.length > 8_192) return undefined;
    try {
      return (await jwtDecrypt(sealed, this.key)).payload;
    } catch {
      return undefined;
    }
  }

  /** The session in a cookie value, or undefined when it is missing, forged, tampered with or expired. */
  async open(sealed: string | undefined): Promise<Session | undefined> {
    const claims = await this.openClaims(sealed);
    const parsed = sessionSchema.safeParse(claims?.['session']);
    return parsed.success ? parsed.data : undefined;
  }

  fromRequest(request: IncomingMessage): Promise<Session | undefined> {
    return this.open(cookieOf(request, SESSION_COOKIE));
  }

  /** A Set-Cookie value carrying the session (or clearing it when `value` is empty). */
  cookie(value: string, secure: boolean, name = SESSION_COOKIE, ttlMs = this.ttlMs): string {
    return serializeCookie(name, value, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      ...(value === '' ? { maxAge: 0 } : { maxAge: Math.floor(ttlMs / 1000) }),
    });
  }
}

export function cookieOf(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  return header === undefined ? undefined : parseCookies(header)[name];
}
