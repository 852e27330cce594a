/**
 * `npm run bench`: runs every benchmark suite, prints the figures and writes them to
 * docs/benchmarks.md. Suites are plain modules exporting `run(): Promise<BenchSection>`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSection } from './types.js';

const suites: Record<string, () => Promise<{ run: () => Promise<BenchSection> }>> = {
  sync: () => import('./sync.bench.js'),
  collab: () => import('./collab.bench.js'),
  history: () => import('./history.bench.js'),
  web: () => import('./web.bench.js'),
  kube: () => import('./kube.bench.js'),
  limits: () => import('./limits.bench.js'),
  admission: () => import('./admission.bench.js'),
  contexts: () => import('./contexts.bench.js'),
};

const only = process.argv.slice(2);
const sections: BenchSection[] = [];
for (const [name, load] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`\n== ${name} ==\n`);
  const section = await (await load()).run();
  sections.push(section);
  for (const row of section.rows) {
    const verdict = row.pass === undefined ? '' : row.pass ? '  ok' : '  MISSED';
    process.stdout.write(`${row.name.padEnd(58)} ${row.value.padStart(14)}  ${row.target ?? ''}${verdict}\n`);
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const machine = `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const header = ['# Benchmarks', '', `Measured by \`npm run bench\` on ${machine}.`, 'Regenerate with `npm run bench` (all suites) or `npm run bench -- <suite>` (replaces that suite\'s section).', ''];

function render(section: BenchSection): string {
  const [load1] = os.loadavg();
  const lines = [`## ${section.title}`, '', `_Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average ${load1?.toFixed(1) ?? '?'} when the suite ended._`, '', section.method, '', '| measure | value | target | |', '|---|---:|---|---|'];
  for (const row of section.rows) {
    lines.push(`| ${row.name} | ${row.value} | ${row.target ?? ''} | ${row.pass === undefined ? '' : row.pass ? 'met' : '**missed**'} |`);
  }
  lines.push('');
  return lines.join('\n');
}

// Sections are keyed by their title, so running one suite replaces its section and keeps the others.
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'benchmarks.md');
const kept = new Map<string, string>();
if (only.length > 0 && existsSync(out)) {
  for (const chunk of readFileSync(out, 'utf8').split(/^(?=## )/m).slice(1)) kept.set(chunk.split('\n', 1)[0] ?? '', chunk.trimEnd() + '\n');
}
for (const section of sections) kept.set(`## ${section.title}`, render(section));
writeFileSync(out, [...header, ...kept.values()].join('\n'));
process.stdout.write(`\nwrote ${out}\n`);
