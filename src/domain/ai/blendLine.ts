// The Blend's one line about the pair: asked like the report's other questions (LLM with checks,
// else the local engine). The prompt carries only what the Blend itself shows, never either history.
import { z } from 'zod';
import { QUIP_MAX } from './answers.js';
import { type AiQuestion, SYSTEM, toParameters } from './questions.js';

export interface BlendLineInput {
  matchScore: number;
  sharedShows: string[];
  /** Each viewer's top genres, names only. */
  genresA: string[];
  genresB: string[];
}

export const blendLineSchema = z.object({
  line: z.string().trim().min(1).max(QUIP_MAX).describe(`One witty, kind sentence about the two viewers as a TV pair, at most ${QUIP_MAX} characters.`),
});
export type BlendLineOutput = z.infer<typeof blendLineSchema>;

/** The local engine's line: by the score's band, naming a shared show or genre when there is one. */
export function localBlendLine(input: BlendLineInput): BlendLineOutput {
  const shared = input.sharedShows[0];
  const genre = input.genresA.find((g) => input.genresB.includes(g));
  const tie = shared ? ` ${shared} is your common ground.` : genre ? ` ${genre} is your common ground.` : '';
  const base =
    input.matchScore >= 70
      ? 'Practically one remote between you.'
      : input.matchScore >= 40
        ? 'Different sofas, same living room.'
        : 'Opposites on the sofa: every movie night is a negotiation.';
  const line = `${base}${tie}`;
  return { line: line.length <= QUIP_MAX ? line : base };
}

export const blendLineQuestion: AiQuestion<BlendLineInput, BlendLineOutput> = {
  name: 'write_blend_line',
  description: 'Write one line about two viewers whose TV taste was blended.',
  system: `${SYSTEM} The line is about the pair, kind to both.`,
  parameters: toParameters(blendLineSchema),
  schema: blendLineSchema,
  buildPrompt: (input) =>
    [
      'Two viewers blended their TV taste:',
      JSON.stringify({ matchScoreOutOf100: input.matchScore, showsBothWatched: input.sharedShows, firstViewerTopGenres: input.genresA, secondViewerTopGenres: input.genresB }),
      'Write the line.',
    ].join('\n'),
  check: () => null,
  local: localBlendLine,
};
