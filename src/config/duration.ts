// Durations in configuration are human strings ("30s", "7d", "250ms") or plain milliseconds.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 500ms, 30s, 15m, 2h, 7d)`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']);
}
