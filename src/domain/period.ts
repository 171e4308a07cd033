// "Your year in TV": a report over one calendar year, built from the stored watch dates alone.
// Pure: the rows go in, the cards come out, so a test can recompute every number independently.
import { MONTH_NAMES } from './dates.js';
import { round2 } from './report.js';

/** One stored episode: its show and every day it was watched ('YYYY-MM-DD', rewatches kept). */
export interface EpisodeWatches {
  showId: number;
  showName: string;
  /** The show's episodes in all (TMDB), for ties; null when unknown. */
  totalEpisodes: number | null;
  posterUrl: string | null;
  dates: string[];
}

/** The genres of each show, for the year's genre mix against all time. */
export type ShowGenres = ReadonlyMap<number, readonly string[]>;

export interface YearShow {
  name: string;
  episodes: number;
  posterUrl: string | null;
}

export interface GenreShift {
  name: string;
  /** Share of genre appearances over the year's shows, in percent (2 decimals). */
  yearShare: number;
  /** The same over every show ever watched. */
  allTimeShare: number;
}

/** A report version of its own kind: one calendar year of a session, stored beside the all-time versions. */
export interface YearReport {
  kind: 'year';
  sessionId: string;
  year: number;
  /** The all-time report version this one was built beside (a new one means new rows). */
  basedOnVersion: number;
  generatedAt: string;
  totalShows: number;
  totalEpisodes: number;
  /** Days with at least one episode watched. */
  daysWatched: number;
  /** Most distinct episodes watched in the year (ties: more episodes in all, then name), and the month most of them fell in. */
  mostWatchedShow: (YearShow & { month: number; monthName: string }) | null;
  /** The month with the most episode watches (ties: the earlier). */
  topMonth: { month: number; monthName: string; episodes: number } | null;
  /** The longest run of consecutive days with something watched (ties: the earlier). */
  longestStreak: { days: number; from: string; to: string } | null;
  /** Shows first watched this year, against shows already watched in an earlier one. */
  newShows: { count: number; top: YearShow[] };
  oldFavourites: { count: number; top: YearShow[] };
  /** How the year differs from the viewer's all-time self. */
  versusAllTime: {
    /** Of every episode ever watched, the share watched (at least once) this year, in percent. */
    episodeShare: number;
    allTimeMostWatched: string | null;
    /** The year's top genres beside their all-time share, then the all-time top genre if the year lacks it. */
    genres: GenreShift[];
    /** The genre whose share rose most this year, when one rose. */
    risingGenre: string | null;
  };
}


/** The current year is offered first only once it holds this many distinct episodes. */
export const CURRENT_YEAR_MIN_EPISODES = 10;

const yearOf = (date: string) => Number(date.slice(0, 4));
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** Distinct episodes watched (at least once) in each year. */
export function episodesPerYear(episodes: readonly EpisodeWatches[]): Map<number, number> {
  const perYear = new Map<number, number>();
  for (const e of episodes) for (const y of new Set(e.dates.map(yearOf))) perYear.set(y, (perYear.get(y) ?? 0) + 1);
  return perYear;
}

/**
 * Every year the history covers, newest first; the current year goes last instead of first while it
 * holds fewer than CURRENT_YEAR_MIN_EPISODES episodes (a January page should open on last year).
 */
export function orderYears(perYear: ReadonlyMap<number, number>, currentYear: number): number[] {
  const years = [...perYear.keys()].filter((y) => (perYear.get(y) ?? 0) > 0).sort((a, b) => b - a);
  const current = perYear.get(currentYear) ?? 0;
  if (current > 0 && current < CURRENT_YEAR_MIN_EPISODES) return [...years.filter((y) => y !== currentYear), currentYear];
  return years;
}

/** Top genres by share of appearances over the given shows (DESIGN §1's rule), all of them. */
function genreShares(showIds: Iterable<number>, genres: ShowGenres): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  for (const id of showIds) {
    for (const g of genres.get(id) ?? []) {
      counts.set(g, (counts.get(g) ?? 0) + 1);
      total += 1;
    }
  }
  return new Map([...counts].map(([g, n]) => [g, round2((n / total) * 100)]));
}

const byShare = (shares: Map<string, number>) => [...shares].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));

