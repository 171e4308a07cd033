// The files the bench's results live in. bench/results.json keeps every scenario's latest result; a
// run of some scenarios replaces only their rows, the others stay when they were measured under the
// same limits and settings. RESULTS.md, chart.svg and README-section.md are rendered from it
// (report.ts, chart.ts) and written beside it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chartSvg } from './chart.js';
import { projectRoot } from './infra.js';
import { readmeSection, resultsMarkdown } from './report.js';
import type { BenchResults } from './results.js';
import { SCENARIOS } from './scenarios.js';

const benchDir = path.join(projectRoot, 'bench');
const resultsFile = path.join(benchDir, 'results.json');

function merge(fresh: BenchResults): BenchResults {
  if (!existsSync(resultsFile)) return fresh;
  try {
    const old = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
    const sameSetup =
      JSON.stringify([old.limits, old.settings, old.rtMaxConcurrency, old.tmdbMaxConcurrency, old.machine.nproc]) ===
      JSON.stringify([fresh.limits, fresh.settings, fresh.rtMaxConcurrency, fresh.tmdbMaxConcurrency, fresh.machine.nproc]);
    if (!sameSetup) return fresh;
    const byName = new Map(old.scenarios.map((s) => [s.name, s]));
    for (const s of fresh.scenarios) byName.set(s.name, s);
    const order = SCENARIOS.map((s) => s.name);
    const scenarios = [...byName.values()].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    return { ...fresh, scenarios, totalSeconds: fresh.totalSeconds, compiledWorker: fresh.compiledWorker ?? old.compiledWorker };
  } catch {
    return fresh;
  }
}


/** Re-renders RESULTS.md, chart.svg and README-section.md from bench/results.json (after editing the notes or the renderer). */
export function rerender(): string[] {
  if (!existsSync(resultsFile)) throw new Error('bench/results.json does not exist yet: run the bench first');
  return writeOutputs(JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults);
}

/** `outDir`: write there instead (a trial run), still merged over bench/results.json and its notes. */
export function writeOutputs(fresh: BenchResults, outDir = benchDir): string[] {
  const results = merge(fresh);
  // Read before anything is written: the hand-written notes of the RESULTS.md being replaced carry over.
  const markdownFile = path.join(benchDir, 'RESULTS.md');
  const previousMarkdown = existsSync(markdownFile) ? readFileSync(markdownFile, 'utf8') : undefined;
  const files = {
    'results.json': `${JSON.stringify(results, null, 2)}\n`,
    'RESULTS.md': resultsMarkdown(results, fresh, previousMarkdown),
    'chart.svg': chartSvg(results),
    'README-section.md': readmeSection(results),
  };
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(outDir, name), text);
  return Object.keys(files).map((f) => path.relative(process.cwd(), path.join(outDir, f)));
}
