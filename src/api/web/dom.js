// showprint's viewer page, part 1 of 5: small DOM and formatting helpers shared by the other scripts
// (cards.js, stories.js, share.js, app.js), which index.html loads in that order after this one.
// Text only ever goes in through textContent or attributes, never innerHTML: report text comes from
// show names and LLM output.
/* global document, window */
'use strict';

window.showprint = window.showprint || {};

(() => {
  /** Creates an element with a class and text; children are appended as given (falsy ones skipped). */
  function el(tag, className, text, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const child of children) if (child) node.append(child);
    return node;
  }

  const numberFormat = new Intl.NumberFormat('en');
  /** A number for people: 12,345. Anything that is not a finite number counts as 0. */
  const fmt = (n) => numberFormat.format(Number.isFinite(Number(n)) ? Number(n) : 0);
  /** "1 show", "3 shows". */
  const plural = (n, word, many = `${word}s`) => `${fmt(n)} ${Number(n) === 1 ? word : many}`;

  /** An ISO date `YYYY-MM-DD` → "January 10, 2021" (read as UTC so it never shifts a day). */
  function formatDate(iso) {
    const date = new Date(`${iso}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) return String(iso ?? '');
    return new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  }

  function initials(name) {
    const words = String(name || '').trim().split(/\s+/).filter(Boolean);
    const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || '★').slice(0, 2);
    return letters.toUpperCase();
  }

  /** Reads `{error: {message}}` from an API answer, falling back to the status line. */
  async function apiError(res) {
    try {
      const body = await res.json();
      if (body && body.error && body.error.message) return body.error.message;
    } catch {
      // not JSON: fall through
    }
    return `The server answered ${res.status} ${res.statusText}`.trim();
  }

  // Line icons drawn as SVG paths: they look the same everywhere, unlike emoji fonts.
  const ICONS = {
    play: 'M7 4l13 8-13 8z',
    pause: 'M7 5v14M17 5v14',
    prev: 'M15 5l-7 7 7 7',
    next: 'M9 5l7 7-7 7',
    heart: 'M12 20s-7-4.5-9-9a4.5 4.5 0 0 1 9-2.5A4.5 4.5 0 0 1 21 11c-2 4.5-9 9-9 9z',
    trophy: 'M8 4h8v5a4 4 0 0 1-8 0zM8 6H5a3 3 0 0 0 3 4M16 6h3a3 3 0 0 1-3 4M12 13v4M8 20h8',
    star: 'M12 3l2.6 6 6.4.5-5 4.2 1.6 6.3-5.6-3.4-5.6 3.4 1.6-6.3-5-4.2 6.4-.5z',
    chart: 'M5 20V10M12 20V4M19 20v-7',
    tomato: 'M5 14a7 7 0 1 0 14 0a7 7 0 1 0-14 0M9 6.5c1 .8 2 1.2 3 1.2s2-.4 3-1.2M12 7.7V4',
    people: 'M6 8a3 3 0 1 0 6 0a3 3 0 1 0-6 0M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6M14.5 9a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0-5 0M16 14.5c2.8.3 5 2.4 5 5.5',
    moon: 'M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z',
    sparkle: 'M12 3l2 7 7 2-7 2-2 7-2-7-7-2 7-2z',
    tv: 'M4 8h16v11H4zM9 3l3 4 3-4',
    ribbon: 'M12 3a5 5 0 1 0 0 10a5 5 0 1 0 0-10M9 12l-2 9 5-3 5 3-2-9',
    share: 'M12 15V4M8 8l4-4 4 4M5 13v6h14v-6',
    download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
    close: 'M6 6l12 12M18 6L6 18',
    expand: 'M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5',
  };

  function icon(name, className = 'icon') {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', className);
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name] || ICONS.sparkle);
    svg.append(path);
    return svg;
  }

  /** A round picture with an initials fallback for a missing or unreachable image. */
  function avatar(name, imageUrl, alt) {
    const wrap = el('div', 'avatar');
    const fallback = el('span', 'avatar-initials', initials(name));
    fallback.setAttribute('aria-hidden', 'true');
    wrap.append(fallback);
    const useFallback = () => {
      wrap.querySelector('img')?.remove();
      // Without the image, the wrapper carries the description.
      wrap.setAttribute('role', 'img');
      wrap.setAttribute('aria-label', alt);
      wrap.classList.add('is-fallback');
    };
    if (imageUrl && /^https:\/\//.test(String(imageUrl))) {
      const img = document.createElement('img');
      img.alt = alt;
      img.decoding = 'async';
      img.referrerPolicy = 'no-referrer';
      img.addEventListener('error', useFallback, { once: true });
      img.src = imageUrl;
      wrap.append(img);
    } else {
      useFallback();
    }
    return wrap;
  }

  /**
   * A show's poster, or (no image path in the report, or it fails to load) a designed stand-in: the
   * show's name set large on the card's colours, so a card never shows a broken image.
   */
  function poster(name, imageUrl) {
    const wrap = el('div', 'poster is-fallback', null, icon('tv', 'poster-icon icon'), el('span', 'poster-name', initials(name)));
    wrap.setAttribute('role', 'img');
    wrap.setAttribute('aria-label', `Poster of ${name}`);
    if (imageUrl && /^https:\/\//.test(String(imageUrl))) {
      const img = document.createElement('img');
      img.alt = `Poster of ${name}`;
      img.decoding = 'async';
      img.referrerPolicy = 'no-referrer';
      img.addEventListener('load', () => {
        wrap.classList.remove('is-fallback');
        wrap.removeAttribute('role');
        wrap.removeAttribute('aria-label');
      }, { once: true });
      img.addEventListener('error', () => img.remove(), { once: true });
      img.src = imageUrl;
      wrap.append(img);
    }
    return wrap;
  }

  /** A session's API path: /api/sessions/<id><rest>. */
  const sessionPath = (sessionId, rest = '') => `/api/sessions/${encodeURIComponent(sessionId)}${rest}`;

  window.showprint.dom = { el, fmt, plural, formatDate, initials, apiError, icon, avatar, poster, sessionPath };
})();
