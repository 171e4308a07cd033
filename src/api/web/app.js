// showprint's viewer page, part 5 of 5: the flow. Start or resume a session, follow its progress over
// server-sent events, switch to the story cards as soon as the first report version exists (a
// provisional one at the deadline, or the final one), and keep upgrading them in place as new
// versions are announced (`report` events, or polling when the stream is gone) until the final one.
// Plain DOM, no framework; data only ever goes through textContent or attributes, never innerHTML.
/* global document, window, fetch, EventSource, URLSearchParams, history, setTimeout, clearTimeout */
'use strict';

/** The session states, served from the contract by /session-states.js (loaded first). */
const STATES = window.SESSION_STATES;

(() => {
  const { el, fmt, plural, apiError, sessionPath } = window.showprint.dom;
  const { LABELS, normalizeReport } = window.showprint.cards;
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
    improving: $('report-improving'),
    improvingText: $('report-improving-text'),
    seeChanges: $('see-changes'),
    reportStatus: $('report-status'),
    stories: $('stories'),
    cards: $('cards'),
    againButton: $('again-button'),
    handoffButton: $('handoff-button'),
    revokeButton: $('revoke-button'),
    shareResult: $('share-result'),
    forgetButton: $('forget-button'),
    forgetResult: $('forget-result'),
  };

  /**
   * The pipeline's stages come with the progress (`p.pipeline`, from the server's stage table); the
   * page has words and icons for the ones it knows, and draws a plain row from the label for any other.
   */
  const FIRST_STEP = 'fetch';
  const pipelineStages = new Set();
  const stageItems = () => [...ui.progress.querySelectorAll('[data-stage]')];
  const NETWORK_MESSAGE = 'We couldn’t reach showprint. Check your internet connection, then try again.';
  /** How often the page asks for a newer report version when the event stream is gone. */
  const POLL_MS = 5000;
  const json = { credentials: 'same-origin', headers: { accept: 'application/json' } };

  /**
   * The session being watched: its id, event stream, poll timer and report loading. It stays current
   * while its stories are on screen, so late events for another session are ignored.
   */
  let current = null;
  let retryAction = null;
  /** The report version on screen (normalized), and whose it is: what sharing and "Erase my data" act on. */
  let shownReport = null;
  let reportSessionId = null;

  const stories = window.showprint.createStories(
    {
      root: ui.stories,
      shell: ui.report,
      close: $('story-close'),
      stage: ui.cards,
      segments: $('story-segments'),
      toggle: $('story-toggle'),
      prev: $('story-prev'),
      next: $('story-next'),
      counter: $('story-count'),
      live: $('story-live'),
    },
    (...args) => sharing.onAction(...args),
  );
  const sharing = window.showprint.createSharing({
    stories,
    getSessionId: () => reportSessionId,
    getVersion: () => (shownReport ? shownReport.version : 0),
    ui: {
      revokeButton: ui.revokeButton,
      shareResult: ui.shareResult,
      handoffButton: ui.handoffButton,
      handoffDialog: $('handoff-dialog'),
      handoffQr: $('handoff-qr'),
      handoffUrl: $('handoff-url'),
      handoffExpiry: $('handoff-expiry'),
      handoffStatus: $('handoff-status'),
      handoffClose: $('handoff-close'),
    },
  });

  // ---------- small helpers ----------

  function show(section) {
    for (const s of [ui.start, ui.progress, ui.failure, ui.report]) s.hidden = s !== section;
    if (section !== ui.report) clearReport();
  }

  function setBar(bar, percent, valueText) {
    const value = Math.max(0, Math.min(100, Math.round(Number(percent) || 0)));
    bar.setAttribute('aria-valuenow', String(value));
    if (valueText) bar.setAttribute('aria-valuetext', valueText);
    bar.querySelector('.bar-fill').style.width = `${value}%`;
  }

  function formatEta(seconds) {
    if (seconds === null || seconds === undefined) return 'Estimating the time left…';
    if (seconds <= 1) return 'Almost there…';
    if (seconds < 60) return `About ${seconds} seconds left`;
    const minutes = Math.round(seconds / 60);
    return `About ${minutes} minute${minutes === 1 ? '' : 's'} left`;
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

  /** A failure and what its button does: `action` (a retry, or starting over, which says so). */
  function showFailure(title, explained, action) {
    stopWatching();
    const { message, details } = typeof explained === 'string' ? { message: explained } : explained;
    ui.failureTitle.textContent = title;
    ui.failureMessage.textContent = message;
    ui.failureCode.textContent = details || '';
    ui.failureDetails.hidden = !details;
    ui.failureDetails.open = false;
    retryAction = action;
    ui.retryButton.textContent = action === startOver ? 'Make a new report' : 'Try again';
    show(ui.failure);
    ui.retryButton.focus();
  }

  function startOver() {
    stopWatching();
    history.pushState(null, '', '/');
    ui.formError.hidden = true;
    show(ui.start);
    ui.startButton.disabled = false;
    ui.demoKey.focus();
  }

  ui.retryButton.addEventListener('click', () => (retryAction || startOver)());
  ui.againButton.addEventListener('click', startOver);

  // ---------- forget me ----------

  ui.forgetButton.addEventListener('click', async () => {
    if (!reportSessionId || !window.confirm('Erase this report and the watch history behind it for good? This cannot be undone.')) return;
    const sessionId = reportSessionId;
    ui.forgetButton.disabled = true;
    ui.forgetResult.hidden = false;
    ui.forgetResult.textContent = 'Erasing…';
    try {
      // The viewer cookie (HttpOnly, this session's path) is the credential; the browser sends Origin.
      const res = await fetch(sessionPath(sessionId), { ...json, method: 'DELETE' });
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
      stopWatching();
      clearReport();
      ui.reportSummary.textContent = 'This report was erased.';
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
        credentials: 'same-origin',
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

  function stopWatching() {
    if (current) {
      if (current.source) current.source.close();
      clearTimeout(current.pollTimer);
    }
    current = null;
  }

  function resetProgress() {
    setBar(ui.overallBar, 0, '0%');
    ui.overallPercent.textContent = '0%';
    ui.eta.textContent = 'Getting started…';
    ui.status.textContent = '';
    ui.progressTitle.textContent = 'Reading your history…';
    for (const item of stageItems()) {
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
    if (pipelineStages.has(name)) {
      if (stage.total === 0) return stage.complete ? 'Done' : 'Waiting';
      const failed = stage.failed > 0 ? ` (${fmt(stage.failed)} not found)` : '';
      return `${fmt(stage.done)} of ${fmt(stage.total)} shows${failed}`;
    }
    return stage.complete || stage.done >= stage.total ? 'Done' : 'Waiting';
  }

  const STEPS = [FIRST_STEP, 'quips', 'bff', 'starSign'];
  /** Progress of runs from before it carried the table: its stages are the ones not among the fixed steps. */
  const stagesOf = (p) => Object.keys(p.stages).filter((name) => !STEPS.includes(name)).map((name) => ({ name, label: name }));

  /** A row per pipeline stage, in the table's order after the fetch; a stage the page has no words for gets its label. */
  function ensurePipelineItems(pipeline) {
    let after = ui.progress.querySelector(`[data-stage="${FIRST_STEP}"]`);
    for (const { name, label } of pipeline) {
      pipelineStages.add(name);
      let item = stageItems().find((candidate) => candidate.dataset.stage === name);
      if (!item) {
        item = after.cloneNode(true);
        item.dataset.stage = name;
        item.classList.remove('is-done');
        const title = item.querySelector('.stage-name');
        title.id = `stage-${name}`;
        title.textContent = label.charAt(0).toUpperCase() + label.slice(1);
        item.querySelector('[role="progressbar"]').setAttribute('aria-labelledby', title.id);
      }
      after.after(item);
      after = item;
    }
  }

  const STATE_TITLES = {
    [STATES.AWAITING_CONNECTION]: 'Waiting for your Netflix connection…',
    [STATES.PROCESSING]: 'Reading your history…',
    [STATES.STATS_DATA_READY]: 'Your first stats are in, finishing the rest…',
    [STATES.PROVISIONAL_REPORT_READY]: 'Your first report is ready…',
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
    ensurePipelineItems(p.pipeline || stagesOf(p));
    for (const item of stageItems()) {
      const name = item.dataset.stage;
      const stage = p.stages[name];
      if (!stage) continue;
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
    stopWatching();
    resetProgress();
    show(ui.progress);
    ui.progressTitle.focus();
    const watching = { sessionId, source: null, errors: 0, announced: '', pollTimer: null, loading: null, again: false, askedByState: false };
    current = watching;
    openStream(watching);
  }

  function openStream(watching) {
    const source = new EventSource(sessionPath(watching.sessionId, '/events'));
    watching.source = source;
    source.addEventListener('progress', (event) => {
      if (current !== watching) return;
      watching.errors = 0;
      onProgress(watching, JSON.parse(event.data));
    });
    // A new report version was stored: { version, final }.
    source.addEventListener('report', (event) => {
      if (current !== watching) return;
      watching.errors = 0;
      noteVersion(watching, JSON.parse(event.data));
    });
    source.addEventListener('done', (event) => {
      source.close();
      if (current !== watching) return;
      watching.source = null;
      const done = JSON.parse(event.data);
      if (done.state === STATES.COMPLETED) void finish(watching);
      else if (shownReport) stopImproving(`We couldn’t finish improving your report. ${explainFailure(done.failureReason).message}`);
      else showFailure('We couldn’t finish your report', explainFailure(done.failureReason), startOver);
    });
    source.addEventListener('error', () => {
      if (current !== watching || watching.source !== source) return;
      watching.errors++;
      // EventSource retries by itself; a closed stream or repeated errors need a closer look.
      if (source.readyState === EventSource.CLOSED || watching.errors >= 3) {
        source.close();
        watching.source = null;
        // With stories on screen, keep them and look for newer versions by polling instead.
        if (shownReport) startPolling(watching);
        else void diagnose(watching);
      } else if (!shownReport) {
        ui.eta.textContent = 'Connection lost, reconnecting…';
      }
    });
  }

  function onProgress(watching, p) {
    if (shownReport) noteImproving(p);
    else renderProgress(p);
    if (p.report) {
      noteVersion(watching, p.report);
    } else if (p.state === STATES.PROVISIONAL_REPORT_READY && !shownReport && !watching.askedByState) {
      // Progress without version refs (an older API): the state alone says a report exists.
      watching.askedByState = true;
      void requestReport(watching);
    }
  }

  /** A version was announced: fetch it if it is newer than the one on screen. */
  function noteVersion(watching, ref) {
    if (!ref || typeof ref.version !== 'number') return;
    if (!shownReport || ref.version > shownReport.version || (ref.final && !shownReport.final)) void requestReport(watching);
  }

  /** The session completed: show the final report, and stop looking for newer ones. */
  async function finish(watching) {
    await requestReport(watching);
    if (current !== watching) return;
    clearTimeout(watching.pollTimer);
    watching.pollTimer = null;
    if (shownReport) stopImproving(null);
  }

  /** The stream failed: ask the plain API why, and say it in words. */
  async function diagnose(watching) {
    const { sessionId } = watching;
    let res;
    try {
      res = await fetch(sessionPath(sessionId), json);
    } catch {
      if (current === watching) showFailure('You seem to be offline', NETWORK_MESSAGE, () => watch(sessionId));
      return;
    }
    if (current !== watching) return;
    if (res.status === 401) {
      showFailure('This report is private', 'Only the browser that started it can open it. Start a new report instead.', startOver);
    } else if (res.status === 404) {
      // An erased report and a mistyped link look the same from here, and neither comes back.
      showFailure('This report is gone', 'It may have been erased, or the link is incomplete. You can make a new one in a minute or two.', startOver);
    } else if (res.status === 400) {
      showFailure('That link looks broken', 'The session id in this link isn’t valid. Start a new report instead.', startOver);
    } else if (!res.ok) {
      showFailure('Our server is having trouble', `${await apiError(res)}. Give it a moment, then try again.`, () => watch(sessionId));
    } else {
      const session = await res.json();
      if (session.state === STATES.COMPLETED) void finish(watching);
      else if (session.state === STATES.FAILED) showFailure('We couldn’t finish your report', explainFailure(session.failureReason), startOver);
      else if ((session.progress && session.progress.report) || session.state === STATES.PROVISIONAL_REPORT_READY) {
        // A report exists: show it, and follow its upgrades by polling.
        await requestReport(watching);
        if (shownReport) startPolling(watching);
      } else showFailure('We lost track of your report', 'The live progress stream keeps dropping. Your report is still being made; try again to reconnect.', () => watch(sessionId));
    }
  }

  /** Without the event stream: ask for the session every few seconds until its report is final. */
  function startPolling(watching) {
    if (watching.pollTimer || (shownReport && shownReport.final)) return;
    const poll = async () => {
      watching.pollTimer = null;
      if (current !== watching) return;
      try {
        const res = await fetch(sessionPath(watching.sessionId), json);
        if (res.ok) {
          const session = await res.json();
          if (current !== watching) return;
          if (session.state === STATES.COMPLETED) {
            await finish(watching);
            return;
          }
          if (session.state === STATES.FAILED) {
            stopImproving(`We couldn’t finish improving your report. ${explainFailure(session.failureReason).message}`);
            return;
          }
          if (session.progress) noteImproving(session.progress);
          if (session.progress && session.progress.report) noteVersion(watching, session.progress.report);
          else await requestReport(watching);
        }
      } catch {
        // Offline for now: the next round tries again.
      }
      if (current === watching && !(shownReport && shownReport.final)) watching.pollTimer = setTimeout(poll, POLL_MS);
    };
    watching.pollTimer = setTimeout(poll, POLL_MS);
  }

  // ---------- the report ----------

  /**
   * Fetches the latest report version; one request at a time, and once more if another version was
   * announced meanwhile. Resolves when the page shows the newest it could get.
   */
  function requestReport(watching) {
    if (watching.loading) {
      watching.again = true;
      return watching.loading;
    }
    watching.loading = (async () => {
      try {
        do {
          watching.again = false;
          await fetchReport(watching);
        } while (watching.again && current === watching);
      } finally {
        watching.loading = null;
      }
    })();
    return watching.loading;
  }

  async function fetchReport(watching) {
    const { sessionId } = watching;
    let res;
    try {
      res = await fetch(sessionPath(sessionId, '/report'), json);
    } catch {
      // With stories on screen a lost request is retried by the next event or poll.
      if (current === watching && !shownReport) showFailure('You seem to be offline', NETWORK_MESSAGE, () => watch(sessionId));
      return;
    }
    if (current !== watching) return;
    if (res.status === 409) {
      // not_ready: the next announcement asks again. A failed session says so in its `done`.
      return;
    }
    if (!res.ok) {
      if (!shownReport) showFailure('We couldn’t load your report', await apiError(res), () => watch(sessionId));
      return;
    }
    const report = normalizeReport(await res.json());
    if (current === watching) showReport(watching, report);
  }

  function showReport(watching, report) {
    const previous = shownReport;
    if (previous && (report.version < previous.version || (report.version === previous.version && report.final === previous.final))) return;
    shownReport = report;
    reportSessionId = watching.sessionId;
    if (previous) sharing.reset();
    else {
      ui.forgetButton.disabled = false;
      ui.forgetResult.hidden = true;
      ui.shareResult.hidden = true;
      ui.handoffButton.disabled = false;
      ui.revokeButton.disabled = false;
      ui.stories.hidden = false;
    }
    const { changed } = stories.render(report);
    ui.reportSummary.textContent = `${plural(report.totalShows, 'show')} · ${plural(report.totalEpisodes, 'episode')} · ${plural(report.films, 'film')}`;
    ui.report.dataset.version = String(report.version);
    ui.report.dataset.final = String(report.final);
    if (report.final) stopImproving(null);
    else {
      ui.improving.hidden = false;
      ui.improving.classList.remove('is-stopped');
    }
    if (!previous) {
      show(ui.report);
      ui.reportTitle.focus();
      return;
    }
    if (report.final) offerChanges(changed);
    const what = changed.length === 0 ? 'No card changed.' : `${plural(changed.length, 'card')} changed: ${changed.map((k) => LABELS[k]).join(', ')}.`;
    ui.reportStatus.textContent = report.final ? `Your report is complete. ${what}` : `Your report was updated. ${what}`;
  }

  // ---------- "See what changed" ----------

  /** The final version's changed cards, and how many of them the viewer has stepped through. */
  let tour = { cards: [], seen: 0 };

  /** When the final report lands, the banner's place offers a walk through the cards it changed. */
  function offerChanges(changed) {
    tour = { cards: changed, seen: 0 };
    ui.seeChanges.hidden = changed.length === 0;
    ui.seeChanges.textContent = `See what changed (${plural(changed.length, 'card')})`;
  }

  ui.seeChanges.addEventListener('click', () => {
    const kind = tour.cards[tour.seen];
    if (!kind) return;
    tour.seen++;
    stories.show(kind);
    const next = tour.cards[tour.seen];
    if (next) ui.seeChanges.textContent = `Next change: ${LABELS[next]} (${tour.seen + 1} of ${tour.cards.length})`;
    else ui.seeChanges.textContent = 'That’s everything that changed';
    ui.seeChanges.setAttribute('aria-disabled', String(!next));
  });

  /** While the report is provisional: how far the rest has got. */
  function noteImproving(p) {
    if (!shownReport || shownReport.final || ui.improving.classList.contains('is-stopped')) return;
    const percent = Math.round(Number(p.percent) || 0);
    // One line over the card: what the cards' notes and the "Updated" marks explain in full.
    ui.improvingText.textContent = `Still improving: ${percent}% checked`;
  }

  /** The report will not change any more: hide the indicator, or leave a sentence saying why it stopped. */
  function stopImproving(message) {
    ui.improving.hidden = !message;
    ui.improving.classList.toggle('is-stopped', Boolean(message));
    if (message) ui.improvingText.textContent = message;
    ui.improving.title = message || '';
  }

  function clearReport() {
    stories.clear();
    sharing.reset({ closePopovers: true });
    shownReport = null;
    reportSessionId = null;
    ui.stories.hidden = true;
    ui.improving.hidden = true;
    ui.seeChanges.hidden = true;
    ui.seeChanges.removeAttribute('aria-disabled');
    tour = { cards: [], seen: 0 };
    ui.reportStatus.textContent = '';
    ui.handoffButton.disabled = true;
    ui.revokeButton.disabled = true;
    delete ui.report.dataset.version;
    delete ui.report.dataset.final;
  }

  // ---------- boot ----------

  function route() {
    const sessionId = new URLSearchParams(window.location.search).get('session');
    if (sessionId) watch(sessionId);
    else {
      stopWatching();
      show(ui.start);
    }
  }

  /**
   * A link an app (or `npm start`) hands the viewer: `/?session=<id>#viewer=<token>`; or a phone
   * hand-off: `/?session=<id>#handoff=<one-time code>`. The fragment never reaches a server or a log;
   * the token or code is traded once for the session's HttpOnly cookie, then removed from the address bar.
   */
  async function adoptViewerToken() {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const token = fragment.get('viewer');
    const code = fragment.get('handoff');
    const sessionId = new URLSearchParams(window.location.search).get('session');
    if ((!token && !code) || !sessionId) return;
    history.replaceState(history.state, '', `/?session=${encodeURIComponent(sessionId)}`);
    try {
      if (code) {
        await fetch(sessionPath(sessionId, '/handoff/redeem'), { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
      } else {
        await fetch(sessionPath(sessionId, '/viewer-cookie'), { method: 'POST', credentials: 'same-origin', headers: { authorization: `Bearer ${token}` } });
      }
    } catch {
      // Offline: the page then says it cannot reach showprint.
    }
  }

  window.addEventListener('popstate', route);
  void loadDemoKeys();
  void adoptViewerToken().then(route);
})();
