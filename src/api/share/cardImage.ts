// A story card as a 1200×630 PNG (the size link previews use): satori lays the card out as SVG with
// its text turned into paths, resvg rasterises it. Text and shapes only: no image is ever fetched.
import { Resvg } from '@resvg/resvg-js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import satori, { type Font } from 'satori';
import type { CardText } from './cardText.js';

export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;

/** A satori element: the shape React elements have, written as plain objects (no JSX). */
export interface Node {
  type: string;
  props: { style?: Record<string, string | number>; children?: (Node | string)[] | Node | string };
}
export const div = (style: Record<string, string | number>, children?: Node['props']['children']): Node => ({ type: 'div', props: { style, children } });

// Inter's .woff files (satori reads woff, not woff2), every subset the package ships. Each subset
// gets a family name of its own: under one shared name satori draws a missing glyph's box from the
// first subset instead of falling back to the subset that has it.
const SUBSETS = ['latin', 'latin-ext', 'greek', 'greek-ext', 'cyrillic', 'cyrillic-ext', 'vietnamese'];
const FONT_FILES = ([400, 700, 800] as const).flatMap((weight) => SUBSETS.map((subset) => ({ weight, subset })));
let fonts: Promise<Font[]> | undefined;

/** Read once, on the first render, so a process that never renders never reads them. */
export function loadFonts(): Promise<Font[]> {
  const require = createRequire(import.meta.url);
  fonts ??= Promise.all(
    FONT_FILES.map(async ({ weight, subset }) => ({
      name: `Inter ${subset}`,
      weight,
      style: 'normal' as const,
      data: await readFile(require.resolve(`@fontsource/inter/files/inter-${subset}-${weight}-normal.woff`)),
    })),
  ).catch((error: unknown) => {
    fonts = undefined; // let a later render try again
    throw error;
  });
  return fonts;
}

const titleSize = (title: string) => {
  const n = Array.from(title).length;
  return n <= 18 ? 104 : n <= 30 ? 84 : n <= 45 ? 66 : 54;
};

function bars(text: CardText): Node | undefined {
  if (text.bars.length === 0) return undefined;
  return div(
    { display: 'flex', flexDirection: 'column', gap: 8, marginTop: 20 },
    text.bars.map((bar) =>
      div({ display: 'flex', alignItems: 'center', gap: 20 }, [
        div({ display: 'flex', width: 300, fontSize: 24, fontWeight: 700 }, bar.label),
        div({ display: 'flex', width: 560, height: 18, borderRadius: 9, backgroundColor: 'rgba(255,255,255,0.22)' }, [
          div({ display: 'flex', width: `${Math.max(4, Math.round(bar.value * 100))}%`, height: 18, borderRadius: 9, backgroundColor: '#ffe3d3' }),
        ]),
      ]),
    ),
  );
}

export function cardElement(text: CardText): Node {
  const lines = text.lines.slice(0, text.bars.length > 0 ? 1 : 3);
  const footer: Node[] = [div({ display: 'flex', flexShrink: 0, fontSize: 30, fontWeight: 800, letterSpacing: 1 }, 'showprint')];
  if (text.badge) {
    footer.push(div({ display: 'flex', fontSize: 24, fontWeight: 700, padding: '10px 22px', borderRadius: 999, backgroundColor: 'rgba(255,255,255,0.2)', maxWidth: 760 }, text.badge));
  }
  const main: Node[] = [
    div({ display: 'flex', fontSize: 30, fontWeight: 700, textTransform: 'uppercase', letterSpacing: 3, opacity: 0.85 }, text.eyebrow),
    div({ display: 'flex', fontSize: titleSize(text.title), fontWeight: 800, lineHeight: 1.05, marginTop: 18, wordBreak: 'break-word' }, text.title),
    ...lines.map((line, i) =>
      div({ display: 'flex', fontSize: i === 0 ? 34 : 28, fontWeight: 400, lineHeight: 1.3, marginTop: i === 0 ? 26 : 12, opacity: i === 0 ? 1 : 0.9, wordBreak: 'break-word' }, line),
    ),
  ];
  const chart = bars(text);
  if (chart) main.push(chart);
  // The content box is sized outright: satori adds a root's padding to its size (which pushed the
  // footer off the card), and an unsized flex child grows to its longest line.
  return div(
    {
      display: 'flex',
      alignItems: 'center',
      justifyContent: 'center',
      width: CARD_WIDTH,
      height: CARD_HEIGHT,
      fontFamily: 'Inter latin',
      color: '#ffffff',
      backgroundColor: '#4317b8',
      backgroundImage: 'linear-gradient(135deg, #4317b8 0%, #5b2be0 45%, #c2185b 100%)',
    },
    [
      div({ display: 'flex', flexDirection: 'column', justifyContent: 'space-between', width: CARD_WIDTH - 2 * 72, height: CARD_HEIGHT - 64 - 56 }, [
        div({ display: 'flex', flexDirection: 'column', flexShrink: 1, minHeight: 0, overflow: 'hidden' }, main),
        div({ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }, footer),
      ]),
    ],
  );
}

// No font here has emoji (satori would draw a box): they are left out of the image, not the page.
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f|\u20e3/gu;
export const drawable = (text: string) => text.replace(EMOJI, '').replace(/\s{2,}/g, ' ').trim();

/** The card's text without what no font here can draw. */
export const drawableText = (text: CardText): CardText => ({
  ...text,
  eyebrow: drawable(text.eyebrow),
  title: drawable(text.title),
  lines: text.lines.map(drawable),
  bars: text.bars.map((b) => ({ ...b, label: drawable(b.label) })),
  badge: text.badge && drawable(text.badge),
  rows: text.rows.map((r) => ({ label: drawable(r.label), value: drawable(r.value) })),
  subject: text.subject && drawable(text.subject),
});

export async function renderCardPng(text: CardText): Promise<Buffer> {
  const shown = drawableText(text);
  const svg = await satori(cardElement(shown) as Parameters<typeof satori>[0], { width: CARD_WIDTH, height: CARD_HEIGHT, fonts: await loadFonts() });
  return new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: false } }).render().asPng();
}
