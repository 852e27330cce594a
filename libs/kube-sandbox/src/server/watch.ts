import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from './object.js';
import { apiVersionOf } from '@tandem/sync';
import { sameResource, type ResourceType } from './resources.js';
import { badRequest, expired } from './status.js';
import { matchesSelection, type Change, type Selection, type Store } from './store.js';

export interface WatchRequest {
  type: ResourceType;
  selection: Selection;
  /** Absent or "0": start with the current state; otherwise replay the changes after it. */
  resourceVersion?: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  /** How an object goes on the wire (e.g. as a one-row Table); as is when absent. */
  present?: (object: KubeObject, first: boolean) => unknown;
}

type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: unknown };

/** How often an idle watch that allows bookmarks gets one (a real server waits about a minute). */
export const BOOKMARK_INTERVAL_MS = 5000;

/**
 * The event a watcher with this selection sees for a change: an object that starts to match
 * is ADDED, one that stops matching is DELETED, as the API server's watch cache does.
 */
function eventFor(change: Change, request: WatchRequest): WatchEvent | undefined {
  if (!sameResource(change.resource, request.type)) return undefined;
  const now = matchesSelection(request.type, change.object, request.selection);
  const before = change.type === 'MODIFIED' && change.previous ? matchesSelection(request.type, change.previous, request.selection) : now;
  // A custom resource stored under one version is served at each version it is watched at.
  const object = request.type.custom === undefined ? change.object : { ...change.object, apiVersion: apiVersionOf(request.type) };
  if (change.type !== 'MODIFIED') return now ? { type: change.type, object } : undefined;
  if (now && before) return { type: 'MODIFIED', object };
  if (now) return { type: 'ADDED', object };
  if (before) return { type: 'DELETED', object };
  return undefined;
}

/**
 * Serves one watch: a chunked JSON stream of one event per line. Returns a function that
 * ends it (the sandbox calls it on close); it also ends on timeout or when the client goes.
 */
export function serveWatch(store: Store, request: WatchRequest, req: IncomingMessage, res: ServerResponse, onEnd: () => void): () => void {
  const fromVersion = request.resourceVersion === undefined || request.resourceVersion === '' || request.resourceVersion === '0' ? undefined : Number(request.resourceVersion);
  if (fromVersion !== undefined && (!Number.isInteger(fromVersion) || fromVersion < 0)) {
    throw badRequest(`invalid resource version: ${request.resourceVersion ?? ''}`);
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  // Clients (client-node's Watch) wait for the headers before they consider the watch open.
  res.flushHeaders();
  let sentObjects = 0;
  const send = (event: WatchEvent): void => {
    if (res.writableEnded) return;
    const isObject = event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED';
    const wire = isObject && request.present ? { type: event.type, object: request.present(event.object as KubeObject, sentObjects === 0) } : event;
    if (isObject) sentObjects++;
    res.write(`${JSON.stringify(wire)}\n`);
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    send({
      type: 'BOOKMARK',
      object: { kind: request.type.kind, apiVersion: apiVersionOf(request.type), metadata: { resourceVersion: store.resourceVersion, ...(annotations ? { annotations } : {}) } },
    });
  };

  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = (): void => undefined;
  const end = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
    for (const timer of timers) clearTimeout(timer);
    if (!res.writableEnded) res.end();
    onEnd();
  };

  if (fromVersion === undefined) {
    for (const object of store.list(request.type, request.selection)) send({ type: 'ADDED', object });
    if (request.sendInitialEvents && request.allowWatchBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const changes = store.changesSince(fromVersion);
    if (!Array.isArray(changes)) {
      send({ type: 'ERROR', object: expired(String(fromVersion), changes.oldest).status });
      end();
      return end;
    }
    for (const change of changes) {
      const event = eventFor(change, request);
      if (event) send(event);
    }
  }

  unsubscribe = store.subscribe((change) => {
    const event = eventFor(change, request);
    if (event) send(event);
  });
  if (request.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS));
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) timers.push(setTimeout(end, request.timeoutSeconds * 1000));
  req.on('close', end);
  res.on('close', end);
  return end;
}
