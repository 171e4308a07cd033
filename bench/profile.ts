// Summarises a V8 CPU profile (from `npm run bench -- --cpu-prof`): self time by package or project
// file, and the hottest functions. Usage: tsx bench/profile.ts <file.cpuprofile> [--top 25] [--skip 10]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** node_modules/<pkg> (scoped too), else the project path, else a V8 bucket like (garbage collector). */
export function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (path.startsWith('node:')) return 'node (core)';
  const m = /\/((?:activities|workflows|src\/[^/]+)\/[^/]+)$/.exec(path);
  return m ? m[1] : path;
}

export function summarise(profile: CpuProfile, top: number, skipSeconds = 0): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // Each sample's time is the next delta; attribute it to the sampled (leaf) node. Samples in the
  // first `skipSeconds` (the worker's start-up) are left out.
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= skipSeconds * 1e6) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const o = owner(n.callFrame.url, n.callFrame.functionName);
    byOwner.set(o, (byOwner.get(o) ?? 0) + us);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${o}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(f, (byFunction.get(f) ?? 0) + us);
  }
  // Inclusive time: a sample counts once for every owner on its stack (what a module's calls cost).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const owners = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at)!;
      if (n.callFrame.url) owners.add(owner(n.callFrame.url, n.callFrame.functionName));
    }
    for (const o of owners) inclusive.set(o, (inclusive.get(o) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `| ${k} | ${(us / 1e6).toFixed(2)} | ${((us / total) * 100).toFixed(1)}% |`)
      .join('\n');
  return [
    `Sampled ${(total / 1e6).toFixed(1)} s over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s of profile (main thread only).`,
    '',
    '| self time by owner | s | share |',
    '|---|---|---|',
    rows(byOwner),
    '',
    '| inclusive time by owner (its own code and everything it calls) | s | share |',
    '|---|---|---|',
    rows(inclusive),
    '',
    '| hottest functions (self) | s | share |',
    '|---|---|---|',
    rows(byFunction),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' }, skip: { type: 'string', default: '0' } }, allowPositionals: true });
  if (positionals.length === 0) {
    console.error('usage: tsx bench/profile.ts <file.cpuprofile> [--top 25] [--skip <seconds of start-up to leave out>]');
    process.exit(2);
  }
  for (const file of positionals) console.log(summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(values.top), Number(values.skip)));
}
