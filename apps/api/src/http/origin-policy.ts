import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '../config/loopback.js';


/** The host name (lowercase, IPv6 in brackets) of a `Host` header value, or undefined if it is not one. */
function hostNameOf(header: string): string | undefined {
  if (header === '' || /[/?#@\s]/.test(header)) return undefined;
  try {
    return new URL(`http://${header}`).hostname;
  } catch {
    return undefined;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Which pages may drive the gateway, and under which names it may be reached.
 *
 * - Origin: a browser names the page that opens a WebSocket or sends a state-changing request in
 *   its `Origin` header. Only allowed origins get in: those listed in `TANDEM_ALLOWED_ORIGINS`, or,
 *   when none are, the gateway's own origin (the Origin's host is the Host the request was sent
 *   to), so a page on another site cannot use the gateway through the visitor's browser. A request
 *   without `Origin` comes from a program, not from a page (browsers always send it on WebSocket
 *   handshakes and cross-origin writes), and is let through: a program could set any Origin anyway.
 * - Host: when the gateway listens on loopback only (`local`), the Host header must name a loopback
 *   host (or the host of an allowed origin). A DNS-rebinding page reaches 127.0.0.1 under its own
 *   domain name, so its Host header gives it away, and it is refused before it reads anything.
 */
export class OriginPolicy {
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly allowedHostNames: ReadonlySet<string>;

  constructor(private readonly settings: { readonly allowedOrigins: readonly string[]; readonly local: boolean }) {
    this.allowedOrigins = new Set(settings.allowedOrigins);
    this.allowedHostNames = new Set(settings.allowedOrigins.map((origin) => new URL(origin).hostname));
  }

  /** Why a request's Host header is refused, or undefined when it is fine. */
  hostProblem(headers: IncomingHttpHeaders): string | undefined {
    if (!this.settings.local) return undefined;
    const header = single(headers.host);
    const name = header === undefined ? undefined : hostNameOf(header);
    if (name !== undefined && (isLoopbackHost(name) || this.allowedHostNames.has(name))) return undefined;
    return `Host "${header ?? ''}" is not allowed: this gateway listens on loopback and answers only to localhost, 127.0.0.1 or [::1] (or a host of TANDEM_ALLOWED_ORIGINS)`;
  }

  /** Why a request's Origin header is refused, or undefined when it is fine (or absent). */
  originProblem(headers: IncomingHttpHeaders): string | undefined {
    const origin = single(headers.origin);
    if (origin === undefined) return undefined;
    const refused = `Origin "${origin}" is not allowed${this.allowedOrigins.size > 0 ? ' (TANDEM_ALLOWED_ORIGINS)' : ': only pages of the gateway itself may use it; list other origins in TANDEM_ALLOWED_ORIGINS'}`;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return refused;
    }
    if (url.origin === 'null' || url.origin !== origin.toLowerCase()) return refused;
    if (this.allowedOrigins.size > 0) return this.allowedOrigins.has(url.origin) ? undefined : refused;
    const host = single(headers.host);
    return host !== undefined && url.host === host.toLowerCase() ? undefined : refused;
  }

  /** Host, then Origin: the first reason to refuse a request, or undefined. */
  problem(headers: IncomingHttpHeaders): string | undefined {
    return this.hostProblem(headers) ?? this.originProblem(headers);
  }
}
