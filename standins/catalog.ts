// Seeded synthetic TV catalog shared by every stand-in, so TMDB, RT and the
// Gandalf histories all agree about the same shows, casts and scores.
import {
  CdfSampler, chance, hashString, mulberry32, normal, pick, randInt, randomAlnum, shuffleInPlace, weighted, type Rng,
} from './random.js';
import { normalizeTitle, slugify, stripDiacritics } from './text.js';
import * as W from './wordlists.js';

export interface CatalogActor { id: number; name: string; popularity: number; profilePath: string }
export interface CatalogCastMember { actorId: number; character: string; episodeCount: number }
/** label as Netflix prints it: 'Season 2', 'Limited Series', 'Part 2', 'Volume 1', 'Book One', 'Collection' */
export interface CatalogSeason { label: string; episodes: string[] }
export interface CatalogShow {
  id: number;
  name: string;
  /** How Netflix titles it: may add a region tag, or differ in case/diacritics/punctuation only. */
  netflixName: string;
  originalName: string;
  firstAirDate: string;
  popularity: number;
  genres: { id: number; name: string }[];
  numberOfEpisodes: number;
  numberOfSeasons: number;
  overview: string;
  posterPath: string;
  originCountry: string[];
  cast: CatalogCastMember[];
  seasons: CatalogSeason[];
  /** false: absent from TMDB entirely. */
  onTmdb: boolean;
  rt: { slug: string; criticsScore: number | null; audienceScore: number | null } | null;
  /** Set on a decoy: same name as show `decoyOf`, another first-air year. Decoys never appear in histories. */
  decoyOf?: number;
  /**
   * 'region' on a region twin: a decoy of a show whose netflixName carries a region tag, from the
   * other country (US ↔ GB), more popular and aired earlier, so only the tag tells them apart.
   * Absent on the year decoys.
   */
  decoyBy?: 'region';
}
export interface CatalogFilm { title: string }
export interface Catalog {
  shows: CatalogShow[];
  actors: CatalogActor[];
  films: CatalogFilm[];
  showById: Map<number, CatalogShow>;
  actorById: Map<number, CatalogActor>;
}

const TV_GENRES = {
  actionAdventure: { id: 10759, name: 'Action & Adventure' },
  animation: { id: 16, name: 'Animation' },
  comedy: { id: 35, name: 'Comedy' },
  crime: { id: 80, name: 'Crime' },
  documentary: { id: 99, name: 'Documentary' },
  drama: { id: 18, name: 'Drama' },
  family: { id: 10751, name: 'Family' },
  kids: { id: 10762, name: 'Kids' },
  mystery: { id: 9648, name: 'Mystery' },
  news: { id: 10763, name: 'News' },
  reality: { id: 10764, name: 'Reality' },
  sciFi: { id: 10765, name: 'Sci-Fi & Fantasy' },
  soap: { id: 10766, name: 'Soap' },
  talk: { id: 10767, name: 'Talk' },
  warPolitics: { id: 10768, name: 'War & Politics' },
  western: { id: 37, name: 'Western' },
} as const;
type GenreKey = keyof typeof TV_GENRES;

const PRIMARY_GENRE_WEIGHTS: [GenreKey, number][] = [
  ['drama', 28], ['comedy', 20], ['crime', 10], ['documentary', 8], ['reality', 7], ['sciFi', 6], ['animation', 5],
  ['actionAdventure', 5], ['mystery', 4], ['family', 2], ['kids', 2], ['soap', 1], ['talk', 1], ['western', 0.5],
  ['warPolitics', 0.5], ['news', 0.5],
];
// Genres that tend to come together on TMDB.
const COMPANION_GENRES: Record<GenreKey, GenreKey[]> = {
  drama: ['crime', 'mystery', 'comedy', 'sciFi', 'family', 'warPolitics'],
  comedy: ['drama', 'family', 'animation'],
  crime: ['drama', 'mystery', 'actionAdventure'],
  documentary: ['crime', 'news', 'warPolitics'],
  reality: ['comedy', 'documentary'],
  sciFi: ['actionAdventure', 'drama', 'mystery'],
  animation: ['comedy', 'sciFi', 'kids', 'actionAdventure'],
  actionAdventure: ['sciFi', 'drama', 'crime'],
  mystery: ['crime', 'drama', 'sciFi'],
  family: ['comedy', 'animation', 'kids'],
  kids: ['animation', 'family', 'comedy'],
  soap: ['drama'],
  talk: ['comedy', 'news'],
  western: ['drama', 'actionAdventure'],
  warPolitics: ['drama', 'actionAdventure'],
  news: ['documentary', 'talk'],
};

