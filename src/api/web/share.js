// showprint's viewer page, part 4 of 5: sharing. Per card a Share button (the system share sheet
// where there is one, with the card's 1080×1920 story image as a file where the browser shares
// files; else copy the link and show it in a small popover) and a "Download image" link (the story
// image); for the report, "Revoke share links" and "Continue on your phone" (a QR code).
// Share links are made once per session and report version (POST …/share-links), on the first
// Share or Download. Every request rides on the page's HttpOnly viewer cookie (same-origin).
/* global window, document, navigator, fetch, URL, File */
'use strict';

(() => {
  const { el, apiError, plural, sessionPath } = window.showprint.dom;
  const { LABELS } = window.showprint.cards;

  const NETWORK = 'We couldn’t reach showprint. Check your connection and try again.';

  /** Only web addresses become links or hrefs: never `javascript:` or other schemes. */
  function webUrl(value) {
    try {
      const url = new URL(String(value), window.location.href);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
    } catch {
      return null;
    }
  }

  /** The card's story image (1080×1920, what people post), beside its link preview (image.png). */
  function storyUrl(imageUrl) {
    const url = webUrl(imageUrl);
    if (!url || !/\/image\.png$/.test(url.pathname)) return null;
    url.pathname = url.pathname.replace(/\/image\.png$/, '/story.png');
    return url;
  }

  /** The story image's address that downloads it (`?download=1`). */
  function downloadHref(imageUrl) {
    const url = storyUrl(imageUrl);
    if (!url) return null;
    url.searchParams.set('download', '1');
    return url.href;
  }

  /**
   * The card's story image as a file for the share sheet, where the browser can share files (most
   * phones): posting it to a story is then one tap. Null where it can't, or the image can't be had.
   */
  async function storyFile(link, kind) {
    if (typeof navigator.canShare !== 'function') return null;
    const url = storyUrl(link.imageUrl);
    if (!url) return null;
    try {
      const res = await fetch(url.href, { credentials: 'same-origin' });
      if (!res.ok) return null;
      const file = new File([await res.blob()], `showprint-${kind}.png`, { type: 'image/png' });
      return navigator.canShare({ files: [file] }) ? file : null;
    } catch {
      return null;
    }
  }

  /** A QR code's SVG as an <img> source: an image never runs scripts, and the text is never parsed into the page. */
  function svgDataUrl(svg) {
    const text = String(svg || '');
    if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text)) return null;
    return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  }

  function expiryText(expiresAt) {
    const at = new Date(expiresAt);
    if (Number.isNaN(at.getTime())) return '';
    const minutes = Math.max(1, Math.round((at.getTime() - Date.now()) / 60_000));
    // A short-lived code by the clock; a long-lived link by the day (a time of day means nothing in 30 days).
    if (minutes < 90) return `The code works until ${new Intl.DateTimeFormat('en', { hour: 'numeric', minute: '2-digit' }).format(at)} (about ${plural(minutes, 'minute')}).`;
    if (minutes < 36 * 60) return `The code works for about ${plural(Math.round(minutes / 60), 'hour')}.`;
    const days = Math.round(minutes / (24 * 60));
    return `The code works for ${plural(days, 'day')}, until ${new Intl.DateTimeFormat('en', { day: 'numeric', month: 'long' }).format(at)}.`;
  }

  /**
   * @param {object} deps stories (the player), getSessionId, getVersion, and the elements:
   *   revokeButton, shareResult, handoffButton, handoffDialog, handoffQr, handoffUrl, handoffExpiry,
   *   handoffStatus, handoffClose
   */
  function createSharing(deps) {
    const { stories, getSessionId, getVersion } = deps;
    const ui = deps.ui;
    /** The share links of one session and report version: { key, promise }. */
    let cache = null;

    async function fetchLinks(sessionId) {
      let res;
      try {
        res = await fetch(sessionPath(sessionId, '/share-links'), { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } });
      } catch {
        throw new Error(NETWORK);
      }
      if (res.status === 409) throw new Error('Your report isn’t ready to share yet. Try again in a moment.');
      if (!res.ok) throw new Error(await apiError(res));
      const body = await res.json();
      if (!body || typeof body.links !== 'object' || body.links === null) throw new Error('The server sent no share links.');
      return body.links;
    }

    function getLinks() {
      const sessionId = getSessionId();
      const key = `${sessionId}#${getVersion()}`;
      if (!cache || cache.key !== key) {
        const promise = fetchLinks(sessionId).then((links) => {
          setDownloadLinks(links);
          return links;
        });
        // A failure is not kept: the next press asks again.
        promise.catch(() => {
          if (cache && cache.promise === promise) cache = null;
        });
        cache = { key, promise };
      }
      return cache.promise;
    }

    function setDownloadLinks(links) {
      for (const s of stories.shells()) {
        const link = links[s.kind];
        const href = link ? downloadHref(link.imageUrl) : null;
        s.download.href = href || '#';
        s.download.dataset.ready = href ? 'true' : 'false';
      }
    }

    /**
     * Forgets the links (a new report version, a revocation): the next Share or Download asks for
     * fresh ones. A revocation also closes any popover still showing a dead link.
     */
    function reset({ closePopovers = false } = {}) {
      cache = null;
      for (const s of stories.shells()) {
        s.download.href = '#';
        delete s.download.dataset.ready;
        if (closePopovers) stories.closePopover(s.kind);
      }
    }

    // ---------- the share popover ----------

    function openPopover(kind, { url, copied, error }) {
      const s = stories.shell(kind);
      if (!s) return;
      stories.closePopover(kind);
      const pop = s.popover;
      pop.setAttribute('role', 'dialog');
      pop.setAttribute('aria-label', `Share the ${LABELS[kind]} card`);
      const close = el('button', 'button small secondary', 'Done');
      close.type = 'button';
      const done = () => {
        stories.closePopover(kind);
        s.share.focus();
      };
      close.addEventListener('click', done);
      pop.onkeydown = (event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          done();
        }
      };
      if (error) {
        pop.replaceChildren(el('p', 'share-popover-title', 'We couldn’t make a share link'), el('p', 'share-popover-error', error), el('div', 'share-popover-actions', null, close));
      } else {
        const field = el('input', 'share-url');
        field.type = 'text';
        field.readOnly = true;
        field.value = url;
        field.setAttribute('aria-label', 'Share link');
        field.addEventListener('focus', () => field.select());
        const open = el('a', 'share-open', 'Open link');
        open.href = url;
        open.target = '_blank';
        open.rel = 'noopener noreferrer';
        const title = el('p', 'share-popover-title', copied ? 'Link copied' : 'Copy this link');
        title.setAttribute('role', 'status');
        pop.replaceChildren(title, field, el('p', 'share-popover-hint', 'Anyone with the link sees this one card, nothing else.'), el('div', 'share-popover-actions', null, open, close));
      }
      pop.hidden = false;
      stories.hold('popover', true);
      (pop.querySelector('input') || close).focus();
    }

    // A press outside an open popover closes it.
    document.addEventListener('pointerdown', (event) => {
      for (const s of stories.shells()) {
        if (!s.popover.hidden && !s.popover.contains(event.target) && !s.share.contains(event.target)) stories.closePopover(s.kind);
      }
    });

    async function share(kind, button) {
      if (button.getAttribute('aria-busy') === 'true') return;
      button.setAttribute('aria-busy', 'true');
      try {
        const links = await getLinks();
        const link = links[kind];
        const url = link && webUrl(link.url);
        if (!url) throw new Error('This card has no share link.');
        const title = stories.shell(kind)?.title || 'My TV story';
        if (typeof navigator.share === 'function') {
          try {
            const file = await storyFile(link, kind);
            // With a file, the sheet posts the picture (the link rides along as text); without, the link.
            await navigator.share(file
              ? { files: [file], title: `${LABELS[kind]}: ${title} · showprint`, text: url.href }
              : { title: `${LABELS[kind]}: ${title} · showprint`, url: url.href });
            return;
          } catch (error) {
            // The viewer closed the share sheet: nothing to do. Anything else: copy instead.
            if (error && error.name === 'AbortError') return;
          }
        }
        let copied = false;
        try {
          await navigator.clipboard.writeText(url.href);
          copied = true;
        } catch {
          // No clipboard (permission, insecure origin): the popover shows the link to copy by hand.
        }
        openPopover(kind, { url: url.href, copied });
      } catch (error) {
        openPopover(kind, { error: error.message || String(error) });
      } finally {
        button.removeAttribute('aria-busy');
      }
    }

    async function download(kind, anchor, event) {
      if (anchor.dataset.ready === 'true') return; // a real link by now: the browser downloads it
      event.preventDefault();
      if (anchor.getAttribute('aria-busy') === 'true') return;
      anchor.setAttribute('aria-busy', 'true');
      try {
        await getLinks();
        if (anchor.dataset.ready !== 'true') throw new Error('This card has no image to download.');
        anchor.click();
      } catch (error) {
        openPopover(kind, { error: error.message || String(error) });
      } finally {
        anchor.removeAttribute('aria-busy');
      }
    }

    // ---------- revoking ----------

    async function revoke() {
      const sessionId = getSessionId();
      if (!sessionId || ui.revokeButton.getAttribute('aria-busy') === 'true') return;
      if (!window.confirm('Turn off every share link of this report? Anyone who opens one will see “not found”.')) return;
      ui.revokeButton.setAttribute('aria-busy', 'true');
      ui.shareResult.hidden = false;
      ui.shareResult.textContent = 'Turning off your share links…';
      try {
        const res = await fetch(sessionPath(sessionId, '/share-links'), { method: 'DELETE', credentials: 'same-origin', headers: { accept: 'application/json' } });
        if (!res.ok) {
          ui.shareResult.textContent = `We couldn’t revoke your share links: ${await apiError(res)}`;
          return;
        }
        reset({ closePopovers: true });
        ui.shareResult.textContent = 'Your share links are revoked: anyone who opens an old link now sees “not found”. Sharing a card again makes a new link.';
      } catch {
        ui.shareResult.textContent = NETWORK;
      } finally {
        ui.revokeButton.removeAttribute('aria-busy');
      }
    }

    // ---------- continue on your phone ----------

    async function handoff() {
      const sessionId = getSessionId();
      if (!sessionId) return;
      const { handoffDialog: dialog, handoffQr: qr, handoffUrl: link, handoffExpiry: expiry, handoffStatus: status } = ui;
      qr.hidden = true;
      qr.removeAttribute('src');
      link.parentElement.hidden = true;
      expiry.textContent = '';
      status.textContent = 'Making a link for your phone…';
      status.hidden = false;
      if (!dialog.open) dialog.showModal();
      stories.hold('dialog', true);
      try {
        let res;
        try {
          res = await fetch(sessionPath(sessionId, '/handoff'), { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } });
        } catch {
          throw new Error(NETWORK);
        }
        if (!res.ok) throw new Error(await apiError(res));
        const body = await res.json();
        const src = svgDataUrl(body && body.qrSvg);
        const url = webUrl(body && body.url);
        if (!src || !url) throw new Error('The server sent no usable QR code.');
        qr.src = src;
        qr.hidden = false;
        link.href = url.href;
        link.textContent = url.href;
        link.parentElement.hidden = false;
        expiry.textContent = expiryText(body.expiresAt);
        status.hidden = true;
      } catch (error) {
        status.textContent = `We couldn’t make a code for your phone: ${error.message || error}`;
      }
    }

    ui.handoffButton.addEventListener('click', () => void handoff());
    ui.handoffClose.addEventListener('click', () => ui.handoffDialog.close());
    ui.handoffDialog.addEventListener('close', () => {
      stories.hold('dialog', false);
      ui.handoffButton.focus();
    });
    ui.revokeButton.addEventListener('click', () => void revoke());

    return {
      /** The player's card controls land here. */
      onAction(action, kind, control, event) {
        if (action === 'share') void share(kind, control);
        else if (action === 'download') void download(kind, control, event);
      },
      reset,
    };
  }

  window.showprint.createSharing = createSharing;
})();
