// showprint's viewer page: start or resume a session, follow its progress over server-sent events,
// then tell the report as a sequence of cards. Plain DOM, no framework; data only ever goes through
// textContent or attributes, never innerHTML.
/* global document, window, fetch, EventSource, URLSearchParams, history */
'use strict';

/** The session states, served from the contract by /session-states.js (loaded first). */
const STATES = window.SESSION_STATES;

(() => {
  const $ = (id) => document.getElementById(id);
  const ui = {
    start: $('start'),
    form: $('start-form'),
    demoKey: $('demo-key'),
    dataKey: $('data-key'),
    formError: $('form-error'),
    startButton: $('start-button'),
    progress: $('progress'),
    progressTitle: $('progress-title'),
    overallBar: $('overall-bar'),
    overallPercent: $('overall-percent'),
    eta: $('eta'),
    status: $('progress-status'),
    failure: $('failure'),
    failureTitle: $('failure-title'),
    failureMessage: $('failure-message'),
    failureDetails: $('failure-details'),
    failureCode: $('failure-code'),
    retryButton: $('retry-button'),
    report: $('report'),
    reportTitle: $('report-title'),
    reportSummary: $('report-summary'),
    cards: $('cards'),
    againButton: $('again-button'),
    forgetButton: $('forget-button'),
    forgetResult: $('forget-result'),
  };

  const STAGES = ['fetch', 'showData', 'crawl', 'quips', 'bff', 'starSign'];
  const NETWORK_MESSAGE = 'We couldn’t reach showprint. Check your internet connection, then try again.';

  /** Current watch: the session id and its event stream, so a new watch can end the old one. */
  let current = null;
  let retryAction = null;

  // ---------- small DOM helpers ----------

  /** Creates an element with a class and text; children are appended as given. */
  function el(tag, className, text, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function show(section) {
    for (const s of [ui.start, ui.progress, ui.failure, ui.report]) s.hidden = s !== section;
  }

  function setBar(bar, percent, valueText) {
    const value = Math.max(0, Math.min(100, Math.round(Number(percent) || 0)));
    bar.setAttribute('aria-valuenow', String(value));
    if (valueText) bar.setAttribute('aria-valuetext', valueText);
    bar.querySelector('.bar-fill').style.width = `${value}%`;
  }

  const numberFormat = new Intl.NumberFormat('en');
  const fmt = (n) => numberFormat.format(n);

  function formatEta(seconds) {
    if (seconds === null || seconds === undefined) return 'Estimating the time left…';
    if (seconds <= 1) return 'Almost there…';
    if (seconds < 60) return `About ${seconds} seconds left`;
    const minutes = Math.round(seconds / 60);
    return `About ${minutes} minute${minutes === 1 ? '' : 's'} left`;
  }

  /** An ISO date `YYYY-MM-DD` → "January 10, 2021" (read as UTC so it never shifts a day). */
  function formatDate(iso) {
    const date = new Date(`${iso}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) return iso;
    return new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  }

  function initials(name) {
    const words = String(name || '?').trim().split(/\s+/).filter(Boolean);
    const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || '?').slice(0, 2);
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

  // ---------- failures ----------

  /**
   * Turns a session's failureReason into a sentence a viewer can act on. Reasons may end in a
   * service's own words, like "… (RECORD_NOT_FOUND: record not found)": those go to the details.
   */
  function explainFailure(reason) {
    if (!reason) return { message: 'Something went wrong while building your report, and we don’t know exactly what.' };
    if (reason === 'cancelled') return { message: 'This session was cancelled before it finished.' };
    if (reason === 'never connected') return { message: 'This session was never connected to a Netflix account, so it gave up waiting.' };
    const technical = /^(.+?)\s*\(([A-Z][A-Z0-9_]{2,}\b.*)\)$/.exec(reason);
    const plain = technical ? technical[1] : reason;
    const text = plain.charAt(0).toUpperCase() + plain.slice(1);
    return { message: /[.!?]$/.test(text) ? text : `${text}.`, details: technical ? technical[2] : undefined };
  }

  function showFailure(title, explained, action) {
    closeStream();
    const { message, details } = typeof explained === 'string' ? { message: explained } : explained;
    ui.failureTitle.textContent = title;
    ui.failureMessage.textContent = message;
    ui.failureCode.textContent = details || '';
    ui.failureDetails.hidden = !details;
    ui.failureDetails.open = false;
    retryAction = action;
    show(ui.failure);
    ui.retryButton.focus();
  }

  function startOver() {
    closeStream();
    history.pushState(null, '', '/');
    ui.formError.hidden = true;
    show(ui.start);
    ui.startButton.disabled = false;
    ui.demoKey.focus();
  }

  ui.retryButton.addEventListener('click', () => (retryAction || startOver)());
  ui.againButton.addEventListener('click', startOver);

  // ---------- forget me ----------

  /** The report's session, set when it is shown: what "Erase my data" erases. */
  let reportSessionId = null;

  ui.forgetButton.addEventListener('click', async () => {
    if (!reportSessionId || !window.confirm('Erase this report and the watch history behind it for good? This cannot be undone.')) return;
    ui.forgetButton.disabled = true;
    ui.forgetResult.hidden = false;
    ui.forgetResult.textContent = 'Erasing…';
    try {
      // The viewer cookie (HttpOnly, this session's path) is the credential; the browser sends Origin.
      const res = await fetch(`/api/sessions/${encodeURIComponent(reportSessionId)}`, { method: 'DELETE', headers: { accept: 'application/json' } });
      if (res.status === 202) {
        ui.forgetResult.textContent = 'Your data is being erased; it finishes in a moment even if you close this page.';
      } else if (!res.ok) {
        ui.forgetResult.textContent = `We couldn’t erase it: ${await apiError(res)}`;
        ui.forgetButton.disabled = false;
        return;
      } else {
        const { receipt } = await res.json();
        const rows = Object.values(receipt.rowsDeleted).reduce((a, b) => a + b, 0);
        ui.forgetResult.textContent = `Erased at ${new Date(receipt.erasedAt).toLocaleString()}: ${rows} records deleted and the encryption key ${receipt.keyIds[0] ?? '(none)'} destroyed. Keep this as your receipt.`;
      }
      ui.cards.replaceChildren();
      ui.reportSummary.textContent = 'This report was erased.';
      reportSessionId = null;
    } catch {
      ui.forgetResult.textContent = NETWORK_MESSAGE;
      ui.forgetButton.disabled = false;
    }
  });

  // ---------- starting ----------

  async function loadDemoKeys() {
    try {
      const res = await fetch('/api/demo-keys');
      if (!res.ok) throw new Error(await apiError(res));
      const keys = await res.json();
      ui.demoKey.replaceChildren(...keys.map((k) => {
        const option = el('option', null, k.label);
        option.value = k.key;
        return option;
      }));
      if (keys.length === 0) throw new Error('no demo viewers');
    } catch {
      // No demo viewers (real Gandalf, or offline): the free-text key is the only way in.
      const option = el('option', null, 'No demo viewers available');
      option.value = '';
      ui.demoKey.replaceChildren(option);
      ui.demoKey.disabled = true;
    }
  }

  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const dataKey = ui.dataKey.value.trim() || ui.demoKey.value;
    ui.formError.hidden = true;
    if (!dataKey) {
      ui.formError.textContent = 'Pick a demo viewer or paste a dataKey first.';
      ui.formError.hidden = false;
      ui.dataKey.focus();
      return;
    }
    ui.startButton.disabled = true;
    ui.startButton.textContent = 'Starting…';
    try {
      const res = await fetch('/api/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ dataKey }),
      });
      if (res.status === 401) throw new Error('this server only starts reports for apps with an API key. Use the link from Gandalf Connect instead.');
      if (res.status === 429) throw new Error('too many reports were started from here just now. Wait a minute, then try again.');
      if (!res.ok) throw new Error(await apiError(res));
      const { sessionId } = await res.json();
      history.pushState({ sessionId }, '', `/?session=${encodeURIComponent(sessionId)}`);
      watch(sessionId);
    } catch (error) {
      ui.formError.textContent = error instanceof TypeError ? NETWORK_MESSAGE : `We couldn’t start your report: ${error.message}`;
      ui.formError.hidden = false;
    } finally {
      ui.startButton.disabled = false;
      ui.startButton.textContent = 'Start my report';
    }
  });

  // ---------- progress ----------

  function closeStream() {
    if (current && current.source) current.source.close();
    current = null;
  }

  function resetProgress() {
    setBar(ui.overallBar, 0, '0%');
    ui.overallPercent.textContent = '0%';
    ui.eta.textContent = 'Getting started…';
    ui.status.textContent = '';
    ui.progressTitle.textContent = 'Reading your history…';
    for (const name of STAGES) {
      const item = ui.progress.querySelector(`[data-stage="${name}"]`);
      item.classList.remove('is-done');
      setBar(item.querySelector('[role="progressbar"]'), 0, 'Waiting');
      item.querySelector('[data-count]').textContent = 'Waiting';
    }
  }

  function stageText(name, stage) {
    if (name === 'fetch') {
      if (stage.total === 0) return stage.activities > 0 ? `${fmt(stage.activities)} activities` : 'Waiting';
      return `${fmt(stage.done)} of ${fmt(stage.total)} pages · ${fmt(stage.activities)} activities`;
    }
    if (name === 'showData' || name === 'crawl') {
      if (stage.total === 0) return stage.complete ? 'Done' : 'Waiting';
      const failed = stage.failed > 0 ? ` (${fmt(stage.failed)} not found)` : '';
      return `${fmt(stage.done)} of ${fmt(stage.total)} shows${failed}`;
    }
    return stage.complete || stage.done >= stage.total ? 'Done' : 'Waiting';
  }

  const STATE_TITLES = {
    [STATES.AWAITING_CONNECTION]: 'Waiting for your Netflix connection…',
    [STATES.PROCESSING]: 'Reading your history…',
    [STATES.STATS_DATA_READY]: 'Your first stats are in, finishing the rest…',
    [STATES.COMPLETED]: 'All done!',
  };

  function renderProgress(p) {
    const percent = Math.round(p.percent);
    setBar(ui.overallBar, percent, `${percent}%`);
    ui.overallPercent.textContent = `${percent}%`;
    ui.eta.textContent = p.state === STATES.AWAITING_CONNECTION
      ? 'Connect your Netflix account through Gandalf to begin.'
      : formatEta(p.etaSeconds);
    ui.progressTitle.textContent = STATE_TITLES[p.state] || 'Working on it…';
    const finished = [];
    for (const name of STAGES) {
      const stage = p.stages[name];
      const item = ui.progress.querySelector(`[data-stage="${name}"]`);
      const text = stageText(name, stage);
      item.querySelector('[data-count]').textContent = text;
      setBar(item.querySelector('[role="progressbar"]'), stage.percent, text);
      item.classList.toggle('is-done', Boolean(stage.complete));
      if (stage.complete) finished.push(name);
    }
    // Announce in steps of a quarter, a state change, or a newly finished stage — not every tick.
    const step = Math.floor(percent / 25);
    const key = `${p.state}|${step}|${finished.join(',')}`;
    if (current && key !== current.announced) {
      current.announced = key;
      ui.status.textContent = `${ui.progressTitle.textContent} ${percent}% done.`;
    }
  }

  function watch(sessionId) {
    closeStream();
    resetProgress();
    show(ui.progress);
    ui.progressTitle.focus();
    const watching = { sessionId, source: null, errors: 0, announced: '' };
    current = watching;

    const source = new EventSource(`/api/sessions/${encodeURIComponent(sessionId)}/events`);
    watching.source = source;
    source.addEventListener('progress', (event) => {
      watching.errors = 0;
      renderProgress(JSON.parse(event.data));
    });
    source.addEventListener('done', (event) => {
      source.close();
      const done = JSON.parse(event.data);
      if (done.state === STATES.COMPLETED) {
        void loadReport(sessionId);
      } else {
        showFailure('We couldn’t finish your report', explainFailure(done.failureReason), startOver);
      }
    });
    source.addEventListener('error', () => {
      if (current !== watching) return;
      watching.errors++;
      // EventSource retries by itself; a closed stream or repeated errors need a closer look.
      if (source.readyState === EventSource.CLOSED || watching.errors >= 3) {
        source.close();
        void diagnose(sessionId);
      } else {
        ui.eta.textContent = 'Connection lost, reconnecting…';
      }
    });
  }

  /** The stream failed: ask the plain API why, and say it in words. */
  async function diagnose(sessionId) {
    let res;
    try {
      res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}`, { headers: { accept: 'application/json' } });
    } catch {
      showFailure('You seem to be offline', NETWORK_MESSAGE, () => watch(sessionId));
      return;
    }
    if (res.status === 401) {
      showFailure('This report is private', 'Only the browser that started it can open it. Start a new report instead.', startOver);
    } else if (res.status === 404) {
      showFailure('We couldn’t find that session', 'This link doesn’t match any report we know about. Start a new one instead.', startOver);
    } else if (res.status === 400) {
      showFailure('That link looks broken', 'The session id in this link isn’t valid. Start a new report instead.', startOver);
    } else if (!res.ok) {
      showFailure('Our server is having trouble', `${await apiError(res)}. Give it a moment, then try again.`, () => watch(sessionId));
    } else {
      const session = await res.json();
      if (session.state === STATES.COMPLETED) void loadReport(sessionId);
      else if (session.state === STATES.FAILED) showFailure('We couldn’t finish your report', explainFailure(session.failureReason), startOver);
      else showFailure('We lost track of your report', 'The live progress stream keeps dropping. Your report is still being made; try again to reconnect.', () => watch(sessionId));
    }
  }

  // ---------- the report ----------

  async function loadReport(sessionId) {
    let res;
    try {
      res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/report`, { headers: { accept: 'application/json' } });
    } catch {
      showFailure('You seem to be offline', NETWORK_MESSAGE, () => void loadReport(sessionId));
      return;
    }
    if (!res.ok) {
      showFailure('We couldn’t load your report', await apiError(res), () => void loadReport(sessionId));
      return;
    }
    reportSessionId = sessionId;
    ui.forgetButton.disabled = false;
    ui.forgetResult.hidden = true;
    renderReport(await res.json());
  }

  // Line icons drawn as SVG paths: they look the same everywhere, unlike emoji fonts.
  const ICONS = {
    play: 'M7 4l13 8-13 8z',
    heart: 'M12 20s-7-4.5-9-9a4.5 4.5 0 0 1 9-2.5A4.5 4.5 0 0 1 21 11c-2 4.5-9 9-9 9z',
    trophy: 'M8 4h8v5a4 4 0 0 1-8 0zM8 6H5a3 3 0 0 0 3 4M16 6h3a3 3 0 0 1-3 4M12 13v4M8 20h8',
    star: 'M12 3l2.6 6 6.4.5-5 4.2 1.6 6.3-5.6-3.4-5.6 3.4 1.6-6.3-5-4.2 6.4-.5z',
    chart: 'M5 20V10M12 20V4M19 20v-7',
    tomato: 'M5 14a7 7 0 1 0 14 0a7 7 0 1 0-14 0M9 6.5c1 .8 2 1.2 3 1.2s2-.4 3-1.2M12 7.7V4',
    people: 'M6 8a3 3 0 1 0 6 0a3 3 0 1 0-6 0M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6M14.5 9a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0-5 0M16 14.5c2.8.3 5 2.4 5 5.5',
    moon: 'M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z',
    sparkle: 'M12 3l2 7 7 2-7 2-2 7-2-7-7-2 7-2z',
  };

  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'card-icon icon');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** A story card: eyebrow, heading, then whatever the card needs. */
  function card(kind, eyebrow, iconName, title, ...body) {
    const article = el('article', `card card-${kind}`);
    article.dataset.card = kind;
    const headingId = `card-${kind}-title`;
    article.setAttribute('aria-labelledby', headingId);
    const top = el('p', 'card-eyebrow', null, icon(iconName), el('span', null, eyebrow));
    const heading = el('h3', 'card-title', title);
    heading.id = headingId;
    article.append(top, heading, ...body.filter(Boolean));
    return article;
  }

  const quip = (text) => (text ? el('p', 'quip', text) : null);
  const note = (text) => el('p', 'card-note', text);

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
    if (imageUrl) {
      const img = document.createElement('img');
      img.alt = alt;
      img.loading = 'lazy';
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

  const ZODIAC = {
    Aries: '♈', Taurus: '♉', Gemini: '♊', Cancer: '♋', Leo: '♌', Virgo: '♍',
    Libra: '♎', Scorpio: '♏', Sagittarius: '♐', Capricorn: '♑', Aquarius: '♒', Pisces: '♓',
  };

  function renderReport(r) {
    const cards = [];

    cards.push(r.firstShow
      ? card('firstShow', 'Where it all began', 'play', r.firstShow.name,
        el('p', 'card-detail', null, document.createTextNode('First watched on '), (() => {
          const time = el('time', null, formatDate(r.firstShow.date));
          time.dateTime = r.firstShow.date;
          return time;
        })()),
        quip(r.firstShowQuip))
      : card('firstShow', 'Where it all began', 'play', 'A fresh start', note('We found no shows in your history yet.')));

    cards.push(r.mostWatchedShow
      ? card('mostWatched', 'Your comfort show', 'heart', r.mostWatchedShow.name,
        el('p', 'card-detail big-stat', r.mostWatchedShow.summary),
        r.mostWatchedShow.total
          ? (() => {
            const share = Math.min(100, (r.mostWatchedShow.watched / r.mostWatchedShow.total) * 100);
            const meter = el('div', 'meter', null, el('span', 'meter-fill'));
            meter.firstChild.style.width = `${Math.max(2, share)}%`;
            meter.setAttribute('aria-hidden', 'true');
            return meter;
          })()
          : null,
        quip(r.mostWatchedShowQuip))
      : card('mostWatched', 'Your comfort show', 'heart', 'Still looking', note('No show stood out yet.')));

    if (r.topShows.length > 0) {
      const list = el('ol', 'podium');
      r.topShows.forEach((s, i) => {
        list.append(el('li', `podium-item place-${i + 1}`, null,
          el('span', 'podium-place', `#${i + 1}`),
          el('span', 'podium-name', s.name),
          el('span', 'podium-count', `${fmt(s.episodes)} episode${s.episodes === 1 ? '' : 's'}`)));
      });
      cards.push(card('topShows', 'Your top 3', 'trophy', 'Can’t stop, won’t stop', list));
    } else {
      cards.push(card('topShows', 'Your top 3', 'trophy', 'No favourites yet', note('Watch a few more episodes and come back.')));
    }

    if (r.crossoverStar) {
      const s = r.crossoverStar;
      const chips = el('ul', 'chips');
      for (const name of s.shows) chips.append(el('li', 'chip', name));
      cards.push(card('crossoverStar', 'Your crossover star', 'star', s.name,
        el('div', 'card-row', null,
          avatar(s.name, s.imageUrl, `Photo of ${s.name}`),
          el('p', 'card-detail', `Turns up in ${fmt(s.showCount)} of your shows`)),
        chips));
    } else {
      cards.push(card('crossoverStar', 'Your crossover star', 'star', 'No repeat faces', note('No actor appears in more than one of your shows.')));
    }

    if (r.genres.length > 0) {
      const max = Math.max(...r.genres.map((g) => g.share));
      const chart = el('ul', 'genre-chart');
      chart.setAttribute('aria-label', 'Share of each genre across your shows');
      for (const g of r.genres) {
        const bar = el('span', 'genre-bar', null, el('span', 'genre-fill'));
        // Scaled to the biggest genre so the chart reads at a glance; the label keeps the real share.
        bar.firstChild.style.width = `${Math.max(3, (g.share / max) * 100)}%`;
        bar.setAttribute('aria-hidden', 'true');
        const row = el('li', 'genre-row', null,
          el('span', 'genre-name', g.name),
          el('span', 'genre-share', `${g.share.toFixed(2)}%`),
          bar);
        row.dataset.genre = g.name;
        chart.append(row);
      }
      cards.push(card('genres', 'Your genre mix', 'chart', `Mostly ${r.genres[0].name}`, chart, quip(r.topGenresQuip)));
    } else {
      cards.push(card('genres', 'Your genre mix', 'chart', 'A genre of your own', note('We couldn’t tell the genres of your shows.')));
    }

    if (r.rtScore) {
      const score = r.rtScore;
      const meter = el('div', 'meter rt-meter', null, el('span', 'meter-fill'));
      meter.firstChild.style.width = `${Math.max(2, Math.min(100, score.score))}%`;
      meter.setAttribute('aria-hidden', 'true');
      cards.push(card('rtScore', 'Your taste, by the critics', 'tomato', score.band,
        el('p', 'big-number', null,
          el('span', 'big-number-value', score.score.toFixed(0)),
          el('span', 'big-number-unit', ' / 100')),
        meter,
        el('p', 'card-note', `From ${fmt(score.showsScored)} scored show${score.showsScored === 1 ? '' : 's'}, weighted by how much you watched.`),
        quip(r.rtScoreQuip)));
    } else {
      cards.push(card('rtScore', 'Your taste, by the critics', 'tomato', 'Unrated', note('None of your shows had a critics or audience score.')));
    }

    if (r.bff) {
      cards.push(card('bff', 'Your TV best friend', 'people', r.bff.name,
        el('div', 'card-row', null,
          avatar(r.bff.name, r.bff.imageUrl, `${r.bff.name} from ${r.bff.show}`),
          el('p', 'card-detail', `from ${r.bff.show}`)),
        quip(r.bff.quip)));
    } else {
      cards.push(card('bff', 'Your TV best friend', 'people', 'Still to meet', note('We need a few more shows to find your match.')));
    }

    if (r.starSign) {
      cards.push(card('starSign', 'Your TV star sign', 'moon', r.starSign.sign,
        el('p', 'zodiac', `${ZODIAC[r.starSign.sign] || '✦'}\uFE0E`),
        quip(r.starSign.quip)));
      cards[cards.length - 1].querySelector('.zodiac').setAttribute('aria-hidden', 'true');
    } else {
      cards.push(card('starSign', 'Your TV star sign', 'moon', 'The stars are shy', note('We couldn’t read your sign this time.')));
    }

    if (r.personality) {
      cards.push(card('personality', 'Your TV personality', 'sparkle', r.personality.name, quip(r.personality.quip)));
    } else {
      cards.push(card('personality', 'Your TV personality', 'sparkle', 'A mystery', note('Your personality is still loading.')));
    }

    cards.forEach((c, i) => c.style.setProperty('--delay', `${i * 70}ms`));
    ui.cards.replaceChildren(...cards);
    ui.reportSummary.textContent = `${fmt(r.totalShows)} show${r.totalShows === 1 ? '' : 's'} · ${fmt(r.totalEpisodes)} episode${r.totalEpisodes === 1 ? '' : 's'} · ${fmt(r.films)} film${r.films === 1 ? '' : 's'}`;
    show(ui.report);
    ui.reportTitle.focus();
  }

  // ---------- boot ----------

  function route() {
    const sessionId = new URLSearchParams(window.location.search).get('session');
    if (sessionId) watch(sessionId);
    else {
      closeStream();
      show(ui.start);
    }
  }

  /**
   * A link an app (or `npm start`) hands the viewer: `/?session=<id>#viewer=<token>`. The fragment
   * never reaches a server or a log; the token is traded once for the session's HttpOnly cookie and
   * then removed from the address bar.
   */
  async function adoptViewerToken() {
    const token = new URLSearchParams(window.location.hash.slice(1)).get('viewer');
    const sessionId = new URLSearchParams(window.location.search).get('session');
    if (!token || !sessionId) return;
    history.replaceState(history.state, '', `/?session=${encodeURIComponent(sessionId)}`);
    try {
      await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/viewer-cookie`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    } catch {
      // Offline: the page then says it cannot reach showprint.
    }
  }

  window.addEventListener('popstate', route);
  void loadDemoKeys();
  void adoptViewerToken().then(route);
})();
