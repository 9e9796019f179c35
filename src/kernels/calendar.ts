/**
 * Calendar groups of dates (epoch milliseconds, UTC) for `aggregateReturns()`: empyrical's
 * aggregate_returns keys, computed here once so that every backend receives the same group numbers.
 */

/** How `aggregateReturns()` groups dates (empyrical's convert_to). */
export type AggregatePeriod = 'weekly' | 'monthly' | 'quarterly' | 'yearly';

export const AGGREGATE_PERIODS = ['weekly', 'monthly', 'quarterly', 'yearly'] as const satisfies readonly AggregatePeriod[];

const DAY_MS = 86_400_000;

/**
 * The ISO 8601 week number (1 to 53) of a UTC date: the week holding its Thursday, counted from the
 * week holding the first Thursday of that Thursday's year (Python's date.isocalendar()[1]).
 */
export function isoWeek(ms: number): number {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - (day - 3) * DAY_MS;
  const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return 1 + Math.floor((thursday - yearStart) / (7 * DAY_MS));
}

/** empyrical's group key of one date: [calendar year, ISO week | month | quarter | 0]. */
export function periodKey(ms: number, period: AggregatePeriod): [number, number] {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (period === 'weekly') return [year, isoWeek(ms)]; // the calendar year with the ISO week, as empyrical
  if (period === 'monthly') return [year, d.getUTCMonth() + 1];
  if (period === 'quarterly') return [year, Math.ceil((d.getUTCMonth() + 1) / 3)];
  return [year, 0];
}

/**
 * Each date's group (0 .. groups - 1, the keys in ascending order as pandas' groupby sorts them) and
 * the keys: `year[g]`, `period[g]` (ISO week, month, quarter; 0 for yearly).
 */
export function calendarGroups(
  dates: Float64Array,
  period: AggregatePeriod,
): { group: Float64Array; year: Float64Array; period: Float64Array } {
  const keys = new Map<number, [number, number]>();
  const codes = new Float64Array(dates.length);
  for (let t = 0; t < dates.length; t++) {
    const [y, p] = periodKey(dates[t], period);
    const code = y * 100 + p; // p < 100: the code orders as the key
    codes[t] = code;
    keys.set(code, [y, p]);
  }
  const sorted = [...keys.keys()].sort((a, b) => a - b);
  const index = new Map(sorted.map((code, g) => [code, g]));
  const group = codes.map((code) => index.get(code)!);
  return {
    group,
    year: Float64Array.from(sorted, (code) => keys.get(code)![0]),
    period: Float64Array.from(sorted, (code) => keys.get(code)![1]),
  };
}
