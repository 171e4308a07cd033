// The report's AI questions: tool definitions for an LLM, output schemas with
// the extra checks zod can't express, and a deterministic local engine that
// answers the same questions offline (DESIGN §1, §2 "LLM").
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
import { z } from 'zod';
import { foldText, personKey, showKey } from './names.js';

export const QUIP_MAX = 140;

export const STAR_SIGNS = [
  'Aries', 'Taurus', 'Gemini', 'Cancer', 'Leo', 'Virgo',
  'Libra', 'Scorpio', 'Sagittarius', 'Capricorn', 'Aquarius', 'Pisces',
] as const;
export type StarSign = (typeof STAR_SIGNS)[number];

export const PERSONALITIES = [
  'Sitcom Sage', 'Documentary Detective', 'Reality Royalty', 'Crime Connoisseur', 'Escape Artist',
  'The Adventurer', 'The Hopeless Romantic', 'The Daydreamer', 'The Philosopher', 'The Party Starter',
] as const;
export type Personality = (typeof PERSONALITIES)[number];

// ---------- inputs ----------

export interface ShowFacts {
  name: string;
  genres: string[];
  overview?: string;
  firstAirYear?: number | null;
  /** YYYY-MM-DD */
  firstWatched?: string;
}

export interface ShowQuipsInput {
  firstShow: ShowFacts;
  mostWatchedShow: ShowFacts & { watched: number; total: number };
}

export interface BffCharacter {
  name: string;
  actor: string;
  episodes: number;
  popularity: number;
  imageUrl: string | null;
}

export interface TvBffInput {
  show: ShowFacts;
  characters: BffCharacter[];
  topGenres: string[];
}

export interface StarSignInput {
  genres: { name: string; share: number }[];
  rtScore: number | null;
  rtBand: string | null;
  totalShows: number;
  totalEpisodes: number;
  films: number;
  topShows: string[];
}

// ---------- output schemas ----------

const quip = (what: string) =>
  z.string().trim().min(1).max(QUIP_MAX).describe(`${what}. One witty, kind sentence, at most ${QUIP_MAX} characters.`);

export const showQuipsSchema = z.object({
  firstShowQuip: quip("About the viewer's first show, without naming it"),
  mostWatchedShowQuip: quip("About the viewer's most-watched show, without naming it"),
});
export type ShowQuipsOutput = z.infer<typeof showQuipsSchema>;

export const tvBffSchema = z.object({
  name: z.string().trim().min(1).describe('Exactly one of the given character names, spelled as given'),
  quip: quip('Why this character would be the viewer’s best friend'),
});
export type TvBffOutput = z.infer<typeof tvBffSchema>;

export const starSignSchema = z.object({
  starSign: z.object({
    sign: z.enum(STAR_SIGNS).describe("The zodiac sign matching the viewer's TV taste"),
    quip: quip('Why this sign fits their viewing'),
  }),
  personality: z.object({
    name: z.enum(PERSONALITIES).describe('The TV personality that fits best'),
    quip: quip('Why this personality fits'),
  }),
  rtScoreQuip: quip("About the viewer's critical taste; mention neither the score, any number, nor Rotten Tomatoes"),
  topGenresQuip: quip("About the viewer's top genres"),
});
export type StarSignOutput = z.infer<typeof starSignSchema>;

/** The completed BFF as it goes into the report. */
export interface Bff {
  name: string;
  show: string;
  quip: string;
  imageUrl: string | null;
}

// ---------- question contract ----------

export interface AiQuestion<I, O> {
  /** Function (tool) name sent to the LLM. */
  readonly name: string;
  readonly description: string;
  readonly system: string;
  /** JSON schema of the function arguments, derived from `schema`. */
  readonly parameters: Record<string, unknown>;
  readonly schema: z.ZodType<O>;
  buildPrompt(input: I): string;
  /** Rules beyond the schema; a reason when the output breaks one, else null. */
  check(output: O, input: I): string | null;
  /** The deterministic local engine's answer. */
  local(input: I): O;
}

export type ValidationResult<O> = { ok: true; output: O } | { ok: false; reason: string };

