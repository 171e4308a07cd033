// The rules that decide what a story card may claim, written once for the viewer's page (loaded as
// a module script) and the server's share pages and images (imported through
// src/domain/cardVerdicts.ts). Pure functions of a stored report: no DOM, no Node.
//
// A provisional report is built before enrichment is done. Its history cards are exact, but a
// verdict drawn from a handful of shows (a critics' score from 2 of 68, a crossover star from a
// tenth of the casts) is not one we stand behind: below its threshold a card says it is still
// counting instead of showing a number or a name.
/* global window */

/** The thresholds. A final report has nothing left to count: its verdicts always show. */
export const VERDICT_RULES = Object.freeze({
  /** RT taste: at least this many scored shows, or this share of the history crawled. */
  rtTaste: Object.freeze({ minScored: 20, minShare: 0.3 }),
  /** Crossover star and genres: this share of the shows looked up on TMDB. */
  crossoverStar: Object.freeze({ minShare: 0.5 }),
  genres: Object.freeze({ minShare: 0.3 }),
  /** Star sign (and the personality read with it): this share of shows both looked up and crawled. */
  starSign: Object.freeze({ minShare: 0.9 }),
  /** A history with fewer shows than this tells a short story (see storyCards). */
  tinyHistory: 3,
});

/** done/total of a card's coverage, 1 when there is none (reports stored before coverage was kept). */
function share(report, card) {
  const c = report && report.coverage && report.coverage[card];
  if (!c || c.complete || !(Number(c.total) > 0)) return 1;
  return Math.max(0, Math.min(1, Number(c.done) / Number(c.total)));
}

/**
 * Whether each verdict card may show its verdict. `false` means "still counting": the card shows
 * how far it has got, never a number. Cards without a threshold are always `true`.
 * @param {object} report a stored report (any version)
 * @returns {{ rtTaste: boolean, crossoverStar: boolean, genres: boolean, starSign: boolean, personality: boolean }}
 */
export function cardVerdicts(report) {
  const r = report || {};
  if (r.final !== false) return { rtTaste: true, crossoverStar: true, genres: true, starSign: true, personality: true };
  const scored = r.rtScore ? Number(r.rtScore.showsScored) || 0 : 0;
  const rt = VERDICT_RULES.rtTaste;
  const starSign = Boolean(r.starSign) && share(r, 'starSign') >= VERDICT_RULES.starSign.minShare;
  return {
    rtTaste: scored >= rt.minScored || share(r, 'rtTaste') >= rt.minShare,
    crossoverStar: share(r, 'crossoverStar') >= VERDICT_RULES.crossoverStar.minShare,
    genres: share(r, 'genres') >= VERDICT_RULES.genres.minShare,
    starSign,
    personality: starSign,
  };
}

/** The story cards in the order they play (STORY_CARDS in src/domain/report.ts). */
export const ALL_CARDS = Object.freeze(['overview', 'firstShow', 'mostWatched', 'topShows', 'crossoverStar', 'genres', 'rtTaste', 'bff', 'starSign', 'personality', 'summary']);

/**
 * The cards worth playing. An empty history is one honest card; a tiny one skips the cards that
 * need several shows to say anything (the history is fetched whole before the first version, so
 * this never changes between versions).
 */
export function storyCards(report) {
  const r = report || {};
  const shows = Number(r.totalShows) || 0;
  if (shows === 0) return ['overview'];
  if (shows < VERDICT_RULES.tinyHistory) return ['overview', 'firstShow', 'mostWatched', 'summary'];
  return [...ALL_CARDS];
}

/**
 * RT taste as a kind of taste, not a grade: the score is the critics' average over the viewer's
 * shows, weighted by watch time, so a low one means the viewer loves what critics walk past.
 * @param {number} score 0..100
 * @returns {{ name: string, line: string }}
 */
export function tasteKind(score) {
  const s = Number(score) || 0;
  if (s >= 75) return { name: 'Critics’ darling', line: 'You and the critics agree: you watch what they rave about.' };
  if (s >= 55) return { name: 'Crowd-pleaser', line: 'Well-loved shows, with a taste for the big hits.' };
  if (s >= 35) return { name: 'Your own critic', line: 'Half hits, half hidden gems: you make up your own mind.' };
  return { name: 'Cult taste', line: 'You love the shows critics walk past. Their loss.' };
}

/**
 * The critics' and the audience's mean scores, to set side by side: each side only when some of the
 * viewer's shows have it (reports stored before the means were kept have neither), so a side nobody
 * scored is left out, never shown as 0.
 * @param {object | null | undefined} rtScore the report's rtScore
 * @returns {{ label: string, score: number, shows: number }[]}
 */
export function criticsAndAudience(rtScore) {
  const r = rtScore || {};
  return [['Critics', r.critics], ['Audience', r.audience]]
    .filter(([, side]) => side && Number(side.shows) > 0 && Math.round(Number(side.mean)) > 0)
    .map(([label, side]) => ({ label, score: Math.round(Number(side.mean)), shows: Number(side.shows) }));
}

const fold = (text) => String(text || '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/**
 * A quip as shown under a line that already says `above` (a title, a name): when the quip opens
 * by calling it out ("Escape Artist, obviously: …"), that opening is cut and the rest capitalised.
 * A quip that uses the name as its subject ("Hawkstead is home.") is a sentence and stays; one that
 * is nothing but the line above is dropped (null).
 * @param {string | null | undefined} above
 * @param {string | null | undefined} quip
 * @returns {string | null}
 */
export function quipAfter(above, quip) {
  const text = String(quip || '').trim();
  if (!text) return null;
  const head = fold(above);
  if (!head) return text;
  if (fold(text) === head) return null;
  const words = text.split(/\s+/);
  // The opening words whose letters are the line above, then punctuation: a call-out to cut.
  for (let n = 1; n < words.length; n++) {
    const opening = fold(words.slice(0, n).join(' '));
    if (opening === head) {
      if (!/[,.:;!?…—–-]$/.test(words[n - 1]) && !/^[—–-]/.test(words[n])) return text;
      const rest = words.slice(n).join(' ').replace(/^[\s,.:;!?…—–-]+/, '');
      return rest.charAt(0).toUpperCase() + rest.slice(1);
    }
    if (!head.startsWith(opening)) break;
  }
  return text;
}

/** "watched 42 of 226 episodes", or "42 episodes watched" when the show's length is unknown. */
export function watchedLine(watched, total) {
  const w = Number(watched) || 0;
  const n = w.toLocaleString('en-US');
  if (Number(total) > 0) return `watched ${n} of ${Number(total).toLocaleString('en-US')} episodes`;
  return `${n} ${w === 1 ? 'episode' : 'episodes'} watched`;
}

/** A genre's share as people read it: "22%", "0.4%" for a sliver, never "22.00%". */
export function percent(value) {
  const v = Number(value) || 0;
  return v > 0 && v < 1 ? `${Math.round(v * 10) / 10}%` : `${Math.round(v)}%`;
}

if (typeof window !== 'undefined') {
  window.showprint = window.showprint || {};
  window.showprint.verdicts = { VERDICT_RULES, ALL_CARDS, cardVerdicts, storyCards, tasteKind, criticsAndAudience, quipAfter, watchedLine, percent };
}
