// The public page of one shared card: the card's text, its link-preview tags (Open Graph, Twitter)
// and a way to showprint's home. Server-rendered, every value escaped, no script, no remote asset.
import { createHash } from 'node:crypto';
import { CARD_HEIGHT, CARD_WIDTH } from './cardImage.js';
import { type CardText, cardDescription } from './cardText.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const CSS = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:1.5rem;padding:1.5rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d1b2f;background:#fbf7f2}
main{display:flex;flex-wrap:wrap;align-items:center;justify-content:center;gap:2rem;width:min(60rem,100%)}
figure{margin:0;flex:0 1 22rem}
figure img{display:block;width:100%;height:auto;border-radius:22px;box-shadow:0 20px 50px rgb(29 27 47/25%)}
.text{flex:1 1 18rem;max-width:30rem}
.card{padding:1.5rem;border-radius:22px;color:#fff;background:linear-gradient(135deg,#4317b8,#5b2be0 45%,#c2185b)}
.eyebrow{margin:0;font-size:.85rem;font-weight:700;letter-spacing:.12em;text-transform:uppercase}
h1{margin:.4rem 0 1rem;font-size:clamp(1.8rem,6vw,2.8rem);line-height:1.1;overflow-wrap:anywhere}
p{margin:.5rem 0;line-height:1.45}
ul{list-style:none;margin:1rem 0 0;padding:0}
li{margin:.3rem 0}
.badge{display:inline-block;margin-top:1rem;padding:.3rem .8rem;border-radius:999px;font-size:.85rem;font-weight:700;background:rgb(255 255 255/20%)}
.what{margin:1.25rem 0;font-size:1.05rem}
.cta{display:inline-block;padding:.85rem 1.6rem;border-radius:999px;color:#fff;background:#4317b8;font-weight:800;text-decoration:none}
nav{display:flex;gap:1.25rem;flex-wrap:wrap;align-items:center}
a{color:#4317b8;font-weight:700}`;

/** The page's Content-Security-Policy: its one inline style by hash, images only from here. */
export const SHARE_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface SharePageUrls {
  page: string;
  /** The 1200×630 link preview. */
  image: string;
  /** The 1080×1920 story image, shown large on the page. */
  story: string;
  home: string;
}

export function sharePage(text: CardText, urls: SharePageUrls): string {
  const title = `${text.eyebrow}: ${text.title}`;
  const description = cardDescription(text);
  const meta = (attr: 'property' | 'name', key: string, value: string) => `<meta ${attr}="${key}" content="${escapeHtml(value)}">`;
  const lines = text.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  const bars = text.bars.length > 0 ? `<ul>${text.bars.map((b) => `<li>${escapeHtml(b.label)}</li>`).join('')}</ul>` : '';
  const badge = text.badge ? `<p class="badge">${escapeHtml(text.badge)}</p>` : '';
  const head = `${meta('name', 'description', description)}
${meta('property', 'og:type', 'website')}
${meta('property', 'og:site_name', 'showprint')}
${meta('property', 'og:title', title)}
${meta('property', 'og:description', description)}
${meta('property', 'og:url', urls.page)}
${meta('property', 'og:image', urls.image)}
${meta('property', 'og:image:type', 'image/png')}
${meta('property', 'og:image:width', String(CARD_WIDTH))}
${meta('property', 'og:image:height', String(CARD_HEIGHT))}
${meta('property', 'og:image:alt', title)}
${meta('name', 'twitter:card', 'summary_large_image')}
${meta('name', 'twitter:title', title)}
${meta('name', 'twitter:description', description)}
${meta('name', 'twitter:image', urls.image)}`;
  // A landing page: the card large, its words as text, a line on what showprint is, a way in.
  const alt = [title, ...text.lines].join('. ');
  return htmlPage(title, head, `<main>
<figure><img src="${escapeHtml(urls.story)}" width="1080" height="1920" alt="${escapeHtml(alt)}"></figure>
<div class="text">
<div class="card">
<p class="eyebrow">${escapeHtml(text.eyebrow)}</p>
<h1>${escapeHtml(text.title)}</h1>
${lines}
${bars}
${badge}
</div>
<p class="what">showprint turns a Netflix watch history into a story about you as a TV watcher: your comfort show, your crossover star, your taste and your TV star sign.</p>
<nav>
<a class="cta" href="${escapeHtml(urls.home)}">Make your own</a>
<a href="${escapeHtml(urls.story)}?download=1">Download the image</a>
</nav>
</div>
</main>`);
}

/** What every dead link answers: one page for a bad token, a revoked link and an erased session alike. */
export function notFoundPage(homeUrl: string): string {
  return htmlPage(
    'Link not found',
    '',
    `<main>
<div class="text">
<h1>This link doesn’t work</h1>
<p>It may have been turned off by the person who shared it.</p>
<nav><a class="cta" href="${escapeHtml(homeUrl)}">Make your own on showprint</a></nav>
</div>
</main>`,
  );
}

/** The one page shell both answers share: never indexed, the inline style, no external files. */
function htmlPage(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · showprint</title>
${head}
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
