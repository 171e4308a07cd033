// A story card as a 1080×1920 PNG, the format people post to their stories, in the card's own
// colours (cardColours.ts). The summary card's image is the poster: the personality and the facts
// of the whole story. Like the 1200×630 preview it draws text and shapes only: no image is fetched,
// so a cast member is their initials on the card's accent, a show its monogram on a poster tile.
// A provisional card is stamped so. Every box is sized so its text fits (test/api/storyImage.test.ts
// renders each card with and without its text and checks that none lands in the margins).
import { Resvg } from '@resvg/resvg-js';
import satori from 'satori';
import type { StoryCard } from '../../domain/report.js';
import { type Node, div, drawableText, loadFonts } from './cardImage.js';
import { CARD_COLOURS, backgroundCss } from './cardColours.js';
import type { CardText } from './cardText.js';

export const STORY_WIDTH = 1080;
export const STORY_HEIGHT = 1920;
/** No text inside this band along any edge. */
export const STORY_MARGIN = 96;
/** The footer (wordmark, stamp) sits in the bottom band of this height, above the margin. */
export const STORY_FOOTER = 120;
const CONTENT_WIDTH = STORY_WIDTH - 2 * STORY_MARGIN;
/** Content above the footer, with a gap between them. */
const CONTENT_HEIGHT = STORY_HEIGHT - 2 * STORY_MARGIN - STORY_FOOTER - 48;

/** The big line's size: long titles step down so three lines at most fill the width. */
const titleSize = (title: string) => {
  const n = Array.from(title).length;
  return n <= 12 ? 150 : n <= 20 ? 120 : n <= 34 ? 96 : n <= 50 ? 76 : 60;
};

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? `${Array.from(words[0])[0]}${Array.from(words[words.length - 1])[0]}` : Array.from(words[0] ?? '').slice(0, 2).join('');
  return letters.toUpperCase() || '★';
}

/** What sits above the title: a round portrait, a poster tile, or nothing. */
function hero(card: StoryCard, text: CardText, accent: string, ink: string): Node | undefined {
  const name = text.subject;
  if (name && (card === 'crossoverStar' || card === 'bff')) {
    return div({ display: 'flex', alignItems: 'center', justifyContent: 'center', width: 384, height: 384, borderRadius: 192, backgroundColor: 'rgba(255,255,255,0.85)', marginBottom: 56 }, [
      div({ display: 'flex', alignItems: 'center', justifyContent: 'center', width: 352, height: 352, borderRadius: 176, backgroundColor: accent, color: '#ffffff', fontSize: 130, fontWeight: 800 }, initials(name)),
    ]);
  }
  if (name && (card === 'firstShow' || card === 'mostWatched')) {
    return div({ display: 'flex', alignItems: 'center', justifyContent: 'center', width: 300, height: 450, borderRadius: 28, backgroundColor: accent, backgroundImage: `linear-gradient(160deg, ${accent}, #1d1b2f)`, color: '#ffffff', fontSize: 120, fontWeight: 800, marginBottom: 56 }, initials(name));
  }
  if (card === 'personality' || card === 'starSign') {
    return div({ display: 'flex', width: 160, height: 12, borderRadius: 6, backgroundColor: accent, marginBottom: 64, opacity: ink === '#ffffff' ? 0.9 : 1 });
  }
  return undefined;
}

function bars(text: CardText, accent: string): Node | undefined {
  if (text.bars.length === 0) return undefined;
  return div(
    { display: 'flex', flexDirection: 'column', gap: 28, marginTop: 56, width: CONTENT_WIDTH },
    text.bars.map((bar) =>
      div({ display: 'flex', flexDirection: 'column', gap: 12 }, [
        div({ display: 'flex', fontSize: 44, fontWeight: 700 }, bar.label),
        div({ display: 'flex', width: CONTENT_WIDTH, height: 30, borderRadius: 15, backgroundColor: 'rgba(255,255,255,0.8)' }, [
          div({ display: 'flex', width: `${Math.max(3, Math.round(bar.value * 100))}%`, height: 30, borderRadius: 15, backgroundColor: accent }),
        ]),
      ]),
    ),
  );
}

function rows(text: CardText, labelColour: string): Node {
  return div(
    { display: 'flex', flexDirection: 'column', marginTop: 64, width: CONTENT_WIDTH },
    text.rows.map((row) =>
      div({ display: 'flex', flexDirection: 'column', padding: '26px 0', borderTop: '3px solid rgba(67,23,184,0.18)' }, [
        div({ display: 'flex', fontSize: 32, fontWeight: 700, textTransform: 'uppercase', letterSpacing: 4, color: labelColour }, row.label),
        div({ display: 'flex', fontSize: 58, fontWeight: 800, marginTop: 6, width: CONTENT_WIDTH, wordBreak: 'break-word' }, row.value),
      ]),
    ),
  );
}

