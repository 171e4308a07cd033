// The questions the report asks an LLM: each one's function (tool) definition, prompt and checks,
// with the local engine's answer as the fallback (DESIGN §2 "LLM").
import { z } from 'zod';
import {
  PERSONALITIES,
  QUIP_MAX,
  type ShowFacts,
  type ShowQuipsInput,
  type ShowQuipsOutput,
  type StarSignInput,
  type StarSignOutput,
  type TvBffInput,
  type TvBffOutput,
  rtBandOf,
  showQuipsCheck,
  showQuipsSchema,
  starSignCheck,
  starSignSchema,
  tvBffCheck,
  tvBffSchema,
} from './answers.js';
import { localEngine, plural } from './localEngine.js';

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

export function toParameters(schema: z.ZodType): Record<string, unknown> {
  // `$schema` is noise to most OpenAI-compatible servers and rejected by some.
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7' }) as Record<string, unknown>;
  return rest;
}

export const SYSTEM = [
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
  local: localEngine.showQuips,
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
  local: localEngine.tvBff,
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
  local: localEngine.starSign,
};

export const questions = {
  showQuips: showQuipsQuestion,
  tvBff: tvBffQuestion,
  starSign: starSignQuestion,
} as const;

