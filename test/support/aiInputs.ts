// Inputs for the AI tests: a seeded generator (failures reproduce) and builders for each question's input.
import type { ShowQuipsInput, StarSignInput } from '../../src/domain/ai/answers.js';

export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}
const GENRES = [
  'Drama', 'Comedy', 'Crime', 'Documentary', 'Reality', 'Mystery', 'Sci-Fi & Fantasy', 'Action & Adventure',
  'Romance', 'Soap', 'Talk', 'Animation', 'Family', 'Kids', 'News', 'War & Politics', 'Western', 'Polka',
];
export const SHOWS = [
  'Stranger Things', 'You', 'Lost', 'The Office (U.S.)', 'Dark', 'Love', 'Friends', 'Ozark', 'Money Heist',
  'The Crown', 'Drama', 'Fresh', 'Episode', 'Chef', 'Grey\'s Anatomy', 'Pokémon', 'A', '1899', 'Comedy',
  'Bridgerton', 'Couch', 'Every Single One of the Episodes and Then Some More Words to Make a Really Long Name for Testing',
];
export function pickOf<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}
export function genreList(r: () => number, n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) out.add(pickOf(r, GENRES));
  return [...out];
}

export function starInput(r: () => number): StarSignInput {
  const names = genreList(r, Math.floor(r() * 6));
  const weights = names.map(() => r() + 0.01);
  const total = weights.reduce((a, b) => a + b, 0);
  const rtScore = r() < 0.2 ? null : Math.round(r() * 10000) / 100;
  const totalShows = 1 + Math.floor(r() * 60);
  return {
    genres: names.map((name, i) => ({ name, share: Math.round((weights[i] / total) * 10000) / 100 })),
    rtScore,
    rtBand: rtScore === null ? null : rtScore < 40 ? 'Rotten' : rtScore < 70 ? 'Fresh' : 'Certified Fresh',
    totalShows,
    totalEpisodes: totalShows * (1 + Math.floor(r() * 20)),
    films: Math.floor(r() * 30),
    topShows: [pickOf(r, SHOWS), pickOf(r, SHOWS), pickOf(r, SHOWS)],
  };
}

export function star(genres: [string, number][], rtScore: number | null, totalShows: number, totalEpisodes: number): StarSignInput {
  return {
    genres: genres.map(([name, share]) => ({ name, share })),
    rtScore,
    rtBand: null,
    totalShows,
    totalEpisodes,
    films: 0,
    topShows: [],
  };
}

export function quipsInput(r: () => number): ShowQuipsInput {
  const watched = 1 + Math.floor(r() * 80);
  return {
    firstShow: {
      name: pickOf(r, SHOWS),
      genres: genreList(r, Math.floor(r() * 3)),
      firstAirYear: r() < 0.5 ? 1990 + Math.floor(r() * 34) : null,
      firstWatched: r() < 0.7 ? `20${10 + Math.floor(r() * 14)}-0${1 + Math.floor(r() * 9)}-15` : undefined,
    },
    mostWatchedShow: {
      name: pickOf(r, SHOWS),
      genres: genreList(r, Math.floor(r() * 3)),
      watched,
      total: r() < 0.1 ? 0 : watched + Math.floor(r() * 40),
    },
  };
}
