// The deterministic local engine: answers the AI questions offline, by rule, so a report is
// complete without an LLM and every answer passes the questions' checks.
//
// LOCAL ENGINE RULES
// Variation: every quip is picked from a template list starting at
//   fnv1a(stable JSON of the input + slot name) mod n; templates that are over
//   140 characters or fail the question's check (e.g. contain the show's name)
//   are skipped, then short generic lines, so the output always validates.
// Genres are ordered by share desc, then name.
// Personality: the first genre in that order that maps to one wins:
//   Comedy → Sitcom Sage; Documentary/News/History → Documentary Detective;
//   Reality → Reality Royalty; Crime/Mystery/Thriller/Horror → Crime Connoisseur;
//   Sci-Fi & Fantasy/Science Fiction/Fantasy → Escape Artist when binge ≥ 8
//   episodes per show, else The Daydreamer; Action & Adventure/War & Politics/
//   Western → The Adventurer; Romance/Soap → The Hopeless Romantic;
//   Talk/Animation/Family/Kids/Music → The Party Starter;
//   Drama → The Philosopher when the RT band is Certified Fresh, otherwise it
//   defers to the next genre. Nothing mapped: The Hopeless Romantic if Drama
//   is present, else The Daydreamer.
// Star sign = element × modality, which covers all 12 signs:
//   element from the top genre, skipping Drama (TMDB tags most series Drama,
//   so it only decides when nothing else is known):
//     Fire  = Action & Adventure, War & Politics, Western, Reality, Music
//     Earth = Documentary, News, History, Family, Kids, Soap
//     Air   = Comedy, Sci-Fi & Fantasy, Talk, Animation
//     Water = Drama, Romance, Crime, Mystery, Thriller, Horror (also: no genres)
//     unknown genre names get an element by hash of the name;
//   modality: binge (episodes per show) ≥ 10 → fixed (devoted);
//     else RT band Certified Fresh → cardinal (discerning); else mutable (sampler).
//   Fire: Aries/Leo/Sagittarius, Earth: Capricorn/Taurus/Virgo,
//   Air: Libra/Aquarius/Gemini, Water: Cancer/Scorpio/Pisces (cardinal/fixed/mutable).
// RT band: the given rtBand, else from rtScore (<40 Rotten, <70 Fresh, else
//   Certified Fresh); the RT quip comes from the band's lines and never has digits.
// BFF: the character with the most episodes, ties → popularity desc, then name.
import {
  type BffCharacter,
  type Personality,
  QUIP_MAX,
  type RtBand,
  type ShowQuipsInput,
  type ShowQuipsOutput,
  type StarSign,
  type StarSignInput,
  type StarSignOutput,
  type TvBffInput,
  type TvBffOutput,
  mentionsRtScore,
  mentionsShow,
  rtBandOf,
} from './answers.js';
import { fnv1a } from '../text.js';

// ---------- deterministic helpers ----------


function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

// Last resorts: short, name-free, digit-free; the emoji line can't contain any worded name.
const GENERIC_QUIPS = ['Excellent taste, honestly.', 'A choice the couch fully endorses.', '📺✨🍿'];

/** First acceptable template, starting at a hash-chosen index so similar inputs get different lines. */
function pick(seed: string, templates: readonly string[], ok: (s: string) => boolean = () => true): string {
  const fits = (s: string) => s.length > 0 && s.length <= QUIP_MAX && ok(s);
  const n = templates.length;
  const start = n > 0 ? fnv1a(seed) % n : 0;
  for (let i = 0; i < n; i++) {
    const t = templates[(start + i) % n].replace(/\s+/g, ' ').trim();
    if (fits(t)) return t;
  }
  return GENERIC_QUIPS.find(fits) ?? GENERIC_QUIPS[GENERIC_QUIPS.length - 1];
}

const GENRE_PHRASES: Record<string, string> = {
  'action & adventure': 'action', 'sci-fi & fantasy': 'sci-fi', 'science fiction': 'sci-fi',
  'war & politics': 'political', talk: 'talk-show', animation: 'animated', documentary: 'documentary',
};

function genrePhrase(genre: string | undefined): string {
  if (!genre) return 'binge-worthy';
  const lower = genre.trim().toLowerCase();
  return GENRE_PHRASES[lower] ?? lower;
}

