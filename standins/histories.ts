// Synthetic Netflix watch histories, keyed by Gandalf dataKey (`demo-small`, `demo-<n>`, `demo-<n>k`, `…-clean`).
import { buildCatalog, CATALOG_LATEST_DATE, type Catalog, type CatalogShow } from './catalog.js';
import { CdfSampler, chance, hashString, mulberry32, randInt, type Rng } from './random.js';
import type { DemoDataKey } from '../src/api/demoRouter.js';

export interface HistoryActivity {
  id: string;
  title: string;
  /** Gandalf style M/D/YYYY, month first. */
  date: string;
  /** Stand-in bookkeeping (not part of Gandalf's payload): the catalog show, absent for films. */
  showId?: number;
}


export const DEMO_DATA_KEYS: DemoDataKey[] = [
  { key: 'demo-small', label: 'Small demo viewer (300 activities)', activities: 300 },
  { key: 'demo-1k', label: 'Casual viewer (1,000 activities)', activities: 1_000 },
  { key: 'demo-10k', label: 'Binge watcher (10,000 activities)', activities: 10_000 },
  { key: 'demo-10k-clean', label: 'Binge watcher, no bad dates (10,000 activities)', activities: 10_000 },
  { key: 'demo-100k', label: 'Household of addicts (100,000 activities)', activities: 100_000 },
];

const MAX_ACTIVITIES = 200_000;

/** Parse a demo key into its size; null when the key is not one we serve. */
export function parseDataKey(dataKey: string): { size: number; clean: boolean; base: string } | null {
  const m = /^demo-(small|[1-9]\d{0,5}k?)(-clean)?$/.exec(dataKey);
  if (!m) return null;
  const size = m[1] === 'small' ? 300 : m[1].endsWith('k') ? Number(m[1].slice(0, -1)) * 1000 : Number(m[1]);
  if (!Number.isInteger(size) || size < 1 || size > MAX_ACTIVITIES) return null;
  return { size, clean: m[2] !== undefined, base: `demo-${m[1]}` };
}

// Tuned so distinct shows grow sublinearly: ~1k→75, 10k→375, 100k→1500.
const ZIPF_S = 2.8;
const ZIPF_Q = 24;
const FILM_RATE = 0.03;
const REWATCH_RATE = 0.05;
const MEAN_BINGE = 5;
const BAD_DATE_RATE = 0.001;

const DAY_MS = 86_400_000;

function formatGandalfDate(d: Date): string {
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
}

function impossibleDate(rng: Rng, year: number): string {
  switch (randInt(rng, 0, 5)) {
    case 0: return `2/30/${year}`;
    case 1: return `13/${randInt(rng, 1, 28)}/${year}`;
    case 2: return `4/31/${year}`;
    case 3: return `0/${randInt(rng, 1, 28)}/${year}`;
    case 4: return `6/31/${year}`;
    default: return `11/31/${year}`;
  }
}

/** Flattened Netflix titles per show, cached per catalog. */
const titleCache = new WeakMap<Catalog, Map<number, string[]>>();
function showTitles(catalog: Catalog, show: CatalogShow): string[] {
  let perCatalog = titleCache.get(catalog);
  if (!perCatalog) {
    perCatalog = new Map();
    titleCache.set(catalog, perCatalog);
  }
  let titles = perCatalog.get(show.id);
  if (!titles) {
    titles = show.seasons.flatMap((s) => s.episodes.map((e) => `${show.netflixName}: ${s.label}: ${e}`));
    perCatalog.set(show.id, titles);
  }
  return titles;
}

function seasonStartsOf(show: CatalogShow): number[] {
  const starts: number[] = [];
  let acc = 0;
  for (const s of show.seasons) {
    starts.push(acc);
    acc += s.episodes.length;
  }
  return starts;
}

