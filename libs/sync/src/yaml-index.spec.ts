import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbKubeObject } from './test-support/arbitraries.js';
import { referencePathAt, referenceRangeOf } from './test-support/yaml-paths-reference.js';
import { renderYaml, type YamlStyle } from './test-support/yaml-render.js';
import { indexYaml, parsedIndex, scalarValue, scannedIndex } from './yaml-index.js';
import type { IndexNode, YamlIndex } from './yaml-nodes.js';
import { pathAt, rangeOf } from './yaml-paths.js';

/** Everything a question about the text can observe of an index, as plain data. */
function observable(index: YamlIndex): unknown {
  const { text } = index;
  const node = (n: IndexNode | undefined): unknown => {
    if (n === undefined) return undefined;
    const base = { kind: n.kind, start: n.start, end: n.end, anchored: n.anchored };
    switch (n.kind) {
      case 'map':
        return { ...base, flow: n.flow, pairs: n.pairs.map((p) => ({ name: p.name, start: p.start, keyEnd: p.keyEnd, end: p.end, value: node(p.value) })) };
      case 'seq':
        return { ...base, flow: n.flow, items: n.items.map((e) => ({ start: e.start, end: e.end, node: node(e.node) })) };
      case 'scalar':
        return { ...base, style: n.style, empty: n.empty, value: scalarValue(text, n) };
      default:
        return base;
    }
  };
  return { root: node(index.root), shape: index.shape, hasAliases: index.hasAliases, errors: index.errors };
}