function withArticle(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function monthYear(isoDate: string | undefined): string | null {
  const m = /^(\d{4})-(\d{2})-\d{2}$/.exec(isoDate ?? '');
  if (!m) return null;
  const month = MONTHS[Number(m[2]) - 1];
  return month ? `${month} ${m[1]}` : null;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---------- show quips ----------

function localShowQuips(input: ShowQuipsInput): ShowQuipsOutput {
  const seed = stableStringify(input);
  const names = [input.firstShow.name, input.mostWatchedShow.name];
  const nameless = (s: string) => !names.some((n) => mentionsShow(s, n));

  const first = input.firstShow;
  const g = genrePhrase(first.genres[0]);
  const since = monthYear(first.firstWatched);
  const firstTemplates = [
    `Every great watch history starts somewhere, and yours started with ${withArticle(g)} gem. Iconic.`,
    `Your origin story: one ${g} episode and a remote that never looked back.`,
    `Patient zero of your watchlist, and honestly a strong opening move.`,
    `The pilot episode of you as a viewer, and what a pilot it was.`,
    `First impressions matter, and yours was ${withArticle(g)} classic. Taste from day one.`,
  ];
  if (since) firstTemplates.push(`Since ${since}, the couch has known exactly who's in charge.`);
  if (first.firstAirYear) {
    firstTemplates.push(`A ${first.firstAirYear} original kicked off your whole era. Vintage instincts from the start.`);
  }

  const most = input.mostWatchedShow;
  const w = Math.max(0, Math.round(most.watched));
  const t = Math.max(0, Math.round(most.total));
  const mg = genrePhrase(most.genres[0]);
  const mostTemplates = [
    `${plural(w, 'episode')} deep, and the autoplay button sends its warmest regards.`,
    `You and this ${mg} favourite share a bond no remote can break.`,
    `When in doubt, you press play on this one. Comfort TV, perfected.`,
    `${plural(w, 'episode')}? The "Are you still watching?" prompt knows you by name.`,
  ];
  if (t > 0 && w === t) {
    mostTemplates.push(
      `All ${plural(t, 'episode')}, no skips. Completionists everywhere salute you.`,
      `Every last episode watched. The credits know your face by now.`,
    );
  } else if (t > w && w > 0) {
    mostTemplates.push(`${w} of ${t} episodes. That's not a phase, that's a committed relationship.`);
    if (w / t < 0.34) mostTemplates.push(`${w} of ${t} episodes in and clearly just warming up.`);
    else mostTemplates.push(`${w} of ${t} episodes: the finish line is in sight, snacks at the ready.`);
  }

  const firstShowQuip = pick(`${seed}|first`, firstTemplates, nameless);
  // Two cards side by side must not say the same thing (both can fall back to the generic lines).
  return { firstShowQuip, mostWatchedShowQuip: pick(`${seed}|most`, mostTemplates, (q) => nameless(q) && q !== firstShowQuip) };
}

// ---------- TV BFF ----------

function pickBffCharacter(characters: readonly BffCharacter[]): BffCharacter | null {
  const sorted = [...characters].sort(
    (a, b) => b.episodes - a.episodes || b.popularity - a.popularity || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return sorted[0] ?? null;
}

function localTvBff(input: TvBffInput): TvBffOutput {
  const c = pickBffCharacter(input.characters);
  if (!c) throw new Error('tvBff needs at least one character');
  const g1 = genrePhrase(input.topGenres[0] ?? input.show.genres[0]);
  const g2 = input.topGenres[1] ? genrePhrase(input.topGenres[1]) : null;
  const templates = [
    `${c.name} would save you the good seat and the last slice of pizza, no questions asked.`,
    `You and ${c.name}: two ${g1} fans, one couch, zero awkward silences.`,
    `${c.name} is the friend who shows up with snacks and a plan. Usually a bad plan. Perfect.`,
    `Best-friend material: ${c.name} texts back fast and never spoils an ending.`,
    `Clearly ${c.name}: loyal, a little chaotic, and always up for one more episode.`,
    `${c.name}: your new best friend.`,
  ];
  if (g2) templates.push(`${c.name} already knows your ${g1} and ${g2} habits and loves you anyway.`);
  return { name: c.name, quip: pick(`${stableStringify(input)}|bff`, templates) };
}

// ---------- star sign & personality ----------

type Element = 'fire' | 'earth' | 'air' | 'water';
type Modality = 'cardinal' | 'fixed' | 'mutable';

const ELEMENT_OF: Record<string, Element> = {};
const addElement = (e: Element, genres: string[]) => genres.forEach((g) => (ELEMENT_OF[g] = e));
addElement('fire', ['action & adventure', 'action', 'adventure', 'war & politics', 'war', 'western', 'reality', 'music']);
addElement('earth', ['documentary', 'news', 'history', 'family', 'kids', 'soap']);
addElement('air', ['comedy', 'sci-fi & fantasy', 'science fiction', 'fantasy', 'talk', 'animation']);
addElement('water', ['drama', 'romance', 'crime', 'mystery', 'thriller', 'horror']);

const SIGN_OF: Record<Element, Record<Modality, StarSign>> = {
  fire: { cardinal: 'Aries', fixed: 'Leo', mutable: 'Sagittarius' },
  earth: { cardinal: 'Capricorn', fixed: 'Taurus', mutable: 'Virgo' },
  air: { cardinal: 'Libra', fixed: 'Aquarius', mutable: 'Gemini' },
  water: { cardinal: 'Cancer', fixed: 'Scorpio', mutable: 'Pisces' },
};
const ELEMENTS: Element[] = ['fire', 'earth', 'air', 'water'];

function bandOf(input: StarSignInput): RtBand | null {
  const given = (input.rtBand ?? '').trim().toLowerCase();
  if (given === 'certified fresh') return 'Certified Fresh';
  if (given === 'fresh') return 'Fresh';
  if (given === 'rotten') return 'Rotten';
  return rtBandOf(input.rtScore);
}

function sortedGenres(input: StarSignInput): string[] {
  return [...input.genres]
    .sort((a, b) => b.share - a.share || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((g) => g.name.trim().toLowerCase());
}

const bingeOf = (input: StarSignInput) => input.totalEpisodes / Math.max(1, input.totalShows);

function localPersonality(input: StarSignInput): Personality {
  const genres = sortedGenres(input);
  const band = bandOf(input);
  for (const g of genres) {
    switch (g) {
      case 'comedy':
        return 'Sitcom Sage';
      case 'documentary': case 'news': case 'history':
        return 'Documentary Detective';
      case 'reality':
        return 'Reality Royalty';
      case 'crime': case 'mystery': case 'thriller': case 'horror':
        return 'Crime Connoisseur';
      case 'sci-fi & fantasy': case 'science fiction': case 'fantasy':
        return bingeOf(input) >= 8 ? 'Escape Artist' : 'The Daydreamer';
      case 'action & adventure': case 'action': case 'adventure': case 'war & politics': case 'war': case 'western':
        return 'The Adventurer';
      case 'romance': case 'soap':
        return 'The Hopeless Romantic';
      case 'talk': case 'animation': case 'family': case 'kids': case 'music':
        return 'The Party Starter';
      case 'drama':
        if (band === 'Certified Fresh') return 'The Philosopher';
        break; // defer to the next genre
    }
  }
  return genres.includes('drama') ? 'The Hopeless Romantic' : 'The Daydreamer';
}

function localStarSign(input: StarSignInput): StarSign {
  const genres = sortedGenres(input);
  const top = genres.find((g) => g !== 'drama') ?? genres[0];
  const element: Element =
    top === undefined ? 'water' : (ELEMENT_OF[top] ?? ELEMENTS[fnv1a(top) % ELEMENTS.length]);
  const modality: Modality =
    bingeOf(input) >= 10 ? 'fixed' : bandOf(input) === 'Certified Fresh' ? 'cardinal' : 'mutable';
  return SIGN_OF[element][modality];
}

const SIGN_TRAITS: Record<StarSign, string> = {
  Aries: 'dive into pilots headfirst and ask questions later',
  Taurus: 'treat a comfort rewatch as a sacred ritual',
  Gemini: 'juggle three shows at once and love them all equally',
  Cancer: 'cry at finales and own it completely',
  Leo: 'watch everything like the main character',
  Virgo: 'spot every plot hole and forgive most of them',
  Libra: 'weigh every review before pressing play',
  Scorpio: 'live for the twist nobody saw coming',
  Sagittarius: 'roam from genre to genre with a well-stamped passport',
  Capricorn: 'finish what you start, one season at a time',
  Aquarius: 'find the odd little gem before it trends',
  Pisces: 'dissolve completely into every story',
};

const PERSONALITY_LINES: Record<Personality, string> = {
  'Sitcom Sage': 'laugh tracks are basically your love language',
  'Documentary Detective': 'you watch to learn and somehow still binge',
  'Reality Royalty': 'you judge every confessional like a seasoned pro',
  'Crime Connoisseur': 'you had the culprit pegged before the detective did',
  'Escape Artist': 'other worlds are just your daily commute',
  'The Adventurer': 'you like your episodes with explosions and a map',
  'The Hopeless Romantic': "you ship everyone, and you're usually right",
  'The Daydreamer': 'your head lives happily somewhere between episodes',
  'The Philosopher': 'you pause episodes just to ponder life',
  'The Party Starter': 'your watchlist is basically a group chat',
};

const RT_LINES: Record<RtBand | 'none', string[]> = {
  'Certified Fresh': [
    'Critics would like a word: your taste is suspiciously excellent.',
    'You pick shows like a festival juror who happens to own a very comfy couch.',
    'Your queue reads like an awards shortlist. Show-off.',
  ],
  Fresh: [
    'Critics mostly nod along, and you still leave room for fun.',
    'A balanced diet: acclaimed picks with a side of guilty pleasures.',
    'Good taste, zero snobbery. The sweet spot.',
  ],
  Rotten: [
    'Critics frown, you shrug and press play. Confidence is attractive.',
    'You love what you love, reviews be damned. Respect.',
    "Guilty pleasures? You don't do guilt. Just pleasure.",
  ],
  none: [
    "Your shows fly under the critics' radar. Trendsetter behaviour.",
    "Off the critics' map entirely: you find gems before they're famous.",
  ],
};

function localStarSignAnswer(input: StarSignInput): StarSignOutput {
  const seed = stableStringify(input);
  const sign = localStarSign(input);
  const personality = localPersonality(input);
  const ranked = [...input.genres].sort((a, b) => b.share - a.share || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const g1 = ranked[0];
  const g2 = ranked[1];
  const g3 = ranked[2];
  const moon = genrePhrase(g1?.name);
  const trait = SIGN_TRAITS[sign];
  const line = PERSONALITY_LINES[personality];

  const signTemplates = [
    `Peak ${sign}: you ${trait}.`,
    `A true ${sign} on the couch: you ${trait}.`,
    `The stars say ${sign}, and your queue agrees. You ${trait}.`,
    `${sign} sun, ${moon} moon: you ${trait}.`,
  ];
  const personalityTemplates = [
    `${personality}, obviously: ${line}.`,
    `Why ${personality}? Because ${line}.`,
    `Your TV alter ego is ${personality}, and ${line}.`,
  ];
  const genreTemplates: string[] = [];
  if (g1 && g2) {
    genreTemplates.push(
      `${g1.name} first, ${g2.name} close behind: a well-seasoned watchlist.`,
      `Your remote has a type: ${g1.name}, then ${g2.name}, then more ${g1.name}.`,
      `${Math.round(g1.share)}% ${g1.name} and a healthy helping of ${g2.name}. Balanced, mostly.`,
    );
    if (g3) genreTemplates.push(`Mostly ${g1.name}, a dash of ${g2.name}, a sprinkle of ${g3.name}. Chef's kiss.`);
  } else if (g1) {
    genreTemplates.push(`All ${g1.name}, all the time. Commitment looks good on you.`);
  } else {
    genreTemplates.push('Genre-fluid viewing: you refuse to be put in a box.');
  }

  const band = bandOf(input);
  return {
    starSign: { sign, quip: pick(`${seed}|sign`, signTemplates) },
    personality: { name: personality, quip: pick(`${seed}|personality`, personalityTemplates) },
    rtScoreQuip: pick(`${seed}|rt`, RT_LINES[band ?? 'none'], (s) => !mentionsRtScore(s, input.rtScore)),
    topGenresQuip: pick(`${seed}|genres`, genreTemplates),
  };
}

export const localEngine = {
  showQuips: localShowQuips,
  tvBff: localTvBff,
  starSign: localStarSignAnswer,
};
