// Each story card's colours, as the viewer's page draws them (styles.css, "Per-card palettes"): the
// story images use the same, so a posted card looks like the card on screen. A test reads
// styles.css and holds the two to each other.
import type { StoryCard } from '../../domain/report.js';

export interface CardColours {
  /** The background: a flat colour, or the stops of a diagonal gradient. */
  background: string | string[];
  /** Body text. */
  ink: string;
  /** Eyebrow, bars, the hero's fill. */
  accent: string;
}

const light = (background: string, accent: string): CardColours => ({ background, ink: '#1d1b2f', accent });

export const CARD_COLOURS: Record<StoryCard, CardColours> = {
  overview: { background: ['#4a1fc4', '#7a1fa8', '#b0124f'], ink: '#ffffff', accent: '#ffffff' },
  firstShow: light('#ffe6d8', '#a63c06'),
  mostWatched: light('#d9f2e6', '#17683f'),
  topShows: light('#fff1bf', '#7a5200'),
  crossoverStar: light('#e8e0ff', '#5b2be0'),
  genres: light('#dcecff', '#1155a8'),
  rtTaste: light('#d8f3ef', '#0f6b5c'),
  bff: light('#ffe4f3', '#a1176a'),
  starSign: { background: ['#241a52', '#151233'], ink: '#ffffff', accent: '#ffd76a' },
  personality: { background: ['#4a1fc4', '#8e1a8a', '#b0124f'], ink: '#ffffff', accent: '#ffffff' },
  summary: light('#efe9ff', '#4317b8'),
};

/** A CSS background for satori: the colour, or a 160° gradient through the stops. */
export function backgroundCss(c: CardColours): Record<string, string> {
  if (typeof c.background === 'string') return { backgroundColor: c.background };
  const stops = c.background.map((colour, i) => `${colour} ${Math.round((i / (c.background.length - 1)) * 100)}%`).join(', ');
  return { backgroundColor: c.background[0], backgroundImage: `linear-gradient(160deg, ${stops})` };
}
