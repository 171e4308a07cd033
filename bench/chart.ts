// bench/chart.svg, hand-rolled (no plotting dependency): two log–log panels, time and Temporal
// actions against history size, for the single-session scenarios with the others as labelled points.
import type { BenchResults, ScenarioResult } from './results.js';
import { ofSetting, SETTINGS } from './scenarios.js';

interface Point {
  x: number;
  y: number;
  label?: string;
}

interface Series {
  name: string;
  color: string;
  points: Point[];
  line: boolean;
  dashed?: boolean;
  marker: 'circle' | 'square' | 'diamond' | 'triangle';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

const short = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v));

function marker(kind: Series['marker'], x: number, y: number, color: string): string {
  switch (kind) {
    case 'square':
      return `<rect x="${x - 4}" y="${y - 4}" width="8" height="8" fill="${color}"/>`;
    case 'diamond':
      return `<path d="M${x} ${y - 5}L${x + 5} ${y}L${x} ${y + 5}L${x - 5} ${y}Z" fill="${color}"/>`;
    case 'triangle':
      return `<path d="M${x} ${y - 5}L${x + 5} ${y + 4}L${x - 5} ${y + 4}Z" fill="${color}"/>`;
    default:
      return `<circle cx="${x}" cy="${y}" r="4" fill="${color}"/>`;
  }
}

