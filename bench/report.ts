// The prose of the results: bench/RESULTS.md (tables, the targets and the measured facts behind each
// miss, the hand-written notes carried over) and bench/README-section.md. Pure: the caller reads and
// writes the files (results.ts).
import type { Limits, ServiceName } from '../standins/index.js';
import { SETTLED_FOR_SECONDS, SETTLED_FROM_SECONDS } from './adaptive.js';
import type { SessionCost } from './cost.js';
import type { BenchResults, ScenarioResult } from './results.js';
import { ofSetting, SCENARIOS, type Setting, settingOf, SETTINGS, type Term, TERM_SERVICE, TERMS } from './scenarios.js';

const NOTES_START = '<!-- notes:start -->';
const NOTES_END = '<!-- notes:end -->';

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const int = (n: number | null | undefined) => (n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const pct = (share: number | null | undefined) => (share === null || share === undefined ? '–' : `${Math.round(share * 100)}%`);
const termLabel: Record<Term, string> = { fetch: 'P/rg (Gandalf)', tmdb: '2S/rt (TMDB)', rt: 'M/rr (RT)', wikidata: '⌈M/C⌉/rw (Wikidata)' };
const serviceLabel: Record<ServiceName, string> = { gandalf: 'Gandalf', tmdb: 'TMDB', rt: 'RT', wikidata: 'Wikidata', openai: 'LLM' };
const BOUND_FORMULA = 'T* = lg + max(P/rg, 2S/rt, M/rr, ⌈M/C⌉/rw) + la';
const limitsOf = (results: BenchResults, s: ScenarioResult) => results.limits[settingOf(s)];

/** `x.xx` requests per unit of the minimum, or – when not measured. */
function perMin(s: ScenarioResult, key: keyof NonNullable<ScenarioResult['requestsPerMinimum']>): string {
  return fmt(s.requestsPerMinimum?.[key], 2);
}

function matchedCell(s: ScenarioResult): string {
  const m = s.bound.matched;
  if (m === undefined) return '–';
  return s.history.matched !== undefined && s.history.matched !== m ? `${int(m)} (of ${int(s.history.matched)})` : int(m);
}

function idleCell(s: ScenarioResult): string {
  return s.bound.winners.map((t) => `${serviceLabel[TERM_SERVICE[t]]} ${pct(s.services[TERM_SERVICE[t]].idleShare)}`).join(', ');
}

/** Every request the stand-ins saw, all services, admitted and 429s (null in results from before requests were counted). */
const requestsSeen = (s: ScenarioResult) => (s.requests ? Object.values(s.requests).reduce((a, r) => a + r.requests, 0) : null);

/** CPU of the whole stack the session ran on: the worker and its children, PostgreSQL, the Temporal server, the bench process with the stand-ins. */
const stackCpu = (s: ScenarioResult) => s.worker.cpuSeconds + (s.worker.childCpuSeconds ?? 0) + (s.postgresCpuSeconds ?? 0) + (s.temporalServerCpuSeconds ?? 0) + s.benchProcessCpuSeconds;

/** Milliseconds of CPU per unit of work. */
const msPer = (cpuSeconds: number, n: number | null) => (n ? (cpuSeconds * 1000) / n : null);

function mainTable(results: BenchResults): string {
  const head =
    '| scenario | sessions | activities | P | S | M | T* (s) | wall (s) | wall/T* | STATS_DATA_READY (s) | TMDB req / S | RT req / M | Wikidata req / ⌈M/C⌉ | actions / session | actions / 1k activities | runs | children | largest run: events / KB | worker RSS at start (MB) | worker peak RSS (MB) | worker CPU (s) | worker CPU ms / request | worker CPU ms / row | all CPU (s) | all CPU ms / request | all CPU ms / row | rows written | idle of the bottleneck |';
  const sep = `|${'---|'.repeat(28)}`;
  const rows = ofSetting(results, 'fast').map((s) =>
    [
      `\`${s.name}\`${s.status === 'ok' ? '' : ` (**${s.status}**)`}`,
      s.sessions,
      int(s.history.activities),
      int(s.bound.pages),
      s.history.uncachedShows === s.history.shows ? int(s.bound.shows) : `${int(s.bound.shows)} (of ${int(s.history.shows)})`,
      matchedCell(s),
      fmt(s.bound.seconds),
      fmt(s.wallSeconds),
      `**${fmt(s.ratio, 2)}**`,
      s.statsReadySeconds ? (s.sessions > 1 ? `${fmt(s.statsReadySeconds.first)}–${fmt(s.statsReadySeconds.max)}` : fmt(s.statsReadySeconds.max)) : '–',
      perMin(s, 'tmdbPerShow'),
      perMin(s, 'rtPerMatchedShow'),
      perMin(s, 'wikidataPerChunk'),
      fmt(s.cost.actionsPerSession, 0),
      fmt(s.cost.actionsPer1kActivities, 0),
      s.cost.maxRuns,
      s.cost.children,
      `${int(s.cost.largestRun.events)} / ${int(s.cost.largestRun.jsonBytes / 1024)}`,
      fmt(s.worker.rssAtStartMb, 0),
      fmt(s.worker.peakRssMb, 0),
      fmt(s.worker.cpuSeconds),
      fmt(msPer(s.worker.cpuSeconds, requestsSeen(s)), 2),
      fmt(msPer(s.worker.cpuSeconds, s.rowsTotal), 2),
      fmt(stackCpu(s)),
      fmt(msPer(stackCpu(s), requestsSeen(s)), 2),
      fmt(msPer(stackCpu(s), s.rowsTotal), 2),
      int(s.rowsTotal),
      idleCell(s),
    ].join(' | '),
  );
  return [head, sep, ...rows.map((r) => `| ${r} |`)].join('\n');
}

/** Real limits: the time to a first report (STATS_DATA_READY) beside the time to the last score. */
function realTable(results: BenchResults): string {
  const head =
    '| scenario | activities | P | S | M | T* (s) | winning term | STATS_DATA_READY (s) | report COMPLETED (s) | wall/T* | TMDB req / S | RT req / M | Wikidata req / ⌈M/C⌉ | 429s (TMDB / RT / Wikidata) | RT matched / not on RT / failed | actions / session |';
  const sep = `|${'---|'.repeat(16)}`;
  const rows = ofSetting(results, 'real').map((s) => {
    const r = s.showOutcomes?.rt ?? {};
    const q = s.requests;
    return [
      `\`${s.name}\`${s.status === 'ok' ? '' : ` (**${s.status}**)`}`,
      int(s.history.activities),
      int(s.bound.pages),
      int(s.bound.shows),
      matchedCell(s),
      fmt(s.bound.seconds),
      s.bound.winners.map((t) => termLabel[t]).join(' = '),
      s.statsReadySeconds ? fmt(s.statsReadySeconds.max) : '–',
      s.status === 'ok' ? fmt(s.wallSeconds) : `≥ ${fmt(s.wallSeconds)}`,
      `**${fmt(s.ratio, 2)}**`,
      perMin(s, 'tmdbPerShow'),
      perMin(s, 'rtPerMatchedShow'),
      perMin(s, 'wikidataPerChunk'),
      q ? `${int(q.tmdb.rateLimited)} / ${int(q.rt.rateLimited)} / ${int(q.wikidata.rateLimited)}` : '–',
      `${int(r.matched ?? 0)} / ${int(r.not_found ?? 0)} / ${int(r.failed ?? 0)}`,
      fmt(s.cost.actionsPerSession, 0),
    ].join(' | ');
  });
  return rows.length ? [head, sep, ...rows.map((r) => `| ${r} |`)].join('\n') : '_No real-limit scenario in this run._';
}

/** A change against the baseline, e.g. `+4%`. */
const delta = (value: number | null | undefined, base: number | null | undefined) =>
  value === null || value === undefined || !base ? '' : ` (${value >= base ? '+' : '−'}${Math.abs(Math.round(((value - base) / base) * 100))}%)`;

/** The catalog crawler's scenarios against their baselines: a pre-warmed viewer, and a viewer beside a crawl. */
function catalogTable(results: BenchResults): string {
  const withCrawl = results.scenarios.filter((s) => s.catalog);
  if (withCrawl.length === 0) return '_No catalog-crawler scenario in this run._';
  const lines = [
    '| scenario | baseline | the crawl | viewer\'s TMDB shows warm at the start | first report, STATS_DATA_READY (s): this / baseline | report COMPLETED (s): this / baseline | TMDB / RT requests: this / baseline |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of withCrawl) {
    const c = s.catalog!;
    const base = results.scenarios.find((b) => b.name === SCENARIOS.find((x) => x.name === s.name)?.baseline);
    const crawl =
      c.kind === 'prewarmed'
        ? `before the clock: ${fmt(c.crawlSeconds)} s, ${int(c.atStart.enriched)} shows enriched, ${int(c.atStart.skipped)} skipped`
        : `running beside it: ${int(c.atStart.enriched)} enriched before the session, ${c.enrichedDuringSessions === undefined ? '–' : int(c.enrichedDuringSessions)} while it ran`;
    const ready = s.statsReadySeconds?.max;
    const baseReady = base?.statsReadySeconds?.max;
    const done = s.status === 'ok' ? s.wallSeconds : null;
    const baseDone = base?.status === 'ok' ? base.wallSeconds : null;
    const req = (r: ScenarioResult | undefined) => (r?.requests ? `${int(r.requests.tmdb.requests)} / ${int(r.requests.rt.requests)}` : '–');
    lines.push(
      `| \`${s.name}\`${s.status === 'ok' ? '' : ` (**${s.status}**)`} | ${base ? `\`${base.name}\`` : '– (not run)'} | ${crawl} | ${int(c.warmAtStart)} of ${int(c.viewerTmdbShows)} | ${fmt(ready)} / ${fmt(baseReady)}${delta(ready, baseReady)} | ${fmt(done)} / ${fmt(baseDone)}${delta(done, baseDone)} | ${req(s)} / ${req(base)} |`,
    );
  }
  return lines.join('\n');
}

/** The single-session scenarios that show memory against the session's size. */
const MEMORY_SCENARIOS = ['1k', '10k', '100k', '200k'];
const memoryRows = (results: BenchResults) => MEMORY_SCENARIOS.flatMap((n) => results.scenarios.filter((s) => s.name === n));

function memoryTable(results: BenchResults): string {
  const rows = memoryRows(results);
  if (rows.length === 0) return '_None of 1k, 10k, 100k, 200k in this run._';
  const lines = [
    '| scenario | activities | P | S | worker RSS at start (MB) | worker peak RSS (MB) | peak − start (MB) | wall (s) | wall/T* | largest run (events) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of rows) {
    lines.push(
      `| \`${s.name}\`${s.status === 'ok' ? '' : ` (**${s.status}**)`} | ${int(s.history.activities)} | ${int(s.bound.pages)} | ${int(s.bound.shows)} | ${fmt(s.worker.rssAtStartMb, 0)} | **${fmt(s.worker.peakRssMb, 0)}** | ${fmt(s.worker.peakRssMb - s.worker.rssAtStartMb, 0)} | ${fmt(s.wallSeconds)} | ${fmt(s.ratio, 2)} | ${int(s.cost.largestRun.events)} |`,
    );
  }
  return lines.join('\n');
}

