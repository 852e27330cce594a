import { useSyncExternalStore } from 'react';

/** The app's top-level views; the URL hash names the one shown so links and reloads keep it. */
export type AppView = 'browse' | 'history';

export const HISTORY_HASH = '#history';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const viewOfHash = (): AppView => (window.location.hash === HISTORY_HASH ? 'history' : 'browse');

export function useAppView(): AppView {
  return useSyncExternalStore(subscribe, viewOfHash, () => 'browse');
}

export function showView(view: AppView): void {
  window.location.hash = view === 'history' ? HISTORY_HASH : '#browse';
}
