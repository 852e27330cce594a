import type { ListChanged, WatchEventType } from '@tandem/sync';
import { describe, expect, it } from 'vitest';
import type { ObjectList } from '../../../api/kube-objects.js';
import { applyListChanges } from './list-changes.js';

const list = { context: 'sandbox', group: 'apps', version: 'v1', resource: 'deployments' };

function change(type: WatchEventType, namespace: string, name: string, resourceVersion: string): ListChanged {
  return { list, type, namespace, name, resourceVersion };
}

const shown: ObjectList = {
  resourceVersion: '100',
  items: [
    { metadata: { namespace: 'shop', name: 'api', resourceVersion: '90', creationTimestamp: '2026-01-01T00:00:00Z' } },
    { metadata: { namespace: 'shop', name: 'web', resourceVersion: '95' } },
  ],
};

describe(applyListChanges.name, () => {
  it('moves a modified object to its new resourceVersion and keeps the rest of what was read', () => {
    const next = applyListChanges(shown, [change('MODIFIED', 'shop', 'api', '101')]);
    expect(next.items[0]).toEqual({ metadata: { namespace: 'shop', name: 'api', resourceVersion: '101', creationTimestamp: '2026-01-01T00:00:00Z' } });
    expect(next.items[1]).toBe(shown.items[1]);
    expect(next.resourceVersion).toBe('101');
  });

  it('puts an added object where a fresh read would, and removes a deleted one', () => {
    const next = applyListChanges(shown, [change('ADDED', 'shop', 'cart', '102'), change('ADDED', 'ops', 'audit', '103'), change('DELETED', 'shop', 'web', '104')]);
    expect(next.items.map((item) => `${item.metadata.namespace}/${item.metadata.name}@${item.metadata.resourceVersion}`)).toEqual(['ops/audit@103', 'shop/api@90', 'shop/cart@102']);
  });

  it('ends where the last delta of each object says, whatever the list already reflected', () => {
    const replayed = applyListChanges({ items: [] }, [change('ADDED', 'shop', 'web', '5'), change('MODIFIED', 'shop', 'web', '6'), change('DELETED', 'shop', 'web', '7'), change('MODIFIED', 'shop', 'api', '8')]);
    expect(replayed).toEqual({ resourceVersion: '8', items: [{ metadata: { namespace: 'shop', name: 'api', resourceVersion: '8' } }] });
    expect(applyListChanges(shown, [])).toBe(shown);
  });
});
