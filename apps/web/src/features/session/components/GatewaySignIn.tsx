import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { WhoAmI } from '../hooks/useAuth.js';
import { whoAmIQuery } from '../hooks/useAuth.js';

/** Sign-in for the gateway's own modes: OpenID Connect (a redirect), a Kubernetes token, or a proxy in front. */
export function GatewaySignIn({ mode }: { mode: Exclude<WhoAmI['mode'], 'dev'> }) {
  if (mode === 'oidc') {
    const returnTo = typeof window === 'undefined' ? '/' : `${window.location.pathname}${window.location.hash}`;
    return (
      <div className="sign-in" data-testid="sign-in">
        <h2>Sign in to Tandem</h2>
        <p>Your organisation's sign-in decides who you are; the cluster decides what you may do.</p>
        <a className="button primary" href={`/auth/login?returnTo=${encodeURIComponent(returnTo)}`} data-testid="oidc-sign-in">
          Sign in
        </a>
      </div>
    );
  }
  if (mode === 'token') return <TokenSignIn />;
  return (
    <div className="sign-in" data-testid="sign-in">
      <h2>Not signed in</h2>
      <p role="alert" className="notice-error">
        This Tandem takes who you are from the sign-in proxy in front of it, and the request did not come through it. Open Tandem at the address your team uses.
      </p>
    </div>
  );
}

function TokenSignIn() {
  const queryClient = useQueryClient();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const response = await fetch('/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: token.trim() }) });
    if (!response.ok) {
      const body: unknown = await response.json().catch(() => undefined);
      const message = typeof body === 'object' && body !== null && 'error' in body ? String((body as { error: { message?: unknown } }).error.message) : `Sign-in failed (HTTP ${response.status})`;
      setProblem(message);
      return;
    }
    setToken('');
    await queryClient.invalidateQueries({ queryKey: whoAmIQuery.queryKey });
  };
  return (
    <form className="sign-in" onSubmit={(event) => void submit(event)} data-testid="sign-in">
      <h2>Sign in with a Kubernetes token</h2>
      <p>Tandem acts with this token on your behalf, so the cluster's RBAC decides what you may read and change. It is kept only in an encrypted, httpOnly cookie.</p>
      <label>
        Token{' '}
        <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" data-testid="sign-in-token" />
      </label>{' '}
      <button type="submit">Sign in</button>
      {problem && (
        <p role="alert" className="notice-error">
          {problem}
        </p>
      )}
    </form>
  );
}

/** Ends the gateway session (its cookie) and starts over. */
export function SignOutButton() {
  const signOut = async () => {
    await fetch('/auth/logout', { method: 'POST' });
    window.location.reload();
  };
  return (
    <button type="button" onClick={() => void signOut()} data-testid="sign-out">
      Sign out
    </button>
  );
}
