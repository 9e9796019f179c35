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

/** Offsets change on quarter hours of UTC at the finest (zones with :30 and :45 offsets included). */
const QUARTER_MS = 900_000;
/** The span over which an offset is looked up at both ends: at most one change inside. */
const SPAN_MS = 16 * QUARTER_MS;

/**
 * The UTC offset (ms; local time = t + offset) of time zone `tz` at an instant t (epoch ms). Intl is
 * asked at the ends of the 4-hour span holding t (aligned in UTC): equal, the offset holds over the span
 * (no zone changes twice within 4 hours); different, the quarter hour of the change is found by
 * bisection. The last span is cached: cheap over times in order, dense (trades) or sparse (buckets).
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
  let edge = NaN; // the last span's end and its offset: the next span's start
  let edgeOffset = 0;
  /** Intl's offset at an instant on the quarter-hour grid. */
  const at = (q: number): number => {
    if (q === edge) return edgeOffset;
    const parts: Record<string, number> = {};
    for (const { type, value } of format.formatToParts(q)) parts[type] = Number(value);
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - q;
  };
  let from = NaN; // the cached interval [from, to) and its offset
  let to = NaN;
  let offset = 0;
  return (t) => {
    if (t >= from && t < to) return offset;
    const start = Math.floor(t / SPAN_MS) * SPAN_MS;
    const end = start + SPAN_MS;
    const first = at(start);
    const last = at(end);
    [edge, edgeOffset] = [end, last];
    if (first === last) {
      [from, to, offset] = [start, end, first];
      return offset;
    }
    // the change is at the first quarter hour q in (start, end] with at(q) === last
    let lo = start; // at(lo) === first
    let hi = end; // at(hi) === last
    while (hi - lo > QUARTER_MS) {
      const mid = lo + Math.floor((hi - lo) / (2 * QUARTER_MS)) * QUARTER_MS;
      if (at(mid) === first) lo = mid;
      else hi = mid;
    }
    [from, to, offset] = t < hi ? [start, hi, first] : [hi, end, last];
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