/** Where the index-based answers differ from the `yaml`-AST walk they replace, at every offset. */
function differences(text: string): string[] {
  const out: string[] = [];
  const paths = new Set<string>(['', 'metadata', 'spec.template.spec.containers[name=web]', 'spec.template.spec.containers[$order]', 'data.missing']);
  for (let o = 0; o <= text.length; o++) {
    const expected = referencePathAt(text, o);
    const actual = pathAt(text, o);
    if (actual !== expected) out.push(`pathAt ${o}: ${String(actual)} != ${String(expected)}`);
    if (expected !== undefined) paths.add(expected);
  }
  for (const path of paths) {
    for (const p of [path, `${path}[$order]`]) {
      const expected = referenceRangeOf(text, p);
      const actual = rangeOf(text, p);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) out.push(`rangeOf ${p}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
    }
  }
  return out;
}

/** When the scanner reads a text, it must read it exactly as the `yaml` package does, with no parse error. */
function scannerDisagreement(text: string): unknown {
  const scanned = scannedIndex(text);
  if (scanned === undefined) return undefined;
  const parsed = parsedIndex(text);
  const a = observable(scanned);
  const b = observable(parsed);
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : { text, scanned: a, parsed: b };
}

const styles: YamlStyle[] = ['block', 'flow', 'mixed'];

/** Characters that change YAML structure when typed (or deleted) in the wrong place. */
const KEYSTROKES = [' ', '  ', '\n', '-', '- ', ':', ': ', '#', ' #', '"', "'", '|', '>', '{', '}', '[', ']', ',', '&', '*', '!', '?', '%', '@', '.', '~', '\\', '\t', '\r', 'a', 'x: y', '0', '---', '\u00a0'];

interface Keystroke {
  readonly at: number;
  readonly remove: number;
  readonly insert: string;
}

const arbKeystroke: fc.Arbitrary<Keystroke> = fc.record({
  at: fc.nat(),
  remove: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 1 }),
  insert: fc.oneof({ arbitrary: fc.constantFrom(...KEYSTROKES), weight: 3 }, { arbitrary: fc.constant(''), weight: 1 }),
});

function type(text: string, strokes: readonly Keystroke[]): string {
  let out = text;
  for (const s of strokes) {
    const at = s.at % (out.length + 1);
    out = out.slice(0, at) + s.insert + out.slice(at + s.remove);
  }
  return out;
}

/** Whole-line edits an editor makes: a line deleted, duplicated, indented or dedented. */
function editLine(text: string, line: number, op: number): string {
  const lines = text.split('\n');
  const i = line % lines.length;
  const l = lines[i] as string;
  if (op % 4 === 0) lines.splice(i, 1);
  else if (op % 4 === 1) lines.splice(i, 0, l);
  else if (op % 4 === 2) lines[i] = `  ${l}`;
  else lines[i] = l.replace(/^ {1,2}/, '');
  return lines.join('\n');
}

describe('the block scanner', () => {
  it('reads every block-style rendering of a generated object, exactly as the yaml package does', () => {
    fc.assert(
      fc.property(arbKubeObject(), fc.nat(), (object, seed) => {
        const text = renderYaml(object, 'block', seed);
        expect(scannedIndex(text)?.reader).toBe('scan');
        expect(scannerDisagreement(text)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('after any keystrokes, either reads the text as the yaml package does or leaves it to the yaml package', () => {
    let scanned = 0;
    let runs = 0;
    fc.assert(
      fc.property(arbKubeObject(), fc.nat(), fc.array(arbKeystroke, { minLength: 1, maxLength: 3 }), (object, seed, strokes) => {
        const text = type(renderYaml(object, 'block', seed), strokes);
        runs++;
        if (scannedIndex(text)) scanned++;
        expect(scannerDisagreement(text)).toBeUndefined();
      }),
      { numRuns: 1500 },
    );
    // The property means something only if many typed texts stay inside the subset.
    expect(scanned).toBeGreaterThan(runs / 4);
  }, 120_000);

  it('after whole-line edits, either reads the text as the yaml package does or leaves it to the yaml package', () => {
    fc.assert(
      fc.property(arbKubeObject(), fc.nat(), fc.nat(), fc.nat(), (object, seed, line, op) => {
        const text = editLine(renderYaml(object, 'block', seed), line, op);
        expect(scannerDisagreement(text)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('reads a text typed from the last one as a full read would, keystroke after keystroke', () => {
    // Keystrokes that stay on their line: the scanner reads the new text from the previous index when the line keeps its parts.
    const onLine = KEYSTROKES.filter((k) => !k.includes('\n'));
    fc.assert(
      fc.property(
        arbKubeObject(),
        fc.nat(),
        fc.array(fc.record({ at: fc.nat(), remove: fc.integer({ min: 0, max: 3 }), insert: fc.constantFrom(...onLine, 'name', 'e', '{}') }), { minLength: 1, maxLength: 8 }),
        (object, seed, strokes) => {
          let text = renderYaml(object, 'block', seed);
          let previous = scannedIndex(text);
          for (const stroke of strokes) {
            const at = stroke.at % (text.length + 1);
            const lineEnd = text.indexOf('\n', at);
            const remove = lineEnd < 0 ? stroke.remove : Math.min(stroke.remove, lineEnd - at);
            const next = text.slice(0, at) + stroke.insert + text.slice(at + remove);
            const full = scannedIndex(next);
            const typed = previous && scannedIndex(next, previous);
            expect(typed && observable(typed)).toEqual(full && observable(full));
            if (typed) {
              previous = typed;
              text = next;
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);

  const typedCases: Record<string, readonly [string, string]> = {
    'a key renamed to the name of its sibling': ['a: 1\nb: 2\n', 'a: 1\na: 2\n'],
    'a key renamed to the name of a later sibling': ['a: 1\nb: 2\n', 'b: 1\nb: 2\n'],
    'a key renamed to null': ['a: 1\n', 'null: 1\n'],
    'a quoted key renamed': ['"a": 1\nb: 2\n', '"b": 1\nb: 2\n'],
    'a block scalar line that looks like a key': ['a: |\n  b: 1\n  c: 2\nd: 3\n', 'a: |\n  b: 10\n  c: 2\nd: 3\n'],
    'the last line of a block scalar': ['a: |-\n  x\n  y\nb: 1\n', 'a: |-\n  x\n  yz\nb: 1\n'],
    'a comment line': ['# c\na: 1\n', '# cd\na: 1\n'],
    'a comment line after a block scalar': ['a: |\n    x\n  # c\nb: 1\n', 'a: |\n    x\n  # cd\nb: 1\n'],
    'a trailing comment': ['a: x # c\nb: 1\n', 'a: x # cd\nb: 1\n'],
    'a space after a value': ['a: x\nb: y\n', 'a: x \nb: y\n'],
    'a value joined to its comment': ['a: x #c\n', 'a: x#c\n'],
    'a value emptied': ['a: x\nb: 1\n', 'a: \nb: 1\n'],
    'a value typed after a key without one': ['a:\nb: 1\n', 'a: x\nb: 1\n'],
    'a value typed after a key whose map follows': ['a:\n  b: 1\n', 'a: x\n  b: 1\n'],
    'a quote typed before a value': ['a: x\n', 'a: "x\n'],
    'a value that becomes a nested key': ['a: x\n', 'a: x: y\n'],
    'a space typed between a dash and its key': ['l:\n- a: 1\n  b: 2\n', 'l:\n-  a: 1\n  b: 2\n'],
    'a tab typed in a value': ['a: x\n', 'a: x\ty\n'],
    'a merge key typed to equal another item': ['apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: 80\n  - port: 8\n', 'apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: 80\n  - port: 80\n'],
    'the kind typed': ['apiVersion: v1\nkind: Servic\nspec:\n  ports:\n  - port: 80\n', 'apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: 80\n'],
    'the document start line': ['--- # a\na: 1\n', '--- # ab\na: 1\n'],
    'the last line without a line break': ['a: 1\nb: 2', 'a: 1\nb: 23'],
    'a dash typed into an item line': ['l:\n- x\n', 'l:\n- - x\n'],
    'an empty flow map filled': ['a: {}\n', 'a: {b}\n'],
  };

  for (const [name, [before, after]] of Object.entries(typedCases)) {
    it(`reads a typed text as a full read would: ${name}`, () => {
      const previous = scannedIndex(before);
      expect(previous?.reader).toBe('scan');
      const full = scannedIndex(after);
      const typed = scannedIndex(after, previous);
      expect(typed && observable(typed)).toEqual(full && observable(full));
      expect(differences(after)).toEqual([]);
    });
  }

  const cases: Record<string, string> = {
    'an empty text': '',
    'only comments': '# one\n  # two\n',
    'only a document start': '---\n',
    'a key without a value at the end': 'apiVersion: v1\nkind: ConfigMap\ndata:',
    'a key without a value before a comment': 'a: # note\nb: 1\n',
    'a key without a value and trailing spaces': 'a:   \nb: 1\n',
    'a list at the indentation of its key': 'a:\n- x\n- y\nb: 1\n',
    'a list in a list item': 'a:\n- b:\n  - x\n  c: 1\n- d: 2\n',
    'a list of scalars of every style': "a:\n- x\n- \"y\"\n- 'z'\n- |\n  w\n- >-\n  v\n  u\n- {}\n- []\nb: 1\n",
    'keys with dots, slashes, dashes and dollars': 'a.b/c-d: 1\n_x: 2\n/path: 3\n$ref: 4\nkubernetes.io/some-key: 5\n',
    'an item whose content starts on the next line': 'spec:\n  ports:\n  - # the main port\n    # really\n    port: 80\n',
    'an empty list item': 'a:\n- \n- x\n',
    'a list on one line with its key': 'a: - x\n',
    'a nested compact list': 'a:\n- - x\n',
    'block scalars of clip and strip chomping': 'a: |\n  x\n\n  y  \nb: |-\n  x\nd: >\n  folded\n  text  \ne: >-\n  x\n  y\n\n\nf: |  # note\n  # not a comment\n',
    'block scalars the scanner leaves to yaml': 'c: |+\n  x\n\nd: >\n  x\n\n  y\ne: >\n  x\n    y\nf: |2\n   x\n',
    'an empty block scalar with a header comment': 'a: | # note\nb: 1\n',
    'a block scalar at the end without a line break': 'a: |\n  web',
    'a block scalar with leading blank lines': 'a: |\n\n  x\n',
    'a block scalar with a blank line of spaces': 'a: |\n  x\n      \n  y\n',
    'a block scalar with a blank line of fewer spaces': 'a: |\n    x\n  \n    y\nb: 1\n',
    'a block scalar merge key': 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: |-\n          web\n        image: x\n',
    'numeric merge keys': 'apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: 80\n  - port: "443"\n  - port: 0x1F\n  - port: 1e3\n  - port: .inf\n  - port: 0o17\n  - port: +12\n  - port: 1.50\n  - port: .nan\n',
    'a merge key that is null or a boolean': 'apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: ~\n  - port: true\n',
    'keys that are not strings': 'true: 1\nnull: 2\n3: 4\n~: 5\n.inf: 6\n',
    'quoted keys with escapes': '"a\\tb": 1\n\'it\'\'s\': 2\n"\\x41\\u00e9\\U0001F600\\"": 3\n"": 4\n',
    'a quoted key with an invalid escape': '"bad \\q": 4\n',
    'a quoted merge key with escapes': 'apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: "\\x38\\u0030"\n    name: a\n  - port: \'it\'\'s\'\n',
    'a plain key and a quoted key with the same name': 'a: 1\n"a": 2\n',
    'a quoted value over two lines': 'a: "x\n  y"\nb: 1\n',
    'a plain value over two lines': 'a: x\n  y\nb: 1\n',
    'duplicate keys': 'a: 1\nb: 2\na: 3\n',
    'duplicate keys in a large map': 'a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\nh: 8\ni: 9\nb: 10\n',
    'a comment less indented than its map': 'a:\n  b: 1\n# low\n  c: 2\n',
    'a comment more indented after a value': 'a: x\n      # high\nb: 1\n',
    'a document end and a second document': 'a: 1\n...\n---\nb: 2\n',
    'a directive': '%YAML 1.2\n---\na: 1\n',
    'a tab': 'a:\n\tb: 1\n',
    'CRLF line breaks': 'a: 1\r\nb: 2\r\n',
    'a non-breaking space': 'a: x\u00a0\nb: 1\n',
    'a byte-order mark': '\ufeffa: 1\n',
    'a key of 1,100 characters': `${'k'.repeat(1100)}: 1\n`,
    'anchors and aliases': 'a: &x 1\nb: *x\n',
    'a tag': 'a: !!str 1\n',
    'a flow map': 'a: {b: 1}\n',
    'empty flow collections': 'a: {}\nb: [] # none\nc:\n- {}\n- []\n',
    'a value with a colon and no space': 'a: x:y\nb: http://example.com/a#b\n',
    'a comment without a space before it': 'a: "x"# no\n',
    'a key without a colon': 'a: 1\nnewkey\nb: 2\n',
    'a half-typed key': 'metadata:\n  labels:\n    app: web\n    tie\n',
    'an indented root': '  a: 1\n  b: 2\n',
    'a root list': '- a\n- b\n',
    'a root scalar': 'hello\n',
    'a more indented key after a map': 'a:\n  b: 1\n    c: 2\n',
    'a less indented key inside a map': 'a:\n    b: 1\n  c: 2\n',
    'a key after a list of the same indentation': 'a:\n  - x\n  b: 1\n',
    'spaces before a colon': 'a : 1\n"b" : 2\n',
    'a document start with content': '--- a: 1\n',
    'a document start after content': 'a: 1\n---\n',
    'a value starting with an indicator': 'a: @x\nb: `x\nc: %x\n',
    'a question mark key': '? a\n: 1\n',
  };

  for (const [name, text] of Object.entries(cases)) {
    it(`agrees with the yaml package on ${name}`, () => {
      expect(scannerDisagreement(text)).toBeUndefined();
      expect(differences(text)).toEqual([]);
    });
  }
});

describe('pathAt and rangeOf against the yaml-AST walk they replace', () => {
  it('agree at every offset of generated documents in every style', () => {
    fc.assert(
      fc.property(arbKubeObject(), fc.constantFrom(...styles), fc.nat(), (object, style, seed) => {
        expect(differences(renderYaml(object, style, seed))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('agree at every offset of half-typed documents (a few keystrokes anywhere)', () => {
    fc.assert(
      fc.property(arbKubeObject(), fc.constantFrom(...styles), fc.nat(), fc.array(arbKeystroke, { minLength: 1, maxLength: 3 }), (object, style, seed, strokes) => {
        expect(differences(type(renderYaml(object, style, seed), strokes))).toEqual([]);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('agree at every offset after whole-line edits', () => {
    fc.assert(
      fc.property(arbKubeObject(), fc.nat(), fc.nat(), fc.nat(), (object, seed, line, op) => {
        expect(differences(editLine(renderYaml(object, 'block', seed), line, op))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('reads a text once however many questions are asked about it', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n';
    expect(indexYaml(text)).toBe(indexYaml(text));
    expect(indexYaml(text).reader).toBe('scan');
  });
});