/** A picture with its letters drawn transparent (the shapes stay). */
function withoutText(node: Node): Node {
  const children = node.props.children;
  const kids = Array.isArray(children) ? children.map((c) => (typeof c === 'string' ? c : withoutText(c))) : typeof children === 'object' && children ? withoutText(children) : children;
  return { ...node, props: { ...node.props, style: { ...node.props.style, color: 'transparent' }, children: kids } };
}

/** The card as a satori tree. `hideText` draws every glyph transparent (the layout test's baseline). */
export function storyElement(card: StoryCard, text: CardText, { hideText = false } = {}): Node {
  const colours = CARD_COLOURS[card];
  const ink = hideText ? 'transparent' : colours.ink;
  const accentText = hideText ? 'transparent' : colours.accent;
  // The poster (summary) draws its facts as rows instead of lines.
  const poster = text.rows.length > 0;
  const lines = poster ? [] : text.lines.slice(0, text.bars.length > 0 ? 1 : 3);
  const main: Node[] = [];
  const pic = hero(card, text, colours.accent, colours.ink);
  if (pic) main.push(hideText ? withoutText(pic) : pic);
  main.push(
    div({ display: 'flex', fontSize: 40, fontWeight: 700, textTransform: 'uppercase', letterSpacing: 5, color: accentText }, text.eyebrow),
    div({ display: 'flex', fontSize: titleSize(text.title), fontWeight: 800, lineHeight: 1.04, letterSpacing: -2, marginTop: 28, width: CONTENT_WIDTH, wordBreak: 'break-word' }, text.title),
    ...lines.map((line, i) =>
      div({ display: 'flex', fontSize: i === 0 ? 52 : 44, fontWeight: i === 0 ? 700 : 400, lineHeight: 1.3, marginTop: i === 0 ? 44 : 24, width: CONTENT_WIDTH, wordBreak: 'break-word', opacity: i === 0 ? 1 : 0.9 }, line),
    ),
  );
  const chart = bars(text, colours.accent);
  if (chart) main.push(chart);
  if (poster) main.push(rows(text, accentText));
  const footer: Node[] = [div({ display: 'flex', fontSize: 52, fontWeight: 800, letterSpacing: 1 }, 'showprint')];
  // A provisional card's image says so where anyone who sees it will read it.
  if (text.provisional) {
    footer.push(div({ display: 'flex', fontSize: 36, fontWeight: 800, letterSpacing: 4, padding: '14px 28px', borderRadius: 999, border: `4px solid ${ink}` }, 'PROVISIONAL'));
  }
  return div(
    { display: 'flex', position: 'relative', width: STORY_WIDTH, height: STORY_HEIGHT, fontFamily: 'Inter latin', color: ink, ...backgroundCss(colours) },
    [
      // No overflow clipping: content too big for its box shows in the margins, where the test sees it.
      div({ display: 'flex', position: 'absolute', left: STORY_MARGIN, top: STORY_MARGIN, width: CONTENT_WIDTH, height: CONTENT_HEIGHT, flexDirection: 'column', justifyContent: 'center', alignItems: 'flex-start' }, main),
      div({ display: 'flex', position: 'absolute', left: STORY_MARGIN, bottom: STORY_MARGIN, width: CONTENT_WIDTH, height: STORY_FOOTER, alignItems: 'center', justifyContent: 'space-between' }, footer),
    ],
  );
}

async function renderStory(card: StoryCard, text: CardText, hideText: boolean) {
  const svg = await satori(storyElement(card, drawableText(text), { hideText }) as Parameters<typeof satori>[0], { width: STORY_WIDTH, height: STORY_HEIGHT, fonts: await loadFonts() });
  return new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: false } }).render();
}

export async function renderStoryPng(card: StoryCard, text: CardText): Promise<Buffer> {
  return (await renderStory(card, text, false)).asPng();
}

/** Raw RGBA of the card with and without its text: where they differ is where the text is. */
export async function renderStoryPixels(card: StoryCard, text: CardText): Promise<{ withText: Buffer; withoutText: Buffer }> {
  const [a, b] = await Promise.all([renderStory(card, text, false), renderStory(card, text, true)]);
  return { withText: Buffer.from(a.pixels), withoutText: Buffer.from(b.pixels) };
}
