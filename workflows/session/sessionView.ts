// The Web UI's "current details" of a session: a markdown table of its steps, one row per stage of
// the pipeline table, rebuilt at every step of the workflow.
import type { SessionRun } from './sessionRun.js';

/** The Web UI's "current details": a markdown table of the stages. */
export function describeSession(run: SessionRun, sessionId: string, failureReason?: string): string {
  const p = run.progress(sessionId, Date.now(), failureReason);
  const row = (name: string, st: { done: number; total: number; failed: number; percent: number }) => `| ${name} | ${st.done} / ${st.total} | ${st.failed} | ${st.percent}% |`;
  const mark = (passed: boolean) => (passed ? '✓' : '…');
  return [
    `**Session ${sessionId}**: ${p.state}${failureReason ? ` (${failureReason})` : ''}, ${p.percent}% (run ${run.run})`,
    ...(p.paused ? ['', `**PAUSED** since ${p.paused.since}${p.paused.reason ? `: ${p.paused.reason}` : ''}`] : []),
    ...(p.throttled ?? []).map((t) => `\n**THROTTLED**: ${t.service} has refused us for pace since ${t.since}; waiting at its pace`),
    '',
    '| stage | done / total | failed | % |',
    '|---|---|---|---|',
    row('fetch (pages)', p.stages.fetch),
    ...run.stages.map((stage) => row(stage.label, p.stages[stage.name])),
    `| gates | quips ${mark(run.gates.quips)} · bff ${mark(run.gates.bff)} · star sign ${mark(run.gates.starSign)} | | |`,
    `| report | ${reportLine(run)} | | |`,
  ].join('\n');
}

function reportLine(run: SessionRun): string {
  const latest = run.latestReport;
  const due = run.provisionalDueAtMs;
  if (latest) return `v${latest.version} ${latest.final ? 'final' : 'provisional'}${latest.coverage ? ` · ${latest.coverage}` : ''}`;
  return due === null ? 'not yet' : `provisional due ${new Date(due).toISOString()}`;
}
