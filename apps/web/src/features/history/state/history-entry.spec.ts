import { applyTextEdits, type JsonObject } from '@tandem/sync';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeChange, filterSearch, NO_FILTERS, parseHistoryPage, restoreBlockReason, restoreEdits, targetSearch, type HistoryEntry } from './history-entry.js';

const webRef = { context: 'tandem-sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

function entry(changes: HistoryEntry['changes'], outcome: HistoryEntry['outcome'] = 'applied'): HistoryEntry {
  return { id: '1767225600123-0', at: 1767225600123, actor: 'alice', outside: false, ref: webRef, action: 'save', outcome, fromResourceVersion: '41', toResourceVersion: '42', changes };
}

const current: JsonObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', team: 'payments' } },
  spec: { replicas: 4, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } },
};

describe('history entries', () => {
  it('reads a gateway page and refuses an answer of the wrong shape', () => {
    const page = parseHistoryPage({ entries: [entry([{ path: 'spec.replicas', op: 'replace', before: 2, after: 4 }])], nextCursor: '1767225600000-0' });
    expect(page.entries[0]?.changes[0]?.after).toBe(4);
    expect(page.nextCursor).toBe('1767225600000-0');
    expect(() => parseHistoryPage({ entries: [{ id: 'x' }] })).toThrow(/unexpected shape/);
  });

  it('sends only the filters given, and times as RFC 3339', () => {
    const search = new URLSearchParams(filterSearch({ ...NO_FILTERS, user: ' bob ', outcome: 'applied', since: '2026-01-31T12:00' }, 50, '1767225600000-0'));
    expect(Object.fromEntries(search)).toEqual({ user: 'bob', outcome: 'applied', since: new Date('2026-01-31T12:00').toISOString(), limit: '50', cursor: '1767225600000-0' });
  });

  it("names a cluster-scoped object's empty namespace in its own history", () => {
    const search = new URLSearchParams(targetSearch({ context: 'lab', group: '', version: 'v1', resource: 'namespaces', name: 'shop' }, 100));
    expect(search.get('namespace')).toBe('');
    expect(search.get('group')).toBe('');
    expect(search.get('name')).toBe('shop');
  });

  it('shows a Secret value only as changed (hidden)', () => {
    const hidden = { redacted: true, sha256: 'a'.repeat(64) };
    expect(describeChange({ path: 'data.password', op: 'replace', before: hidden, after: { redacted: true, sha256: 'b'.repeat(64) } })).toBe('changed (hidden)');
    expect(describeChange({ path: 'spec.template.spec.containers[name=web].image', op: 'replace', before: 'nginx:1.27', after: 'nginx:1.28' })).toBe('nginx:1.27 → nginx:1.28');
    expect(describeChange({ path: 'metadata.labels.team', op: 'add', after: 'payments' })).toBe('added: payments');
  });

  it("restores the fields an entry changed to their values before it, keeping everyone else's", () => {
    const text = `# the shop's web server\n${stringify(current)}`;
    const restoredText = applyTextEdits(
      text,
      restoreEdits(text, current, entry([
        { path: 'metadata.labels.team', op: 'add', after: 'payments' },
        { path: 'spec.template.spec.containers[name=web].image', op: 'replace', before: 'nginx:1.27', after: 'nginx:1.28' },
      ])),
    );
    expect(restoredText).toContain("# the shop's web server");
    expect(restoredText).toContain('image: nginx:1.27');
    expect(restoredText).not.toContain('team: payments');
    expect(restoredText).toContain('replicas: 4');
  });

  it('offers restore only for applied saves whose old values are known', () => {
    expect(restoreBlockReason(entry([{ path: 'spec.replicas', op: 'replace', before: 2, after: 4 }]))).toBeNull();
    expect(restoreBlockReason(entry([{ path: 'spec.replicas', op: 'replace', before: 2, after: 4 }], 'blocked-stale'))).toMatch(/Only applied/);
    expect(restoreBlockReason(entry([{ path: 'data.password', op: 'replace', before: { redacted: true, sha256: 'a'.repeat(64) }, after: { redacted: true, sha256: 'b'.repeat(64) } }]))).toMatch(/Secret values/);
  });
});
