// Human-readable terminal output for progress and reports.
import { type ForgetReceipt, type SessionProgress, type StageLabel, stageLabels } from '../contracts/index.js';
import { watchedLine } from '../domain/cardVerdicts.js';
import { type Report, STORY_CARDS } from '../domain/report.js';
import { YEAR_CARDS, type YearReport, yearCardText } from '../domain/period.js';

/** The pipeline's stages as the session's progress names them (older runs' progress: this build's table). */
export const progressStages = (p: SessionProgress): StageLabel[] => (p.pipeline ?? stageLabels()).filter((stage) => p.stages[stage.name] !== undefined);

/** AI steps finished, of three. */
export const aiStepsDone = (p: SessionProgress): number => [p.stages.quips, p.stages.bff, p.stages.starSign].filter((s) => s.complete).length;

export function formatProgressLine(p: SessionProgress): string {
  const st = p.stages;
  const eta = p.etaSeconds === null ? '' : ` eta ${p.etaSeconds}s`;
  const stages = progressStages(p).map(({ name, label }) => `${label} ${st[name].done}/${st[name].total}  `);
  return `${p.state.padEnd(17)} ${String(Math.round(p.percent)).padStart(3)}%  pages ${st.fetch.done}/${st.fetch.total}  ${stages.join('')}ai ${aiStepsDone(p)}/3${eta}`;
}

/** "12 via Wikidata, 3 by slug, 2 not on RT" (older stored reports have no such counts). */
function rtFound(r: Report): string {
  const by = r.dataQuality.rtMatchedBy;
  return by ? `${by.wikidata} via Wikidata, ${by.slug} by slug, ${by.notFound} not on RT` : '–';
}

/** "40 by IMDb id, 5 by TVDB id, 12 by name" (older stored reports have no such counts). */
function showsIdentified(r: Report): string {
  const by = r.dataQuality.identifiedBy;
  return by ? `${by.imdb} by IMDb id, ${by.tvdb} by TVDB id, ${by.name} by name` : '–';
}

/** The report as labelled lines: what `report` prints and what a version-to-version diff compares. */
function reportLines(r: Report): [label: string, value: string][] {
  const lines: [string, string][] = [
    ['First show', r.firstShow ? `${r.firstShow.name} (${r.firstShow.date})` : '–'],
    ['  first show quip', r.firstShowQuip ?? ''],
    ['Most watched', r.mostWatchedShow ? `${r.mostWatchedShow.name}, ${watchedLine(r.mostWatchedShow.watched, r.mostWatchedShow.total)}` : '–'],
    ['  most watched quip', r.mostWatchedShowQuip ?? ''],
    ['Top shows', r.topShows.map((s) => `${s.name} (${s.episodes})`).join(', ') || '–'],
    ['Totals', `${r.totalShows} shows, ${r.totalEpisodes} episodes, ${r.films} films`],
    ['  shows found', showsIdentified(r)],
    ['Crossover star', r.crossoverStar ? `${r.crossoverStar.name} in ${r.crossoverStar.showCount} shows (${r.crossoverStar.shows.join(', ')})` : '–'],
    ['Genres', r.genres.map((g) => `${g.name} ${g.share}%`).join(', ') || '–'],
    ['  genres quip', r.topGenresQuip ?? ''],
    ['RT taste', r.rtScore ? `${r.rtScore.score} (${r.rtScore.band})` : '–'],
    ['  RT pages found', rtFound(r)],
    ['  RT quip', r.rtScoreQuip ?? ''],
    ['TV best friend', r.bff ? `${r.bff.name} from ${r.bff.show}: ${r.bff.quip}` : '–'],
    ['Star sign', r.starSign ? `${r.starSign.sign}: ${r.starSign.quip}` : '–'],
    ['Personality', r.personality ? `${r.personality.name}: ${r.personality.quip}` : '–'],
  ];
  // A provisional card says what it was drawn from (older reports have no coverage).
  const partial = r.coverage ? STORY_CARDS.filter((card) => !r.coverage[card].complete).map((card) => r.coverage[card].label) : [];
  if (partial.length > 0) lines.push(['Coverage', [...new Set(partial)].join('; ')]);
  return lines;
}

const versionTitle = (r: Report) => (r.version === undefined ? '' : ` (v${r.version}${r.final ? '' : ', provisional'})`);

/** Top-level lines are aligned; indented ones belong to the line above (quips print bare). */
function printLine([label, value]: [string, string]): string {
  if (!label.startsWith('  ')) return `${`${label}:`.padEnd(19)}${value}`;
  return label.endsWith('quip') ? `  ${value}` : `${label}:  ${value}`;
}

export function formatReport(r: Report): string {
  const lines = [`── Your TV report${versionTitle(r)} ──`, ...reportLines(r).map(printLine)];
  if (r.dataQuality.rtUnavailable) lines.push('Note: Rotten Tomatoes was unavailable, so there is no taste score; re-drive the failures later.');
  if (r.dataQuality.invalidDates > 0) lines.push(`Note: ${r.dataQuality.invalidDates} watch dates were impossible and left out (not guessed).`);
  return lines.join('\n');
}

/** What changed from one report version to the next, line by line ("unchanged" when nothing did). */
export function formatReportChanges(before: Report, after: Report): string {
  const old = new Map(reportLines(before));
  const now = new Map(reportLines(after));
  // A line may come (the star sign) or go (the coverage note, once everything is in).
  const labels = [...new Set([...old.keys(), ...now.keys()])];
  const changed = labels.filter((label) => old.get(label) !== now.get(label)).map((label) => [label, now.get(label) ?? ''] as const);
  const title = `── Changes from v${before.version ?? 1} to${versionTitle(after).replace(/^ \(/, ' ').replace(/\)$/, '')} ──`;
  if (changed.length === 0) return `${title}\n(unchanged)`;
  return [title, ...changed.map(([label, value]) => `${label.trim()}: ${old.get(label) || '–'} → ${value || '–'}`)].join('\n');
}

/** The receipt `showprint forget` prints: what went, what stays. */
export function formatReceipt(r: ForgetReceipt): string {
  const rows = Object.entries(r.rowsDeleted)
    .filter(([, n]) => n > 0)
    .map(([table, n]) => `${table} ${n}`)
    .join(', ');
  return [
    `Session ${r.sessionId} erased at ${r.erasedAt} (asked by: ${r.requestedBy}${r.operatorKeyId ? `, key ${r.operatorKeyId}` : ''}).`,
    `  payload key destroyed: ${r.keyIds.length ? r.keyIds.join(', ') : 'none (the session never wrote a payload)'}`,
    `  rows deleted: ${rows || 'none'}`,
    `  workflows closed: ${r.workflowsClosed.length ? r.workflowsClosed.join(', ') : 'none were running'}`,
    `  refresh schedule deleted: ${r.scheduleDeleted ? 'yes' : 'there was none'}`,
    '  kept:',
    ...r.kept.map((k) => `    - ${k}`),
  ].join('\n');
}

/** A year report: each card's heading, its big line and what it says, in story order. */
export function formatYearReport(r: YearReport): string {
  const lines = [`── Your ${r.year} in TV ──`];
  for (const card of YEAR_CARDS) {
    const text = yearCardText(r, card);
    lines.push(`${`${text.eyebrow}:`.padEnd(36)}${text.title}`, ...text.lines.map((l) => `  ${l}`));
  }
  return lines.join('\n');
}
