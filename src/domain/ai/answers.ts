// What each AI question takes and what a valid answer is: the inputs, the output schemas and the
// rules zod can't express (DESIGN §1, §2 "LLM"). Shared by the questions sent to the LLM and the
// local engine, which must pass the same checks.
import { z } from 'zod';
import { foldText, personKey, showKey } from '../names.js';

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

export function showQuipsCheck(out: ShowQuipsOutput, input: ShowQuipsInput): string | null {
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

export function tvBffCheck(out: TvBffOutput, input: TvBffInput): string | null {
  if (findCharacter(input.characters, out.name)) return null;
  return `name "${out.name}" is not one of the given characters: ${input.characters.map((c) => c.name).join(', ')}`;
}

export function starSignCheck(out: StarSignOutput, input: StarSignInput): string | null {
  if (mentionsRtScore(out.rtScoreQuip, input.rtScore)) {
    return 'rtScoreQuip must mention neither the score nor Rotten Tomatoes';
  }
  return null;
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

export type RtBand = 'Rotten' | 'Fresh' | 'Certified Fresh';

/** DESIGN §1 bands: 0–40 Rotten, 40–70 Fresh, 70–100 Certified Fresh. */
export function rtBandOf(score: number | null): RtBand | null {
  if (score === null || !Number.isFinite(score)) return null;
  if (score < 40) return 'Rotten';
  if (score < 70) return 'Fresh';
  return 'Certified Fresh';
}
