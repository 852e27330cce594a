import { z } from 'zod';
import { GatewayError } from '../../../api/gateway.js';
import { parseHistoryPage, type HistoryPage } from '../state/history-entry.js';

/** The development identity the gateway's history API reads (as the socket handshake names the user). */
export const USER_HEADER = 'X-Tandem-User';

function messageOf(body: unknown): { reason: string; message: string } | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const { error } = body;
  if (typeof error !== 'object' || error === null || !('message' in error) || typeof error.message !== 'string') return undefined;
  const reason = 'reason' in error && typeof error.reason === 'string' ? error.reason : 'Unknown';
  return { reason, message: error.message };
}

/** One page of `GET /api/history?<search>`, asked as `user`. */
export async function fetchHistoryPage(user: string, search: string, signal?: AbortSignal): Promise<HistoryPage> {
  return parseHistoryPage(await fetchAsUser(user, `/api/history?${search}`, signal));
}

const accessSchema = z.object({ user: z.string(), admin: z.boolean() });

/** Whether `user` may read the edit history (`GET /api/history-access`, which never answers 403). */
export async function fetchHistoryAccess(user: string, signal?: AbortSignal): Promise<boolean> {
  const parsed = accessSchema.safeParse(await fetchAsUser(user, '/api/history-access', signal));
  if (!parsed.success) throw new GatewayError(502, 'BadGatewayAnswer', 'The gateway answered /api/history-access with an unexpected shape');
  return parsed.data.admin;
}

async function fetchAsUser(user: string, path: string, signal?: AbortSignal): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json', [USER_HEADER]: user }, signal });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new GatewayError(0, 'Unreachable', 'The Tandem gateway did not answer; is it running?');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = messageOf(body);
    throw new GatewayError(response.status, error?.reason ?? 'Unknown', error?.message ?? `${path} failed with HTTP ${response.status}`);
  }
  return body;
}