function generateHistory(dataKey: string, size: number, clean: boolean, base: string, catalog: Catalog): HistoryActivity[] {
  // Seed from the key without `-clean` so the clean twin differs only in its dates.
  const rng = mulberry32(hashString(`history:${base}`));
  const keyHash = hashString(`id:${dataKey}`);
  const idPrefix = keyHash.toString(16).padStart(8, '0');

  const end = Date.parse(`${CATALOG_LATEST_DATE}T00:00:00Z`);
  const spanDays = Math.round((3 + 3 * rng()) * 365.25);
  const start = end - spanDays * DAY_MS;

  // This viewer's taste: a popularity-biased random ranking of the watchable shows.
  const candidates = catalog.shows.filter((s) => s.decoyOf === undefined);
  const keyed = candidates.map((s) => ({ s, k: Math.log(Math.max(rng(), 1e-12)) / Math.pow(Math.max(s.popularity, 0.5), 1) }));
  keyed.sort((a, b) => b.k - a.k);
  const ranked = keyed.map((x) => x.s);
  const airMs = ranked.map((s) => Date.parse(`${s.firstAirDate}T00:00:00Z`));
  const showSampler = new CdfSampler(ranked.map((_, r) => 1 / Math.pow(r + ZIPF_Q, ZIPF_S)));
  const filmOrder = catalog.films.map((f) => f.title);
  const filmSampler = new CdfSampler(filmOrder.map((_, r) => 1 / Math.pow(r + 2, 1.2)));
  const progress = new Int32Array(ranked.length);

  let firstOpen = 0; // ranks before this are all finished
  const pickShow = (nowMs: number): number => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const c = showSampler.sample(rng);
      if (airMs[c] <= nowMs && progress[c] < ranked[c].numberOfEpisodes) return c;
    }
    // Likely everything popular is finished or unaired: the best-ranked show still available.
    while (firstOpen < ranked.length && progress[firstOpen] >= ranked[firstOpen].numberOfEpisodes) firstOpen++;
    for (let c = firstOpen; c < ranked.length; c++) {
      if (airMs[c] <= nowMs && progress[c] < ranked[c].numberOfEpisodes) return c;
    }
    return -1;
  };

  // Dates repeat a lot; format each day once.
  const dayStrings: string[] = [];
  const dateOf = (day: number): string => (dayStrings[day] ??= formatGandalfDate(new Date(start + day * DAY_MS)));
  const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  // UUID-shaped ids: key hash + index keep them unique; a hashed tail for looks.
  const newId = (i: number): string => {
    const a = Math.imul(i ^ keyHash, 0x9e3779b1) ^ (i >>> 3);
    const b = Math.imul(a ^ (a >>> 15), 0x85ebca6b);
    const id = `${idPrefix}-${hex8(i >>> 12).slice(4)}-4${hex8(i).slice(5)}-${(8 + (i & 3)).toString(16)}${hex8(a).slice(5)}-${hex8(b)}${hex8(a ^ b).slice(4)}`;
    id.charCodeAt(0); // flatten the rope now so the GC can drop the pieces
    return id;
  };
  const out: HistoryActivity[] = [];
  const push = (title: string, day: number, showId?: number): void => {
    const a: HistoryActivity = { id: newId(out.length), title, date: dateOf(day) };
    if (showId !== undefined) a.showId = showId;
    out.push(a);
  };
  const watched: number[] = []; // indices into `out` of episodes, for rewatches
  let watchedBeforeToday = 0;
  let currentDay = -1;

  // Spread evenly so the oldest activity opens the span and the newest lands on its last day.
  const dayFor = (i: number): number => (size <= 1 ? spanDays : Math.round((i / (size - 1)) * spanDays));

  let current = -1; // ranked index of the show being binged
  let bingeLeft = 0;
  while (out.length < size) {
    const day = dayFor(out.length);
    if (day !== currentDay) {
      currentDay = day;
      watchedBeforeToday = watched.length;
    }
    const r = rng();
    if (r < FILM_RATE) {
      push(filmOrder[filmSampler.sample(rng)], day);
      continue;
    }
    if (r < FILM_RATE + REWATCH_RATE && watchedBeforeToday > 0) {
      // Rewatch: an episode seen on an earlier day, usually a recent one.
      const from = chance(rng, 0.7) ? Math.max(0, watchedBeforeToday - 200) : 0;
      const prev = out[watched[randInt(rng, from, watchedBeforeToday - 1)]];
      push(prev.title, day, prev.showId);
      continue;
    }
    if (current < 0 || bingeLeft <= 0 || progress[current] >= ranked[current].numberOfEpisodes) {
      current = pickShow(start + day * DAY_MS);
      if (current < 0) {
        push(filmOrder[filmSampler.sample(rng)], day);
        continue;
      }
      bingeLeft = 1 + Math.floor(-Math.log(Math.max(rng(), 1e-12)) * (MEAN_BINGE - 1));
      const starts = seasonStartsOf(ranked[current]);
      // Some viewers jump straight into a later season.
      if (progress[current] === 0 && starts.length >= 3 && chance(rng, 0.08)) {
        progress[current] = starts[randInt(rng, 1, starts.length - 1)];
      }
    }
    const show = ranked[current];
    const titles = showTitles(catalog, show);
    if (chance(rng, 0.03) && progress[current] + 1 < titles.length) progress[current]++; // skipped an episode
    watched.push(out.length);
    push(titles[progress[current]++], day, show.id);
    bingeLeft--;
  }

  const activities = out;
  if (!clean && size >= 1000) {
    const badRng = mulberry32(hashString(`bad-dates:${base}`));
    let bad = 0;
    for (const a of activities) {
      if (chance(badRng, BAD_DATE_RATE)) {
        a.date = impossibleDate(badRng, Number(a.date.slice(-4)));
        bad++;
      }
    }
    if (bad === 0) {
      const a = activities[randInt(badRng, 0, activities.length - 1)];
      a.date = impossibleDate(badRng, Number(a.date.slice(-4)));
    }
  }
  // Netflix exports newest first.
  return activities.reverse();
}

// Small LRU per catalog: a 100k history is ~20 MB, keep only a few.
const LRU_SIZE = 4;
const cache = new WeakMap<Catalog, Map<string, HistoryActivity[]>>();

/** The viewer history behind a dataKey, newest first; null for unknown keys. Deterministic and memoised. */
export function historyFor(dataKey: string, catalog: Catalog = buildCatalog()): HistoryActivity[] | null {
  const parsed = parseDataKey(dataKey);
  if (!parsed) return null;
  let lru = cache.get(catalog);
  if (!lru) {
    lru = new Map();
    cache.set(catalog, lru);
  }
  const hit = lru.get(dataKey);
  if (hit) {
    lru.delete(dataKey);
    lru.set(dataKey, hit);
    return hit;
  }
  const history = generateHistory(dataKey, parsed.size, parsed.clean, parsed.base, catalog);
  lru.set(dataKey, history);
  while (lru.size > LRU_SIZE) lru.delete(lru.keys().next().value as string);
  return history;
}

/** Drop memoised histories (tests use it to prove regeneration is deterministic). */
export function clearHistoryCache(catalog: Catalog = buildCatalog()): void {
  cache.delete(catalog);
}