/** Schema, then the question's own checks. `raw` is the parsed JSON arguments. */
export function validateAnswer<I, O>(question: AiQuestion<I, O>, input: I, raw: unknown): ValidationResult<O> {
  const parsed = question.schema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: z.prettifyError(parsed.error) };
  const problem = question.check(parsed.data, input);
  return problem ? { ok: false, reason: problem } : { ok: true, output: parsed.data };
}

function toParameters(schema: z.ZodType): Record<string, unknown> {
  // `$schema` is noise to most OpenAI-compatible servers and rejected by some.
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7' }) as Record<string, unknown>;
  return rest;
}

// ---------- checks ----------

/** Whether `text` names the show: whole-word match on show keys (case, accents, punctuation, region tag ignored). */
export function mentionsShow(text: string, showName: string): boolean {
  const key = showKey(showName);
  if (key.length > 0) return ` ${showKey(text)} `.includes(` ${key} `);
  const raw = foldText(showName).trim();
  return raw.length > 0 && foldText(text).includes(raw);
}

/** Whether `text` gives away the RT score (its whole-number digits) or names Rotten Tomatoes. */
export function mentionsRtScore(text: string, score: number | null): boolean {
  const squashed = showKey(text).replace(/ /g, '');
  if (squashed.includes('rottentomato') || squashed.includes('tomatometer')) return true;
  if (score === null || !Number.isFinite(score)) return false;
  const giveaways = new Set([String(Math.floor(score)), String(Math.round(score))]);
  return (text.match(/\d+/g) ?? []).some((run) => giveaways.has(run));
}

function findCharacter(characters: readonly BffCharacter[], name: string): BffCharacter | undefined {
  const exact = characters.find((c) => c.name === name);
  if (exact) return exact;
  const key = personKey(name);
  return key.length > 0 ? characters.find((c) => personKey(c.name) === key) : undefined;
}

// ---------- deterministic helpers ----------

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---------- local engine: show quips ----------

function showQuipsCheck(out: ShowQuipsOutput, input: ShowQuipsInput): string | null {
  const names = [input.firstShow.name, input.mostWatchedShow.name];
  for (const [field, text] of [['firstShowQuip', out.firstShowQuip], ['mostWatchedShowQuip', out.mostWatchedShowQuip]] as const) {
    const named = names.find((n) => mentionsShow(text, n));
    if (named !== undefined) return `${field} names the show "${named}"; show quips must not name the show`;
  }
  if (out.firstShowQuip.trim().toLowerCase() === out.mostWatchedShowQuip.trim().toLowerCase()) {
    return 'firstShowQuip and mostWatchedShowQuip are the same; each card needs its own line';
  }
  return null;
}

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

// ---------- local engine: TV BFF ----------

