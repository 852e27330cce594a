import { Agent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { waitUntil } from './wait.js';

/** A Kubernetes object as it crosses the wire, validated only as far as tests rely on it. */
export const kubeObjectSchema = z
  .object({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z
      .object({
        name: z.string().optional(),
        namespace: z.string().optional(),
        resourceVersion: z.string().optional(),
        uid: z.string().optional(),
      })
      .loose(),
  })
  .loose();

export type KubeObject = z.infer<typeof kubeObjectSchema>;

export interface KubeResponse {
  status: number;
  body: unknown;
}

// Reused connections keep thousands of small requests cheap, as a real client's pool does.
const keepAliveAgent = new Agent({ keepAlive: true });

/**
 * Where a Kubernetes API server answers and how to reach it: the sandbox is plain HTTP and
 * takes anyone; a real API server needs an agent that trusts its CA and a bearer token.
 */
export interface KubeEndpoint {
  readonly url: string;
  /** For https: an agent trusting the server's CA (node:https Agent). */
  readonly agent?: RequestOptions['agent'];
  readonly headers?: Readonly<Record<string, string>>;
}

function send(url: URL, endpoint: KubeEndpoint, options: RequestOptions): ReturnType<typeof httpRequest> {
  const secure = url.protocol === 'https:';
  const agent = endpoint.agent ?? (secure ? undefined : keepAliveAgent);
  const merged: RequestOptions = { ...options, ...(agent !== undefined ? { agent } : {}), headers: { ...endpoint.headers, ...options.headers } };
  return secure ? httpsRequest(url, merged) : httpRequest(url, merged);
}

const endpointOfUrl = (endpoint: KubeEndpoint | string): KubeEndpoint => (typeof endpoint === 'string' ? { url: endpoint } : endpoint);

/** One plain HTTP request to a Kubernetes API server, JSON in and out, no client library in between. */
export async function kubeRequest(
  target: KubeEndpoint | string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<KubeResponse> {
  const endpoint = endpointOfUrl(target);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
  const headers: Record<string, string | number> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = contentType;
    headers['content-length'] = payload.length;
  }
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = send(new URL(path, endpoint.url), endpoint, { method, headers });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Leave a non-JSON body as text so the assertion that fails can show it.
  }
  return { status, body: parsed };
}

export const watchEventSchema = z.object({
  type: z.enum(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']),
  object: z.record(z.string(), z.unknown()),
});

export type WatchEvent = z.infer<typeof watchEventSchema>;

export interface WatchStream {
  /** Every event received so far, in arrival order. */
  readonly events: readonly WatchEvent[];
  /** Whether the server has ended the stream. */
  readonly ended: boolean;
  waitFor(predicate: (event: WatchEvent) => boolean, description: string): Promise<WatchEvent>;
  close(): void;
}

/**
 * Opens `?watch=true` on a collection over plain HTTP and collects its newline-delimited
 * events; resolves once the server has answered 200 with headers.
 */
export async function openWatch(target: KubeEndpoint | string, path: string, query: Record<string, string> = {}): Promise<WatchStream> {
  const endpoint = endpointOfUrl(target);
  const url = new URL(path, endpoint.url);
  url.searchParams.set('watch', 'true');
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const events: WatchEvent[] = [];
  let ended = false;

  // A watch holds its connection for as long as it runs: never one from the keep-alive pool.
  const req = send(url, { ...endpoint, ...(url.protocol === 'https:' ? {} : { agent: new Agent() }) }, { method: 'GET', headers: { accept: 'application/json' } });
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
  if (response.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(Buffer.from(chunk as Uint8Array));
    throw new Error(`Watch ${url.pathname}${url.search} answered ${response.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`);
  }
  const markEnded = (): void => {
    ended = true;
  };
  // A cut connection ends the stream; the test sees that through `ended`, not as a crash.
  req.on('error', markEnded);
  response.on('error', markEnded).on('close', markEnded);
  const lines = createInterface({ input: response });
  lines.on('error', markEnded);
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    events.push(watchEventSchema.parse(JSON.parse(line)));
  });

  return {
    events,
    get ended() {
      return ended;
    },
    async waitFor(predicate, description) {
      let found: WatchEvent | undefined;
      await waitUntil(() => {
        found = events.find(predicate);
        return found !== undefined || ended;
      }, `the watch on ${path} delivers ${description}`);
      if (found === undefined) throw new Error(`The watch on ${path} ended before it delivered ${description}`);
      return found;
    },
    close() {
      req.destroy();
    },
  };
}

/** Reads metadata.resourceVersion from a wire object, failing loudly when it is missing. */
export function resourceVersionOf(object: unknown): string {
  const version = kubeObjectSchema.parse(object).metadata.resourceVersion;
  if (version === undefined) throw new Error(`Object has no metadata.resourceVersion: ${JSON.stringify(object)}`);
  return version;
}

/**
 * Kubernetes versions are opaque to clients, but the sandbox (like etcd) issues increasing
 * integers, and the ordering tests check exactly that.
 */
export function resourceVersionOrder(version: string): bigint {
  if (!/^\d+$/.test(version)) throw new Error(`resourceVersion "${version}" is not an integer`);
  return BigInt(version);
}
