// Gandalf watch dates: "M/D/YYYY", read month first as production clients do
// (DESIGN §1). An impossible date is reported, never guessed: 25/12/2024 is
// not swapped into December 25th.

export type GandalfDateResult = { ok: true; date: string } | { ok: false; reason: string };

const MIN_YEAR = 1990;
const MAX_YEAR = 2100;

export const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function parseGandalfDate(s: string): GandalfDateResult {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(typeof s === 'string' ? s.trim() : '');
  if (!m) return { ok: false, reason: `expected a M/D/YYYY date, got ${JSON.stringify(s)}` };
  const month = Number(m[1]);
  const day = Number(m[2]);
  const year = Number(m[3]);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    return { ok: false, reason: `year ${year} in ${JSON.stringify(s)} is outside ${MIN_YEAR}-${MAX_YEAR}` };
  }
  if (month < 1 || month > 12) {
    return { ok: false, reason: `month ${month} in ${JSON.stringify(s)} is not between 1 and 12 (dates are read month first)` };
  }
  const maxDay = daysInMonth(year, month);
  if (day < 1 || day > maxDay) {
    return {
      ok: false,
      reason: `day ${day} in ${JSON.stringify(s)} does not exist: ${MONTH_NAMES[month - 1]} ${year} has ${maxDay} days`,
    };
  }
  return { ok: true, date: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` };
}