export function pickBffCharacter(characters: readonly BffCharacter[]): BffCharacter | null {
  const sorted = [...characters].sort(
    (a, b) => b.episodes - a.episodes || b.popularity - a.popularity || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return sorted[0] ?? null;
}

function tvBffCheck(out: TvBffOutput, input: TvBffInput): string | null {
  if (findCharacter(input.characters, out.name)) return null;
  return `name "${out.name}" is not one of the given characters: ${input.characters.map((c) => c.name).join(', ')}`;
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

/** Completes an answer (LLM or local) into the report's BFF, using the canonical character's name and image. */
export function completeBff(answer: TvBffOutput, input: TvBffInput): Bff {
  const c = findCharacter(input.characters, answer.name);
  return {
    name: c?.name ?? answer.name,
    show: input.show.name,
    quip: answer.quip,
    imageUrl: c?.imageUrl ?? null,
  };
}

// ---------- local engine: star sign & personality ----------

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

export type RtBand = 'Rotten' | 'Fresh' | 'Certified Fresh';

/** DESIGN §1 bands: 0–40 Rotten, 40–70 Fresh, 70–100 Certified Fresh. */
export function rtBandOf(score: number | null): RtBand | null {
  if (score === null || !Number.isFinite(score)) return null;
  if (score < 40) return 'Rotten';
  if (score < 70) return 'Fresh';
  return 'Certified Fresh';
}

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

export function localPersonality(input: StarSignInput): Personality {
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

export function localStarSign(input: StarSignInput): StarSign {
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

function starSignCheck(out: StarSignOutput, input: StarSignInput): string | null {
  if (mentionsRtScore(out.rtScoreQuip, input.rtScore)) {
    return 'rtScoreQuip must mention neither the score nor Rotten Tomatoes';
  }
  return null;
}

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

// ---------- questions ----------

const SYSTEM = [
  "You write the playful lines of a TV-personality report built from someone's Netflix watch history.",
  `Every quip is one sentence of at most ${QUIP_MAX} characters: witty and kind, teasing gently, never mean.`,
  'Answer only by calling the provided function with valid arguments.',
].join(' ');

function describeShow(s: ShowFacts): Record<string, unknown> {
  return {
    name: s.name,
    genres: s.genres,
    overview: s.overview ? s.overview.slice(0, 600) : undefined,
    firstAirYear: s.firstAirYear ?? undefined,
    firstWatched: s.firstWatched,
  };
}

export const showQuipsQuestion: AiQuestion<ShowQuipsInput, ShowQuipsOutput> = {
  name: 'write_show_quips',
  description: "Write one quip about the viewer's first watched show and one about their most-watched show.",
  system: `${SYSTEM} Never write either show's name in a quip; refer to it indirectly.`,
  parameters: toParameters(showQuipsSchema),
  schema: showQuipsSchema,
  buildPrompt: (input) =>
    [
      'The first show this viewer ever watched:',
      JSON.stringify(describeShow(input.firstShow)),
      'The show they watched most (distinct episodes watched of the total):',
      JSON.stringify({
        ...describeShow(input.mostWatchedShow),
        watched: input.mostWatchedShow.watched,
        total: input.mostWatchedShow.total,
      }),
      "Write firstShowQuip and mostWatchedShowQuip. Don't name either show.",
    ].join('\n'),
  check: showQuipsCheck,
  local: localShowQuips,
};

export const tvBffQuestion: AiQuestion<TvBffInput, TvBffOutput> = {
  name: 'pick_tv_bff',
  description: 'Pick the character from the show who would be the viewer’s best friend, with a quip saying why.',
  system: `${SYSTEM} Pick exactly one of the listed characters and spell the name exactly as listed.`,
  parameters: toParameters(tvBffSchema),
  schema: tvBffSchema,
  buildPrompt: (input) =>
    [
      "The viewer's top show of the past year:",
      JSON.stringify(describeShow(input.show)),
      "Its leading characters (actor, episodes they appear in, the actor's popularity):",
      ...input.characters.map((c) => `- ${c.name} (played by ${c.actor}; ${plural(c.episodes, 'episode')}; popularity ${c.popularity})`),
      `The viewer's top genres: ${input.topGenres.join(', ') || 'unknown'}.`,
      'Which character would this viewer befriend? Return their name exactly as listed and a quip.',
    ].join('\n'),
  check: tvBffCheck,
  local: localTvBff,
};

export const starSignQuestion: AiQuestion<StarSignInput, StarSignOutput> = {
  name: 'read_star_sign',
  description: "Give the viewer a TV star sign and a TV personality, plus quips about their critical taste and top genres.",
  system:
    `${SYSTEM} Choose one of the 12 zodiac signs and one of the listed personalities. ` +
    'rtScoreQuip must not contain the score, any number, or the words Rotten Tomatoes.',
  parameters: toParameters(starSignSchema),
  schema: starSignSchema,
  buildPrompt: (input) =>
    [
      'Viewing profile:',
      JSON.stringify({
        topGenres: input.genres.map((g) => `${g.name} ${g.share}%`),
        criticsTasteBand: input.rtScore === null ? 'no scored shows' : (input.rtBand ?? rtBandOf(input.rtScore)),
        criticsTasteScoreOutOf100: input.rtScore,
        totalShows: input.totalShows,
        totalEpisodes: input.totalEpisodes,
        films: input.films,
        topShows: input.topShows,
      }),
      `Personalities: ${PERSONALITIES.join(', ')}.`,
      'Pick the star sign and personality that fit this taste, and write the four quips.',
    ].join('\n'),
  check: starSignCheck,
  local: localStarSignAnswer,
};

export const questions = {
  showQuips: showQuipsQuestion,
  tvBff: tvBffQuestion,
  starSign: starSignQuestion,
} as const;

export const localEngine = {
  showQuips: localShowQuips,
  tvBff: localTvBff,
  starSign: localStarSignAnswer,
};
