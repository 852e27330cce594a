import { useEffect, useSyncExternalStore } from 'react';

/**
 * Monaco is most of the bundle, so the editor area is a separate chunk. It is loaded once, by
 * whoever asks first (the idle-time prefetch or the first opened tab), and read synchronously from
 * then on: no Suspense boundary, whose reveal React throttles by up to 300 ms after a fallback.
 */
export type EditorModule = typeof import('./components/EditorArea.js');

export type EditorModuleState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly module: EditorModule }
  | { readonly status: 'failed'; readonly error: string };

let state: EditorModuleState = { status: 'loading' };
let pending: Promise<void> | null = null;
const listeners = new Set<() => void>();

function set(next: EditorModuleState): void {
  state = next;
  for (const listener of listeners) listener();
}

/** Starts loading the editor chunk (once; again after a failure). */
export function loadEditorModule(): Promise<void> {
  pending ??= import('./components/EditorArea.js').then(
    (module) => set({ status: 'ready', module }),
    (error: unknown) => {
      pending = null;
      set({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    },
  );
  return pending;
}

/** Retries after a failed load (e.g. the gateway restarted with a new build). */
export function retryEditorModule(): void {
  set({ status: 'loading' });
  void loadEditorModule();
}

const subscribe = (listener: () => void): (() => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};
const snapshot = (): EditorModuleState => state;

/** The editor chunk's state; loads it when `load` is true. */
export function useEditorModule(load: boolean): EditorModuleState {
  useEffect(() => {
    if (load) void loadEditorModule();
  }, [load]);
  return useSyncExternalStore(subscribe, snapshot);
}
