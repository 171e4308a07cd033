// What a Blend's story cards say, as the share page and images draw them: the same CardText as a
// viewer's cards, drawn in the colours of the viewer card each one resembles. Spoken to the pair
// ("you two"), so a shared card reads the same whichever of the two shared it.
import type { BlendCard, BlendReport } from '../../contracts/blend.js';
import type { StoryCard } from '../../domain/report.js';
import { type CardText, clip } from '../share/cardText.js';

/** Whose colours each Blend card borrows. */
export const BLEND_CARD_LOOK: Record<BlendCard, StoryCard> = { blendScore: 'summary', blendShared: 'topShows', blendSwap: 'bff', blendLine: 'personality' };

/** The pair's name by score, the big line of the last card. */
export const pairName = (score: number) => (score >= 70 ? 'Kindred spirits' : score >= 40 ? 'Good company' : 'Opposites attract');

/**
 * `side`: spoken to one of the two on their own page ("you show them"); without it, to the pair, as a
 * shared card is read by anyone.
 */
export function blendCardText(r: BlendReport, card: BlendCard, side?: 'a' | 'b'): CardText {
  const [give, take] = side === 'b' ? [r.bShowsA, r.aShowsB] : [r.aShowsB, r.bShowsA];
  const [giveLabel, takeLabel] = side ? ['You show them', 'They show you'] : ['One way', 'The other way'];
  const base = { card: BLEND_CARD_LOOK[card], bars: [], badge: null, rows: [], subject: null, provisional: false };
  switch (card) {
    case 'blendScore':
      return {
        ...base,
        eyebrow: 'Your Blend',
        title: `${r.matchScore}% match`,
        lines: [`Genres ${Math.round(r.parts.genres)}% · shared shows ${Math.round(r.parts.sharedShows)}% · RT taste ${Math.round(r.parts.rtTaste)}%`],
        bars: [
          { label: 'Genres', value: r.parts.genres / 100 },
          { label: 'Shared shows', value: r.parts.sharedShows / 100 },
          { label: 'RT taste', value: r.parts.rtTaste / 100 },
        ],
      };
    case 'blendShared':
      return r.sharedShows.length > 0
        ? { ...base, eyebrow: 'You both watched', title: clip(r.sharedShows[0].name, 70), lines: r.sharedShows.slice(1).map((s) => clip(s.name, 160)), subject: r.sharedShows[0].name }
        : { ...base, eyebrow: 'You both watched', title: 'Nothing yet', lines: ['Two histories, no overlap: plenty to swap.'] };
    case 'blendSwap':
      return {
        ...base,
        eyebrow: 'Watch swap',
        title: give || take ? 'Show each other' : 'Nothing to swap',
        lines: give || take ? [give && `${giveLabel}: ${clip(give.name, 120)}`, take && `${takeLabel}: ${clip(take.name, 120)}`].filter((l): l is string => !!l) : ['You have watched all of each other’s shows already.'],
      };
    case 'blendLine':
      return { ...base, eyebrow: 'You two, on the sofa', title: pairName(r.matchScore), lines: [clip(r.line, 160)] };
  }
}
