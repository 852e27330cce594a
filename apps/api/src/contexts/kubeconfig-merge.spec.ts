import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  connectionFingerprint,
  halfWrittenReason,
  kubeConfigOf,
  mergeKubeconfigs,
  parseKubeconfig,
  type KubeconfigDocument,
  type KubeconfigSource,
} from './kubeconfig-merge.js';

interface ContextSpec {
  readonly name: string;
  readonly server: string;
  readonly namespace?: string;
  readonly token?: string;
}

/** A kubeconfig as kubectl writes one: one cluster, user and context per entry, named alike. */
function kubeconfigText(contexts: readonly ContextSpec[], currentContext?: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((context) => ({ name: context.name, cluster: { server: context.server } })),
    users: contexts.map((context) => ({ name: context.name, user: { token: context.token ?? `${context.name}-token` } })),
    contexts: contexts.map((context) => ({
      name: context.name,
      context: { cluster: context.name, user: context.name, ...(context.namespace === undefined ? {} : { namespace: context.namespace }) },
    })),
    ...(currentContext === undefined ? {} : { 'current-context': currentContext }),
  });
}

function documentOf(path: string, text: string): KubeconfigDocument {
  const parsed = parseKubeconfig(path, text);
  if (!parsed.ok) throw new Error(`expected ${path} to parse: ${parsed.error}`);
  return parsed.document;
}

function source(path: string, text: string, problem?: string): KubeconfigSource {
  return { path, document: documentOf(path, text), problem };
}

