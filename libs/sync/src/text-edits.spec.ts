import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { diffFields } from './diff.js';
import { formatPath, parsePath } from './field-path.js';
import { cloneJson, jsonEqual, type JsonObject, type JsonValue } from './json.js';
import { arbEdit, arbKubeObject } from './test-support/arbitraries.js';
import { renderYaml, type YamlStyle } from './test-support/yaml-render.js';
import { applyTextEdits, textEdits } from './text-edits.js';
import { rangeOf } from './yaml-paths.js';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
  annotations:
    example.com/owner: team-a # who to page
spec:
  # two is enough for staging
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        # pinned on purpose
        image: nginx
        args: [--port=80, --verbose]
        env:
        - name: MODE
          value: "fast"
      - name: sidecar
        image: envoy
`;

const edit = (text: string, change: (object: JsonObject) => void): { result: string; object: JsonObject } => {
  const from = parse(text) as JsonObject;
  const to = cloneJson(from);
  change(to);
  return { result: applyTextEdits(text, textEdits(text, from, to)), object: to };
};

/** Lines of `before` missing from `after` (in order), i.e. lines the edit touched. */
const touchedLines = (before: string, after: string): string[] => {
  const kept = after.split('\n');
  let k = 0;
  const touched: string[] = [];
  for (const line of before.split('\n')) {
    const found = kept.indexOf(line, k);
    if (found < 0) touched.push(line);
    else k = found + 1;
  }
  return touched;
};

const containers = (o: JsonObject): JsonObject[] => (((o['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[];

describe('textEdits', () => {
  it('keeps the comment above a changed image and changes only its value', () => {
    const { result } = edit(deployment, (o) => {
      (containers(o)[0] as JsonObject)['image'] = 'nginx:1.28';
    });
    expect(result).toBe(deployment.replace('image: nginx\n', 'image: nginx:1.28\n'));
    expect(result).toContain('# pinned on purpose');
  });

  it('live rebase: replicas 2 -> 3 upstream touches only the replicas line of a text holding a local edit', () => {
    const local = deployment.replace('image: envoy', 'image: envoy:v1.31 # trying the new proxy');
    const { result } = edit(local, (o) => {
      (o['spec'] as JsonObject)['replicas'] = 3;
    });
    expect(touchedLines(local, result)).toEqual(['  replicas: 2']);
    expect(result).toContain('image: envoy:v1.31 # trying the new proxy');
    expect(result).toContain('  # two is enough for staging\n  replicas: 3\n');
  });

  it('adds an annotation at the end of its map with the map indentation', () => {
    const { result } = edit(deployment, (o) => {
      ((o['metadata'] as JsonObject)['annotations'] as JsonObject)['example.com/reviewed'] = 'yes';
    });
    expect(result).toContain('    example.com/owner: team-a # who to page\n    example.com/reviewed: "yes"\n');
    expect(touchedLines(deployment, result)).toEqual([]);
  });

  it('deletes a removed key with its lines and keeps its neighbours', () => {
    const { result } = edit(deployment, (o) => {
      delete ((o['metadata'] as JsonObject)['labels'] as JsonObject)['app'];
      (o['metadata'] as JsonObject)['labels'] = {};
    });
    expect(result).toContain('  labels: {}\n  annotations:\n');
  });

  it("removes a list item's first key from the `- ` line and leaves the item's other lines as they were", () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        volumeMounts:',
      '        - name: data',
      '          # about mountPath',
      '          mountPath: /mnt/data',
      '        - name: tmp',
      '          mountPath: /mnt/tmp',
      '',
    ].join('\n');
    const from = parse(text) as JsonObject;
    const to = cloneJson(from);
    const mounts = (((((to['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[])[0] as JsonObject)['volumeMounts'] as JsonObject[];
    delete (mounts[0] as JsonObject)['name'];
    const result = applyTextEdits(text, textEdits(text, from, to));
    expect(parse(result)).toEqual(to);
    expect(result).toContain('        -\n          # about mountPath\n          mountPath: /mnt/data\n        - name: tmp\n');
  });

  it('inserts a container after its predecessor and removes another by its lines', () => {
    const { result, object } = edit(deployment, (o) => {
      const list = containers(o);
      list.splice(1, 1, { name: 'proxy', image: 'envoy:v1.31' });
      list.splice(1, 0, { name: 'metrics', image: 'prom' });
    });
    expect(parse(result)).toEqual(object);
    expect(result).toContain('          value: "fast"\n      - name: metrics\n        image: prom\n      - name: proxy\n');
    expect(result).not.toContain('sidecar');
  });

  it('re-renders a flow list (atomic) in flow style', () => {
    const { result } = edit(deployment, (o) => {
      (containers(o)[0] as JsonObject)['args'] = ['--port=81'];
    });
    expect(touchedLines(deployment, result)).toEqual(['        args: [--port=80, --verbose]']);
    expect(result).toContain('args: [--port=81]');
  });

  it('keeps double quotes on a changed quoted value', () => {
    const { result } = edit(deployment, (o) => {
      ((containers(o)[0] as JsonObject)['env'] as JsonObject[])[0] = { name: 'MODE', value: 'slow' };
    });
    expect(result).toContain('value: "slow"');
  });

  it('re-renders the whole document for text that is not YAML', () => {
    const edits = textEdits('a: [', { a: 1 }, { a: 2 });
    expect(applyTextEdits('a: [', edits)).toBe('a: 2\n');
  });

  it('changes a value behind an alias correctly', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: &x hello\n  b: *x\n';
    const { result, object } = edit(text, (o) => {
      (o['data'] as JsonObject)['a'] = 'bye';
    });
    expect(parse(result)).toEqual(object);
  });

  it('returns no edits when nothing changed', () => {
    const from = parse(deployment) as JsonObject;
    expect(textEdits(deployment, from, cloneJson(from))).toEqual([]);
  });
});

describe('applyTextEdits', () => {
  it('applies edits by original offsets and rejects overlaps', () => {
    expect(applyTextEdits('abcdef', [{ range: { start: 4, end: 6 }, text: 'X' }, { range: { start: 0, end: 1 }, text: 'Y' }])).toBe('YbcdX');
    expect(() => applyTextEdits('abcdef', [{ range: { start: 0, end: 3 }, text: '' }, { range: { start: 2, end: 4 }, text: '' }])).toThrow(/Overlapping/);
  });
});

/** Lines of `text` that changed fields (or the first line of their nearest existing ancestor) may rewrite. */
function changeableLines(text: string, a: JsonValue, b: JsonValue): Set<number> {
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length - 1;
  const lines = new Set<number>();
  const all = text.split('\n');
  for (const change of diffFields(a, b, { ignore: [] })) {
    const segments = parsePath(change.path);
    const own = rangeOf(text, change.path);
    if (own) {
      // A comment directly above a changed field is about that field.
      let first = lineOf(own.start);
      while (first > 0 && (all[first - 1] ?? '').trimStart().startsWith('#')) first--;
      for (let l = first; l <= lineOf(own.end); l++) lines.add(l);
    }
    for (let n = segments.length - 1; n >= 0; n--) {
      const ancestor = rangeOf(text, formatPath(segments.slice(0, n)));
      if (ancestor) {
        lines.add(lineOf(ancestor.start));
        break;
      }
    }
  }
  return lines;
}

describe('textEdits on generated documents', () => {
  const styles: YamlStyle[] = ['block', 'flow', 'mixed'];

  it('the edited text parses to the target, and lines outside the changed fields stay byte-identical', () => {
    const scenario = arbKubeObject().chain((a) => fc.record({ a: fc.constant(a), b: arbEdit(a), style: fc.constantFrom(...styles), seed: fc.nat() }));
    fc.assert(
      fc.property(scenario, ({ a, b, style, seed }) => {
        const text = renderYaml(a, style, seed);
        const edits = textEdits(text, a, b);
        const result = applyTextEdits(text, edits);
        expect(jsonEqual(parse(result) as JsonValue, b), `${text}\n---- became ----\n${result}`).toBe(true);
        for (let i = 1; i < edits.length; i++) expect((edits[i - 1]?.range.end ?? 0) <= (edits[i]?.range.start ?? 0)).toBe(true);
        const changeable = changeableLines(text, a, b);
        const kept = text.split('\n').filter((_, l) => !changeable.has(l));
        expect(touchedLines(kept.join('\n'), result), `${text}\n---- became ----\n${result}`).toEqual([]);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