interface FairnessRow {
  key: string;
  startedAt: number | null;
  together: { stats: number | null; done: number | null };
  /** The viewer's own scenario alone (Scenario.alone), when it is in the results. */
  alone?: { name: string; stats: number | null; done: number | null };
}

/** Each viewer of a scenario with `alone` baselines: its times from its own start, together and alone. */
function fairnessRows(s: ScenarioResult, results: BenchResults): FairnessRow[] {
  const alone = SCENARIOS.find((x) => x.name === s.name)?.alone ?? {};
  return (s.sessionTimes ?? []).map((t) => {
    const base = results.scenarios.find((b) => b.name === alone[t.key]);
    return {
      key: t.key,
      startedAt: t.startedAtSeconds,
      together: { stats: t.statsReadySeconds, done: t.completedSeconds },
      alone: base && { name: base.name, stats: base.statsReadySeconds?.max ?? null, done: base.status === 'ok' ? base.wallSeconds : null },
    };
  });
}

function fairnessTable(results: BenchResults): string {
  const fair = results.scenarios.filter((s) => SCENARIOS.find((x) => x.name === s.name)?.alone);
  if (fair.length === 0) return '_No fairness scenario in this run._';
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined || !b ? '–' : `**${fmt(a / b, 2)}×**`);
  const lines = [
    '| scenario | viewer | started (s after the first) | STATS_DATA_READY together / alone (s) | together / alone | COMPLETED together / alone (s) | together / alone | alone = |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const s of fair) {
    for (const v of fairnessRows(s, results)) {
      lines.push(
        `| \`${s.name}\`${s.status === 'ok' ? '' : ` (**${s.status}**)`} | ${v.key} | ${fmt(v.startedAt)} | ${fmt(v.together.stats)} / ${fmt(v.alone?.stats)} | ${ratio(v.together.stats, v.alone?.stats)} | ${fmt(v.together.done)} / ${fmt(v.alone?.done)} | ${ratio(v.together.done, v.alone?.done)} | ${v.alone ? `\`${v.alone.name}\`` : '– (not run)'} |`,
      );
    }
  }
  return lines.join('\n');
}

function adaptiveTable(results: BenchResults): string {
  const rows = results.scenarios.filter((s) => s.adaptive);
  if (rows.length === 0) return '_No adaptive-limit scenario in this run._';
  const lines = [
    `| scenario | service: limit before → after (at s) | admitted req/s before the change | requests / 429s, whole run | 429 share | after the change: requests / 429s | req/s ${SETTLED_FROM_SECONDS}–${SETTLED_FROM_SECONDS + SETTLED_FOR_SECONDS} s after the change (new limit) | off the new limit |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  const details: string[] = [];
  for (const s of rows) {
    const a = s.adaptive!;
    const share = a.requests ? (a.rateLimited ?? 0) / a.requests : null;
    const off = a.settledRps === null ? null : Math.abs(a.settledRps - a.toRps) / a.toRps;
    lines.push(
      `| \`${s.name}\`${s.status === 'ok' ? '' : ` (**${s.status}**)`} | ${serviceLabel[a.service]}: ${a.fromRps}/s → ${a.toRps}/s (${fmt(a.changedAtSeconds)}) | ${fmt(a.rpsBefore)} | ${int(a.requests)} / ${int(a.rateLimited)} | ${share === null ? '–' : `${fmt(share * 100, 2)}%`} | ${int(a.requestsAfterChange)} / ${int(a.rateLimitedAfterChange)} | ${fmt(a.settledRps)}${a.settledWindowComplete ? '' : ' (work ended inside the window)'} (${a.toRps}) | ${off === null ? '–' : `${fmt(off * 100)}%`} |`,
    );
    details.push(`- \`${s.name}\`: ${adaptiveDiagnosis(s)}`);
  }
  return [...lines, '', ...details].join('\n');
}

function outcomesTable(results: BenchResults): string {
  const lines = [
    '| scenario | distinct shows | TMDB matched / not found / failed | RT (of the TMDB-matched) matched / not on RT / failed / never crawled | RT matched by |',
    '|---|---|---|---|---|',
  ];
  for (const s of results.scenarios) {
    const t = s.showOutcomes?.tmdb ?? {};
    const r = s.showOutcomes?.rt ?? {};
    const total = Object.values(t).reduce((a, b) => a + b, 0);
    lines.push(
      `| \`${s.name}\` | ${int(total)} | ${int(t.matched ?? 0)} / ${int(t.not_found ?? 0)} / ${int(t.failed ?? 0)} | ${int(r.matched ?? 0)} / ${int(r.not_found ?? 0)} / ${int(r.failed ?? 0)} / ${int(r.pending ?? 0)} | ${
        Object.entries(s.showOutcomes?.rtMatch ?? {}).map(([k, n]) => `${k} ${int(n)}`).join(', ') || '–'
      } |`,
    );
  }
  return lines.join('\n');
}

function timelineTable(results: BenchResults): string {
  const lines = ['| scenario | service | admitted | 429s | first / last request (s) | mean req/s while active (cap) | idle over the wall time |', '|---|---|---|---|---|---|---|'];
  for (const s of results.scenarios) {
    for (const name of ['gandalf', 'tmdb', 'rt', 'wikidata', 'openai'] as ServiceName[]) {
      const w = s.services[name];
      if (!w) continue; // results from before the service existed
      lines.push(
        `| ${name === 'gandalf' ? `\`${s.name}\` (${settingOf(s)}, wall ${fmt(s.wallSeconds)} s)` : ''} | ${serviceLabel[name]} | ${int(w.admitted)} | ${int(w.rateLimited)} | ${fmt(w.firstAtSeconds)} / ${fmt(w.lastAtSeconds)} | ${fmt(w.meanRpsWhileActive)} (${limitsOf(results, s)[name].rps}) | ${name === 'openai' ? '–' : pct(w.idleShare)} |`,
      );
    }
  }
  return lines.join('\n');
}

function cpuTable(results: BenchResults): string {
  const lines = [
    '| scenario | worker start-up (s) | wall (s) | worker CPU (s) | worker\'s child processes (s) | PostgreSQL CPU (s) | Temporal server CPU (s) | bench + stand-ins CPU (s) | other jobs on the machine (s) | all CPUs busy |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of results.scenarios) {
    const other = otherCpu(s, results.machine.nproc);
    lines.push(
      `| \`${s.name}\` | ${fmt(s.worker.readyAfterSeconds)}${s.worker.prebuiltBundle ? '' : ' (bundled at start)'} | ${fmt(s.wallSeconds)} | ${fmt(s.worker.cpuSeconds)} | ${fmt(s.worker.childCpuSeconds)} | ${fmt(s.postgresCpuSeconds)} | ${fmt(s.temporalServerCpuSeconds)} | ${fmt(s.benchProcessCpuSeconds)} | ${fmt(other)} | ${pct(s.machineCpuBusy)} |`,
    );
  }
  return lines.join('\n');
}

function backendsTable(results: BenchResults): string {
  const lines = ['| scenario | mean PostgreSQL backends of the scenario\'s database, by state (sampled each second) |', '|---|---|'];
  for (const s of results.scenarios) {
    const b = s.postgresBackends ?? {};
    lines.push(`| \`${s.name}\` | ${Object.entries(b).map(([k, n]) => `${k} ${fmt(n)}`).join('; ') || '–'} |`);
  }
  return lines.join('\n');
}

function actionsTable(results: BenchResults): string {
  const lines = [
    '| scenario | workflow starts | child starts (×2) | activity attempts | timers | signals | search-attr upserts | queries | heartbeats (estimate) | total / session | activities / session |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of results.scenarios) {
    const n = s.sessions;
    const sum = (k: keyof SessionCost['actions']) => s.cost.perSession.reduce((a, c) => a + c.actions[k], 0) / n;
    const acts = s.cost.perSession.reduce((a, c) => a + c.activities, 0) / n;
    lines.push(
      `| \`${s.name}\` | ${fmt(sum('workflowStarts'), 0)} | ${fmt(sum('childStarts'), 0)} | ${fmt(sum('activityAttempts'), 0)} | ${fmt(sum('timers'), 0)} | ${fmt(sum('signals'), 0)} | ${fmt(sum('searchAttributeUpserts'), 0)} | ${fmt(sum('queries'), 0)} | ${fmt(sum('heartbeatsEstimated'), 0)} | **${fmt(sum('total'), 0)}** | ${fmt(acts, 0)} |`,
    );
  }
  return lines.join('\n');
}

function activityTable(s: ScenarioResult): string {
  const merged = new Map<string, { count: number; attempts: number; s2s: number; s2c: number; max: number }>();
  for (const c of s.cost.perSession) {
    for (const [type, a] of Object.entries(c.byActivity)) {
      const m = merged.get(type) ?? { count: 0, attempts: 0, s2s: 0, s2c: 0, max: 0 };
      m.count += a.count;
      m.attempts += a.attempts;
      m.s2s += a.meanScheduleToStartMs * a.count;
      m.s2c += a.meanStartToCloseMs * a.count;
      m.max = Math.max(m.max, a.maxStartToCloseMs);
      merged.set(type, m);
    }
  }
  const lines = ['| activity | executions | attempts | mean schedule→start (ms) | mean start→close (ms) | longest (ms) |', '|---|---|---|---|---|---|'];
  for (const [type, m] of merged) lines.push(`| \`${type}\` | ${m.count} | ${m.attempts} | ${int(m.s2s / m.count)} | ${int(m.s2c / m.count)} | ${int(m.max)} |`);
  return lines.join('\n');
}

interface Target {
  label: string;
  scenario: string;
  /** null: not measurable from these results (a baseline not run, a window not reached). */
  measured: (s: ScenarioResult) => number | null;
  unit: string;
  limit: number;
  /** Digits shown; 0 unless given. */
  digits?: number;
  /** `<` instead of `≤`. */
  strict?: boolean;
  /** Measured facts behind a miss; time targets use timeDiagnosis. */
  diagnose?: (s: ScenarioResult) => string;
  /** A measure of the invocation rather than of a scenario (scenario then only names it): value, and the facts behind a miss. */
  ofResults?: () => { value: number | null; why: string };
}

/** Splits the bottleneck's idle time into before its first request, under-rate while active, and after its last. */
function idleBreakdown(s: ScenarioResult, limits: Record<ServiceName, Limits>): string {
  return s.bound.winners
    .map((t) => {
      const service = TERM_SERVICE[t];
      const w = s.services[service];
      if (w.firstAtSeconds === null || w.lastAtSeconds === null) return `${serviceLabel[service]} got no requests.`;
      const rate = limits[service].rps;
      const busy = w.admitted / rate;
      const head = w.firstAtSeconds;
      const tail = s.wallSeconds - w.lastAtSeconds;
      const middle = Math.max(0, w.lastAtSeconds - w.firstAtSeconds - busy);
      return (
        `${serviceLabel[service]} (cap ${rate}/s) had ${int(w.admitted)} requests = ${fmt(busy)} s of work in ${fmt(s.wallSeconds)} s: ` +
        `${fmt(head)} s before its first request, ${fmt(middle)} s of slack while active (mean ${fmt(w.meanRpsWhileActive)} req/s), ` +
        `${fmt(tail)} s after its last request (the rest of the pipeline)`
      );
    })
    .join('; ');
}

function timeDiagnosis(s: ScenarioResult, results: BenchResults): string {
  const terms = TERMS.filter((t) => s.bound.terms[t] !== undefined).map((t) => `${termLabel[t]} ${fmt(s.bound.terms[t])} s`).join(', ');
  const fetchDone = s.services.gandalf.lastAtSeconds;
  return [
    `Terms: ${terms}; the max is ${s.bound.winners.map((t) => termLabel[t]).join(' = ')}.`,
    `${idleBreakdown(s, limitsOf(results, s))}.`,
    `The fetch ended at ${fmt(fetchDone)} s; STATS_DATA_READY at ${fmt(s.statsReadySeconds?.max)} s.`,
    cpuSentence(s, results),
  ].join(' ');
}

function cpuSentence(s: ScenarioResult, results: BenchResults): string {
  const capacity = results.machine.nproc * s.wallSeconds;
  const ours = stackCpu(s);
  return (
    `The machine's CPUs were ${pct(s.machineCpuBusy)} busy (${fmt(s.machineCpuBusy * capacity)} of ${fmt(capacity)} CPU s): worker ${fmt(s.worker.cpuSeconds)} (+ ${fmt(s.worker.childCpuSeconds)} in its child processes), ` +
    `PostgreSQL ${fmt(s.postgresCpuSeconds)}, Temporal server ${fmt(s.temporalServerCpuSeconds)}, bench process with the stand-ins ${fmt(s.benchProcessCpuSeconds)}, ` +
    `anything else on the machine ${fmt(Math.max(0, s.machineCpuBusy * capacity - ours))}.`
  );
}

function actionDiagnosis(s: ScenarioResult): string {
  const c = s.cost.perSession[0];
  const parts = Object.entries(c.actions)
    .filter(([k, v]) => k !== 'total' && v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`);
  return `Per session: ${parts.join(', ')} (total ${c.actions.total}); ${c.activities} activity executions, ${c.children} children, ${c.runs} run(s).`;
}

function rssDiagnosis(s: ScenarioResult, results: BenchResults): string {
  const sizes = memoryRows(results).map((m) => `${m.name} ${fmt(m.worker.peakRssMb, 0)} MB`).join(', ');
  return `RSS was ${fmt(s.worker.rssAtStartMb, 0)} MB when the session started (the idle worker${s.worker.prebuiltBundle ? ', prebuilt bundle loaded' : ', webpack included'}) and peaked at ${fmt(s.worker.peakRssMb, 0)} MB, ${fmt(s.worker.peakRssMb - s.worker.rssAtStartMb, 0)} MB over it. Peak RSS by session size: ${sizes || '–'}.`;
}

function compiledStartupFacts(results: BenchResults): string {
  const c = results.compiledWorker;
  if (!c) return '';
  return (
    `It loads dist/workflow-bundle.js (no webpack); idle RSS ${fmt(c.rssMb, 0)} MB. A fresh node importing its module graph (dist/src/worker/process.js) and exiting took ${fmt(c.importSeconds, 2)} s, ` +
    `the \`crawlee\` package alone ${fmt(c.crawleeImportSeconds, 2)} s; the rest is opening the database, the Temporal connection, the two schedules, and the workflow sandbox from the bundle. ${otherLoadSentence(results)}`
  );
}

function startupDiagnosis(s: ScenarioResult, results: BenchResults): string {
  const c = results.compiledWorker;
  return [
    `From spawn to polling both task queues: ${fmt(s.worker.readyAfterSeconds)} s under \`node --import tsx\`${s.worker.prebuiltBundle ? ` loading the invocation's prebuilt bundle (built once in ${fmt(results.workflowBundle?.seconds)} s)` : ', bundling the workflows with webpack at start'}.`,
    c ? `The compiled product worker (\`node dist/src/worker/main.js\`, WORKFLOW_BUNDLE_PATH) polled after ${fmt(c.startupSeconds, 2)} s (${c.measuredAt.slice(0, 10)}, \`${c.commit}\`). ${compiledStartupFacts(results)}` : 'The compiled product worker was not probed (`--probe-compiled`).',
  ].join(' ');
}

function fairnessDiagnosis(s: ScenarioResult, results: BenchResults): string {
  return fairnessRows(s, results)
    .map((v) => `${v.key} started at ${fmt(v.startedAt)} s: STATS_DATA_READY ${fmt(v.together.stats)} s (alone ${fmt(v.alone?.stats)} s), COMPLETED ${fmt(v.together.done)} s (alone ${fmt(v.alone?.done)} s)`)
    .concat(cpuSentence(s, results))
    .join('; ');
}

function adaptiveDiagnosis(s: ScenarioResult): string {
  const a = s.adaptive;
  if (!a) return 'No adaptive measure in this result.';
  return (
    `${serviceLabel[a.service]} went from ${a.fromRps}/s to ${a.toRps}/s at ${fmt(a.changedAtSeconds)} s; ${int(a.requests)} requests, ${int(a.rateLimited)} answered 429 ` +
    `(${int(a.rateLimitedAfterChange)} of the ${int(a.requestsAfterChange)} after the change); from ${SETTLED_FROM_SECONDS} s after it: ${fmt(a.settledRps)} req/s` +
    `${a.settledWindowComplete ? '' : ' (its work ended inside the window)'}; ${stallSeconds(a)} of those ${SETTLED_FOR_SECONDS} s admitted under half the new limit ` +
    `(a cut's 429 carries Retry-After, whole seconds and at least 1, and the shared limiter holds every caller back that long). Admitted per second: ${a.admittedPerSecond.join(' ')}; shared rate per second: ${a.sharedRatePerSecond.map((r) => (r === null ? '·' : fmt(r, 0))).join(' ')} (· = the configured rate).`
  );
}

/** Seconds of the settled window in which the service admitted under half its new limit. */
function stallSeconds(a: NonNullable<ScenarioResult['adaptive']>): number {
  const from = Math.ceil(a.changedAtSeconds + SETTLED_FROM_SECONDS);
  return a.admittedPerSecond.slice(from, from + SETTLED_FOR_SECONDS).filter((n) => n < a.toRps / 2).length;
}

/** The 1k viewer's together/alone ratio for one of the two times, or null without both. */
function fairRatio(s: ScenarioResult, results: BenchResults, which: 'stats' | 'done'): number | null {
  const v = fairnessRows(s, results).find((x) => x.key === 'demo-1k');
  const together = v?.together[which];
  const alone = v?.alone?.[which];
  return together !== null && together !== undefined && alone ? together / alone : null;
}

/** Issue 14's targets. */
function targets(results: BenchResults): Target[] {
  const deadline = (results.settings.reportDeadlineMs ?? 120_000) / 1000;
  const cpu = (s: ScenarioResult) => cpuSentence(s, results);
  const rss = (s: ScenarioResult) => rssDiagnosis(s, results);
  const real = ['real-1k', 'real-2k'];
  return [
    { label: '10k cold within 1.25 × T*', scenario: '10k', measured: (s) => s.ratio, unit: '× T*', limit: 1.25, digits: 2 },
    { label: '20 concurrent within 1.3 × T*', scenario: 'concurrent-20x2k', measured: (s) => s.ratio, unit: '× T*', limit: 1.3, digits: 2 },
    { label: '100k within 1.2 × T*', scenario: '100k', measured: (s) => s.ratio, unit: '× T*', limit: 1.2, digits: 2 },
    { label: 'worker CPU ≤ 5 s for a 10k session', scenario: '10k', measured: (s) => s.worker.cpuSeconds, unit: 'CPU s', limit: 5, digits: 1, diagnose: cpu },
    { label: 'whole machine (worker, PostgreSQL, Temporal server, stand-ins) ≤ 10 CPU s for a 10k session', scenario: '10k', measured: stackCpu, unit: 'CPU s', limit: 10, digits: 1, diagnose: cpu },
    { label: 'worker peak RSS ≤ 400 MB at 100k', scenario: '100k', measured: (s) => s.worker.peakRssMb, unit: 'MB', limit: 400, diagnose: rss },
    { label: 'worker peak RSS ≤ 400 MB at 20 concurrent', scenario: 'concurrent-20x2k', measured: (s) => s.worker.peakRssMb, unit: 'MB', limit: 400, diagnose: rss },
    ...real.map((name): Target => ({ label: 'real limits: report COMPLETED within 1.05 × T*', scenario: name, measured: (s) => s.ratio, unit: '× T*', limit: 1.05, digits: 2 })),
    ...real.map(
      (name): Target => ({ label: `real limits: first report (STATS_DATA_READY or provisional) within REPORT_DEADLINE`, scenario: name, measured: (s) => s.statsReadySeconds?.max ?? null, unit: 's', limit: deadline, digits: 1 }),
    ),
    {
      label: 'worker start-up ≤ 2 s: the compiled product worker, spawn to both pollers',
      scenario: 'compiled worker probe',
      measured: () => null,
      ofResults: () => ({
        value: results.compiledWorker?.startupSeconds ?? null,
        why: compiledStartupFacts(results),
      }),
      unit: 's',
      limit: 2,
      digits: 2,
    },
    { label: 'worker start-up ≤ 2 s: the bench worker (tsx, prebuilt bundle), spawn to both pollers', scenario: '10k', measured: (s) => s.worker.readyAfterSeconds ?? null, unit: 's', limit: 2, digits: 1, diagnose: (s) => startupDiagnosis(s, results) },
    { label: 'a 1k viewer beside a 100k one: STATS_DATA_READY ≤ 1.5 × alone', scenario: 'fair-1k-beside-100k', measured: (s) => fairRatio(s, results, 'stats'), unit: '× alone', limit: 1.5, digits: 2, diagnose: (s) => fairnessDiagnosis(s, results) },
    { label: 'a 1k viewer beside a 100k one: COMPLETED ≤ 1.5 × alone', scenario: 'fair-1k-beside-100k', measured: (s) => fairRatio(s, results, 'done'), unit: '× alone', limit: 1.5, digits: 2, diagnose: (s) => fairnessDiagnosis(s, results) },
    {
      label: 'TMDB halving its limit mid-run: 429s < 2% of TMDB requests',
      scenario: 'adaptive-halving',
      measured: (s) => (s.adaptive?.requests ? (100 * (s.adaptive.rateLimited ?? 0)) / s.adaptive.requests : null),
      unit: '%',
      limit: 2,
      digits: 2,
      strict: true,
      diagnose: adaptiveDiagnosis,
    },
    {
      label: `TMDB halving its limit mid-run: throughput ${SETTLED_FROM_SECONDS}–${SETTLED_FROM_SECONDS + SETTLED_FOR_SECONDS} s after the change within 10% of the new limit`,
      scenario: 'adaptive-halving',
      measured: (s) => (s.adaptive?.settledRps != null && s.adaptive.settledWindowComplete ? (100 * Math.abs(s.adaptive.settledRps - s.adaptive.toRps)) / s.adaptive.toRps : null),
      unit: '% off the new limit',
      limit: 10,
      digits: 1,
      diagnose: adaptiveDiagnosis,
    },
    { label: '≤ 150 actions for a 10k session', scenario: '10k', measured: (s) => s.cost.actionsPerSession, unit: 'actions', limit: 150, diagnose: actionDiagnosis },
    {
      label: 'no run’s history over 2,000 events at 100k',
      scenario: '100k',
      measured: (s) => s.cost.largestRun.events,
      unit: 'events (largest run)',
      limit: 2000,
      diagnose: (s) => `Largest run ${s.cost.largestRun.workflowId} (${s.cost.largestRun.events} events); the session ran in ${s.cost.maxRuns} run(s).`,
    },
  ];
}

function targetsSection(results: BenchResults): string {
  const lines = ['| target | scenario | measured | limit | met |', '|---|---|---|---|---|'];
  const misses: string[] = [];
  for (const t of targets(results)) {
    const limit = `${t.strict ? '<' : '≤'} ${t.limit}`;
    if (t.ofResults) {
      const { value, why } = t.ofResults();
      const met = value !== null && (t.strict ? value < t.limit : value <= t.limit);
      lines.push(`| ${t.label} | ${t.scenario} | ${value === null ? 'not measured' : `${fmt(value, t.digits ?? 0)} ${t.unit}`} | ${limit} | ${value === null ? '–' : met ? 'yes' : '**no**'} |`);
      if (value !== null && !met) misses.push(`- **${t.label}** (measured ${fmt(value, t.digits ?? 0)} ${t.unit}). ${why}`);
      continue;
    }
    const s = results.scenarios.find((x) => x.name === t.scenario);
    if (!s) {
      lines.push(`| ${t.label} | \`${t.scenario}\` | not run | ${limit} | – |`);
      continue;
    }
    const value = t.measured(s);
    const shown = value === null ? '–' : `${fmt(value, t.digits ?? 0)} ${t.unit}`;
    if (value === null) {
      lines.push(`| ${t.label} | \`${t.scenario}\` | – (not measurable from these results) | ${limit} | – |`);
      misses.push(`- **${t.label}** (not measurable). ${t.diagnose ? t.diagnose(s) : timeDiagnosis(s, results)}`);
      continue;
    }
    const met = s.status === 'ok' && (t.strict ? value < t.limit : value <= t.limit);
    lines.push(`| ${t.label} | \`${t.scenario}\`${s.status === 'ok' ? '' : ` (**${s.status}**)`} | ${shown} | ${limit} | ${met ? 'yes' : '**no**'} |`);
    if (!met) {
      const why = t.diagnose ? t.diagnose(s) : timeDiagnosis(s, results);
      misses.push(`- **${t.label}** (measured ${shown}${s.status === 'ok' ? '' : `, scenario ${s.status}`}). ${why}`);
    }
  }
  return [lines.join('\n'), '', misses.length ? `Measured facts behind each miss (generated):\n\n${misses.join('\n')}` : 'Every target was met in this run.'].join('\n');
}

/** The hand-written notes between the markers, kept across renders. */
function notesOf(markdown: string | undefined): string {
  if (markdown === undefined) return '_No notes yet._';
  const a = markdown.indexOf(NOTES_START);
  const b = markdown.indexOf(NOTES_END);
  return a >= 0 && b > a ? markdown.slice(a + NOTES_START.length, b).trim() : '_No notes yet._';
}

function setupSection(results: BenchResults): string {
  const st = results.settings;
  const services: { name: ServiceName; label: string; unit: string; latency: string; env?: string }[] = [
    { name: 'gandalf', label: 'Gandalf', unit: ' pages/s', latency: ' (lg)', env: 'GANDALF_RPS' },
    { name: 'tmdb', label: 'TMDB', unit: '', latency: '', env: 'TMDB_RPS' },
    { name: 'rt', label: 'Rotten Tomatoes', unit: '', latency: '', env: 'RT_RPS' },
    { name: 'wikidata', label: 'Wikidata (SPARQL)', unit: '', latency: '', env: 'WIKIDATA_RPS' },
    { name: 'openai', label: 'LLM (OpenAI stand-in)', unit: '', latency: ' (la)' },
  ];
  const cells = (setting: Setting, x: (typeof services)[number]) => {
    const l = results.limits[setting]?.[x.name];
    if (!l) return '– | – | –';
    return `${l.rps}${x.unit}, ${l.burst} | ${l.latencyMs} ms${x.latency} | ${x.env ? `${x.env}=${results.appRates[setting]?.[x.env] ?? '–'}` : '–'}`;
  };
  return [
    `| service | ${SETTINGS.map((k) => `${k}: stand-in rate limit (req/s, burst) | ${k}: stand-in latency | ${k}: app client-side rate`).join(' | ')} |`,
    `|---|${'---|'.repeat(3 * SETTINGS.length)}`,
    ...services.map((x) => `| ${x.label} | ${SETTINGS.map((k) => cells(k, x)).join(' | ')} |`),
    '',
    '*fast*: generous limits that expose the orchestration\'s own overhead (CPU, queueing, round trips). *real*: the limits a polite client lives with (shared/DESIGN.md §4); the external services dominate, and the time to a first report (STATS_DATA_READY) matters more than the time to the last score.',
    '',
    'No jitter, no injected faults. The AI goes through the OpenAI-compatible stand-in (`OPENAI_BASE_URL`), so every AI answer costs the LLM latency.',
    '',
    workersLine(results),
    '',
    `Pipeline settings (the defaults unless overridden in the environment): PAGE_SIZE=${st.pageSize}, PAGES_PER_FETCH=${st.pagesPerFetch}, FETCH_CONCURRENCY=${st.fetchConcurrency}, CHUNK_SIZE=${st.chunkSize}, CHILD_WINDOW=${st.childWindow}, CONTINUE_AS_NEW_EVERY_PAGES=${st.continueAsNewEveryPages}, STAR_SIGN_GATE=${st.starSignGate}, RT_MAX_CONCURRENCY=${results.rtMaxConcurrency}${results.tmdbMaxConcurrency === undefined ? ' (per chunk)' : `, TMDB_MAX_CONCURRENCY=${results.tmdbMaxConcurrency} (the worker's lanes, shared between sessions)`}; the worker runs up to 50 activities at once.`,
  ].join('\n');
}

/** How the bench's workers start, and the compiled product worker's start-up when probed. */
function workersLine(results: BenchResults): string {
  const b = results.workflowBundle;
  const c = results.compiledWorker;
  return [
    b
      ? `Workers: the bench bundles bench/baselines/bundle.ts (the product's workflows and the two baselines, with the product's failure converter) once per invocation (${int(b.kb)} kB in ${fmt(b.seconds)} s, in its own process); every scenario's worker loads that bundle (\`workflowBundle: { codePath }\`) instead of running webpack at start. *worker start-up* is from spawning \`node --import tsx bench/worker.ts\` to both pollers (see the start-up targets for where it goes).`
      : 'Workers: each bundled the workflows with webpack at start (results from before the prebuilt bundle).',
    c
      ? `Compiled product worker (\`npm run build\`, ${fmt(c.buildSeconds)} s; then \`node dist/src/worker/main.js\` with WORKFLOW_BUNDLE_PATH=dist/workflow-bundle.js, probed once on ${c.measuredAt.slice(0, 10)} at \`${c.commit}\`): **${fmt(c.startupSeconds, 2)} s** from spawn to both pollers, idle RSS ${fmt(c.rssMb, 0)} MB.`
      : 'Compiled product worker: not probed in these results (`npm run bench -- --probe-compiled …`).',
    results.temporalFairness === undefined ? '' : `Temporal dev server: fairness keys ${results.temporalFairness ? 'on (`matching.enableFairness=true`, `matching.useNewMatcher=true`, as `npm start` runs it)' : '**off**'}.`,
  ]
    .filter(Boolean)
    .join(' ');
}

function otherCpu(s: ScenarioResult, nproc: number): number {
  const used = s.machineCpuBusy * nproc * s.wallSeconds;
  return Math.max(0, used - s.worker.cpuSeconds - (s.worker.childCpuSeconds ?? 0) - (s.postgresCpuSeconds ?? 0) - (s.temporalServerCpuSeconds ?? 0) - (s.benchProcessCpuSeconds ?? 0));
}

function otherLoadSentence(results: BenchResults): string {
  const n = results.machine.nproc;
  const capacity = results.scenarios.reduce((a, s) => a + n * s.wallSeconds, 0);
  const other = results.scenarios.reduce((a, s) => a + otherCpu(s, n), 0);
  const share = other / capacity;
  return share > 0.1
    ? `other jobs on this machine used **${pct(share)}** of its CPU time during the scenarios (see the CPU table): these times are slower than on a quiet machine.`
    : `other jobs on this machine used ${pct(share)} of its CPU time during the scenarios.`;
}

/** `previousMarkdown`: the RESULTS.md being replaced, whose notes carry over. */
/** Bytes on disk per table after each cold single-session scenario, and per row (what CAPACITY.md sizes the database from). */
function databaseSection(results: BenchResults): string {
  const measured = results.scenarios.filter((s) => s.tableBytes && s.sessions === 1 && s.history.uncachedShows === s.history.shows && !s.catalog && s.workflow === 'session');
  if (measured.length === 0) return '';
  const tables = Object.keys(measured[0]!.tableBytes!);
  const mb = (b: number) => fmt(b / 1e6, 1);
  const head = `| scenario | ${tables.map((t) => `${t} MB (B/row)`).join(' | ')} | total MB |`;
  const rows = measured.map((s) => {
    const b = s.tableBytes!;
    const cells = tables.map((t) => `${mb(b[t] ?? 0)} (${s.rows[t] ? fmt((b[t] ?? 0) / s.rows[t]!, 0) : '–'})`);
    return `| \`${s.name}\` | ${cells.join(' | ')} | ${mb(Object.values(b).reduce((x, y) => x + y, 0))} |`;
  });
  return `Database size after each cold single-session scenario (\`pg_total_relation_size\`: table, indexes and TOAST; bytes per row over the rows the scenario wrote, so small tables read high from their fixed pages):

${[head, `|${'---|'.repeat(tables.length + 2)}`, ...rows].join('\n')}
`;
}

export function resultsMarkdown(results: BenchResults, fresh: BenchResults, previousMarkdown: string | undefined): string {
  const m = results.machine;
  const times = results.scenarios.map((s) => s.runAt).sort();
  const commits = [...new Set(results.scenarios.map((s) => s.commit))];
  const runs = `${times[0].slice(0, 16).replace('T', ' ')} – ${times.at(-1)!.slice(11, 16)} UTC, at ${commits.map((c) => `\`${c}\``).join(', ')} (the commit each scenario ran at; other work was being committed meanwhile)`;
  const tenK = results.scenarios.find((s) => s.name === '10k') ?? results.scenarios[0];
  return `# Benchmark results

Generated by \`npm run bench\` (bench/run.ts) on ${fresh.generatedAt.slice(0, 10)}.

- **Machine:** ${m.nproc} CPUs (\`nproc\`), ${m.memoryGb} GB memory, ${m.cpuModel}; ${m.platform}; Node ${m.node}
- **Commit:** \`${fresh.commit}\` (\`git rev-parse --short HEAD\`; "+uncommitted" = the working tree had changes)
- **Runs in this table:** ${runs}
- **Stack:** Temporal CLI ${results.temporalCli} with a temporary state file; ${results.database}; stand-ins in the bench process; one worker process per scenario (\`node --import tsx bench/worker.ts\`: the product's worker loading the bench's workflow bundle, built once per invocation, which adds the baselines) on its own task queue.
- **Last invocation took** ${fmt(fresh.totalSeconds, 0)} s.
- **Machine load:** ${otherLoadSentence(results)}

## Setup

${setupSection(results)}

**Lower bound** (shared/DESIGN.md §4, beside the repository): \`${BOUND_FORMULA}\`, with P = ⌈activities / PAGE_SIZE⌉ history pages, S = distinct shows of the history and M = those of them that match on TMDB (both from the stand-in's own data: M counts the catalog shows on TMDB that are not decoys, whether or not RT has a page), C = CHUNK_SIZE (${results.settings.chunkSize}), and rg, rt, rr, rw the Gandalf, TMDB, RT and Wikidata rates of the scenario's setting: TMDB needs two requests per show (search, details), RT at least one per matched show (its page; slug guesses cost more), Wikidata one query per chunk of C matched shows. For N concurrent sessions P, S and M are summed; for the warm run S and M count only shows not already cached (0 → only the fetch term).

## Results, fast limits

${mainTable(results)}

- *wall*: from starting the workflow(s) to the last one COMPLETED. *STATS_DATA_READY*: first time the \`sessions\` row showed it (polled every 100 ms; for several sessions first–last).
- *actions*: counted from the exported histories of every run of the session workflow and every child (shared/DESIGN.md §3): each run's start 1, child start 2 (not again on the child's side), each activity attempt 1, timer 1, signal received 1, search-attribute upsert 1, plus the one \`progress\` query the bench made per SessionWorkflow; heartbeats are **estimated** (they are not in history): 1 + ⌊duration / 48 s⌋ per activity that declares a heartbeat timeout (the SDK throttles to 80% of the 60 s timeout).
- *largest run*: the biggest single run's history (events, and KB of its JSON export). *worker peak RSS*: VmHWM of the worker process, reset when the session started (${tenK?.worker.peakCoversSessionOnly ? 'reset worked' : 'reset not available: includes start-up'}); *worker CPU*: utime + stime over the session and its trailing children.
- *worker RSS at start*: the idle worker's RSS right before the session started (start-up done, bundle loaded). *CPU ms / request*: CPU over every request the stand-ins saw (all services, 429s included); *CPU ms / row*: over the rows written. *all CPU*: the worker and its child processes, PostgreSQL's backends for the scenario's database, the Temporal server and the bench process with the stand-ins (the CPU table's columns; not other jobs on the machine).
- *rows written*: rows of episodes, films, session_shows, reports, insights, date_problems for the session(s), plus rows added to the shared shows, show_cast, actors, show_genres tables.
- A scenario marked **timeout** was stopped at its time limit (bench/scenarios.ts) and its workflows terminated: its wall time, actions, rows and events are lower bounds.
- *idle of the bottleneck*: 1 − admitted requests / (rate × wall time) for the service whose term wins T*'s max (all of them when terms tie).
- *TMDB req / S*, *RT req / M*, *Wikidata req / ⌈M/C⌉*: every request the stand-in received (429s included) from the start until every workflow of the scenario closed, over the bound's minimum: TMDB 2 per show (a show TMDB does not have takes only the search, so the true minimum is (S + M) / S, just under 2), RT 1 per matched show, Wikidata 1 per chunk. RT also counts the crawler's robots.txt fetch; slug guesses (404s) and pages that fail the JSON-LD check cost more. For concurrent sessions S and M are summed over the sessions while the cache is shared, so shows two viewers share can push a ratio below the minimum.

## Memory against the session's size

Worker peak RSS at 10k / 100k / 200k (and 1k): the session's state lives in Temporal and PostgreSQL, so the worker's memory should stay flat as histories grow.

${memoryTable(results)}

## Fairness between viewers

A small viewer who starts while a big one runs on the same worker and task queue (fairness keys, one per session), against each viewer's own scenario alone; times from each viewer's own start.

${fairnessTable(results)}

## Adaptive limits

A stand-in lowers its limit mid-run without telling the app; the shared adaptive limiter (AIMD, src/clients/rateLimiter.ts) has to find the new limit from the 429s. Counted from the stand-in's own timestamps.

${adaptiveTable(results)}

## Results, real limits

${realTable(results)}

- *STATS_DATA_READY*: the time to a first report (stats and quips); *report COMPLETED*: the time to the full report, after the crawl (the star sign waits for 97% of it); *wall/T**: COMPLETED over T*, where T* is usually RT's term M/rr.

## Pre-warming (the catalog crawler)

${catalogTable(results)}

- *pre-warmed*: a fresh database where a catalog crawl seeded with the viewer's TMDB shows ran to its end before the clock started (its time is in "the crawl"); the session then looks up only what the crawl could not warm: shows whose name several TMDB shows share (only the viewer's watch dates can pick one) and titles with a region tag (their own row).
- *beside a crawl*: a crawl from 20 popular shows the viewer did not watch (target 5,000, 5 rounds) was warming shows when the session started and ran on until it completed; its chunks give way to viewers' working sessions before each request, and every task it queues has priority 5 against the session's 1. Its requests are in this scenario's counts. Shows of the viewer it had warmed by the start count as cached in T*.
- The 10% target for a concurrent pre-warm is on the time to the first report: STATS_DATA_READY, and COMPLETED (for a 1k viewer the first report is the final one).

How the shows ended (a fast run that drops shows is not a good run; counts over the distinct shows of the scenario's sessions, so for the warm run they are the cached outcomes):

${outcomesTable(results)}

${databaseSection(results)}

![chart](chart.svg)

## Where the time went

${timelineTable(results)}

CPU over each scenario's wall time (${results.machine.nproc} CPUs; the worker's CPU also covers children finishing after COMPLETED; "other jobs" is whatever else ran on the machine meanwhile):

${cpuTable(results)}

${backendsTable(results)}

Activities, from the histories (schedule→start is time waiting for a free worker slot; start→close is the activity itself):

${results.scenarios.map((s) => `<details${s.name === '10k' ? ' open' : ''}><summary><code>${s.name}</code></summary>\n\n${activityTable(s)}\n\n</details>`).join('\n')}

## Where the actions went

${actionsTable(results)}

## Targets

${targetsSection(results)}

## Reading
${NOTES_START}
${notesOf(previousMarkdown)}
${NOTES_END}
`;
}

