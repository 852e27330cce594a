/**
 * @tandem/sync on a large Deployment (~2,000 lines of YAML): field diff, three-way rebase,
 * cursor -> field path, and minimal text edits for a live rebase.
 */
import { applyTextEdits, diffFields, pathAt, rebase, textEdits } from '@tandem/sync';
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

function time(iterations: number, run: (i: number) => void): number[] {
  for (let i = 0; i < Math.min(20, iterations); i++) run(i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    run(i);
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

  // A cursor moving over an unchanged text: the parse is shared by every question about it.
  let seed = 42;
  const nextOffset = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % text.length;
  };
  pathAt(text, 0);
  const pathSamples = time(5000, () => pathAt(text, nextOffset()));
  // After a keystroke: a new text, parsed once.
  const pathColdSamples = time(30, (i) => pathAt(`${text}# keystroke ${i}\n`, nextOffset()));

  // Live rebase: the text (already parsed for the cursor) receives upstream's changes.
  const upstream = rebase(base, theirs, mine).merged;
  const rebaseEdits = textEdits(text, base, upstream);
  const applied = applyTextEdits(text, rebaseEdits);
  const editSamples = time(300, () => textEdits(text, base, upstream));
  const editColdSamples = time(30, (i) => textEdits(`${text}# keystroke ${i}\n`, base, upstream));

  return {
    title: 'Sync core (@tandem/sync)',
    method:
      `A Deployment of ${lines} YAML lines (40 containers with env, ports, volumeMounts, resources; 20 annotations; comments). ` +
      `diffFields: 3 edits; rebase: 3 edits per side; textEdits: 6 field changes (${rebaseEdits.length} edits, ` +
      `${applied.length - text.length >= 0 ? '+' : ''}${applied.length - text.length} chars). ` +
      'pathAt at pseudo-random offsets. "Unchanged text" reuses the parse of the text (memoized per text, as an editor asks many questions between keystrokes); ' +
      '"after a keystroke" includes parsing a new text with the `yaml` package. Each figure is wall time per call over 300-5,000 iterations after a warm-up.',
    rows: [
      ...rows('diffFields (3 edits)', diffSamples, 5),
      ...rows('rebase (3 edits each side)', rebaseSamples, 5),
      ...rows('pathAt, unchanged text', pathSamples, 1),
      ...rows('pathAt after a keystroke (includes parse)', pathColdSamples),
      ...rows('textEdits (6 changes), text already parsed', editSamples, 10),
      ...rows('textEdits (6 changes), including parse', editColdSamples),
    ],
  };
}
