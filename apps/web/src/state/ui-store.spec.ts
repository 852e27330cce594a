import type { ResourceRef } from '@tandem/sync';
import { describe, expect, it } from 'vitest';
import { createUiStore } from './ui-store.js';

const web: ResourceRef = { context: 'tandem-sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const worker: ResourceRef = { ...web, name: 'worker' };
const cfg: ResourceRef = { context: 'tandem-sandbox', group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name: 'cfg' };

describe('UI store', () => {
  it('opens each object once, in its own tab, and activates it', () => {
    const store = createUiStore();
    store.getState().openResource(web, 'Deployment');
    store.getState().openResource(worker, 'Deployment');
    store.getState().openResource(web, 'Deployment');
    expect(store.getState().tabs.map((t) => t.ref.name)).toEqual(['web', 'worker']);
    expect(store.getState().activeTab).toBe('tandem-sandbox/apps/v1/deployments/shop/web');
  });

  it('activates the neighbour when the active tab closes, and nothing when the last one does', () => {
    const store = createUiStore();
    for (const ref of [web, worker, cfg]) store.getState().openResource(ref, 'X');
    store.getState().activateTab('tandem-sandbox/apps/v1/deployments/shop/worker');
    store.getState().closeTab('tandem-sandbox/apps/v1/deployments/shop/worker');
    expect(store.getState().activeTab).toBe('tandem-sandbox//v1/configmaps/shop/cfg');
    store.getState().closeTab('tandem-sandbox//v1/configmaps/shop/cfg');
    expect(store.getState().activeTab).toBe('tandem-sandbox/apps/v1/deployments/shop/web');
    store.getState().closeTab('tandem-sandbox/apps/v1/deployments/shop/web');
    expect(store.getState()).toMatchObject({ tabs: [], activeTab: null });
  });

  it('forgets namespace and kind when another context is picked', () => {
    const store = createUiStore();
    store.getState().selectContext('a');
    store.getState().selectNamespace('shop');
    store.getState().selectKind({ group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true });
    store.getState().selectContext('a');
    expect(store.getState().namespace).toBe('shop');
    store.getState().selectContext('b');
    expect(store.getState()).toMatchObject({ context: 'b', namespace: null, kind: null });
  });

  it('drops the selection of a removed context but keeps its open tabs', () => {
    const store = createUiStore();
    store.getState().selectContext('tandem-sandbox');
    store.getState().openResource(web, 'Deployment');
    store.getState().contextsRemoved(['other']);
    expect(store.getState().context).toBe('tandem-sandbox');
    store.getState().contextsRemoved(['tandem-sandbox']);
    expect(store.getState().context).toBeNull();
    expect(store.getState().tabs).toHaveLength(1);
  });
});