const LATEST_DATE = '2026-10-31';
const STAR_COUNT = 12;
const ACTOR_POOL = 4000;

type SeasonStyle = 'season' | 'limited' | 'part' | 'volume' | 'book' | 'collection';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function randomDate(rng: Rng, year: number): string {
  const month = randInt(rng, 1, 12);
  const day = randInt(rng, 1, 28);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** Year skewed toward the streaming era, 1985..2025. */
function randomFirstAirYear(rng: Rng): number {
  const r = rng();
  if (r < 0.6) return randInt(rng, 2015, 2025);
  if (r < 0.85) return randInt(rng, 2005, 2014);
  return randInt(rng, 1985, 2004);
}

function personName(rng: Rng, diacriticRate: number): string {
  const first = chance(rng, diacriticRate) ? pick(rng, W.FIRST_NAMES_DIACRITIC) : pick(rng, W.FIRST_NAMES);
  const last = chance(rng, diacriticRate) ? pick(rng, W.LAST_NAMES_DIACRITIC) : pick(rng, W.LAST_NAMES);
  return `${first} ${last}`;
}

function placeName(rng: Rng): string {
  return pick(rng, W.PLACE_PREFIXES) + pick(rng, W.PLACE_SUFFIXES);
}

type NameKind = 'plain' | 'colon' | 'diacritic' | 'apostrophe' | 'ampersand' | 'hyphen';

function generateShowName(rng: Rng): { name: string; kind: NameKind } {
  const r = rng();
  if (r < 0.07) return { name: `${pick(rng, W.FRANCHISES)}: ${pick(rng, W.SUBTITLES)}`, kind: 'colon' };
  if (r < 0.1) {
    const d = rng();
    const name = d < 0.3 ? pick(rng, W.DIACRITIC_SOLO)
      : d < 0.7 ? `${pick(rng, W.DIACRITIC_WORDS)} ${pick(rng, W.NOUNS)}`
        : `${pick(rng, W.ADJECTIVES)} ${pick(rng, W.DIACRITIC_SOLO)}`;
    return { name, kind: 'diacritic' };
  }
  if (r < 0.14) return { name: `${pick(rng, W.FIRST_NAMES)}'s ${pick(rng, W.NOUNS)}`, kind: 'apostrophe' };
  if (r < 0.17) return { name: `${pick(rng, W.SHORT_NOUNS)} & ${pick(rng, W.SHORT_NOUNS)}`, kind: 'ampersand' };
  if (r < 0.2) return { name: `${pick(rng, W.HYPHEN_PREFIXES)}-${pick(rng, W.NOUNS)}`, kind: 'hyphen' };
  if (r < 0.42) return { name: `The ${pick(rng, W.ADJECTIVES)} ${pick(rng, W.NOUNS)}`, kind: 'plain' };
  if (r < 0.6) return { name: `${pick(rng, W.ADJECTIVES)} ${pick(rng, W.NOUNS)}`, kind: 'plain' };
  if (r < 0.7) return { name: `${pick(rng, W.NOUNS)} of ${placeName(rng)}`, kind: 'plain' };
  if (r < 0.8) {
    const place = placeName(rng);
    return { name: chance(rng, 0.5) ? place : `${place} ${pick(rng, W.PLACE_EXTRAS)}`, kind: 'plain' };
  }
  if (r < 0.87) return { name: `The ${pick(rng, W.NOUNS)} ${pick(rng, ['Club', 'Project', 'Society', 'Experiment', 'Agency', 'Squad'])}`, kind: 'plain' };
  if (r < 0.94) return { name: `${pick(rng, ['Inside the', 'Love on the', 'Making a', 'Life at the', 'Behind the', 'Welcome to the'])} ${pick(rng, W.NOUNS)}`, kind: 'plain' };
  return { name: `${pick(rng, W.SHORT_NOUNS)} ${pick(rng, W.NOUNS)}`, kind: 'plain' };
}

/** Netflix sometimes prints the name differently: region tag, dropped accents, punctuation or case. */
function netflixVariant(rng: Rng, name: string, kind: NameKind): string {
  if (chance(rng, 0.05)) return `${name} ${chance(rng, 0.75) ? '(U.S.)' : '(U.K.)'}`;
  if (kind === 'diacritic' && chance(rng, 0.35)) return stripDiacritics(name);
  if (kind === 'apostrophe' && chance(rng, 0.3)) return name.replace(/'/g, '');
  if (kind === 'hyphen' && chance(rng, 0.3)) return name.replace(/-/g, ' ');
  if (chance(rng, 0.02)) return name.replace(/\b(Of|The)\b/g, (w) => w.toLowerCase()).replace(/\bof\b/, 'Of');
  return name;
}

function seasonLabels(rng: Rng, style: SeasonStyle, genre: GenreKey, popularity: number): string[] {
  switch (style) {
    case 'limited': return ['Limited Series'];
    case 'collection': return ['Collection'];
    case 'part': return Array.from({ length: randInt(rng, 1, 4) }, (_, i) => `Part ${i + 1}`);
    case 'volume': return Array.from({ length: randInt(rng, 1, 3) }, (_, i) => `Volume ${i + 1}`);
    case 'book': return Array.from({ length: randInt(rng, 1, 3) }, (_, i) => `Book ${W.NUMBER_WORDS[i]}`);
    default: {
      const longRunner = genre === 'soap' || genre === 'reality' || genre === 'talk' || genre === 'news' || genre === 'animation';
      // Popular shows tend to be renewed: more seasons (long runners are what big histories are made of).
      const mean = (longRunner ? 2.5 : 1.2) + 4.5 * Math.sqrt(popularity / 20);
      const n = Math.min(longRunner ? 25 : 15, 1 + Math.floor(-Math.log(Math.max(rng(), 1e-9)) * mean));
      return Array.from({ length: n }, (_, i) => `Season ${i + 1}`);
    }
  }
}

function episodesPerSeason(rng: Rng, style: SeasonStyle, genre: GenreKey): number {
  if (style === 'collection') return randInt(rng, 6, 30);
  if (style === 'limited') return randInt(rng, 3, 10);
  if (genre === 'soap' || genre === 'talk' || genre === 'news') return randInt(rng, 18, 40);
  if (genre === 'reality' || genre === 'animation' || genre === 'kids') return randInt(rng, 8, 24);
  return chance(rng, 0.3) ? randInt(rng, 16, 24) : randInt(rng, 6, 13);
}

function episodeTitles(rng: Rng, count: number, style: 'numbered' | 'named' | 'chapter', seasonIdx: number): string[] {
  if (style === 'numbered') return Array.from({ length: count }, (_, i) => `Episode ${i + 1}`);
  const used = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let title = '';
    for (let attempt = 0; attempt < 40; attempt++) {
      const named = (() => {
        if (seasonIdx === 0 && i === 0 && chance(rng, 0.4)) return 'Pilot';
        const r = rng();
        if (r < 0.3) return `The ${pick(rng, W.EPISODE_NOUNS)}`;
        if (r < 0.55) return `${pick(rng, W.ADJECTIVES)} ${pick(rng, W.EPISODE_NOUNS)}`;
        if (r < 0.7) return `${pick(rng, W.EPISODE_NOUNS)} and ${pick(rng, W.EPISODE_NOUNS)}`;
        if (r < 0.8) return `${pick(rng, W.EPISODE_NOUNS)}: ${pick(rng, W.ADJECTIVES)} ${pick(rng, W.EPISODE_NOUNS)}`;
        if (r < 0.9) return withArticle(`${pick(rng, W.ADJECTIVES)} ${pick(rng, W.EPISODE_NOUNS)}`);
        return `${pick(rng, W.FIRST_NAMES)}'s ${pick(rng, W.EPISODE_NOUNS)}`;
      })();
      const candidate = style === 'chapter'
        ? `Chapter ${W.NUMBER_WORDS[i] ?? String(i + 1)}: ${named === 'Pilot' ? `The ${pick(rng, W.EPISODE_NOUNS)}` : named}`
        : named;
      if (!used.has(candidate)) {
        title = candidate;
        break;
      }
    }
    if (!title) title = `${pick(rng, W.EPISODE_NOUNS)} No. ${i + 1}`;
    used.add(title);
    out.push(title);
  }
  return out;
}

function withArticle(phrase: string): string {
  return `${/^[AEIOU]/.test(phrase) ? 'An' : 'A'} ${phrase}`;
}

function characterName(rng: Rng): string {
  const r = rng();
  if (r < 0.15) return `${pick(rng, W.CHARACTER_TITLES)} ${pick(rng, W.LAST_NAMES)}`;
  if (r < 0.35) return pick(rng, chance(rng, 0.1) ? W.FIRST_NAMES_DIACRITIC : W.FIRST_NAMES);
  return personName(rng, 0.06);
}

function overview(rng: Rng, name: string): string {
  const where = chance(rng, 0.5) ? `In ${placeName(rng)}` : `When ${pick(rng, ['a storm', 'a stranger', 'a death', 'a letter', 'a fortune', 'a fire', 'an accident'])} upends everything`;
  return `${where}, a ${pick(rng, W.OVERVIEW_ROLES)} must ${pick(rng, W.OVERVIEW_GOALS)}. ${name} follows what happens next.`;
}

function round2(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function buildActors(rng: Rng, usedIds: Set<number>): CatalogActor[] {
  const actors: CatalogActor[] = [];
  const names = new Set<string>();
  while (actors.length < ACTOR_POOL) {
    const name = personName(rng, 0.12);
    const key = normalizeTitle(name);
    if (names.has(key)) continue;
    names.add(key);
    let id = randInt(rng, 10_000, 4_999_999);
    while (usedIds.has(id)) id = randInt(rng, 10_000, 4_999_999);
    usedIds.add(id);
    const star = actors.length < STAR_COUNT;
    const popularity = star ? 40 + rng() * 60 : Math.min(60, Math.exp(1.2 + 0.8 * normal(rng)));
    actors.push({ id, name, popularity: round2(popularity), profilePath: `/${randomAlnum(rng, 27)}.jpg` });
  }
  return actors;
}

function buildCast(rng: Rng, actors: CatalogActor[], actorSampler: CdfSampler, numberOfEpisodes: number, exclude?: Set<number>): CatalogCastMember[] {
  const size = randInt(rng, 5, 15);
  const chosen = new Set<number>();
  const characters = new Set<string>();
  const cast: CatalogCastMember[] = [];
  while (cast.length < size) {
    // Stars (first STAR_COUNT actors) turn up in many shows so every viewer has a crossover star.
    const idx = chance(rng, 0.05) ? randInt(rng, 0, STAR_COUNT - 1) : STAR_COUNT + actorSampler.sample(rng);
    const actor = actors[idx];
    if (chosen.has(actor.id) || exclude?.has(actor.id)) continue;
    let character = characterName(rng);
    while (characters.has(character)) character = characterName(rng);
    chosen.add(actor.id);
    characters.add(character);
    // Leads appear in (almost) every episode; the rest taper off.
    const i = cast.length;
    const share = i < 2 ? 0.85 + rng() * 0.15 : i < 5 ? 0.4 + rng() * 0.5 : 0.05 + rng() * 0.5;
    const episodeCount = Math.max(1, Math.min(numberOfEpisodes, Math.round(numberOfEpisodes * share)));
    cast.push({ actorId: actor.id, character, episodeCount });
  }
  return cast;
}

function rtScores(rng: Rng, slug: string): CatalogShow['rt'] {
  if (chance(rng, 0.1)) return null;
  const critics = Math.max(5, Math.min(100, Math.round(72 + 20 * normal(rng))));
  const audience = Math.max(10, Math.min(99, Math.round(68 + 18 * normal(rng))));
  const r = rng();
  if (r < 0.02) return { slug, criticsScore: null, audienceScore: null };
  if (r < 0.1) return { slug, criticsScore: null, audienceScore: audience };
  if (r < 0.14) return { slug, criticsScore: critics, audienceScore: null };
  return { slug, criticsScore: critics, audienceScore: audience };
}

function buildFilms(rng: Rng, takenNames: Set<string>): CatalogFilm[] {
  const films: CatalogFilm[] = [];
  const seen = new Set<string>();
  let guard = 0;
  while (films.length < 240 && guard++ < 10_000) {
    const r = rng();
    const title = r < 0.3 ? pick(rng, W.FILM_NOUNS)
      : r < 0.45 ? `${pick(rng, W.FILM_NOUNS)} ${randInt(rng, 2, 4)}`
        : r < 0.6 ? `${pick(rng, W.FILM_NOUNS)}: ${pick(rng, W.SUBTITLES)}`
          : r < 0.8 ? `The ${pick(rng, W.ADJECTIVES)} ${pick(rng, W.EPISODE_NOUNS)}`
            : `${pick(rng, W.ADJECTIVES)} ${pick(rng, W.EPISODE_NOUNS)}`;
    const key = normalizeTitle(title);
    if (seen.has(key) || takenNames.has(key)) continue;
    seen.add(key);
    films.push({ title });
  }
  return films;
}

function buildCatalogUncached(seed: number, showCount: number): Catalog {
  const rng = mulberry32(seed);
  const usedIds = new Set<number>();
  const actors = buildActors(rng, usedIds);
  // Mild skew over the non-star pool: a few busy character actors, a long tail of one-offs.
  const actorWeights = Array.from({ length: ACTOR_POOL - STAR_COUNT }, (_, r) => 1 / (r + 60));
  shuffleInPlace(rng, actorWeights);
  const actorSampler = new CdfSampler(actorWeights);

  const shows: CatalogShow[] = [];
  const names = new Set<string>();
  const slugs = new Set<string>();
  const tmdbIds = new Set<number>();
  const newTmdbId = (): number => {
    let id = randInt(rng, 1_000, 299_999);
    while (tmdbIds.has(id)) id = randInt(rng, 1_000, 299_999);
    tmdbIds.add(id);
    return id;
  };
  const decoyTarget = Math.max(2, Math.round(showCount * 0.01));
  let guard = 0;

  const makeShow = (name: string, kind: NameKind, firstAirDate: string, popularity: number, castExclude?: Set<number>): CatalogShow => {
    const genre = weighted(rng, PRIMARY_GENRE_WEIGHTS);
    const genreKeys = new Set<GenreKey>([genre]);
    const extra = weighted(rng, [[0, 35], [1, 45], [2, 20]] as const);
    for (let i = 0; i < extra; i++) genreKeys.add(pick(rng, COMPANION_GENRES[genre]));
    const style: SeasonStyle = weighted(rng, [['season', 72], ['limited', 8], ['part', 6], ['volume', 5], ['book', 4], ['collection', 5]] as const);
    const labels = seasonLabels(rng, style, genre, popularity);
    const titleStyle = weighted(rng, [['numbered', 45], ['named', 43], ['chapter', 12]] as const);
    const seasons: CatalogSeason[] = labels.map((label, i) => ({
      label,
      episodes: episodeTitles(rng, episodesPerSeason(rng, style, genre), titleStyle, i),
    }));
    const numberOfEpisodes = seasons.reduce((n, s) => n + s.episodes.length, 0);
    let slug = slugify(name);
    if (slugs.has(slug)) slug = `${slug}_${firstAirDate.slice(0, 4)}`;
    slugs.add(slug);
    const country = kind === 'diacritic'
      ? pick(rng, [['ES'], ['FR'], ['MX'], ['DE'], ['SE'], ['JP']])
      : weighted(rng, [[['US'], 70], [['GB'], 14], [['CA'], 4], [['AU'], 4], [['KR'], 4], [['IN'], 2], [['US', 'GB'], 2]] as const);
    return {
      id: newTmdbId(),
      name,
      netflixName: netflixVariant(rng, name, kind),
      originalName: name,
      firstAirDate,
      popularity: round2(popularity),
      genres: [...genreKeys].map((k) => ({ ...TV_GENRES[k] })),
      numberOfEpisodes,
      numberOfSeasons: seasons.length,
      overview: overview(rng, name),
      posterPath: `/${randomAlnum(rng, 27)}.jpg`,
      originCountry: [...country],
      cast: buildCast(rng, actors, actorSampler, numberOfEpisodes, castExclude),
      seasons,
      onTmdb: !chance(rng, 0.05),
      rt: rtScores(rng, slug),
    };
  };

  while (shows.length < showCount && guard++ < showCount * 50) {
    const { name, kind } = generateShowName(rng);
    const key = normalizeTitle(name);
    if (!key || names.has(key)) continue;
    names.add(key);
    const popularity = Math.min(2500, Math.exp(3 + 1.1 * normal(rng)));
    const show = makeShow(name, kind, randomDate(rng, randomFirstAirYear(rng)), popularity);
    shows.push(show);

    // Decoy: another TMDB show with the very same name. Clients must use year then popularity.
    const wantDecoy = kind === 'plain' && shows.length < showCount && shows.filter((s) => s.decoyOf).length < decoyTarget && chance(rng, 0.02);
    if (wantDecoy) {
      const realYear = Number(show.firstAirDate.slice(0, 4));
      const future = chance(rng, 0.3);
      // A future decoy may be hyped (more popular) but aired after every watch date;
      // an older/newer decoy is always less popular than the real show.
      const year = future ? 2027 : realYear >= 2005 && chance(rng, 0.7) ? randInt(rng, 1985, realYear - 8) : Math.min(2025, realYear + randInt(rng, 3, 10));
      const decoyPop = future ? show.popularity * (1.2 + rng()) : show.popularity * (0.05 + 0.5 * rng());
      if (year !== realYear) {
        const exclude = new Set(show.cast.map((c) => c.actorId));
        const decoy = makeShow(name, kind, randomDate(rng, year), decoyPop, exclude);
        decoy.netflixName = name;
        decoy.onTmdb = true;
        decoy.decoyOf = show.id;
        shows.push(decoy);
      }
    }
  }
  if (shows.length < showCount) throw new Error(`catalog: could only generate ${shows.length} unique shows`);

  const films = buildFilms(rng, names);
  // After everything drawn from `rng`: the catalog above stays exactly as it was without twins.
  shows.push(...buildRegionTwins(seed, shows, actors, actorSampler, tmdbIds, slugs));
  freeUntakenSlugs(shows);
  return {
    shows,
    actors,
    films,
    showById: new Map(shows.map((s) => [s.id, s])),
    actorById: new Map(actors.map((a) => [a.id, a])),
  };
}

/** The tags netflixVariant prints, the country each names, and its twin's country. Kept here, not
 * borrowed from the app's parser, so the stand-in stays an independent witness. */
const REGION_TAGS: Record<string, { region: string; twin: string }> = {
  '(U.S.)': { region: 'US', twin: 'GB' },
  '(U.K.)': { region: 'GB', twin: 'US' },
};

/**
 * Region twins (DESIGN §2: "Big Brother (U.S.)" is the US show, origin_country tells it from the
 * British one). For every TMDB show whose Netflix title carries a US or UK tag and whose own
 * origin_country agrees with the tag, a same-named show from the other country that aired 1–8
 * years earlier and is more popular: it is never in a worse watch-year tier than the real show,
 * so without the region rule it would win; with it, the tagged country wins. Tagged shows whose
 * origin_country contradicts their tag get no twin (the tag could not tell them apart).
 * Drawn from their own hash-seeded RNG, after the main catalog, so ids, names, casts and histories
 * of every other show are unchanged. Twins are decoys (`decoyOf`): never in histories.
 */
function buildRegionTwins(
  seed: number,
  shows: readonly CatalogShow[],
  actors: CatalogActor[],
  actorSampler: CdfSampler,
  tmdbIds: Set<number>,
  slugs: Set<string>,
): CatalogShow[] {
  const twins: CatalogShow[] = [];
  for (const real of shows) {
    if (real.decoyOf !== undefined || !real.onTmdb) continue;
    const tag = REGION_TAGS[/\([^()]*\)$/.exec(real.netflixName)?.[0] ?? ''];
    if (!tag || !real.originCountry.includes(tag.region)) continue;
    const rng = mulberry32(hashString(`region-twin:${seed}:${real.id}`));
    let id = randInt(rng, 1_000, 299_999);
    while (tmdbIds.has(id)) id = randInt(rng, 1_000, 299_999);
    tmdbIds.add(id);
    // RT adds the first-air year where titles collide: pick a year whose `<slug>_<year>` is free.
    const realYear = Number(real.firstAirDate.slice(0, 4));
    const base = slugify(real.name);
    let year = realYear - randInt(rng, 1, 8);
    for (let tries = 0; slugs.has(`${base}_${year}`) && tries < 8; tries++) year--;
    const slug = slugs.has(`${base}_${year}`) ? null : `${base}_${year}`;
    if (slug) slugs.add(slug);
    const genre = weighted(rng, PRIMARY_GENRE_WEIGHTS);
    const genreKeys = new Set<GenreKey>([genre, pick(rng, COMPANION_GENRES[genre])]);
    const popularity = real.popularity * (1.3 + rng());
    const labels = seasonLabels(rng, 'season', genre, popularity);
    const titleStyle = weighted(rng, [['numbered', 45], ['named', 43], ['chapter', 12]] as const);
    const seasons: CatalogSeason[] = labels.map((label, i) => ({
      label,
      episodes: episodeTitles(rng, episodesPerSeason(rng, 'season', genre), titleStyle, i),
    }));
    const numberOfEpisodes = seasons.reduce((n, x) => n + x.episodes.length, 0);
    twins.push({
      id,
      name: real.name,
      netflixName: real.name,
      originalName: real.originalName,
      firstAirDate: randomDate(rng, year),
      popularity: round2(popularity),
      genres: [...genreKeys].map((k) => ({ ...TV_GENRES[k] })),
      numberOfEpisodes,
      numberOfSeasons: seasons.length,
      overview: overview(rng, real.name),
      posterPath: `/${randomAlnum(rng, 27)}.jpg`,
      originCountry: [tag.twin],
      cast: buildCast(rng, actors, actorSampler, numberOfEpisodes, new Set(real.cast.map((c) => c.actorId))),
      seasons,
      onTmdb: true,
      rt: slug ? rtScores(rng, slug) : null,
      decoyOf: real.id,
      decoyBy: 'region',
    });
  }
  return twins;
}

/**
 * RT adds the first-air year only where another RT page holds the bare slug: a namesake that is not on
 * RT leaves it free. Slugs are reserved above before RT presence is drawn, so a show whose only
 * namesakes are off RT gets its bare slug back (the first such show, in catalog order).
 */
function freeUntakenSlugs(shows: CatalogShow[]): void {
  const taken = new Set(shows.flatMap((s) => (s.rt ? [s.rt.slug] : [])));
  for (const show of shows) {
    const base = slugify(show.name);
    if (!show.rt || show.rt.slug === base || !show.rt.slug.startsWith(`${base}_`) || taken.has(base)) continue;
    taken.delete(show.rt.slug);
    show.rt.slug = base;
    taken.add(base);
  }
}

let defaultCatalog: Catalog | undefined;

/** Deterministic catalog; the default (seed 42, 3000 shows) is built once and shared. */
export function buildCatalog(seed = 42, showCount = 3000): Catalog {
  if (seed === 42 && showCount === 3000) {
    defaultCatalog ??= buildCatalogUncached(seed, showCount);
    return defaultCatalog;
  }
  return buildCatalogUncached(seed, showCount);
}

/** The date the synthetic world ends; histories end here too. */
export const CATALOG_LATEST_DATE = LATEST_DATE;

/** Stable external ids (Gandalf `subject`, TMDB /find) derived from the TMDB id. */
export function imdbIdFor(show: CatalogShow): string {
  return `tt${String(show.id * 7 + 1_000_003).padStart(7, '0')}`;
}
export function tvdbIdFor(show: CatalogShow): string {
  return String(show.id + 300_000);
}

/**
 * Which external ids Gandalf reports for a show, the same on every one of its activities: none for
 * half the shows (the schema allows an empty subject), an IMDb id for 30%, a TVDB id alone for 10%,
 * both for 10%. The shares are our test choices, not measurements of Gandalf.
 */
export function subjectsFor(show: CatalogShow): { value: string; identifierType: 'IMDB' | 'TVDB' }[] {
  const h = hashString(`subject:${show.id}`) % 100;
  if (h < 50) return [];
  if (h < 80) return [{ value: imdbIdFor(show), identifierType: 'IMDB' }];
  if (h < 90) return [{ value: tvdbIdFor(show), identifierType: 'TVDB' }];
  return [{ value: imdbIdFor(show), identifierType: 'IMDB' }, { value: tvdbIdFor(show), identifierType: 'TVDB' }];
}
