// Types of verdicts.js (plain JS, because the viewer's page loads it as it is).
import type { StoryCard } from '../../domain/report.js';

export declare const VERDICT_RULES: Readonly<{
  rtTaste: Readonly<{ minScored: number; minShare: number }>;
  crossoverStar: Readonly<{ minShare: number }>;
  genres: Readonly<{ minShare: number }>;
  starSign: Readonly<{ minShare: number }>;
  tinyHistory: number;
}>;
export interface Verdicts {
  rtTaste: boolean;
  crossoverStar: boolean;
  genres: boolean;
  starSign: boolean;
  personality: boolean;
}
export declare const ALL_CARDS: readonly StoryCard[];
export declare function cardVerdicts(report: object): Verdicts;
export declare function storyCards(report: object): StoryCard[];
export declare function tasteKind(score: number): { name: string; line: string };
export declare function criticsAndAudience(rtScore: object | null | undefined): { label: 'Critics' | 'Audience'; score: number; shows: number }[];
export declare function quipAfter(above: string | null | undefined, quip: string | null | undefined): string | null;
export declare function watchedLine(watched: number, total: number | null | undefined): string;
export declare function percent(value: number): string;