describe(parseKubeconfig.name, () => {
  it('reads contexts with their cluster server, user and namespace', () => {
    const document = documentOf('/home/me/.kube/config', kubeconfigText([{ name: 'prod', server: 'https://prod.example:6443/', namespace: 'shop' }], 'prod'));
    expect(document.contexts).toEqual([{ name: 'prod', cluster: 'prod', user: 'prod', namespace: 'shop' }]);
    expect(document.clusters[0]?.server).toBe('https://prod.example:6443');
    expect(document.users[0]?.token).toBe('prod-token');
    expect(document.currentContext).toBe('prod');
  });

  it('resolves relative certificate files against the file directory, as kubectl does', () => {
    const text = stringify({
      clusters: [{ name: 'c', cluster: { server: 'https://c.example', 'certificate-authority': 'ca.crt' } }],
      users: [{ name: 'u', user: { 'client-certificate': 'certs/me.crt', 'client-key': '/abs/me.key' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    });
    const document = documentOf('/home/me/.kube/config', text);
    expect(document.clusters[0]?.caFile).toBe('/home/me/.kube/ca.crt');
    expect(document.users[0]?.certFile).toBe('/home/me/.kube/certs/me.crt');
    expect(document.users[0]?.keyFile).toBe('/abs/me.key');
  });

  it('takes an empty file as a kubeconfig without contexts', () => {
    expect(documentOf('/k/empty', '').contexts).toEqual([]);
  });

  it.each([
    ['broken YAML', 'contexts:\n- name: "unterminated\n', /\/k\/bad is not valid YAML/],
    ['a list at the top level', '- a\n- b\n', /its top level is not a mapping/],
    ['another kind of document', 'apiVersion: v1\nkind: Pod\n', /kind is "Pod", not "Config"/],
    ['contexts that are not a list', 'contexts: prod\n', /"contexts" must be a list/],
    ['a cluster without a server', 'clusters:\n- name: c\n  cluster: {}\n', /clusters\[0\]\.cluster\.server is missing/],
    ['a context without a cluster', 'contexts:\n- name: x\n  context: { user: u }\n', /contexts\[0\]\.context\.cluster is missing/],
  ])('rejects %s with an error naming the file and the problem', (_case, text, error) => {
    const parsed = parseKubeconfig('/k/bad', text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });
});

describe(mergeKubeconfigs.name, () => {
  it('lists the contexts of every file, in file order', () => {
    const merged = mergeKubeconfigs([
      source('/k/a', kubeconfigText([{ name: 'a1', server: 'http://a1' }, { name: 'a2', server: 'http://a2' }])),
      source('/k/b', kubeconfigText([{ name: 'b1', server: 'http://b1', namespace: 'team' }])),
    ]);
    expect(merged.map((context) => [context.name, context.source, context.cluster?.server, context.context.namespace])).toEqual([
      ['a1', '/k/a', 'http://a1', undefined],
      ['a2', '/k/a', 'http://a2', undefined],
      ['b1', '/k/b', 'http://b1', 'team'],
    ]);
  });

  it('keeps the first definition of a context, cluster or user name, as kubectl does', () => {
    const first = kubeconfigText([{ name: 'shared', server: 'http://first', token: 'first-token' }]);
    const second = kubeconfigText([{ name: 'shared', server: 'http://second', namespace: 'other', token: 'second-token' }]);
    const [context, ...rest] = mergeKubeconfigs([source('/k/a', first), source('/k/b', second)]);
    expect(rest).toEqual([]);
    expect(context?.source).toBe('/k/a');
    expect(context?.cluster?.server).toBe('http://first');
    expect(context?.user?.token).toBe('first-token');
    expect(context?.context.namespace).toBeUndefined();
  });

  it('lets a context use a cluster and user that an earlier file defines', () => {
    const clusters = stringify({ clusters: [{ name: 'c', cluster: { server: 'http://c' } }], users: [{ name: 'u', user: { token: 't' } }] });
    const contexts = stringify({ contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'n' } }] });
    const [context] = mergeKubeconfigs([source('/k/clusters', clusters), source('/k/contexts', contexts)]);
    expect(context).toMatchObject({ name: 'x', source: '/k/contexts', problem: undefined });
    expect(context?.cluster?.server).toBe('http://c');
    const kubeConfig = kubeConfigOf(context ?? expect.fail('no context'));
    expect(kubeConfig.getCurrentContext()).toBe('x');
    expect(kubeConfig.getCurrentCluster()?.server).toBe('http://c');
    expect(kubeConfig.getCurrentUser()?.token).toBe('t');
  });

  it('marks a context whose cluster or user no file defines', () => {
    const text = stringify({ users: [{ name: 'u', user: {} }], contexts: [{ name: 'x', context: { cluster: 'nowhere', user: 'u' } }, { name: 'y', context: { cluster: 'c', user: 'nobody' } }], clusters: [{ name: 'c', cluster: { server: 'http://c' } }] });
    const merged = mergeKubeconfigs([source('/k/a', text)]);
    expect(merged.map((context) => context.problem)).toEqual([
      'Context "x" uses cluster "nowhere", which no kubeconfig file defines',
      'Context "y" uses user "nobody", which no kubeconfig file defines',
    ]);
  });

  it('carries the problem of a degraded file to each of its contexts', () => {
    const merged = mergeKubeconfigs([
      source('/k/a', kubeconfigText([{ name: 'a1', server: 'http://a1' }]), '/k/a is not valid YAML: bad indentation'),
      source('/k/b', kubeconfigText([{ name: 'b1', server: 'http://b1' }])),
      { path: '/k/missing', document: undefined, problem: undefined },
    ]);
    expect(merged.map((context) => [context.name, context.problem])).toEqual([
      ['a1', '/k/a is not valid YAML: bad indentation'],
      ['b1', undefined],
    ]);
  });

  it('gives a context a new fingerprint when its server, credentials or namespace change, and only then', () => {
    const fingerprint = (spec: ContextSpec) => {
      const [context] = mergeKubeconfigs([source('/k/a', kubeconfigText([spec]))]);
      return connectionFingerprint(context ?? expect.fail('no context'));
    };
    const base = { name: 'x', server: 'http://one', namespace: 'a', token: 't1' };
    expect(fingerprint(base)).toBe(fingerprint({ ...base }));
    expect(fingerprint({ ...base, server: 'http://two' })).not.toBe(fingerprint(base));
    expect(fingerprint({ ...base, token: 't2' })).not.toBe(fingerprint(base));
    expect(fingerprint({ ...base, namespace: 'b' })).not.toBe(fingerprint(base));
  });
});

describe(halfWrittenReason.name, () => {
  const full = kubeconfigText([
    { name: 'alpha', server: 'http://alpha' },
    { name: 'beta', server: 'http://beta' },
  ]);
  const previous = documentOf('/k/a', full);

  /** The reason for a text that parses (the cases here are cut where YAML stays valid). */
  const reasonFor = (text: string) => halfWrittenReason(text, documentOf('/k/a', text), previous);

  it('accepts a complete file, including one that removes a context on purpose', () => {
    expect(reasonFor(full)).toBeUndefined();
    expect(reasonFor(kubeconfigText([{ name: 'alpha', server: 'http://alpha' }]))).toBeUndefined();
    expect(reasonFor(kubeconfigText([{ name: 'alpha', server: 'http://moved' }, { name: 'beta', server: 'http://beta' }, { name: 'gamma', server: 'http://g' }]))).toBeUndefined();
  });

  it('accepts anything for a file that had no good contents before', () => {
    expect(halfWrittenReason('', documentOf('/k/a', ''), undefined)).toBeUndefined();
  });

  it('suspects a file truncated to nothing', () => {
    expect(reasonFor('')).toBe('the file is empty');
  });

  it('suspects every cut that parses and changes something, unless it ends at a line end in the last section', () => {
    const lastSectionStart = [...full.matchAll(/^\w[\w-]*:/gm)].at(-1)?.index ?? 0;
    const entries = (document: KubeconfigDocument) => JSON.stringify([document.contexts, document.clusters, document.users]);
    let checked = 0;
    for (let length = 1; length < full.length; length += 1) {
      const text = full.slice(0, length);
      const parsed = parseKubeconfig('/k/a', text);
      if (!parsed.ok || entries(parsed.document) === entries(previous)) continue;
      if (text.endsWith('\n') && length > lastSectionStart) continue;
      checked += 1;
      expect(halfWrittenReason(text, parsed.document, previous), `cut at ${length}: ${JSON.stringify(text)}`).toBeDefined();
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('suspects a file whose last line has no line ending', () => {
    expect(reasonFor(full.trimEnd())).toBe('its last line has no line ending');
  });

  it('says which reference a cut-off users section broke', () => {
    const text = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'alpha', cluster: { server: 'http://alpha' } }, { name: 'beta', cluster: { server: 'http://beta' } }],
      contexts: [{ name: 'alpha', context: { cluster: 'alpha', user: 'alpha' } }, { name: 'beta', context: { cluster: 'beta', user: 'beta' } }],
      users: [{ name: 'alpha', user: { token: 'a' } }],
    });
    expect(reasonFor(text)).toBe('context "beta" uses user "beta", which the file no longer defines');
  });
});