export function readmeSection(results: BenchResults): string {
  const l = results.limits.fast;
  const r = results.limits.real;
  const rows = results.scenarios.map((s) => {
    // A scenario stopped at its time limit only gives lower bounds.
    const ge = s.status === 'ok' ? '' : '≥ ';
    return `| \`${s.name}\`${s.status === 'ok' ? '' : ` (${s.status})`} | ${settingOf(s)} | ${int(s.history.activities)} | ${fmt(s.bound.seconds)} | ${ge}${fmt(s.wallSeconds)} | ${ge}${fmt(s.ratio, 2)} | ${s.statsReadySeconds ? fmt(s.statsReadySeconds.max) : '–'} | ${perMin(s, 'rtPerMatchedShow')} | ${perMin(s, 'wikidataPerChunk')} | ${ge}${fmt(s.cost.actionsPerSession, 0)} | ${ge}${int(s.cost.largestRun.events)} | ${fmt(s.worker.peakRssMb, 0)} |`;
  });
  return `## Benchmark

\`\`\`sh
npm run bench                                   # every scenario, about 15 minutes on a quiet 2-core machine
npm run bench -- --only 1k,real-1k              # a subset (or repeat --scenario <name>)
npm run bench -- --setting real                 # every scenario of one rate setting (fast or real)
npm run bench -- --scenario 10k --cpu-prof      # also a V8 CPU profile of the worker (read it with tsx bench/profile.ts)
npm run bench -- --only 1k --probe-compiled     # also time the compiled product worker's start-up (npm run build)
npm run bench -- --only 1k --out-dir /tmp/trial # a trial: write the four files there, not into bench/
npm run bench -- --render-only                  # rebuild RESULTS.md and the chart from results.json
\`\`\`

It needs PostgreSQL (\`DATABASE_URL\`, default \`postgres://postgres@127.0.0.1:5432/test\`; the bench creates and
drops its own scratch databases) and the pinned Temporal CLI (found or fetched like \`npm start\` does). It
starts a Temporal dev server on free ports, the stand-ins under one of two fixed settings, and a worker
process per scenario; it stops everything it started and writes \`bench/results.json\`, \`bench/RESULTS.md\`
and \`bench/chart.svg\`. The settings (the app's own rates set to match):

- **fast**, generous limits that expose the orchestration's own overhead: Gandalf ${l.gandalf.rps} pages/s and ${l.gandalf.latencyMs} ms,
  TMDB ${l.tmdb.rps} req/s and ${l.tmdb.latencyMs} ms, Rotten Tomatoes ${l.rt.rps} req/s and ${l.rt.latencyMs} ms, Wikidata ${l.wikidata.rps} req/s and ${l.wikidata.latencyMs} ms, LLM ${l.openai.latencyMs} ms;
- **real**, the limits a polite client lives with: Gandalf ${r.gandalf.rps} pages/s, TMDB ${r.tmdb.rps} req/s, Rotten Tomatoes ${r.rt.rps} req/s,
  Wikidata ${r.wikidata.rps} req/s (same latencies); the crawl dominates, and the time to a first report matters most.

Scenarios, fast: \`1k\`, \`10k\`, \`100k\` (one session each, cold cache), \`10k-warm\` (the 10k viewer again with
every show cached), \`concurrent-20x2k\` (20 different 2k viewers at once, sharing the rate limits), and
two baselines on the 10k viewer: \`naive-10k\` (one activity per page and per show per stage, no
batching, no cache) and \`staged-10k\` (batched, but each stage waits for the previous one); with the catalog
crawler, \`10k-prewarmed\` (the 10k viewer after a crawl seeded with its shows) and \`1k-beside-crawl\` (the 1k viewer
while a big crawl runs); \`200k\` (memory against the session's size; the stand-in's largest history), \`fair-1k-beside-100k\` (a 1k viewer starting
5 s after a 100k one on the same worker, against both alone; selecting it runs \`1k\` and \`100k\` too) and
\`adaptive-halving\` (the 10k viewer while TMDB halves its limit mid-run, unannounced); scale-out: \`10k-2w\`, \`10k-3w\`, \`concurrent-20x2k-2w\`, \`concurrent-20x2k-3w\` (the same work on 2 and 3 worker processes; their CPU is summed, their RSS the largest). Real: ${SCENARIOS.filter((s) => s.setting === 'real').map((s) => `\`${s.name}\``).join(', ')} (one session each, cold cache;
the last beside a big crawl).