interface ShowTally {
  showId: number;
  name: string;
  totalEpisodes: number | null;
  posterUrl: string | null;
  episodes: number;
  /** Distinct episodes in every year. */
  allEpisodes: number;
  /** Watches per month (0-11) in the year. */
  months: number[];
  firstEver: string;
}

const rankShows = (a: ShowTally, b: ShowTally) => b.episodes - a.episodes || (b.totalEpisodes ?? -1) - (a.totalEpisodes ?? -1) || compareText(a.name, b.name);
const asYearShow = (s: ShowTally): YearShow => ({ name: s.name, episodes: s.episodes, posterUrl: s.posterUrl });
const argmax = (counts: number[]) => counts.reduce((best, n, i) => (n > counts[best] ? i : best), 0);

export function buildYearReport(input: { sessionId: string; year: number; basedOnVersion: number; episodes: readonly EpisodeWatches[]; genres: ShowGenres; now?: Date }): YearReport {
  const { year, episodes, genres } = input;
  const shows = new Map<number, ShowTally>();
  const months = new Array<number>(12).fill(0);
  const days = new Set<string>();
  let yearEpisodes = 0;
  for (const e of episodes) {
    const inYear = e.dates.filter((d) => yearOf(d) === year);
    const tally = shows.get(e.showId) ?? { showId: e.showId, name: e.showName, totalEpisodes: e.totalEpisodes, posterUrl: e.posterUrl, episodes: 0, allEpisodes: 0, months: new Array<number>(12).fill(0), firstEver: '9999-12-31' };
    for (const d of e.dates) if (d < tally.firstEver) tally.firstEver = d;
    tally.allEpisodes += 1;
    shows.set(e.showId, tally);
    if (inYear.length === 0) continue;
    yearEpisodes += 1;
    tally.episodes += 1;
    for (const d of inYear) {
      const m = Number(d.slice(5, 7)) - 1;
      tally.months[m] += 1;
      months[m] += 1;
      days.add(d);
    }
  }
  const watched = [...shows.values()].filter((s) => s.episodes > 0).sort(rankShows);
  const top = watched[0];
  const topMonthIndex = argmax(months);

  let longestStreak: YearReport['longestStreak'] = null;
  const sortedDays = [...days].sort();
  for (let i = 0; i < sortedDays.length; ) {
    let j = i;
    while (j + 1 < sortedDays.length && dayNumber(sortedDays[j + 1]) - dayNumber(sortedDays[j]) === 1) j += 1;
    const length = j - i + 1;
    if (!longestStreak || length > longestStreak.days) longestStreak = { days: length, from: sortedDays[i], to: sortedDays[j] };
    i = j + 1;
  }

  const isNew = (s: ShowTally) => yearOf(s.firstEver) === year;
  const fresh = watched.filter(isNew);
  const old = watched.filter((s) => !isNew(s));

  const allShows = [...shows.values()].sort((a, b) => rankShows({ ...a, episodes: a.allEpisodes }, { ...b, episodes: b.allEpisodes }));
  const yearShares = genreShares(watched.map((s) => s.showId), genres);
  const allShares = genreShares(allShows.map((s) => s.showId), genres);
  const yearTop = byShare(yearShares).slice(0, 5).map(([name]) => name);
  const allTop = byShare(allShares)[0]?.[0];
  const shown = allTop && !yearTop.includes(allTop) ? [...yearTop, allTop] : yearTop;
  const shifts = shown.map((name) => ({ name, yearShare: yearShares.get(name) ?? 0, allTimeShare: allShares.get(name) ?? 0 }));
  const rising = shifts.filter((g) => g.yearShare > g.allTimeShare).sort((a, b) => b.yearShare - b.allTimeShare - (a.yearShare - a.allTimeShare) || compareText(a.name, b.name))[0];

  return {
    kind: 'year',
    sessionId: input.sessionId,
    year,
    basedOnVersion: input.basedOnVersion,
    generatedAt: (input.now ?? new Date()).toISOString(),
    totalShows: watched.length,
    totalEpisodes: yearEpisodes,
    daysWatched: days.size,
    mostWatchedShow: top ? { ...asYearShow(top), month: argmax(top.months) + 1, monthName: MONTH_NAMES[argmax(top.months)] } : null,
    topMonth: yearEpisodes > 0 ? { month: topMonthIndex + 1, monthName: MONTH_NAMES[topMonthIndex], episodes: months[topMonthIndex] } : null,
    longestStreak,
    newShows: { count: fresh.length, top: fresh.slice(0, 3).map(asYearShow) },
    oldFavourites: { count: old.length, top: old.slice(0, 3).map(asYearShow) },
    versusAllTime: {
      episodeShare: episodes.length > 0 ? round2((yearEpisodes / episodes.length) * 100) : 0,
      allTimeMostWatched: allShows[0]?.name ?? null,
      genres: shifts,
      risingGenre: rising?.name ?? null,
    },
  };
}

