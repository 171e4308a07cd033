// What each story card says when shared: the same words as the viewer's page, as plain text that
// the share page escapes and the image draws. Only the card's own section of the report is read,
// so a link to one card never tells anything else about the viewer.
import { type Verdicts, cardVerdicts, criticsAndAudience, percent, quipAfter, tasteKind, watchedLine } from '../../domain/cardVerdicts.js';
import type { Report, StoryCard } from '../../domain/report.js';

export interface CardText {
  card: StoryCard;
  /** The small heading above the title ("Your comfort show"). */
  eyebrow: string;
  /** The big line: a show, a name, a sign. */
  title: string;
  /** A few supporting lines, in order. */
  lines: string[];
  /** Labelled bars (genres), values 0..1 relative to the largest. */
  bars: { label: string; value: number }[];
  /** While the card can still change: how much it was drawn from (the card's coverage label). */
  badge: string | null;
  /** Labelled facts (the summary's recap, which its image draws as the poster of the whole story). */
  rows: { label: string; value: string }[];
  /** Whom or what the card is about, for its picture (a person's initials, a show's monogram); null when it names no one. */
  subject: string | null;
  /** Drawn from a provisional report: an image of it is stamped so. */
  provisional: boolean;
}

/** Reports stored before versions have no coverage, nor `final`. */
type StoredReport = Omit<Report, 'coverage' | 'final'> & { coverage?: Partial<Report['coverage']>; final?: boolean };

const TITLE_MAX = 70;
const LINE_MAX = 160;

/** Cuts at a code point (never inside a surrogate pair) and marks the cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text.trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function formatDate(date: string): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? date : dateFormat.format(d);
}

type Body = Pick<CardText, 'eyebrow' | 'title'> & { lines?: (string | null | undefined)[]; bars?: CardText['bars']; subject?: string; rows?: [string, string | null | false | undefined][] };

/** "12 of 28 shows" so far, for a card still counting. */
function sofar(r: StoredReport, card: StoryCard, what: string): string {
  const c = r.coverage?.[card];
  return c ? `${what}: ${fmt(c.done)} of ${fmt(c.total)} shows so far.` : `${what}.`;
}

