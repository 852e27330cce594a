import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { USER_NAME } from '@tandem/sync';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig, AuthMode } from '../config/config.schema.js';
import type { Actor } from '../identity/actor.js';
import { SessionCodec, type Session } from './session.js';

export type Authentication = { readonly actor: Actor } | { readonly rejection: string };

/** Addresses as a socket reports them (`::ffff:10.0.0.5`), compared as written in TANDEM_TRUSTED_PROXIES. */
function normalizeAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Group names as a proxy sends them: comma-separated, bounded. */
function groupsOf(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group !== '' && group.length <= 256)
    .slice(0, 100);
}

/**
 * Who is on the other end of a request or a socket handshake, decided by the gateway's own
 * sign-in (TANDEM_AUTH), never by a name in a payload, except in dev mode on loopback:
 * - dev: the typed-in name (handshake `user`, REST `X-Tandem-User`), with the gateway's credential;
 * - proxy: the authenticating proxy's user and groups headers, from trusted addresses only;
 * - token, oidc: the encrypted session cookie that sign-in set.
 */
@Injectable()
export class Authenticator {
  readonly sessions: SessionCodec;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.sessions = new SessionCodec(config.auth.sessionSecret, config.auth.sessionTtlMs);
  }

  get mode(): AuthMode {
    return this.config.auth.mode;
  }

  /** `typedUser` is what dev mode's client typed (socket handshake or X-Tandem-User); ignored in every other mode. */
  async authenticate(request: IncomingMessage, typedUser: string | undefined): Promise<Authentication> {
    switch (this.config.auth.mode) {
      case 'dev': {
        const user = typedUser ?? headerValue(request, 'x-tandem-user');
        if (user === undefined || !USER_NAME.test(user)) return { rejection: 'user: a name of 1-64 letters, digits, ".", "_", "@" or "-" is required in dev mode' };
        return { actor: { user, groups: [], access: { kind: 'gateway' } } };
      }
      case 'proxy': {
        const { trusted, userHeader, groupsHeader } = this.config.auth.proxy;
        const from = normalizeAddress(request.socket.remoteAddress);
        if (!trusted.includes(from)) return { rejection: `not signed in: requests must come through the authenticating proxy (${from} is not in TANDEM_TRUSTED_PROXIES)` };
        const user = headerValue(request, userHeader)?.trim();
        if (user === undefined || user === '' || user.length > 256) return { rejection: `not signed in: the proxy sent no ${userHeader} header` };
        return { actor: { user, groups: groupsOf(headerValue(request, groupsHeader)), access: { kind: 'impersonate' } } };
      }
      case 'token':
      case 'oidc': {
        const session = await this.sessions.fromRequest(request);
        if (session === undefined) return { rejection: 'not signed in: sign in first (no valid session cookie)' };
        return { actor: actorOf(session) };
      }
    }
  }
}

export function actorOf(session: Session): Actor {
  return { user: session.user, groups: session.groups, access: session.token !== undefined ? { kind: 'token', token: session.token } : { kind: 'impersonate' } };
}
