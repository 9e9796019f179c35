/**
 * Calendars: the groups of dates (epoch milliseconds, UTC) of `aggregateReturns()` (empyrical's
 * aggregate_returns keys, computed here once so that every backend receives the same group numbers),
 * and the time zones of `aggregateTrades()` and `dailyVpin()` (IANA names, through Intl).
 */
import { KernelInputError } from '../errors.js';
import { describeValue } from './validate.js';

/** How `aggregateReturns()` groups dates (empyrical's convert_to). */
export type AggregatePeriod = 'weekly' | 'monthly' | 'quarterly' | 'yearly';

export const AGGREGATE_PERIODS = ['weekly', 'monthly', 'quarterly', 'yearly'] as const satisfies readonly AggregatePeriod[];

const DAY_MS = 86_400_000;

/** Checks that `tz` names an IANA time zone Intl knows (KernelInputError naming `name`); returns it. */
export function requireTimeZone(tz: unknown, name: string): string {
  try {
    if (typeof tz !== 'string') throw new RangeError();
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new KernelInputError(name, 'an IANA time zone name', describeValue(tz));
  }
  return tz;
}

/** Milliseconds per time-zone offset cache slot: offsets change on quarter hours at the finest. */
const TZ_SLOT_MS = 900_000;

/**
 * The UTC offset (ms; local time = t + offset) of time zone `tz` at an instant t (epoch ms), cached per
 * quarter hour: cheap over times in order (trades, buckets).
 */
export function utcOffsetFinder(tz: string): (t: number) => number {
  if (tz === 'UTC') return () => 0;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  let slot = NaN;
  let offset = 0;
  return (t) => {
    const s = Math.floor(t / TZ_SLOT_MS);
    if (s !== slot) {
      slot = s;
      const at = s * TZ_SLOT_MS;
      const parts: Record<string, number> = {};
      for (const { type, value } of format.formatToParts(at)) parts[type] = Number(value);
      offset = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - at;
    }
    return offset;
  };
}

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
