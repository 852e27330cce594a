import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { App } from './App.js';
import { whoAmIQuery, type WhoAmI } from './features/session/hooks/useAuth.js';

function render(whoAmI: WhoAmI): string {
  const queryClient = new QueryClient();
  queryClient.setQueryData(whoAmIQuery.queryKey, whoAmI);
  return renderToString(
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>,
  );
}

describe('App', () => {
  it('asks who is editing before connecting anyone, in dev mode', () => {
    const html = render({ mode: 'dev', groups: [] });
    expect(html).toContain('data-testid="sign-in"');
    expect(html).toContain('Who is editing?');
    expect(html).not.toContain('data-testid="connection-indicator"');
  });

  it('asks for a Kubernetes token in token mode, and offers the provider in oidc mode, before connecting', () => {
    const token = render({ mode: 'token', groups: [] });
    expect(token).toContain('data-testid="sign-in-token"');
    expect(token).not.toContain('Who is editing?');
    const oidc = render({ mode: 'oidc', groups: [] });
    expect(oidc).toContain('data-testid="oidc-sign-in"');
    expect(oidc).toContain('href="/auth/login?returnTo=');
    expect(oidc).not.toContain('data-testid="connection-indicator"');
  });
});