Each is compared with the lower bound \`${BOUND_FORMULA}\` (P pages, S shows, M of them
matched on TMDB, C = CHUNK_SIZE, r the rate limits, l the latencies): the busiest rate-limited service kept
saturated from the first page on. Beside it, the requests each service took over its minimum: RT per matched
show (at least 1; slug guesses cost more) and Wikidata per chunk of C shows (at least 1). Temporal cost is counted in actions (each workflow start, activity attempt, timer, signal, child
start and search-attribute upsert; see bench/RESULTS.md) from the exported histories.

| scenario | limits | activities | T* (s) | wall (s) | wall/T* | STATS_DATA_READY (s) | RT req / matched show | Wikidata req / chunk | actions / session | largest run (events) | worker peak RSS (MB) |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Measured on ${results.machine.nproc} CPUs (${results.machine.cpuModel}), ${results.machine.memoryGb} GB; ${otherLoadSentence(results)}
Details, the targets and what limits each number are in [bench/RESULTS.md](bench/RESULTS.md); "≥" marks a scenario stopped at its
time limit. Pipeline knobs (\`PAGES_PER_FETCH\`, \`CHUNK_SIZE\`, \`CHILD_WINDOW\`, …) can be set in the environment to compare settings.
Another scenario run with the same settings replaces only its own row.

![chart](bench/chart.svg)
`;
}
