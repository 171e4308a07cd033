// `npm run bench` arguments: which scenarios, and what to keep. Prints the usage or an error and exits
// on --help or a bad name, before anything is started.
import { parseArgs } from 'node:util';
import { SCENARIOS, type Scenario, type Setting, SETTINGS } from './scenarios.js';

export interface BenchArgs {
  selected: Scenario[];
  keepLogs: boolean;
  cpuProfile: boolean;
  renderOnly: boolean;
  outDir?: string;
  probeCompiled: boolean;
  /** Write each session's timeline (activities, children, workflow tasks) into this directory. */
  timelineDir?: string;
}

export function parseBenchArgs(): BenchArgs {
  const { values: args } = parseArgs({
    options: {
      scenario: { type: 'string', multiple: true },
      /** Comma-separated scenario names (same as repeating --scenario). */
      only: { type: 'string', multiple: true },
      /** Every scenario of one rate setting: fast or real. */
      setting: { type: 'string' },
      'keep-logs': { type: 'boolean', default: false },
      /** Writes a V8 CPU profile of each worker into the kept scratch directory (implies --keep-logs). */
      'cpu-prof': { type: 'boolean', default: false },
      /** Write results.json, RESULTS.md, chart.svg and README-section.md here instead of bench/ (trial runs): merged over bench/results.json all the same. */
      'out-dir': { type: 'string' },
      /** Also `npm run build` and time the compiled product worker's start-up (dist/, WORKFLOW_BUNDLE_PATH), for the setup section. */
      'probe-compiled': { type: 'boolean', default: false },
      /** Where each session's time went: a text timeline per session from its histories (bench/cost.ts), into this directory. */
      timeline: { type: 'string' },
      /** Only re-render RESULTS.md, chart.svg and README-section.md from results.json. */
      'render-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });

  if (args.help) {
    console.log(
      `usage: npm run bench [-- --only <name>[,<name>…]] [--scenario <name> …] [--setting fast|real] [--keep-logs] [--cpu-prof] [--probe-compiled] [--out-dir <dir>] [--timeline <dir>] [--render-only]\n` +
        `scenarios: ${SCENARIOS.map((s) => `${s.name} (${s.setting})`).join(', ')} (no selection = all)`,
    );
    process.exit(0);
  }
  const names = [...(args.scenario ?? []), ...(args.only ?? []).flatMap((v) => v.split(','))].map((n) => n.trim()).filter(Boolean);
  if (args.setting !== undefined && !SETTINGS.includes(args.setting as Setting)) {
    console.error(`unknown setting ${args.setting}; choose from ${SETTINGS.join(', ')}`);
    process.exit(2);
  }
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  // A scenario read against its viewers alone brings those scenarios along (they come first in SCENARIOS).
  const wanted = new Set(names.flatMap((n) => [n, ...Object.values(SCENARIOS.find((s) => s.name === n)?.alone ?? {})]));
  return {
    selected: SCENARIOS.filter((s) => (names.length === 0 || wanted.has(s.name)) && (args.setting === undefined || s.setting === args.setting)),
    keepLogs: args['keep-logs'],
    cpuProfile: args['cpu-prof'],
    renderOnly: args['render-only'],
    outDir: args['out-dir'],
    probeCompiled: args['probe-compiled'],
    timelineDir: args.timeline,
  };
}
