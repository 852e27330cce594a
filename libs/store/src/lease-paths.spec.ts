import { describe, expect, it } from 'vitest';
import { isAncestor } from '@tandem/sync';
import { ancestorPaths } from './lease-paths.js';

const paths = [
  '',
  'spec',
  'spec.replicas',
  'spec.replicasX',
  'spec.template',
  'spec.template.spec.containers',
  'spec.template.spec.containers[name=web]',
  'spec.template.spec.containers[name=web].image',
  'spec.template.spec.containers[name=web].ports[containerPort=8080].protocol',
  'spec.template.spec.containers[$order]',
  'metadata.annotations',
  'metadata.annotations["example.com/x"]',
  'metadata.annotations["example.com/xy"]',
  'metadata.annotations["example.com/x"].deeper',
  '["not a bare key"]',
  '["not a bare key"].below',
];

describe(ancestorPaths.name, () => {
  it('lists exactly the paths isAncestor calls ancestors, checked against every prefix of every sample path', () => {
    // An ancestor is always a prefix, so the prefixes are every candidate there is.
    const candidates = [...new Set(paths.flatMap((path) => Array.from({ length: path.length + 1 }, (_, end) => path.slice(0, end))))];
    for (const descendant of paths) {
      const listed = ancestorPaths(descendant);
      for (const ancestor of candidates) expect(listed.includes(ancestor), `${JSON.stringify(ancestor)} above ${JSON.stringify(descendant)}`).toBe(isAncestor(ancestor, descendant));
    }
  });

  it('names the parents of a quoted key, whose dots are not separators, and the string prefixes the rule also counts', () => {
    expect(ancestorPaths('metadata.annotations["example.com/x"]')).toEqual(['', 'metadata', 'metadata.annotations', 'metadata.annotations["example']);
    expect(ancestorPaths('')).toEqual([]);
  });
});
