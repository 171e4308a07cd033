// Numbers as the bench stores them.

/** Results are stored rounded, so results.json stays readable and diffs stay small. */
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
