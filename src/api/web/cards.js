// showprint's viewer page, part 2 of 5: what each story card says.
// For every card, `model(report)` picks the plain data the card shows and `build(model)` draws it.
// The model is also the card's fingerprint: when a new report version arrives, a card whose model
// changed is redrawn and marked "updated"; the others are left alone.
// Any field may be null (a provisional report, or one stored before a field existed): every
// builder has a sentence for the missing case.
/* global window, document */
'use strict';

(() => {
  const { el, fmt, plural, formatDate, icon, avatar, poster } = window.showprint.dom;
  const { ALL_CARDS, cardVerdicts, storyCards, tasteKind, criticsAndAudience, quipAfter, watchedLine, percent } = window.showprint.verdicts;

  /** The story cards in the order they play (STORY_CARDS in src/domain/report.ts). */
  const STORY_CARDS = ALL_CARDS;

  /** Short names for the progress segments and announcements. */
  const LABELS = {
    overview: 'Overview',
    firstShow: 'First show',
    mostWatched: 'Most watched',
    topShows: 'Top shows',
    crossoverStar: 'Crossover star',
    genres: 'Genre mix',
    rtTaste: 'Critics’ taste',
    bff: 'TV best friend',
    starSign: 'Star sign',
    personality: 'Personality',
    summary: 'Summary',
  };

  const ZODIAC = {
    Aries: '♈', Taurus: '♉', Gemini: '♊', Cancer: '♋', Leo: '♌', Virgo: '♍',
    Libra: '♎', Scorpio: '♏', Sagittarius: '♐', Capricorn: '♑', Aquarius: '♒', Pisces: '♓',
  };

  /** "The Adventurer" needs no article; "an Escape Artist", "a Sitcom Sage". */
  const article = (name) => (/^the /i.test(name) ? '' : /^[aeiou]/i.test(name) ? 'an ' : 'a ');
  const num = (n) => (Number.isFinite(Number(n)) ? Number(n) : 0);
  const list = (value) => (Array.isArray(value) ? value : []);
  const quip = (text) => (text ? el('p', 'quip', text) : null);
  const note = (text) => el('p', 'card-note', text);

  /**
   * The designed "still counting" state: a ring filling as the shows come in and how many are in,
   * never a number that could be read as the verdict.
   */
  function counting(c, what) {
    const ns = 'http://www.w3.org/2000/svg';
    const ring = document.createElementNS(ns, 'svg');
    ring.setAttribute('viewBox', '0 0 48 48');
    ring.setAttribute('class', 'counting-ring');
    ring.setAttribute('aria-hidden', 'true');
    const part = c.total > 0 ? Math.max(0.04, Math.min(1, c.done / c.total)) : 0.04;
    for (const [cls, dash] of [['counting-track', '126 126'], ['counting-fill', `${(part * 126).toFixed(1)} 126`]]) {
      const circle = document.createElementNS(ns, 'circle');
      circle.setAttribute('cx', '24');
      circle.setAttribute('cy', '24');
      circle.setAttribute('r', '20');
      circle.setAttribute('class', cls);
      circle.setAttribute('stroke-dasharray', dash);
      ring.append(circle);
    }
    const text = c.total > 0 ? `${what}: ${fmt(c.done)} of ${plural(c.total, 'show')} so far.` : `${what}.`;
    return el('div', 'counting', null, ring, el('p', 'counting-text', null, el('strong', null, 'Still counting. '), document.createTextNode(text)));
  }

  /**
   * A number that counts up when its card comes on screen (stories.js runs it, unless the viewer
   * prefers reduced motion). Screen readers get the number itself, never the count.
   */
  function countTo(value, className) {
    const shown = el('span', 'count-up', fmt(value));
    shown.dataset.countTo = String(value);
    shown.setAttribute('aria-hidden', 'true');
    return el('span', className, null, shown, el('span', 'visually-hidden', fmt(value)));
  }

  /** Critics against audience: a tile each, for the sides some show has (none for old reports). */
  function versus(sides) {
    if (sides.length === 0) return null;
    const tiles = el('ul', 'versus');
    tiles.setAttribute('aria-label', 'Critics against audience, mean scores of your shows');
    for (const side of sides) {
      tiles.append(el('li', `versus-side versus-${side.label.toLowerCase()}`, null,
        el('span', 'versus-label', side.label),
        el('span', 'versus-score', String(side.score)),
        el('span', 'versus-shows', plural(side.shows, 'show'))));
    }
    return tiles;
  }

  function meter(percent, className = 'meter') {
    const bar = el('div', className, null, el('span', 'meter-fill'));
    bar.firstChild.style.width = `${Math.max(2, Math.min(100, percent))}%`;
    bar.setAttribute('aria-hidden', 'true');
    return bar;
  }

  // ---------- models: the data each card shows ----------
  // `counting` is set while a provisional verdict is below its threshold (verdicts.js): the card
  // shows how far it has got, never a number.
  // `waiting` is set only while a field is still missing from a provisional report, so the final
  // version does not mark a card "updated" when only the report's finality changed.

  /** How far a card still counting has got: { done, total } from its coverage. */
  const sofar = (r, card) => {
    const c = r.coverage && r.coverage[card];
    return c ? { done: num(c.done), total: num(c.total) } : { done: 0, total: 0 };
  };

  const MODELS = {
    overview: (r) => ({
      shows: num(r.totalShows),
      episodes: num(r.totalEpisodes),
      films: num(r.films),
      since: r.firstShow ? r.firstShow.date : null,
    }),
    firstShow: (r) => (r.firstShow ? { name: r.firstShow.name, date: r.firstShow.date, posterUrl: r.firstShow.posterUrl || null, quip: quipAfter(r.firstShow.name, r.firstShowQuip) } : null),
    mostWatched: (r) => (r.mostWatchedShow
      ? {
        name: r.mostWatchedShow.name,
        // From the counts: the stored summary says "of ?" when the show's length is unknown.
        summary: watchedLine(r.mostWatchedShow.watched, r.mostWatchedShow.total),
        watched: num(r.mostWatchedShow.watched),
        total: r.mostWatchedShow.total ? num(r.mostWatchedShow.total) : null,
        posterUrl: r.mostWatchedShow.posterUrl || null,
        quip: quipAfter(r.mostWatchedShow.name, r.mostWatchedShowQuip),
      }
      : null),
    topShows: (r) => list(r.topShows).map((s) => ({ name: s.name, episodes: num(s.episodes), posterUrl: s.posterUrl || null })),
    crossoverStar: (r, ok) => {
      if (!ok.crossoverStar) return { counting: sofar(r, 'crossoverStar') };
      return r.crossoverStar
        ? { name: r.crossoverStar.name, imageUrl: r.crossoverStar.imageUrl || null, showCount: num(r.crossoverStar.showCount), shows: list(r.crossoverStar.shows) }
        : { none: true, waiting: !r.final };
    },
    genres: (r, ok) => (ok.genres
      ? { genres: list(r.genres).map((g) => ({ name: g.name, share: num(g.share) })), quip: r.topGenresQuip || null, waiting: list(r.genres).length === 0 && !r.final }
      : { counting: sofar(r, 'genres'), genres: [] }),
    rtTaste: (r, ok) => {
      if (!ok.rtTaste) return { counting: sofar(r, 'rtTaste') };
      const kind = r.rtScore ? tasteKind(num(r.rtScore.score)) : null;
      return {
        waiting: !r.rtScore && !r.final,
        score: r.rtScore ? { score: num(r.rtScore.score), kind, showsScored: num(r.rtScore.showsScored), sides: criticsAndAudience(r.rtScore) } : null,
        quip: kind ? quipAfter(kind.name, r.rtScoreQuip) : null,
        unavailable: Boolean(r.dataQuality && r.dataQuality.rtUnavailable),
      };
    },
    bff: (r) => (r.bff ? { name: r.bff.name, show: r.bff.show, quip: quipAfter(r.bff.name, r.bff.quip), imageUrl: r.bff.imageUrl || null } : { none: true, waiting: !r.final }),
    starSign: (r, ok) => (ok.starSign && r.starSign
      ? { sign: { sign: r.starSign.sign, quip: quipAfter(r.starSign.sign, r.starSign.quip) } }
      : { sign: null, waiting: !r.final, counting: r.final ? null : sofar(r, 'starSign') }),
    personality: (r, ok) => (ok.personality && r.personality
      ? { personality: { name: r.personality.name, quip: quipAfter(r.personality.name, r.personality.quip) } }
      : { personality: null, waiting: !r.final, counting: r.final ? null : sofar(r, 'personality') }),
    // Only the verdicts the report stands behind.
    summary: (r, ok) => ({
      personality: ok.personality && r.personality ? r.personality.name : null,
      sign: ok.starSign && r.starSign ? r.starSign.sign : null,
      comfort: r.mostWatchedShow ? r.mostWatchedShow.name : null,
      genre: ok.genres && list(r.genres)[0] ? r.genres[0].name : null,
      taste: ok.rtTaste && r.rtScore ? tasteKind(num(r.rtScore.score)).name : null,
      bff: r.bff ? r.bff.name : null,
      shows: num(r.totalShows),
      episodes: num(r.totalEpisodes),
    }),
  };

  // ---------- builders: a model drawn as eyebrow, icon, title and body ----------

  const BUILDERS = {
    overview(m) {
      const stats = el('ul', 'stat-trio');
      for (const [value, word] of [[m.shows, 'show'], [m.episodes, 'episode'], [m.films, 'film']]) {
        stats.append(el('li', 'stat', null, countTo(value, 'stat-value'), el('span', 'stat-label', value === 1 ? word : `${word}s`)));
      }
      return {
        eyebrow: 'Your TV story',
        icon: 'tv',
        title: m.episodes > 0 ? `${plural(m.episodes, 'episode')} later…` : 'A blank screen, for now',
        body: [
          stats,
          m.since ? note(`Your history goes back to ${formatDate(m.since)}. Here is what it says about you.`) : note('Here is what your history says about you.'),
        ],
      };
    },

    firstShow(m) {
      if (!m) return { eyebrow: 'Where it all began', icon: 'play', title: 'A fresh start', body: [note('We found no shows in your history yet.')] };
      const time = el('time', null, formatDate(m.date));
      time.dateTime = m.date;
      return {
        eyebrow: 'Where it all began',
        icon: 'play',
        title: m.name,
        hero: poster(m.name, m.posterUrl),
        body: [el('p', 'card-detail', null, document.createTextNode('First watched on '), time), quip(m.quip)],
      };
    },

    mostWatched(m) {
      if (!m) return { eyebrow: 'Your comfort show', icon: 'heart', title: 'Still looking', body: [note('No show stood out yet.')] };
      return {
        eyebrow: 'Your comfort show',
        icon: 'heart',
        title: m.name,
        hero: poster(m.name, m.posterUrl),
        body: [el('p', 'card-detail big-stat', m.summary), m.total ? meter((m.watched / m.total) * 100) : null, quip(m.quip)],
      };
    },

    topShows(m) {
      if (m.length === 0) return { eyebrow: 'Your top 3', icon: 'trophy', title: 'No favourites yet', body: [note('Watch a few more episodes and come back.')] };
      const podium = el('ol', 'podium');
      m.forEach((s, i) => {
        const thumb = poster(s.name, s.posterUrl);
        thumb.classList.add('podium-poster');
        podium.append(el('li', `podium-item place-${i + 1}`, null,
          thumb,
          el('span', 'podium-place', `#${i + 1}`),
          el('span', 'podium-name', s.name),
          el('span', 'podium-count', plural(s.episodes, 'episode'))));
      });
      return { eyebrow: 'Your top 3', icon: 'trophy', title: 'Can’t stop, won’t stop', body: [podium] };
    },

    crossoverStar(m) {
      if (m.counting) return { eyebrow: 'Your crossover star', icon: 'star', title: 'Still spotting faces', body: [counting(m.counting, 'Casts looked up')] };
      if (m.none) {
        return m.waiting
          ? { eyebrow: 'Your crossover star', icon: 'star', title: 'Still spotting faces', body: [note('We are still looking up the casts of your shows.')] }
          : { eyebrow: 'Your crossover star', icon: 'star', title: 'No repeat faces', body: [note('No actor appears in more than one of your shows.')] };
      }
      const chips = el('ul', 'chips');
      for (const name of m.shows) chips.append(el('li', 'chip', name));
      return {
        eyebrow: 'Your crossover star',
        icon: 'star',
        title: m.name,
        hero: avatar(m.name, m.imageUrl, `Photo of ${m.name}`),
        body: [el('p', 'card-detail', `Turns up in ${fmt(m.showCount)} of your shows`), chips],
      };
    },

    genres(m) {
      if (m.counting) return { eyebrow: 'Your genre mix', icon: 'chart', title: 'Sorting your shows', body: [counting(m.counting, 'Shows looked up')] };
      if (m.genres.length === 0) {
        return m.waiting
          ? { eyebrow: 'Your genre mix', icon: 'chart', title: 'Sorting your shows', body: [note('Your genres appear as we look up your shows.')] }
          : { eyebrow: 'Your genre mix', icon: 'chart', title: 'A genre of your own', body: [note('We couldn’t tell the genres of your shows.')] };
      }
      const max = Math.max(...m.genres.map((g) => g.share)) || 1;
      const chart = el('ul', 'genre-chart');
      chart.setAttribute('aria-label', 'Share of each genre across your shows');
      for (const g of m.genres) {
        const bar = el('span', 'genre-bar', null, el('span', 'genre-fill'));
        // Scaled to the biggest genre so the chart reads at a glance; the label keeps the real share.
        bar.firstChild.style.width = `${Math.max(3, (g.share / max) * 100)}%`;
        bar.setAttribute('aria-hidden', 'true');
        const row = el('li', 'genre-row', null, el('span', 'genre-name', g.name), el('span', 'genre-share', percent(g.share)), bar);
        row.dataset.genre = g.name;
        chart.append(row);
      }
      return { eyebrow: 'Your genre mix', icon: 'chart', title: `Mostly ${m.genres[0].name}`, body: [chart, quip(m.quip)] };
    },

    rtTaste(m) {
      const eyebrow = 'Your taste, by the critics';
      if (m.counting) return { eyebrow, icon: 'tomato', title: 'Still asking the critics', body: [counting(m.counting, 'Critics’ scores read')] };
      if (!m.score && m.waiting) {
        return { eyebrow, icon: 'tomato', title: 'Asking the critics', body: [note('Your score appears once the critics’ scores of your shows come in.')] };
      }
      if (!m.score) {
        const why = m.unavailable ? 'We couldn’t reach Rotten Tomatoes this time.' : 'None of your shows had a critics or audience score.';
        return { eyebrow, icon: 'tomato', title: 'Unrated', body: [note(why)] };
      }
      return {
        eyebrow,
        icon: 'tomato',
        title: m.score.kind.name,
        body: [
          el('p', 'card-detail big-stat', m.score.kind.line),
          el('p', 'big-number', null, countTo(Math.round(m.score.score), 'big-number-value'), el('span', 'big-number-unit', ' taste score')),
          meter(m.score.score, 'meter rt-meter'),
          note(`Across ${plural(m.score.showsScored, 'scored show')}, weighted by how much you watched.`),
          versus(m.score.sides),
          quip(m.quip),
        ],
      };
    },

    bff(m) {
      if (m.none) {
        const why = m.waiting ? 'We pick your match once your shows are looked up.' : 'We need a few more shows to find your match.';
        return { eyebrow: 'Your TV best friend', icon: 'people', title: 'Still to meet', body: [note(why)] };
      }
      return {
        eyebrow: 'Your TV best friend',
        icon: 'people',
        title: m.name,
        hero: avatar(m.name, m.imageUrl, `${m.name} from ${m.show}`),
        body: [el('p', 'card-detail', `from ${m.show}`), quip(m.quip)],
      };
    },

    starSign(m) {
      if (!m.sign) {
        return m.waiting
          ? { eyebrow: 'Your TV star sign', icon: 'moon', title: 'The stars are still aligning', body: [counting(m.counting, 'Shows read'), note('We read your sign once nearly all of your shows are checked. It appears here by itself.')] }
          : { eyebrow: 'Your TV star sign', icon: 'moon', title: 'The stars are shy', body: [note('We couldn’t read your sign this time.')] };
      }
      const glyph = el('p', 'zodiac', `${ZODIAC[m.sign.sign] || '✦'}\uFE0E`);
      glyph.setAttribute('aria-hidden', 'true');
      return { eyebrow: 'Your TV star sign', icon: 'moon', title: m.sign.sign, hero: glyph, body: [quip(m.sign.quip)] };
    },

    personality(m) {
      if (!m.personality) {
        return m.waiting
          ? { eyebrow: 'Your TV personality', icon: 'sparkle', title: 'Still taking shape', body: [counting(m.counting, 'Shows read'), note('Your personality comes with your star sign, once nearly all of your shows are checked.')] }
          : { eyebrow: 'Your TV personality', icon: 'sparkle', title: 'A mystery', body: [note('We couldn’t tell your personality this time.')] };
      }
      return { eyebrow: 'Your TV personality', icon: 'sparkle', title: m.personality.name, body: [quip(m.personality.quip)] };
    },

    summary(m) {
      const recap = el('dl', 'recap');
      const rows = [
        ['Personality', m.personality],
        ['Star sign', m.sign],
        ['Comfort show', m.comfort],
        ['Top genre', m.genre],
        ['Critics’ taste', m.taste],
        ['TV best friend', m.bff],
      ];
      for (const [term, value] of rows) {
        if (value) recap.append(el('div', 'recap-row', null, el('dt', null, term), el('dd', null, value)));
      }
      return {
        eyebrow: 'That’s a wrap',
        icon: 'ribbon',
        title: m.personality ? `You’re ${article(m.personality)}${m.personality}` : 'Your TV story so far',
        body: [
          recap.childElementCount > 0 ? recap : note('Your story is still being written.'),
          note(`${plural(m.shows, 'show')} · ${plural(m.episodes, 'episode')}`),
        ],
      };
    },
  };

  /** The fingerprint of a card's model: equal strings mean nothing on the card changed. */
  const fingerprint = (model) => JSON.stringify(model);

  /** Everything one card shows: its model, fingerprint and drawing. */
  function describe(kind, report) {
    const model = MODELS[kind](report, cardVerdicts(report));
    return { model, fingerprint: fingerprint(model), draw: () => BUILDERS[kind](model) };
  }

  /** Draws a card's inside: eyebrow (with icon), heading, body. */
  function drawBody(kind, drawing) {
    const eyebrow = el('p', 'card-eyebrow', null, icon(drawing.icon, 'card-icon icon'), el('span', null, drawing.eyebrow));
    const heading = el('h2', 'card-title', drawing.title);
    heading.id = `card-${kind}-title`;
    const hero = drawing.hero ? el('div', 'card-hero', null, drawing.hero) : null;
    return [hero, eyebrow, heading, ...drawing.body].filter(Boolean);
  }

  /** Tolerates reports stored before versions existed: no version means version 1, final; no coverage means none. */
  function normalizeReport(report) {
    const r = report && typeof report === 'object' ? report : {};
    const version = Number.isInteger(r.version) && r.version > 0 ? r.version : 1;
    const final = r.version === undefined ? true : r.final !== false;
    return { ...r, version, final, coverage: r.coverage && typeof r.coverage === 'object' ? r.coverage : {} };
  }

  window.showprint.cards = { STORY_CARDS, LABELS, describe, drawBody, normalizeReport, storyCards };
})();
