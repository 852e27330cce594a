/**
 * @tandem/sync on a large Deployment (~2,000 lines of YAML): field diff, three-way rebase,
 * cursor -> field path, and minimal text edits for a live rebase.
 */
import { applyTextEdits, diffFields, indexYaml, pathAt, rangeOf, rebase, textEdits } from '@tandem/sync';
import { stringify } from 'yaml';
import { ms, percentiles, type BenchRow, type BenchSection } from './types.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

function largeDeployment(containerCount: number): JsonMap {
  const containers: Json[] = [];
  for (let i = 0; i < containerCount; i++) {
    containers.push({
      name: `app-${i}`,
      image: `registry.example.com/team/app-${i}:1.${i}.0`,
      args: ['--port', String(8000 + i), '--log-format=json'],
      env: Array.from({ length: 12 }, (_, j) => ({ name: `SETTING_${i}_${j}`, value: `value-${j}` })),
      ports: [
        { containerPort: 8000 + i, name: 'http', protocol: 'TCP' },
        { containerPort: 9000 + i, name: 'metrics', protocol: 'TCP' },
      ],
      volumeMounts: [
        { name: 'data', mountPath: `/data/${i}` },
        { name: 'config', mountPath: `/etc/app/${i}`, readOnly: true },
      ],
      resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    });
  }
  const annotations: JsonMap = {};
  for (let i = 0; i < 20; i++) annotations[`example.com/note-${i}`] = `reviewed by team ${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'front' }, annotations, resourceVersion: '1042' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers, volumes: [{ name: 'data', emptyDir: {} }, { name: 'config', configMap: { name: 'app-config' } }] },
      },
    },
  };
}

const clone = (value: JsonMap): JsonMap => structuredClone(value);
const at = (value: Json | undefined, ...keys: (string | number)[]): JsonMap => {
  let node: Json | undefined = value;
  for (const k of keys) node = Array.isArray(node) ? node[k as number] : (node as JsonMap)[k as string];
  return node as JsonMap;
};

/** Mine: a new image, an env var, an annotation. Theirs: replicas, a label, another container's limits. */
function edits(base: JsonMap): { mine: JsonMap; theirs: JsonMap } {
  const mine = clone(base);
  at(mine, 'spec', 'template', 'spec', 'containers', 3)['image'] = 'registry.example.com/team/app-3:2.0.0';
  (at(mine, 'spec', 'template', 'spec', 'containers', 5)['env'] as Json[]).push({ name: 'FEATURE_X', value: 'on' });
  at(mine, 'metadata', 'annotations')['example.com/owner'] = 'team-a';
  const theirs = clone(base);
  at(theirs, 'spec')['replicas'] = 3;
  at(theirs, 'metadata', 'labels')['release'] = 'canary';
  at(theirs, 'spec', 'template', 'spec', 'containers', 20, 'resources', 'limits')['memory'] = '512Mi';
  return { mine, theirs };
}

const LETTERS = 'etaoinsrhl';
const ANY_CHARACTER = ['x', ' ', '\n', ':', '-', '"'];

/** A deterministic pseudo-random sequence of non-negative integers. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
}

/** Offsets just after each character matching `char` (on lines that `onLine` accepts). */
function offsetsAfter(text: string, char: RegExp, onLine: (line: string) => boolean = () => true): number[] {
  const out: number[] = [];
  let lineStart = 0;
  for (const line of text.split('\n')) {
    if (onLine(line)) for (let i = 0; i < line.length; i++) if (char.test(line[i] as string)) out.push(lineStart + i + 1);
    lineStart += line.length + 1;
  }
  return out;
}

/**
 * An editor's text under typing: each call types one letter after a pseudo-random one of
 * `places` (offsets just after a letter or digit) and returns the new text. Edits build on
 * each other, as keystrokes do; the place typed at moves along with the word it extends.
 */
function typist(text: string, places: readonly number[], random: () => number): (i: number) => string {
  let current = text;
  const at = [...places];
  return (i) => {
    const offset = at[random() % at.length] as number;
    current = current.slice(0, offset) + LETTERS[i % LETTERS.length] + current.slice(offset);
    for (let k = 0; k < at.length; k++) if ((at[k] as number) >= offset) at[k] = (at[k] as number) + 1;
    return current;
  };
}

function time(iterations: number, run: (i: number) => void): number[] {
  return timeEach(iterations, 20, () => undefined, (_, i) => run(i));
}

/** Times `run` on inputs made by `prepare` outside the timed part, after `warmUp` untimed calls. */
function timeEach<T>(iterations: number, warmUp: number, prepare: (i: number) => T, run: (input: T, i: number) => void): number[] {
  for (let i = 0; i < warmUp; i++) run(prepare(i), i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const input = prepare(i);
    const start = performance.now();
    run(input, i);
    samples.push(performance.now() - start);
  }
  return samples;
}

function rows(name: string, samples: number[], targetMs?: number): BenchRow[] {
  const { p50, p99 } = percentiles(samples);
  const out: BenchRow[] = [{ name: `${name} p50`, value: ms(p50) }];
  if (targetMs === undefined) out.push({ name: `${name} p99`, value: ms(p99) });
  else out.push({ name: `${name} p99`, value: ms(p99), target: `p99 < ${targetMs} ms`, pass: p99 < targetMs });
  return out;
}

export async function run(): Promise<BenchSection> {
  const base = largeDeployment(40);
  // Comments throughout, as in hand-maintained manifests.
  const text = stringify(base, { indentSeq: false, lineWidth: 0 })
    .replace(/^(\s*)(image: .*)$/gm, '$1# pinned by the release process\n$1$2')
    .replace(/^(\s*)(replicas: .*)$/m, '$1$2 # scaled by the HPA in production');
  const lines = text.split('\n').length;
  const { mine, theirs } = edits(base);

  const diffSamples = time(300, () => diffFields(base, mine));
  const rebaseSamples = time(300, () => rebase(base, mine, theirs));

  // A cursor moving over an unchanged text: every question reuses the text's index.
  const random = prng(42);
  pathAt(text, 0);
  const pathSamples = time(5000, () => pathAt(text, random() % text.length));

  // After a keystroke: every call gets a new text (the last one with a letter typed in a key,
  // a value or a comment), so the text is read again; no memo hit.
  const wordEnds = offsetsAfter(text, /[A-Za-z0-9]/);
  const pathTypedSamples = timeEach(3000, 200, typist(text, wordEnds, random), (typed) => pathAt(typed, random() % typed.length));
  const envValue = (i: number): string => `spec.template.spec.containers[name=app-${i % 40}].env[name=SETTING_${i % 40}_${i % 12}].value`;
  const rangeTypedSamples = timeEach(3000, 200, typist(text, wordEnds, random), (typed, i) => rangeOf(typed, envValue(i)));
  // Each text one letter away from the base text but two from the previous one: read in full.
  const elsewhere = (i: number): string => {
    const at = wordEnds[random() % wordEnds.length] as number;
    return text.slice(0, at) + LETTERS[i % LETTERS.length] + text.slice(at);
  };
  const pathScannedSamples = timeEach(3000, 200, elsewhere, (edited) => pathAt(edited, random() % edited.length));
  // Any one-character edit anywhere (indentation, `:`, `-`, quotes, line breaks): many leave
  // the YAML invalid, and those are parsed by the `yaml` package as before.
  const anyEdit = (i: number): string => {
    const at = random() % text.length;
    return i % 4 === 3 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + ANY_CHARACTER[i % ANY_CHARACTER.length] + text.slice(at);
  };
  let scanned = 0;
  const pathAnySamples = time(300, (i) => {
    const edited = anyEdit(i);
    if (indexYaml(edited).reader === 'scan') scanned++;
    pathAt(edited, random() % edited.length);
  });

  // Live rebase: the text (already read for the cursor) receives upstream's changes.
  const upstream = rebase(base, theirs, mine).merged;
  const rebaseEdits = textEdits(text, base, upstream);
  const applied = applyTextEdits(text, rebaseEdits);
  const editSamples = time(300, () => textEdits(text, base, upstream));
  // New texts that still hold `base`: letters typed into its comments.
  const commentEnds = offsetsAfter(text, /[a-z]/, (line) => line.trimStart().startsWith('#'));
  const editTypedSamples = timeEach(300, 20, typist(text, commentEnds, random), (typed) => textEdits(typed, base, upstream));

  return {
    title: 'Sync core (@tandem/sync)',
    method:
      `A Deployment of ${lines} YAML lines (40 containers with env, ports, volumeMounts, resources; 20 annotations; comments). ` +
      `diffFields: 3 edits; rebase: 3 edits per side; textEdits: 6 field changes (${rebaseEdits.length} edits, ` +
      `${applied.length - text.length >= 0 ? '+' : ''}${applied.length - text.length} chars). ` +
      'pathAt at pseudo-random offsets. "Unchanged text" reuses the index of the text (memoized per text, as an editor asks many questions between keystrokes). ' +
      '"After a keystroke" gives every call a new text: the previous one with a letter typed after a pseudo-random letter or digit (in a key, a value or a comment; ' +
      'for textEdits in a comment, so the text still holds the base object), as typing does; the index of the new text is read from that of the previous one ' +
      '(pathAt and rangeOf: 200 keystrokes of warm-up). "An edit elsewhere" puts the letter in the base text instead, so two places differ from the previous text and ' +
      'the whole text is scanned again. "Any one-character edit" types x, a space, a line break, `:`, `-` or `"` at, or deletes ' +
      `the character at, any offset: ${Math.round((100 * scanned) / pathAnySamples.length)}% of those texts were read by the scanner, the rest are invalid YAML and ` +
      'were parsed by the `yaml` package. Each figure is wall time per call over 300-5,000 iterations after a warm-up.',
    rows: [
      ...rows('diffFields (3 edits)', diffSamples, 5),
      ...rows('rebase (3 edits each side)', rebaseSamples, 5),
      ...rows('pathAt, unchanged text', pathSamples, 1),
      ...rows('pathAt after a keystroke', pathTypedSamples, 1),
      ...rows('rangeOf after a keystroke', rangeTypedSamples, 1),
      ...rows('pathAt after an edit elsewhere (whole text scanned)', pathScannedSamples),
      ...rows('pathAt after any one-character edit (invalid YAML: full parse)', pathAnySamples),
      ...rows('textEdits (6 changes), text already read', editSamples, 10),
      ...rows('textEdits (6 changes) after a keystroke', editTypedSamples, 10),
    ],
  };
}