/** One log–log panel at (ox, oy) of size w × h. */
function panel(title: string, yLabel: string, series: Series[], ox: number, oy: number, w: number, h: number): string {
  const all = series.flatMap((s) => s.points).filter((p) => p.y > 0 && p.x > 0);
  if (all.length === 0) return '';
  const pow = (v: number, down: boolean) => 10 ** (down ? Math.floor(Math.log10(v)) : Math.ceil(Math.log10(v)));
  // A little room left and right so markers at the ends do not sit on the frame.
  const [xMin, xMax] = [Math.min(...all.map((p) => p.x)) / 1.6, Math.max(...all.map((p) => p.x)) * 1.6];
  const [yMin, yMax] = [pow(Math.min(...all.map((p) => p.y)), true), pow(Math.max(...all.map((p) => p.y)), false)];
  const sx = (x: number) => ox + ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * w;
  const sy = (y: number) => oy + h - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * h;
  const out: string[] = [];
  out.push(`<text x="${ox + w / 2}" y="${oy - 14}" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (const t of logTicks(xMin, xMax)) {
    out.push(`<line x1="${sx(t)}" y1="${oy}" x2="${sx(t)}" y2="${oy + h}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${sx(t)}" y="${oy + h + 16}" text-anchor="middle" font-size="11">${short(t)}</text>`);
  }
  for (const t of logTicks(yMin, yMax)) {
    out.push(`<line x1="${ox}" y1="${sy(t)}" x2="${ox + w}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${ox - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11">${short(t)}</text>`);
  }
  out.push(`<rect x="${ox}" y="${oy}" width="${w}" height="${h}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${ox + w / 2}" y="${oy + h + 34}" text-anchor="middle" font-size="12">history size (activities, log scale)</text>`);
  out.push(`<text transform="translate(${ox - 44} ${oy + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`);
  // Labels dodge each other: each moves down until its box overlaps no label placed before it.
  const placed: { x0: number; x1: number; y0: number; y1: number }[] = [];
  const place = (x: number, y: number, text: string, left: boolean) => {
    const width = text.length * 5.3;
    const box = (yy: number) => ({ x0: left ? x - width : x, x1: left ? x : x + width, y0: yy - 9, y1: yy + 2 });
    let yy = y;
    while (placed.some((b) => { const n = box(yy); return n.x0 < b.x1 && b.x0 < n.x1 && n.y0 < b.y1 && b.y0 < n.y1; })) yy += 11;
    placed.push(box(yy));
    return yy;
  };
  for (const p of all) placed.push({ x0: sx(p.x) - 5, x1: sx(p.x) + 5, y0: sy(p.y) - 5, y1: sy(p.y) + 5 });
  for (const s of series) {
    const pts = s.points.filter((p) => p.y > 0).sort((a, b) => a.x - b.x);
    if (s.line && pts.length > 1) {
      const d = pts.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    for (const p of pts) {
      out.push(marker(s.marker, sx(p.x), sy(p.y), s.color));
      // Labels of points in the right part of the panel go to their left, so they stay inside it.
      const left = sx(p.x) > ox + w * 0.6;
      if (p.label) {
        const x = sx(p.x) + (left ? -7 : 7);
        const y = place(x, sy(p.y) - 6, p.label, left);
        out.push(`<text x="${x}" y="${y}" font-size="10" fill="${s.color}"${left ? ' text-anchor="end"' : ''}>${esc(p.label)}</text>`);
      }
    }
  }
  // Legend inside the panel's top-left corner.
  series.forEach((s, i) => {
    const y = oy + 14 + i * 16;
    out.push(marker(s.marker, ox + 12, y - 4, s.color));
    if (s.line) out.push(`<line x1="${ox + 4}" y1="${y - 4}" x2="${ox + 20}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`);
    out.push(`<text x="${ox + 26}" y="${y}" font-size="11">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

export function chartSvg(results: BenchResults): string {
  const by = (name: string) => results.scenarios.find((s) => s.name === name);
  const single = ['1k', '10k', '100k', '200k'].map(by).filter((s): s is ScenarioResult => !!s);
  const real = ofSetting(results, 'real').filter((s) => s.sessions === 1);
  const extras = ['10k-warm', 'concurrent-20x2k', 'naive-10k', 'staged-10k'].map(by).filter((s): s is ScenarioResult => !!s);
  const perSessionSize = (s: ScenarioResult) => s.history.activities / s.sessions;
  const cut = (s: ScenarioResult) => (s.status === 'ok' ? '' : ` (${s.status}, ≥)`);
  const extraLabel = (s: ScenarioResult) => `${s.name === 'concurrent-20x2k' ? '20×2k (total)' : s.name}${cut(s)}`;

  const timeSeries: Series[] = [
    { name: 'wall time to COMPLETED', color: '#1f77b4', line: true, marker: 'circle', points: single.map((s) => ({ x: s.history.activities, y: s.wallSeconds })) },
    { name: 'lower bound T*', color: '#555', line: true, dashed: true, marker: 'square', points: single.map((s) => ({ x: s.history.activities, y: s.bound.seconds })) },
    { name: 'time to STATS_DATA_READY', color: '#2ca02c', line: true, marker: 'triangle', points: single.map((s) => ({ x: s.history.activities, y: s.statsReadySeconds?.max ?? 0 })) },
    { name: 'other scenarios (wall)', color: '#d62728', line: false, marker: 'diamond', points: extras.map((s) => ({ x: s.history.activities, y: s.wallSeconds, label: extraLabel(s) })) },
    ...(real.length
      ? ([
          { name: 'real limits: COMPLETED', color: '#ff7f0e', line: true, marker: 'circle', points: real.map((s) => ({ x: s.history.activities, y: s.wallSeconds, label: `${s.name}${cut(s)}` })) },
          { name: 'real limits: T*', color: '#ff7f0e', line: true, dashed: true, marker: 'square', points: real.map((s) => ({ x: s.history.activities, y: s.bound.seconds })) },
          { name: 'real limits: STATS_DATA_READY', color: '#8c564b', line: true, marker: 'triangle', points: real.map((s) => ({ x: s.history.activities, y: s.statsReadySeconds?.max ?? 0 })) },
        ] satisfies Series[])
      : []),
  ];
  const actionSeries: Series[] = [
    { name: 'actions per session', color: '#9467bd', line: true, marker: 'circle', points: single.map((s) => ({ x: s.history.activities, y: s.cost.actionsPerSession })) },
    { name: 'other scenarios (per session)', color: '#d62728', line: false, marker: 'diamond', points: extras.map((s) => ({ x: perSessionSize(s), y: s.cost.actionsPerSession, label: `${s.name === 'concurrent-20x2k' ? '20×2k' : s.name}${cut(s)}` })) },
  ];
  const W = 1000;
  const H = 420;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">
<rect width="${W}" height="${H}" fill="#fff"/>
${panel('Time against history size', 'seconds (log scale)', timeSeries, 70, 50, 380, 300)}
${panel('Temporal actions against history size', 'actions per session (log scale)', actionSeries, 580, 50, 380, 300)}
<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="10" fill="#666">${esc(`showprint bench, ${results.generatedAt.slice(0, 10)}, ${results.machine.nproc} CPUs; ${SETTINGS.map((k) => { const l = results.limits[k]; return l ? `${k}: Gandalf ${l.gandalf.rps}/s, TMDB ${l.tmdb.rps}/s, RT ${l.rt.rps}/s, Wikidata ${l.wikidata.rps}/s` : ''; }).filter(Boolean).join('; ')}`)}</text>
</svg>
`;
}