function body(r: StoredReport, card: StoryCard, ok: Verdicts): Body {
  switch (card) {
    case 'overview':
      if (r.totalShows === 0 && r.films === 0) return { eyebrow: 'Your TV, in numbers', title: 'A fresh start', lines: ['We found no shows in this history yet.'] };
      return { eyebrow: 'Your TV, in numbers', title: plural(r.totalShows, 'show'), lines: [`${plural(r.totalEpisodes, 'episode')} · ${plural(r.films, 'film')}`] };
    case 'firstShow':
      if (!r.firstShow) return { eyebrow: 'Where it all began', title: 'A fresh start', lines: ['We found no shows in this history yet.'] };
      return { eyebrow: 'Where it all began', title: r.firstShow.name, subject: r.firstShow.name, lines: [`First watched on ${formatDate(r.firstShow.date)}`, quipAfter(r.firstShow.name, r.firstShowQuip)] };
    case 'mostWatched':
      if (!r.mostWatchedShow) return { eyebrow: 'Your comfort show', title: 'Still looking', lines: ['No show stood out yet.'] };
      // From the counts, not the stored summary: that one says "of ?" when the show's length is unknown.
      return { eyebrow: 'Your comfort show', title: r.mostWatchedShow.name, subject: r.mostWatchedShow.name, lines: [watchedLine(r.mostWatchedShow.watched, r.mostWatchedShow.total), quipAfter(r.mostWatchedShow.name, r.mostWatchedShowQuip)] };
    case 'topShows':
      if (r.topShows.length === 0) return { eyebrow: 'Your top 3', title: 'No favourites yet', lines: ['Watch a few more episodes and come back.'] };
      return { eyebrow: 'Your top 3', title: 'Can’t stop, won’t stop', lines: r.topShows.slice(0, 3).map((s, i) => `#${i + 1} ${s.name} · ${plural(s.episodes, 'episode')}`) };
    case 'crossoverStar': {
      const s = r.crossoverStar;
      if (!ok.crossoverStar) return { eyebrow: 'Your crossover star', title: 'Still spotting faces', lines: [sofar(r, card, 'We are looking up the casts of your shows')] };
      if (!s) return { eyebrow: 'Your crossover star', title: 'No repeat faces', lines: ['No actor appears in more than one of your shows.'] };
      const listed = s.shows.slice(0, 4);
      const more = s.showCount - listed.length;
      return { eyebrow: 'Your crossover star', title: s.name, subject: s.name, lines: [`Turns up in ${fmt(s.showCount)} of your shows`, `${listed.join(' · ')}${more > 0 ? ` and ${fmt(more)} more` : ''}`] };
    }
    case 'genres': {
      if (!ok.genres) return { eyebrow: 'Your genre mix', title: 'Sorting your shows', lines: [sofar(r, card, 'We are looking up your shows')] };
      if (r.genres.length === 0) return { eyebrow: 'Your genre mix', title: 'A genre of your own', lines: ['We couldn’t tell the genres of your shows.'] };
      const top = r.genres.slice(0, 5);
      const max = Math.max(...top.map((g) => g.share), 1e-9);
      return {
        eyebrow: 'Your genre mix',
        title: `Mostly ${r.genres[0].name}`,
        lines: [r.topGenresQuip],
        bars: top.map((g) => ({ label: `${g.name} ${percent(g.share)}`, value: g.share / max })),
      };
    }
    case 'rtTaste': {
      const s = r.rtScore;
      if (!ok.rtTaste) return { eyebrow: 'Your taste, by the critics', title: 'Still asking the critics', lines: [sofar(r, card, 'We are reading the critics’ scores')] };
      if (!s) {
        const why = r.dataQuality?.rtUnavailable ? 'Rotten Tomatoes could not be reached this time.' : 'None of your shows had a critics or audience score.';
        return { eyebrow: 'Your taste, by the critics', title: 'Unrated', lines: [why] };
      }
      const kind = tasteKind(s.score);
      // Critics against audience second, so the images (which draw three lines) keep it.
      const sides = criticsAndAudience(s).map((side) => `${side.label} ${side.score}`).join(' · ');
      return {
        eyebrow: 'Your taste, by the critics',
        title: kind.name,
        lines: [kind.line, sides, quipAfter(kind.name, r.rtScoreQuip), `Taste score ${Math.round(s.score)}, weighted by watch time across ${plural(s.showsScored, 'scored show')}`],
      };
    }
    case 'bff':
      if (!r.bff) return { eyebrow: 'Your TV best friend', title: 'Still to meet', lines: ['We need a few more shows to find your match.'] };
      return { eyebrow: 'Your TV best friend', title: r.bff.name, subject: r.bff.name, lines: [`from ${r.bff.show}`, quipAfter(r.bff.name, r.bff.quip)] };
    case 'starSign':
      if (!r.starSign || !ok.starSign) {
        // Not drawn yet (its gate has not opened) reads differently from not drawn at all.
        const pending = !ok.starSign || (r.coverage?.starSign ? !r.coverage.starSign.complete : r.final === false);
        return pending
          ? { eyebrow: 'Your TV star sign', title: 'Still reading the stars', lines: ['Your sign appears once enough of your shows are in.'] }
          : { eyebrow: 'Your TV star sign', title: 'The stars are shy', lines: ['We couldn’t read your sign this time.'] };
      }
      return { eyebrow: 'Your TV star sign', title: r.starSign.sign, lines: [quipAfter(r.starSign.sign, r.starSign.quip)] };
    case 'personality':
      if (!ok.personality) return { eyebrow: 'Your TV personality', title: 'Still taking shape', lines: ['Your personality comes with your star sign, once nearly all of your shows are in.'] };
      if (!r.personality) return { eyebrow: 'Your TV personality', title: 'A mystery', lines: ['We couldn’t tell your personality this time.'] };
      return { eyebrow: 'Your TV personality', title: r.personality.name, lines: [quipAfter(r.personality.name, r.personality.quip)] };
    case 'summary': {
      // Only the verdicts the report stands behind.
      const facts = [ok.starSign && r.starSign?.sign, ok.genres && r.genres[0] && `Mostly ${r.genres[0].name}`, ok.rtTaste && r.rtScore && tasteKind(r.rtScore.score).name].filter(Boolean).join(' · ');
      return {
        eyebrow: 'My TV, in a nutshell',
        title: (ok.personality && r.personality?.name) || 'A TV original',
        lines: [facts, `${plural(r.totalShows, 'show')} · ${plural(r.totalEpisodes, 'episode')}`, r.bff && `Best friend: ${r.bff.name} from ${r.bff.show}`],
        // The page's recap, in its order.
        rows: [
          ['Star sign', ok.starSign && r.starSign?.sign],
          ['Comfort show', r.mostWatchedShow?.name],
          ['Top genre', ok.genres && r.genres[0]?.name],
          ['Critics’ taste', ok.rtTaste && r.rtScore && tasteKind(r.rtScore.score).name],
          ['TV best friend', r.bff?.name],
        ],
      };
    }
  }
}

/** The badge: the card's coverage label until it is complete; a provisional report without coverage says so. */
function badge(r: StoredReport, card: StoryCard): string | null {
  const coverage = r.coverage?.[card];
  if (coverage) return coverage.complete ? null : clip(coverage.label, LINE_MAX);
  return r.final === false ? 'Still counting' : null;
}

export function cardText(report: Report | StoredReport, card: StoryCard): CardText {
  const r = report as StoredReport;
  const b = body(r, card, cardVerdicts(r));
  return {
    card,
    eyebrow: b.eyebrow,
    title: clip(b.title, TITLE_MAX),
    lines: (b.lines ?? []).filter((l): l is string => typeof l === 'string' && l.trim().length > 0).map((l) => clip(l, LINE_MAX)),
    bars: (b.bars ?? []).map((bar) => ({ label: clip(bar.label, 40), value: Math.min(1, Math.max(0, bar.value)) })),
    badge: badge(r, card),
    rows: (b.rows ?? []).filter((row): row is [string, string] => typeof row[1] === 'string' && row[1].trim().length > 0).map(([label, value]) => ({ label, value: clip(value, 40) })),
    subject: b.subject ? clip(b.subject, TITLE_MAX) : null,
    provisional: r.final === false,
  };
}

/** One sentence for link previews (og:description). */
export const cardDescription = (t: CardText) => clip([...t.lines, t.badge].filter(Boolean).join(' — ') || t.eyebrow, 200);
