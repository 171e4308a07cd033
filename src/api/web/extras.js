// showprint's viewer page, beyond the one report: "Your year in TV" (a year picker over the years the
// history covers, each year's cards) and Blend (invite someone, accept an invitation, see the Blend).
// It watches the report section: once a session's report is on screen, its year and Blend panels
// follow. Plain DOM; data only ever goes through textContent or attributes, never innerHTML.
/* global document, window, fetch, URLSearchParams, history, sessionStorage, setTimeout, MutationObserver */
'use strict';

(() => {
  const { el, apiError, sessionPath } = window.showprint.dom;
  const $ = (id) => document.getElementById(id);
  const json = { credentials: 'same-origin', headers: { accept: 'application/json' } };
  const send = (method, body) => ({ method, credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  /** An invitation link (`/#blend=<token>`) is kept here until the viewer has a report to blend it with. */
  const INVITE_KEY = 'showprint.blendInvitation';
  const BLEND_POLL_MS = 2000;

  const sessionId = () => new URLSearchParams(window.location.search).get('session');
  let shownFor = null;
  let invitation = null;

  // ---------- Your year in TV ----------

  function yearCard(card) {
    const item = el('li', `extra-card ${card.card}`);
    item.append(el('p', 'extra-eyebrow', card.eyebrow), el('p', 'extra-title', card.title), ...card.lines.map((line) => el('p', 'extra-line', line)));
    return item;
  }

  let shownYear = null;

  async function showYear(id, year, button) {
    for (const b of $('year-picker').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
    $('year-cards').replaceChildren();
    $('year-share-links').replaceChildren();
    $('year-share-button').hidden = true;
    shownYear = year;
    if (year === null) return void ($('year-status').textContent = 'Showing all time: your story above.');
    $('year-status').textContent = `Loading ${year}…`;
    const res = await fetch(sessionPath(id, `/report?year=${year}`), json);
    if (shownFor !== id) return;
    if (!res.ok) return void ($('year-status').textContent = await apiError(res));
    const report = await res.json();
    $('year-status').textContent = `${report.year}: ${report.totalEpisodes} episodes of ${report.totalShows} shows.`;
    $('year-cards').replaceChildren(...report.cards.map(yearCard));
    $('year-share-button').hidden = false;
    $('year-share-button').textContent = `Share your ${report.year}`;
  }

  /** Each card of the year as a link anyone can open, with its story image to post. */
  $('year-share-button').addEventListener('click', async () => {
    const id = shownFor;
    const year = shownYear;
    const res = await fetch(sessionPath(id, '/year-share-links'), send('POST', { year }));
    if (shownFor !== id || shownYear !== year) return;
    if (!res.ok) return void ($('year-status').textContent = await apiError(res));
    const { links } = await res.json();
    const titles = new Map([...$('year-cards').querySelectorAll('li')].map((li, i) => [i, li.querySelector('.extra-eyebrow').textContent]));
    $('year-share-links').replaceChildren(
      ...Object.values(links).map((link, i) => {
        const item = el('li', 'year-share-link');
        const page = el('a', null, titles.get(i) || `Card ${i + 1}`);
        page.href = link.url;
        const story = el('a', null, 'story image');
        story.href = `${link.storyUrl}?download=1`;
        item.append(page, ' · ', story);
        return item;
      }),
    );
    $('year-status').textContent = `Share links for ${year} are ready: anyone with a link sees that card and nothing else.`;
  });

  async function loadYears(id) {
    const res = await fetch(sessionPath(id, '/years'), json);
    if (!res.ok || shownFor !== id) return;
    const { years } = await res.json();
    const all = el('button', 'year-chip', 'All time');
    all.type = 'button';
    all.addEventListener('click', () => void showYear(id, null, all));
    const chips = years.map((year) => {
      const chip = el('button', 'year-chip', String(year));
      chip.type = 'button';
      chip.dataset.year = String(year);
      chip.addEventListener('click', () => void showYear(id, year, chip));
      return chip;
    });
    $('year-picker').replaceChildren(all, ...chips);
    all.setAttribute('aria-pressed', 'true');
    $('year-section').hidden = years.length === 0;
  }

  // ---------- Blend ----------

  function blendCard(eyebrow, title, lines) {
    const item = el('li', 'extra-card blend');
    item.append(el('p', 'extra-eyebrow', eyebrow), el('p', 'extra-title', title), ...lines.filter(Boolean).map((line) => el('p', 'extra-line', line)));
    return item;
  }

  function renderBlend(blend) {
    const box = el('div', 'blend-result');
    box.dataset.blendId = blend.blendId;
    if (blend.state === 'WAITING') box.append(el('p', 'hint', 'Blending… it comes as soon as both reports are finished.'));
    else if (blend.state === 'FAILED') box.append(el('p', 'hint', `This Blend could not be made: ${blend.failureReason || 'unknown reason'}.`));
    else {
      const list = el('ol', 'extra-cards');
      list.append(...blend.cards.map((card) => blendCard(card.eyebrow, card.title, card.lines)));
      box.append(list);
    }
    return box;
  }

  async function loadBlends(id) {
    const res = await fetch(sessionPath(id, '/blends'), json);
    if (!res.ok || shownFor !== id) return;
    const { blends } = await res.json();
    const full = await Promise.all(blends.map(async (b) => (await fetch(sessionPath(id, `/blends/${b.blendId}`), json)).json()));
    if (shownFor !== id) return;
    $('blend-results').replaceChildren(...full.map(renderBlend));
    if (full.some((b) => b.state === 'WAITING')) setTimeout(() => shownFor === id && void loadBlends(id), BLEND_POLL_MS);
  }

  $('blend-invite-button').addEventListener('click', async () => {
    const id = shownFor;
    $('blend-status').textContent = 'Making your invitation…';
    const res = await fetch(sessionPath(id, '/blend-invitations'), send('POST'));
    if (!res.ok) return void ($('blend-status').textContent = await apiError(res));
    invitation = await res.json();
    $('blend-invite-url').value = invitation.url;
    $('blend-invite').hidden = false;
    $('blend-status').textContent = 'Invitation ready: send the link to the person you want to blend with.';
    $('blend-invite-url').select();
  });

  $('blend-revoke-button').addEventListener('click', async () => {
    if (!invitation) return;
    const res = await fetch(sessionPath(shownFor, `/blend-invitations/${encodeURIComponent(invitation.invitationId)}`), send('DELETE'));
    if (!res.ok) return void ($('blend-status').textContent = await apiError(res));
    invitation = null;
    $('blend-invite').hidden = true;
    $('blend-status').textContent = 'Invitation revoked: nobody can accept it any more.';
  });

  $('blend-accept-button').addEventListener('click', async () => {
    const id = shownFor;
    const token = sessionStorage.getItem(INVITE_KEY);
    if (!token) return;
    $('blend-accept-button').disabled = true;
    const res = await fetch(sessionPath(id, '/blends'), send('POST', { invitation: token }));
    sessionStorage.removeItem(INVITE_KEY);
    $('blend-accept').hidden = true;
    if (!res.ok) return void ($('blend-status').textContent = await apiError(res));
    $('blend-status').textContent = 'Blend accepted.';
    await loadBlends(id);
  });

  // ---------- following the page ----------

  /** `/#blend=<token>`: kept for the report it will be blended with, and taken out of the address bar. */
  function adoptInvitation() {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const token = fragment.get('blend');
    if (!token) return;
    sessionStorage.setItem(INVITE_KEY, token);
    history.replaceState(history.state, '', window.location.pathname + window.location.search);
  }

  function onReportShown() {
    const id = sessionId();
    const visible = !$('report').hidden && Boolean($('report').dataset.version);
    if (!visible || !id) return;
    $('blend-invited').hidden = true;
    if (shownFor === id) return;
    shownFor = id;
    invitation = null;
    $('blend-invite').hidden = true;
    $('blend-status').textContent = '';
    $('year-status').textContent = '';
    $('year-cards').replaceChildren();
    $('blend-section').hidden = false;
    $('blend-accept').hidden = !sessionStorage.getItem(INVITE_KEY);
    $('blend-accept-button').disabled = false;
    void loadYears(id);
    void loadBlends(id);
  }

  adoptInvitation();
  $('blend-invited').hidden = !sessionStorage.getItem(INVITE_KEY) || Boolean(sessionId());
  new MutationObserver(onReportShown).observe($('report'), { attributes: true, attributeFilter: ['hidden', 'data-version'] });
})();
