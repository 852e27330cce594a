import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BrowsePage } from './BrowsePage.js';

describe('BrowsePage', () => {
  it('shows loading notices for namespaces and the Deployments of shop before data arrives', () => {
    const html = renderToString(
      <QueryClientProvider client={new QueryClient()}>
        <BrowsePage />
      </QueryClientProvider>,
    );
    expect(html).toContain('data-testid="namespace-list-loading"');
    expect(html).toContain('data-testid="deployment-list-loading"');
    expect(html).toContain('Deployments in <!-- -->shop');
  });
});
