import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { App } from './App.js';

describe('App', () => {
  it('asks who is editing before connecting anyone', () => {
    const html = renderToString(
      <QueryClientProvider client={new QueryClient()}>
        <App />
      </QueryClientProvider>,
    );
    expect(html).toContain('data-testid="sign-in"');
    expect(html).toContain('Who is editing?');
    expect(html).not.toContain('data-testid="connection-indicator"');
  });
});
