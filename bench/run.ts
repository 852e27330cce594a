/**
 * `npm run bench`: runs every benchmark suite, prints the figures and writes them to
 * docs/benchmarks.md. Suites are plain modules exporting `run(): Promise<BenchSection>`.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSection } from './types.js';

const suites: Record<string, () => Promise<{ run: () => Promise<BenchSection> }>> = {
  sync: () => import('./sync.bench.js'),
  collab: () => import('./collab.bench.js'),
  history: () => import('./history.bench.js'),
  web: () => import('./web.bench.js'),
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
const lines = [
  '# Benchmarks',
  '',
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
  'Regenerate with `npm run bench` (this file is overwritten).',
  '',
];
for (const section of sections) {
  lines.push(`## ${section.title}`, '', section.method, '', '| measure | value | target | |', '|---|---:|---|---|');
  for (const row of section.rows) {
    lines.push(`| ${row.name} | ${row.value} | ${row.target ?? ''} | ${row.pass === undefined ? '' : row.pass ? 'met' : '**missed**'} |`);
  }
  lines.push('');
}
if (only.length === 0) {
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'benchmarks.md');
  writeFileSync(out, lines.join('\n'));
  process.stdout.write(`\nwrote ${out}\n`);
}
