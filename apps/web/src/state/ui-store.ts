import { resourceKey, type ResourceRef } from '@tandem/sync';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiResource } from '../api/discovery.js';

/** A resource open in the editor area. */
export interface EditorTab {
  /** `resourceKey(ref)`: one tab per object. */
  readonly key: string;
  readonly ref: ResourceRef;
  readonly kind: string;
}

/** The resource type picked in the sidebar. */
export type SelectedKind = Pick<ApiResource, 'group' | 'version' | 'resource' | 'kind' | 'namespaced'>;

export interface UiState {
  readonly user: string | null;
  readonly context: string | null;
  /** `null` lists every namespace. */
  readonly namespace: string | null;
  readonly kind: SelectedKind | null;
  readonly tabs: readonly EditorTab[];
  readonly activeTab: string | null;
}

export interface UiActions {
  signIn(user: string): void;
  selectContext(context: string): void;
  selectNamespace(namespace: string | null): void;
  selectKind(kind: SelectedKind): void;
  openResource(ref: ResourceRef, kind: string): void;
  activateTab(key: string): void;
  closeTab(key: string): void;
  /** Drops the selection of contexts that no longer exist (tabs stay so unsaved text is not lost). */
  contextsRemoved(names: readonly string[]): void;
}

export type UiStore = UiState & UiActions;

export function createUiStore(initial: Partial<UiState> = {}): StoreApi<UiStore> {
  return createStore<UiStore>()((set) => ({
    user: null,
    context: null,
    namespace: null,
    kind: null,
    tabs: [],
    activeTab: null,
    ...initial,
    signIn: (user) => set({ user }),
    selectContext: (context) => set((s) => (s.context === context ? s : { context, namespace: null, kind: null })),
    selectNamespace: (namespace) => set({ namespace }),
    selectKind: (kind) => set({ kind }),
    openResource: (ref, kind) =>
      set((s) => {
        const key = resourceKey(ref);
        if (s.tabs.some((tab) => tab.key === key)) return { activeTab: key };
        return { tabs: [...s.tabs, { key, ref, kind }], activeTab: key };
      }),
    activateTab: (key) => set((s) => (s.tabs.some((tab) => tab.key === key) ? { activeTab: key } : s)),
    closeTab: (key) =>
      set((s) => {
        const index = s.tabs.findIndex((tab) => tab.key === key);
        if (index < 0) return s;
        const tabs = s.tabs.filter((tab) => tab.key !== key);
        // Closing the active tab activates its neighbour, as editors do.
        const activeTab = s.activeTab === key ? (tabs[Math.min(index, tabs.length - 1)]?.key ?? null) : s.activeTab;
        return { tabs, activeTab };
      }),
    contextsRemoved: (names) => set((s) => (s.context !== null && names.includes(s.context) ? { context: null, namespace: null, kind: null } : s)),
  }));
}

/** The app's one UI store. */
export const uiStore = createUiStore();

export function useUi<T>(select: (state: UiStore) => T): T {
  return useStore(uiStore, select);
}
