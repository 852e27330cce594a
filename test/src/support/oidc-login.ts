/**
 * Signs a user in to a gateway in OIDC mode from Node, as a browser would: follows the redirects
 * from `/auth/login` to the provider, fills its login and consent forms, comes back through
 * `/auth/callback`, and returns the session cookie the gateway set.
 */

const SESSION_COOKIE = 'tandem_session';
const MAX_STEPS = 20;

class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: URL, response: Response): void {
    const jar = this.byHost.get(url.host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    this.byHost.set(url.host, jar);
  }

  header(url: URL): string {
    return [...(this.byHost.get(url.host) ?? new Map<string, string>()).entries()].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(url: URL, name: string): string | undefined {
    return this.byHost.get(url.host)?.get(name);
  }
}

function decodeEntities(value: string): string {
  return value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#x2F;', '/').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
}

/** The first POST form of a page: its action and its hidden fields. */
function formOf(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form[^>]*action="([^"]*)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (form?.[1] === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1];
    if (name !== undefined) fields[name] = decodeEntities(value ?? '');
  }
  const body = form[2] ?? '';
  if (/name="login"/.test(body)) fields['login'] = '';
  if (/name="password"/.test(body)) fields['password'] = '';
  return { action: decodeEntities(form[1]), fields };
}

/** Resolves with `tandem_session=<value>`, ready for a Cookie header or TandemClient's extraHeaders. */
export async function signInWithOidc(gatewayUrl: string, login: string): Promise<string> {
  const jar = new CookieJar();
  const gateway = new URL(gatewayUrl);
  let url = new URL('/auth/login?returnTo=%2F', gateway);
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < MAX_STEPS; step++) {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), cookie: jar.header(url) } });
    jar.store(url, response);
    const session = jar.get(gateway, SESSION_COOKIE);
    if (session !== undefined) return `${SESSION_COOKIE}=${session}`;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      url = new URL(location, url);
      init = { method: 'GET' };
      continue;
    }
    const html = await response.text();
    const form = response.status === 200 ? formOf(html) : undefined;
    if (form === undefined) throw new Error(`Signing ${login} in stopped at ${url.href} (HTTP ${String(response.status)}): ${html.slice(0, 300)}`);
    if ('login' in form.fields) form.fields['login'] = login;
    if ('password' in form.fields) form.fields['password'] = 'any-password';
    url = new URL(form.action, url);
    init = { method: 'POST', body: new URLSearchParams(form.fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error(`Signing ${login} in took more than ${String(MAX_STEPS)} steps`);
}
