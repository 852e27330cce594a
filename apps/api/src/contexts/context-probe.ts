import { HttpMethod, IsomorphicFetchHttpLibrary, type KubeConfig, RequestContext } from '@kubernetes/client-node';

export type ProbeResult = { readonly status: 'ok' } | { readonly status: 'unreachable'; readonly error: string };

const http = new IsomorphicFetchHttpLibrary();

/**
 * Asks the context's API server for `GET /version` within `timeoutMs`, with the context's own
 * credentials (exec plugins included, hence the timeout around authentication too).
 */
export async function probeContext(kubeConfig: KubeConfig, timeoutMs: number): Promise<ProbeResult> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (server === undefined) return { status: 'unreachable', error: 'The context has no cluster server' };
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve({ status: 'unreachable', error: `${server} did not answer GET /version within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const attempt = async (): Promise<ProbeResult> => {
    const request = new RequestContext(`${server.replace(/\/+$/, '')}/version`, HttpMethod.GET);
    request.setHeaderParam('Accept', 'application/json');
    request.setSignal(abort.signal);
    await kubeConfig.applySecurityAuthentication(request);
    const response = await http.send(request).toPromise();
    await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode < 300) return { status: 'ok' };
    return { status: 'unreachable', error: `${server} answered GET /version with HTTP ${response.httpStatusCode}` };
  };
  try {
    return await Promise.race([
      attempt().catch((error: unknown): ProbeResult => ({ status: 'unreachable', error: `${server} did not answer: ${describe(error)}` })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch wraps the socket error ("fetch failed"); its cause says what happened (ECONNREFUSED, ...).
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
