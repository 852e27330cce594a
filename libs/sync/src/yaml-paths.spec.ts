import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbKubeObject } from './test-support/arbitraries.js';
import { renderYaml, type YamlStyle } from './test-support/yaml-render.js';
import { offsetToPosition, pathAt, positionToOffset, rangeOf } from './yaml-paths.js';

const deployment = `--- # the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    example.com/owner: team-a # who to page
    note: |
      first line
      second line
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        # pinned on purpose
        image: nginx
        args: [a, b]
        ports:
        - containerPort: 8080
          protocol: TCP
      - name: sidecar
        image: envoy
        env: [{name: MODE, value: fast}]
`;

/** The offset of the `nth` character of `needle` in the text. */
const at = (text: string, needle: string, nth = 0): number => {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in the text`);
  return i + nth;
};

describe('pathAt', () => {
  it('names a container field by the container name, on the key and on the value', () => {
    expect(pathAt(deployment, at(deployment, 'image: nginx'))).toBe('spec.template.spec.containers[name=web].image');
    expect(pathAt(deployment, at(deployment, 'nginx', 3))).toBe('spec.template.spec.containers[name=web].image');
  });

  it('quotes an annotation key with a slash', () => {
    expect(pathAt(deployment, at(deployment, 'team-a'))).toBe('metadata.annotations["example.com/owner"]');
  });

  it('stops at an atomic list: inside `args: [a, b]` the field is the list', () => {
    expect(pathAt(deployment, at(deployment, 'a, b]', 3))).toBe('spec.template.spec.containers[name=web].args');
  });

  it('names a port by its number and an env var inside a flow list by its name', () => {
    expect(pathAt(deployment, at(deployment, 'TCP'))).toBe('spec.template.spec.containers[name=web].ports[containerPort=8080].protocol');
    expect(pathAt(deployment, at(deployment, 'fast'))).toBe('spec.template.spec.containers[name=sidecar].env[name=MODE].value');
  });

  it('finds a field inside a block scalar and on a list item dash', () => {
    expect(pathAt(deployment, at(deployment, 'second line'))).toBe('metadata.annotations.note');
    expect(pathAt(deployment, at(deployment, '- name: sidecar'))).toBe('spec.template.spec.containers[name=sidecar]');
  });

  it('is on no field in a comment between top-level fields', () => {
    expect(pathAt(deployment, 3)).toBeUndefined();
  });

  it('uses the document kind: a ConfigMap list has no merge key', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  containers:\n  - name: web\n    image: x\n';
    expect(pathAt(text, at(text, 'image'))).toBe('data.containers');
  });

  it('answers without throwing on half-typed YAML', () => {
    const broken = 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template: {spec: [\n    containers: "unterminated\n';
    for (let o = 0; o <= broken.length; o++) expect(() => pathAt(broken, o)).not.toThrow();
    // The valid part still names its field; the broken flow list adds nothing.
    expect(pathAt('key: [1, 2', 8)).toBe('key');
    expect(pathAt(': : :\n- [', 3)).not.toBe('');
  });

  it('follows anchors and aliases without descending into the alias', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: &shared hello\n  b: *shared\n';
    expect(pathAt(text, at(text, '*shared', 2))).toBe('data.b');
    expect(pathAt(text, at(text, 'hello'))).toBe('data.a');
  });
});

describe('rangeOf', () => {
  it('spans a field from its key to the end of its value, without the trailing comment', () => {
    const range = rangeOf(deployment, 'metadata.annotations["example.com/owner"]');
    expect(range && deployment.slice(range.start, range.end)).toBe('example.com/owner: team-a');
  });

  it('spans a list item from its dash', () => {
    const range = rangeOf(deployment, 'spec.template.spec.containers[name=sidecar]');
    expect(range && deployment.slice(range.start, range.end)).toBe('- name: sidecar\n        image: envoy\n        env: [{name: MODE, value: fast}]');
  });

  it('is undefined for a missing field and for a malformed path', () => {
    expect(rangeOf(deployment, 'spec.template.spec.containers[name=db]')).toBeUndefined();
    expect(rangeOf(deployment, 'spec..replicas')).toBeUndefined();
  });
});

describe('offsetToPosition / positionToOffset', () => {
  it('converts between offsets and 1-based Monaco positions', () => {
    const offset = at(deployment, 'replicas: 2');
    const position = offsetToPosition(deployment, offset);
    expect(position).toEqual({ lineNumber: 12, column: 3 });
    expect(positionToOffset(deployment, position)).toBe(offset);
  });
});

describe('pathAt and rangeOf on generated documents', () => {
  const styles: YamlStyle[] = ['block', 'flow', 'mixed'];

  it('the range of the field at any offset contains that offset, and the field starts there', () => {
    fc.assert(
      fc.property(arbKubeObject(), fc.constantFrom(...styles), fc.nat(), (object, style, seed) => {
        const text = renderYaml(object, style, seed);
        const seen = new Set<string>();
        const misses: string[] = [];
        let fields = 0;
        for (let o = 0; o <= text.length; o++) {
          const path = pathAt(text, o);
          if (path === undefined) continue;
          fields++;
          const range = rangeOf(text, path);
          if (!range || range.start > o || o > range.end) misses.push(`${path} at ${o}: ${JSON.stringify(range)}`);
          else if (!seen.has(path)) {
            seen.add(path);
            if (pathAt(text, range.start) !== path) misses.push(`${path} does not start at ${range.start}`);
          }
        }
        expect(misses).toEqual([]);
        expect(fields).toBeGreaterThan(0);
      }),
      { numRuns: 20 },
    );
  }, 60_000);
});
