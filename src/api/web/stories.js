// showprint's viewer page, part 3 of 5: the story player. It opens full screen (a 9:16 stage, the
// whole screen on a phone, centred with room around it on a desktop), one card at a time, thin
// progress segments over the top (one tab stop; arrows, Home and End inside), auto-advance with
// pause and resume, arrow keys, Space and Escape on a keyboard, a tap or click on the left third
// to go back and elsewhere to go on, a sideways swipe, hold-to-pause with any pointer, and a swipe
// down (or Escape, or the close button) to put the stories back in the page.
//
// Reduced motion (a choice, documented here): under `prefers-reduced-motion: reduce` the cards do not
// advance on their own. A story that moves by itself is the kind of motion those viewers opt out of,
// so they start paused and move with the buttons, the keys or a swipe. The Play button still turns
// auto-advance on for anyone who wants it; the cards then change without transitions (styles.css).
//
// New report versions go through render(): every card keeps its place, only cards whose content
// changed are redrawn, and those get an "Updated" mark that fades a few seconds after the viewer has
// seen it (their segment carries a dot until then). The card on screen never moves.
/* global window, document, performance, setInterval, clearInterval, setTimeout, clearTimeout */
'use strict';

(() => {
  const { el, icon } = window.showprint.dom;
  const { STORY_CARDS, LABELS, describe, drawBody, storyCards } = window.showprint.cards;

  /** Default time per card; `data-card-ms` on the stories element overrides it. */
  const CARD_MS = 6000;
  /** How long an "Updated" mark stays once its card is on screen. */
  const UPDATED_MS = 4000;
  const TICK_MS = 100;
  /** Controls inside a card: pressing them is never a tap, swipe or hold on the story. */
  const CONTROLS = 'button, a, input, select, textarea, label, .card-actions, .share-popover';
  /** Cards drawn light on dark: the controls over the top switch colours with them. */
  const DARK_CARDS = new Set(['overview', 'starSign', 'personality']);
  const COUNT_MS = 900;

  /**
   * @param {object} ui the player's elements: root (the stories region), shell (the report section,
   *   which takes the screen in full mode), stage (where the cards go), segments (an <ol>), toggle,
   *   prev, next, close (buttons), counter and live (text elements)
   * @param {(action: string, kind: string, control: Element, event: Event) => void} onAction
   *   called for a card's Share / Download controls
   */
  function createStories(ui, onAction) {
    /** The cards this report plays: all of them, or a short story for an empty or tiny history. */
    let kinds = STORY_CARDS;
    /** kind → { article, body, coverage, updated, popover, segment, fingerprint, title, fadeTimer } */
    const shells = new Map();
    let index = 0;
    let elapsed = 0;
    let playing = false;
    /** Why the story is held still right now: 'pointer', 'popover', 'dialog'… */
    const holds = new Set();
    let timer = null;
    let lastTick = 0;
    let gesture = null;

    const duration = () => Number(ui.root.dataset.cardMs) || CARD_MS;
    const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    const running = () => playing && holds.size === 0 && !document.hidden;
    const active = () => shells.size > 0 && ui.root.getClientRects().length > 0;

    // ---------- building ----------

    function createShell(kind, i) {
      const article = el('article', `card story-card card-${kind}`);
      article.dataset.card = kind;
      article.setAttribute('aria-labelledby', `card-${kind}-title`);
      article.setAttribute('aria-roledescription', 'story card');
      article.tabIndex = -1;

      const coverage = el('span', 'coverage-badge');
      coverage.hidden = true;
      const updated = el('span', 'updated-badge', 'Updated');
      updated.hidden = true;
      const body = el('div', 'card-body');

      const share = el('button', 'card-action', null, icon('share'), el('span', null, 'Share'));
      share.type = 'button';
      share.dataset.action = 'share';
      share.setAttribute('aria-label', `Share the ${LABELS[kind]} card`);
      share.setAttribute('aria-haspopup', 'dialog');
      const download = el('a', 'card-action', null, icon('download'), el('span', null, 'Download image'));
      download.href = '#';
      download.dataset.action = 'download';
      download.setAttribute('download', `showprint-${kind}.png`);
      download.setAttribute('aria-label', `Download image of the ${LABELS[kind]} card`);
      // A provisional card is not shared: its place holds a note, so the card keeps its size.
      const wait = el('p', 'share-wait', 'Sharing opens when your report is complete.');
      wait.hidden = true;
      const popover = el('div', 'share-popover');
      popover.hidden = true;

      article.append(el('div', 'card-flags', null, coverage, updated), body, el('div', 'card-actions', null, share, download, wait), popover);

      const segment = el('button', 'segment', null, el('span', 'segment-track', null, el('span', 'segment-fill')));
      segment.type = 'button';
      segment.dataset.for = kind;
      segment.addEventListener('click', () => userGo(i));

      return { kind, article, body, coverage, updated, share, download, wait, popover, segment, fingerprint: null, title: '', fadeTimer: null };
    }

    function segmentLabel(s, i) {
      const updated = s.article.classList.contains('is-updated') ? ', updated' : '';
      return `Card ${i + 1} of ${kinds.length}: ${LABELS[s.kind]}${updated}`;
    }

    // ---------- showing the current card ----------

    function apply() {
      kinds.forEach((kind, i) => {
        const s = shells.get(kind);
        const current = i === index;
        s.article.classList.toggle('is-current', current);
        s.article.classList.toggle('is-before', i < index);
        s.article.inert = !current;
        s.article.setAttribute('aria-hidden', String(!current));
        if (current) s.segment.setAttribute('aria-current', 'step');
        else s.segment.removeAttribute('aria-current');
        // One tab stop for the whole bar (the current card's segment); arrows move inside it.
        s.segment.tabIndex = current ? 0 : -1;
        s.segment.setAttribute('aria-label', segmentLabel(s, i));
        s.segment.classList.toggle('is-done', i < index);
      });
      ui.counter.textContent = `${index + 1} / ${kinds.length}`;
      // aria-disabled, not disabled: a button that loses its focus at the first or last card strands a keyboard.
      ui.prev.setAttribute('aria-disabled', String(index === 0));
      ui.next.setAttribute('aria-disabled', String(index === kinds.length - 1));
      ui.root.dataset.current = kinds[index];
      ui.root.dataset.tone = DARK_CARDS.has(kinds[index]) ? 'dark' : 'light';
      ui.root.dataset.index = String(index);
      fill();
    }

    /** The segments' fills: full before the current card, empty after it, partial on it. */
    function fill() {
      kinds.forEach((kind, i) => {
        const p = i < index ? 1 : i > index ? 0 : Math.min(1, elapsed / duration());
        shells.get(kind).segment.firstChild.firstChild.style.setProperty('--p', String(p));
      });
      ui.root.dataset.playing = String(running());
    }

    function go(i) {
      const target = Math.max(0, Math.min(kinds.length - 1, i));
      const before = shells.get(kinds[index]);
      const hadFocus = before && before.article.contains(document.activeElement);
      const onSegments = ui.segments.contains(document.activeElement);
      if (before) closePopover(before);
      index = target;
      elapsed = 0;
      apply();
      const now = shells.get(kinds[index]);
      // The card that held the focus is now inert: the focus follows to the new card.
      if (hadFocus && now !== before) now.article.focus({ preventScroll: true });
      if (onSegments) now.segment.focus({ preventScroll: true });
      startFade(now);
      countUp(now.article);
    }

    /** A move the viewer asked for: said out loud for screen readers (auto-advance is not). */
    function userGo(i) {
      const target = Math.max(0, Math.min(kinds.length - 1, i));
      if (target === index) return;
      go(target);
      const s = shells.get(kinds[index]);
      ui.live.textContent = `Card ${index + 1} of ${kinds.length}: ${LABELS[s.kind]}. ${s.title}`;
    }

    function setPlaying(on) {
      playing = on;
      const label = on ? 'Pause stories' : 'Play stories';
      ui.toggle.setAttribute('aria-label', label);
      ui.toggle.title = label;
      ui.toggle.replaceChildren(icon(on ? 'pause' : 'play'));
      ui.root.dataset.autoplay = String(on);
      fill();
    }

    function togglePlaying() {
      // Play at the end of the last card starts over.
      if (!playing && index === kinds.length - 1 && elapsed >= duration()) go(0);
      setPlaying(!playing);
    }

    function tick() {
      const now = performance.now();
      const dt = Math.min(now - lastTick, 4 * TICK_MS);
      lastTick = now;
      if (running()) {
        elapsed += dt;
        if (elapsed >= duration()) {
          if (index < kinds.length - 1) go(index + 1);
          else {
            elapsed = duration();
            setPlaying(false);
          }
        }
      }
      fill();
    }

    /** Holds the story still for a reason (a held pointer, an open popover or dialog) or lets go. */
    function hold(reason, on) {
      if (on) holds.add(reason);
      else holds.delete(reason);
      fill();
    }

    /** The current card's numbers count up from zero (at once under reduced motion). */
    function countUp(article) {
      for (const node of article.querySelectorAll('[data-count-to]')) {
        const to = Number(node.dataset.countTo) || 0;
        const format = (n) => Math.round(n).toLocaleString('en');
        if (reducedMotion() || to === 0) {
          node.textContent = format(to);
          continue;
        }
        const start = performance.now();
        const step = (now) => {
          const t = Math.min(1, (now - start) / COUNT_MS);
          node.textContent = format(to * (1 - (1 - t) ** 3));
          if (t < 1 && node.isConnected) window.requestAnimationFrame(step);
        };
        window.requestAnimationFrame(step);
      }
    }

    // ---------- full screen, or in the page ----------

    /** 'full': the stories fill the screen (the page's header and summary out of the way); 'page': in the page. */
    function setMode(mode) {
      ui.shell.dataset.mode = mode;
      document.body.dataset.player = mode;
      const full = mode === 'full';
      const label = full ? 'Close full screen' : 'Open full screen';
      ui.close.setAttribute('aria-label', label);
      ui.close.title = full ? `${label} (Esc)` : label;
      ui.close.replaceChildren(icon(full ? 'close' : 'expand'));
    }

    function toggleMode() {
      const full = ui.shell.dataset.mode !== 'full';
      setMode(full ? 'full' : 'page');
      // Closing is like leaving a story: it stops; opening plays again (unless motion is unwelcome).
      setPlaying(full && !reducedMotion());
    }

    // ---------- the "updated" marks ----------

    function markUpdated(s) {
      clearTimeout(s.fadeTimer);
      s.fadeTimer = null;
      s.article.classList.remove('is-fading');
      s.article.classList.add('is-updated');
      s.segment.classList.add('is-updated');
      s.updated.hidden = false;
      if (s.kind === kinds[index]) startFade(s);
    }

    /** Once an updated card is on screen, its mark fades after a few seconds. */
    function startFade(s) {
      if (!s.article.classList.contains('is-updated') || s.fadeTimer) return;
      s.fadeTimer = setTimeout(() => {
        s.article.classList.add('is-fading');
        s.fadeTimer = setTimeout(() => {
          s.fadeTimer = null;
          s.article.classList.remove('is-updated', 'is-fading');
          s.segment.classList.remove('is-updated');
          s.updated.hidden = true;
          s.segment.setAttribute('aria-label', segmentLabel(s, kinds.indexOf(s.kind)));
        }, 700);
      }, UPDATED_MS);
    }

    // ---------- rendering a report version ----------

    /**
     * Shows a report version. The first call builds the cards and starts at the first one; later
     * calls redraw only the cards whose content changed, in place. Returns which cards changed.
     */
    function render(report) {
      const first = shells.size === 0;
      if (first) {
        kinds = storyCards(report);
        kinds.forEach((kind, i) => shells.set(kind, createShell(kind, i)));
        ui.stage.replaceChildren(...kinds.map((k) => shells.get(k).article));
        ui.segments.replaceChildren(...kinds.map((k) => el('li', null, null, shells.get(k).segment)));
      }
      const changed = [];
      for (const kind of kinds) {
        const s = shells.get(kind);
        const card = describe(kind, report);
        if (card.fingerprint !== s.fingerprint) {
          const drawing = card.draw();
          s.body.replaceChildren(...drawBody(kind, drawing));
          s.title = drawing.title;
          s.fingerprint = card.fingerprint;
          if (!first) {
            changed.push(kind);
            markUpdated(s);
          }
        }
        const coverage = report.coverage[kind];
        const provisional = Boolean(coverage && coverage.complete === false);
        s.article.classList.toggle('is-provisional', provisional);
        s.coverage.hidden = !provisional;
        s.coverage.textContent = provisional ? String(coverage.label || 'Still counting') : '';
        s.article.dataset.shareable = String(report.final);
        s.share.hidden = !report.final;
        s.download.hidden = !report.final;
        s.wait.hidden = report.final;
      }
      if (first) {
        index = 0;
        elapsed = 0;
        lastTick = performance.now();
        setMode('full');
        setPlaying(!reducedMotion());
        timer = setInterval(tick, TICK_MS);
      }
      apply();
      if (first || changed.includes(kinds[index])) countUp(shells.get(kinds[index]).article);
      return { first, changed };
    }

    function closePopover(s) {
      if (!s.popover.hidden) {
        s.popover.hidden = true;
        s.popover.replaceChildren();
        hold('popover', false);
      }
    }

    /** Takes the cards away (another report, an erased one) and stops the clock. */
    function clear() {
      clearInterval(timer);
      timer = null;
      for (const s of shells.values()) clearTimeout(s.fadeTimer);
      shells.clear();
      holds.clear();
      gesture = null;
      index = 0;
      elapsed = 0;
      ui.stage.replaceChildren();
      ui.segments.replaceChildren();
      ui.counter.textContent = '';
      delete document.body.dataset.player;
      delete ui.root.dataset.current;
      delete ui.root.dataset.index;
    }

    // ---------- input ----------

    ui.prev.addEventListener('click', () => userGo(index - 1));
    ui.next.addEventListener('click', () => userGo(index + 1));
    ui.toggle.addEventListener('click', togglePlaying);
    ui.close.addEventListener('click', toggleMode);

    ui.stage.addEventListener('click', (event) => {
      const control = event.target.closest('[data-action]');
      const article = control && control.closest('[data-card]');
      if (article && ui.stage.contains(article) && article.dataset.shareable === 'true') onAction(control.dataset.action, article.dataset.card, control, event);
    });

    ui.segments.addEventListener('keydown', (event) => {
      if (event.key === 'Home' || event.key === 'End') {
        event.preventDefault();
        userGo(event.key === 'Home' ? 0 : kinds.length - 1);
      }
    });

    document.addEventListener('keydown', (event) => {
      if (!active() || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target instanceof window.Element ? event.target : document.body;
      // Typing, an open dialog and the share popover keep their keys.
      if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], dialog, .share-popover')) return;
      if (document.querySelector('dialog[open]')) return;
      if (event.key === 'ArrowRight') {
        event.preventDefault();
        userGo(index + 1);
      } else if (event.key === 'ArrowLeft') {
        event.preventDefault();
        userGo(index - 1);
      } else if (event.key === 'Escape' && ui.shell.dataset.mode === 'full') {
        event.preventDefault();
        toggleMode();
      } else if (event.key === ' ' && !target.closest('button, a, summary')) {
        // On a focused button Space presses that button instead.
        event.preventDefault();
        togglePlaying();
      }
    });

    // Hold to pause with any pointer; a sideways swipe moves a card, and a tap or click on the left
    // third goes back, elsewhere forward. `touch-action: pan-y` on
    // the stage leaves vertical scrolling to the browser.
    ui.stage.addEventListener('pointerdown', (event) => {
      if (!event.isPrimary || event.button > 0 || event.target.closest(CONTROLS)) return;
      gesture = { id: event.pointerId, x: event.clientX, y: event.clientY, t: performance.now(), touch: event.pointerType !== 'mouse' };
      hold('pointer', true);
    });
    const endGesture = (event, cancelled) => {
      if (!gesture || event.pointerId !== gesture.id) return;
      const g = gesture;
      gesture = null;
      hold('pointer', false);
      if (cancelled) return;
      const dx = event.clientX - g.x;
      const dy = event.clientY - g.y;
      if (dy > 80 && dy > Math.abs(dx) * 1.2 && ui.shell.dataset.mode === 'full') {
        // Swipe down: out of full screen, as a story closes.
        toggleMode();
      } else if (Math.abs(dx) > 40 && Math.abs(dx) > Math.abs(dy) * 1.2) {
        userGo(index + (dx < 0 ? 1 : -1));
      } else if (performance.now() - g.t < 300 && Math.abs(dx) < 12 && Math.abs(dy) < 12) {
        // A tap or a click: the left third goes back, the rest forward (a long press only held it).
        const rect = ui.stage.getBoundingClientRect();
        userGo(index + (event.clientX - rect.left < rect.width / 3 ? -1 : 1));
      }
    };
    // A long press on a touch screen holds the story; it should not open the context menu too.
    ui.stage.addEventListener('contextmenu', (event) => {
      if (gesture && gesture.touch) event.preventDefault();
    });
    window.addEventListener('pointerup', (event) => endGesture(event, false));
    window.addEventListener('pointercancel', (event) => endGesture(event, true));
    document.addEventListener('visibilitychange', fill);

    return {
      render,
      clear,
      /** Shows a card the viewer asked for (e.g. "See what changed"). */
      show: (kind) => {
        if (kinds.includes(kind)) userGo(kinds.indexOf(kind));
      },
      hold,
      closePopover: (kind) => shells.has(kind) && closePopover(shells.get(kind)),
      shell: (kind) => shells.get(kind),
      setMode,
      shells: () => [...shells.values()],
      get currentKind() {
        return kinds[index];
      },
    };
  }

  window.showprint.createStories = createStories;
})();
