import { describe, expect, it } from 'vitest';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError } from './status.js';

const labelled = (labels: Record<string, string>) => ({ metadata: { labels } });

describe('label selectors', () => {
  it('parses every operator kubectl and client-node send', () => {
    expect(parseLabelSelector('app=web,tier==frontend,env!=prod,zone in (a, b),size notin (xl),canary,!legacy')).toEqual([
      { key: 'app', op: 'in', values: ['web'] },
      { key: 'tier', op: 'in', values: ['frontend'] },
      { key: 'env', op: 'notIn', values: ['prod'] },
      { key: 'zone', op: 'in', values: ['a', 'b'] },
      { key: 'size', op: 'notIn', values: ['xl'] },
      { key: 'canary', op: 'exists' },
      { key: 'legacy', op: 'notExists' },
    ]);
  });

  it('matches a label that is missing as "not in" but never as "in"', () => {
    const selector = parseLabelSelector('env!=prod');
    expect(matchesLabels(labelled({}), selector)).toBe(true);
    expect(matchesLabels(labelled({ env: 'prod' }), selector)).toBe(false);
    expect(matchesLabels(labelled({}), parseLabelSelector('env in (prod)'))).toBe(false);
  });

  it('rejects a malformed selector with a 400', () => {
    for (const bad of ['app in (web', 'app=web;x', '=web']) {
      expect(() => parseLabelSelector(bad)).toThrow(ApiError);
    }
  });
});

describe('field selectors', () => {
  const event = { metadata: { name: 'web.1', namespace: 'shop' }, involvedObject: { kind: 'Deployment', name: 'web' } };

  it('matches dotted paths, with a missing field read as empty', () => {
    expect(matchesFields(event, parseFieldSelector('involvedObject.kind=Deployment,involvedObject.name==web'))).toBe(true);
    expect(matchesFields(event, parseFieldSelector('metadata.namespace!=shop'))).toBe(false);
    expect(matchesFields(event, parseFieldSelector('involvedObject.uid='))).toBe(true);
  });

  it('rejects a term that is not path=value', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(ApiError);
  });
});