/** The year's story cards, in the order they play; their share links and images name them too. */
export const YEAR_CARDS = ['yearOverview', 'yearMostWatched', 'yearTopMonth', 'yearStreak', 'yearNewVsOld', 'yearVersusAllTime'] as const;
export type YearCard = (typeof YEAR_CARDS)[number];
export const isYearCard = (value: string): value is YearCard => (YEAR_CARDS as readonly string[]).includes(value);

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const day = (date: string) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));

/** What each year card says, as plain text: the page, the CLI and the share images all read it, and every card names the year. */
export function yearCardText(r: YearReport, card: YearCard): { eyebrow: string; title: string; lines: string[] } {
  const y = r.year;
  switch (card) {
    case 'yearOverview':
      return { eyebrow: `Your ${y} in TV`, title: count(r.totalEpisodes, 'episode'), lines: [`${count(r.totalShows, 'show')} across ${count(r.daysWatched, 'day')} of ${y}`] };
    case 'yearMostWatched':
      return r.mostWatchedShow
        ? { eyebrow: `Your show of ${y}`, title: r.mostWatchedShow.name, lines: [`${count(r.mostWatchedShow.episodes, 'episode')}, most of them in ${r.mostWatchedShow.monthName}`] }
        : { eyebrow: `Your show of ${y}`, title: '–', lines: [] };
    case 'yearTopMonth':
      return r.topMonth
        ? { eyebrow: `Your biggest month of ${y}`, title: r.topMonth.monthName, lines: [`${count(r.topMonth.episodes, 'episode')} watched that month`] }
        : { eyebrow: `Your biggest month of ${y}`, title: '–', lines: [] };
    case 'yearStreak':
      return r.longestStreak
        ? {
            eyebrow: `Your longest streak of ${y}`,
            title: count(r.longestStreak.days, 'day'),
            lines: [r.longestStreak.days === 1 ? `on ${day(r.longestStreak.from)}` : `${day(r.longestStreak.from)} to ${day(r.longestStreak.to)}, without missing a day`],
          }
        : { eyebrow: `Your longest streak of ${y}`, title: '–', lines: [] };
    case 'yearNewVsOld':
      return {
        eyebrow: `New in ${y} vs old favourites`,
        title: `${r.newShows.count} new · ${r.oldFavourites.count} old`,
        lines: [
          r.newShows.top.length > 0 ? `New: ${r.newShows.top.map((s) => s.name).join(', ')}` : `Nothing new in ${y}: loyal to the classics`,
          r.oldFavourites.top.length > 0 ? `Back again: ${r.oldFavourites.top.map((s) => s.name).join(', ')}` : `All new in ${y}: no reruns`,
        ],
      };
    case 'yearVersusAllTime': {
      const top = r.versusAllTime.genres[0];
      return {
        eyebrow: `${y} vs your all-time self`,
        title: r.versusAllTime.risingGenre ? `More ${r.versusAllTime.risingGenre}` : top ? `Still ${top.name}` : 'Same as ever',
        lines: [
          `${r.versusAllTime.episodeShare}% of every episode you ever watched was in ${y}`,
          // The genre the title names first, then the year's top ones.
          ...[...r.versusAllTime.genres]
            .sort((a, b) => Number(b.name === r.versusAllTime.risingGenre) - Number(a.name === r.versusAllTime.risingGenre))
            .slice(0, 3)
            .map((g) => `${g.name}: ${g.yearShare}% in ${y}, ${g.allTimeShare}% all time`),
        ],
      };
    }
  }
}
