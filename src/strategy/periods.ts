/**
 * The periods a year of the statistics (the Sharpe, Sortino and Calmar ratios' annualization) and the
 * units of their durations, inferred from the bars' timestamps, under one of two years:
 *
 * - `calendar`: vectorbt's `ann_factor = year_freq / freq` with its default `year_freq` of 365 days and
 *   `freq` the bars' spacing: 365 with daily bars, 525,600 with 1-minute bars, whatever the market's hours;
 * - `trading` (the default): the bars a market actually has in a year: its trading days (365 when it
 *   trades on weekends or round the clock, else 252) x the bars of its day (its longest session over
 *   the bars' spacing): 252 x 390 = 98,280 for 1-minute bars of a 6.5-hour session on weekdays.
 *
 * The two agree on a market that trades round the clock every day (crypto: 365 x 1,440 with 1-minute
 * bars), where a user cross-checks a Sharpe ratio against vectorbt's; they part on a market with
 * sessions, where `trading` is the number a user expects (252 days, 98,280 minutes).
 *
 * The rule, over one or more series of times (one per symbol, each in time order):
 * - the spacing: the median of the positive differences between consecutive times (a strided sample
 *   of 200,000 of them on longer tapes); bars 20 hours or more apart are daily (or coarser) bars;
 * - sessions (intraday bars): runs of times without a gap longer than max(3 spacings, 2 hours);
 * - regular bars: at least half of the differences within sessions equal the spacing; otherwise (ticks,
 *   bars by activity) the spacing is the mean time between them within sessions (each one counted,
 *   equal times too), and the periods a year (estimates) are rounded to whole periods;
 * - a day's trading time: the longest session (its first to last time, plus one spacing), at most 24
 *   hours; the bars of a day: that over the spacing (rounded for regular bars);
 * - the trading days a year: 365 when times fall on a Saturday and on a Sunday (UTC), or, on a tape that
 *   crosses no whole weekend, when a session lasts 20 hours or more (round the clock; daily bars do);
 *   else 252 (no trade over a weekend the tape crosses, or sessions shorter than 20 hours);
 * - daily bars: trading = the trading days a year, calendar 365; coarser bars (over 36 hours apart):
 *   both the bars observed a year (365.25 days), calendar 365 days over the spacing.
 *
 * `--periods-per-year` (a number given) overrides both. Durations in bars are shown with their time:
 * bars x the spacing (vectorbt's: a duration is its bars times `freq`), trading time, not wall-clock.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Differences read for the median at most: a strided sample beyond. */
const MEDIAN_SAMPLE = 200_000;

/** The years of the inferred periods (see the module comment). */
export const YEAR_BASES = ['trading', 'calendar'] as const;
export type YearBasis = (typeof YEAR_BASES)[number];

/** What the timestamps say about the bars. */
export interface BarTimes {
  /** e.g. `1-minute bars`, `bars at irregular times, 2.3 s apart on average`. */
  readonly bars: string;
  /** Whether the bars are evenly spaced (see the module comment). */
  readonly regular: boolean;
  /** The bars' spacing in ms: the median (regular bars), else the mean within sessions. */
  readonly spacingMs: number;
  /** 'intraday', 'daily' (20 to 36 hours apart), or 'coarse' (weeks, months). */
  readonly kind: 'intraday' | 'daily' | 'coarse';
  /** Trading days a year: 365 or 252, and why. */
  readonly daysPerYear: 365 | 252;
  readonly daysWhy: string;
  /** A day's trading time (ms, at most a day) and its bars (intraday bars; a day and 1 for daily bars). */
  readonly dayMs: number;
  readonly barsPerDay: number;
  /** Periods a year under each year. */
  readonly trading: number;
  readonly calendar: number;
}

/** A duration as text: `45 s`, `12 min`, `3 h 12 min`, `2 days 4 h`, `31 days`; `250 ms` below a second. */
export function durationText(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const a = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  const part = (n: number, unit: string, rest: number, restUnit: string) => `${sign}${n} ${unit}${rest > 0 ? ` ${rest} ${restUnit}` : ''}`;
  if (a >= 10 * DAY) return `${sign}${Math.round(a / DAY)} days`;
  if (a >= DAY) {
    const h = Math.round(a / HOUR);
    const d = Math.floor(h / 24);
    return part(d, d === 1 ? 'day' : 'days', h - 24 * d, 'h');
  }
  if (a >= HOUR) {
    const m = Math.round(a / MINUTE);
    return part(Math.floor(m / 60), 'h', m % 60, 'min');
  }
  if (a >= MINUTE) {
    const s = Math.round(a / SECOND);
    return part(Math.floor(s / 60), 'min', s % 60, 's');
  }
  if (a >= SECOND) return `${sign}${Number((a / SECOND).toPrecision(3))} s`;
  return `${sign}${Number(a.toPrecision(3))} ms`;
}

/** A spacing as a bar's name: `1-minute`, `5-minute`, `1-hour`, `1-day`, `30-second`, `250-ms`. */
export function spacingName(ms: number): string {
  for (const [unit, name] of [
    [DAY, 'day'],
    [HOUR, 'hour'],
    [MINUTE, 'minute'],
    [SECOND, 'second'],
  ] as const) {
    if (ms >= unit && Math.abs(ms / unit - Math.round(ms / unit)) < 1e-9) return `${Math.round(ms / unit)}-${name}`;
  }
  return `${Number(ms.toPrecision(4))}-ms`;
}

/** A number as the summaries print it: `98,280`, `52.18`. */
export const periodsText = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** The median of the positive differences of `series` (a strided sample of them beyond MEDIAN_SAMPLE); NaN without one. */
function medianSpacing(series: readonly Float64Array[]): number {
  let n = 0;
  for (const ts of series) for (let i = 1; i < ts.length; i++) if (ts[i] > ts[i - 1]) n++;
  if (n === 0) return Number.NaN;
  const stride = Math.max(1, Math.ceil(n / MEDIAN_SAMPLE));
  const sample = new Float64Array(Math.ceil(n / stride));
  let seen = 0;
  let m = 0;
  for (const ts of series) {
    for (let i = 1; i < ts.length; i++) {
      const d = ts[i] - ts[i - 1];
      if (d > 0 && seen++ % stride === 0) sample[m++] = d;
    }
  }
  const s = sample.subarray(0, m).sort();
  return m % 2 === 1 ? s[(m - 1) / 2] : (s[m / 2 - 1] + s[m / 2]) / 2;
}

/** Each series' finite times in order (a sorted copy of one out of order). */
function ordered(series: readonly Float64Array[]): Float64Array[] {
  return series.map((ts) => {
    let sorted = true;
    let finite = true;
    for (let i = 0; i < ts.length; i++) {
      if (!Number.isFinite(ts[i])) finite = false;
      else if (i > 0 && ts[i] < ts[i - 1]) sorted = false;
    }
    if (sorted && finite) return ts;
    return ts.filter(Number.isFinite).sort();
  });
}

/** The weekday (0 Sunday .. 6 Saturday, UTC) of a time. */
const weekday = (t: number) => (((Math.floor(t / DAY) + 4) % 7) + 7) % 7;

/**
 * What the timestamps of one or more series of bars (one per symbol) say: their spacing, sessions,
 * trading days and periods a year under each year (see the module comment); `noun` names the times
 * in the reasons (bars, trades). Undefined without two distinct times in a series.
 */
export function inferBarTimes(input: Float64Array | readonly Float64Array[], noun = 'bars'): BarTimes | undefined {
  const series = ordered(input instanceof Float64Array ? [input] : input);
  const spacing0 = medianSpacing(series);
  if (!(spacing0 > 0)) return undefined;
  const kind = spacing0 >= 36 * HOUR ? 'coarse' : spacing0 >= 20 * HOUR ? 'daily' : 'intraday';
  const gap = kind === 'intraday' ? Math.max(3 * spacing0, 2 * HOUR) : Number.POSITIVE_INFINITY;
  // sessions: their intervals, time, the longest one; the differences equal to the spacing
  let intervals = 0;
  let time = 0;
  let longest = 0;
  let positive = 0;
  let even = 0;
  let saturday = false;
  let sunday = false;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const ts of series) {
    if (ts.length === 0) continue;
    first = Math.min(first, ts[0]);
    last = Math.max(last, ts[ts.length - 1]);
    let open = ts[0];
    let day = Number.NaN;
    for (let i = 0; i <= ts.length; i++) {
      if (i < ts.length && Math.floor(ts[i] / DAY) !== day) {
        day = Math.floor(ts[i] / DAY);
        const w = weekday(ts[i]);
        if (w === 6) saturday = true;
        else if (w === 0) sunday = true;
      }
      const d = i === 0 || i === ts.length ? Number.POSITIVE_INFINITY : ts[i] - ts[i - 1];
      if (i > 0 && d <= gap) {
        intervals++;
        if (d > 0) positive++;
        if (Math.abs(d - spacing0) <= 1e-6 * spacing0) even++;
        continue;
      }
      // a session ends at i - 1
      if (i > 0) {
        time += ts[i - 1] - open;
        longest = Math.max(longest, ts[i - 1] - open);
      }
      if (i < ts.length) open = ts[i];
    }
  }
  const regular = kind !== 'intraday' || positive === 0 || even >= 0.5 * positive;
  const spacingMs = regular || intervals === 0 || time === 0 ? spacing0 : time / intervals;
  const dayMs = kind === 'intraday' ? Math.min(DAY, longest + spacingMs) : DAY;
  // a whole weekend (Saturday 00:00 to Monday 00:00 UTC) within the tape
  let firstSaturday = Math.floor(first / DAY) * DAY + ((6 - weekday(first) + 7) % 7) * DAY;
  if (firstSaturday < first) firstSaturday += 7 * DAY;
  const crossesWeekend = firstSaturday >= first && firstSaturday + 2 * DAY <= last;
  let daysPerYear: 365 | 252;
  let daysWhy: string;
  if (saturday && sunday) [daysPerYear, daysWhy] = [365, `${noun} on Saturdays and Sundays`];
  else if (crossesWeekend) [daysPerYear, daysWhy] = [252, `no ${noun} over a weekend`];
  else if (dayMs >= 20 * HOUR)
    [daysPerYear, daysWhy] = [365, kind === 'intraday' ? 'round the clock; no weekend in the tape' : 'no weekend in the tape'];
  else [daysPerYear, daysWhy] = [252, `sessions of ${durationText(dayMs)}; no weekend in the tape`];
  // irregular bars: estimates, rounded to whole periods
  const calendar = regular ? (365 * DAY) / spacingMs : Math.round((365 * DAY) / spacingMs);
  let trading: number;
  let barsPerDay = 1;
  if (kind === 'intraday') {
    barsPerDay = regular ? Math.max(1, Math.round(dayMs / spacingMs)) : dayMs / spacingMs;
    trading = regular ? daysPerYear * barsPerDay : Math.round(daysPerYear * barsPerDay);
  } else if (kind === 'daily') {
    trading = daysPerYear;
  } else {
    // coarse: the bars observed a year
    let bars = 0;
    let span = 0;
    for (const ts of series) {
      if (ts.length > 1) {
        bars += ts.length - 1;
        span += ts[ts.length - 1] - ts[0];
      }
    }
    trading = span > 0 ? (bars * 365.25 * DAY) / span : calendar;
  }
  const bars = regular ? `${spacingName(spacingMs)} bars` : `bars at irregular times, ${durationText(spacingMs)} apart on average`;
  return { bars, regular, spacingMs, kind, daysPerYear, daysWhy, dayMs, barsPerDay, trading, calendar };
}

/** The periods a year a run uses, where they come from, and the sentence that says it. */
export interface PeriodsChoice {
  readonly periodsPerYear: number;
  /** 'inferred' (from the timestamps, under `year`), 'given' (--periods-per-year), 'default' (no timestamps: 365). */
  readonly source: 'inferred' | 'given' | 'default';
  readonly year: YearBasis;
  /** What the timestamps say (none without them). */
  readonly times?: BarTimes;
  /** The length of a period in ms (bars: the spacing; days: a day); NaN when unknown. */
  readonly periodMs: number;
  /** Whether a period is a day (the strategy's statistics), else a bar. */
  readonly days: boolean;
  /** e.g. `1-minute bars, 98,280 periods a year: a trading year of 252 days (...) x 390 bars (...)`. */
  readonly text: string;
}

/** How choosePeriods() reads its input. */
export interface ChooseOptions {
  /** --periods-per-year, when given. */
  readonly given?: number;
  /** The year of the inference. Default 'trading'. */
  readonly year?: YearBasis;
  /**
   * 'bars' (default): a period is a bar (the grid's statistics); 'days': a period is a day (a strategy
   * run's statistics, sampled at each day's end), the timestamps those of its trades.
   */
  readonly per?: 'bars' | 'days';
  /** The flags named in the text (default --year, --periods-per-year). */
  readonly yearFlag?: string;
  readonly periodsFlag?: string;
}

/** The periods a year of a run: `given`, else inferred from `times` under `year`, else vectorbt's 365. */
export function choosePeriods(times: BarTimes | undefined, options: ChooseOptions = {}): PeriodsChoice {
  const { given, year = 'trading', per = 'bars', yearFlag = '--year', periodsFlag = '--periods-per-year' } = options;
  const days = per === 'days';
  const periodMs = days ? DAY : times ? times.spacingMs : Number.NaN;
  const unit = days ? 'days' : 'bars';
  const trading = times ? (days ? times.daysPerYear : times.trading) : Number.NaN;
  const calendar = times ? (days ? 365 : times.calendar) : Number.NaN;
  const what = times ? (days ? "the statistics' days" : times.bars) : '';
  if (given !== undefined) {
    const said = times ? `; the timestamps say ${what}, ${periodsText(year === 'trading' ? trading : calendar)} a ${year} year` : '';
    return {
      periodsPerYear: given,
      source: 'given',
      year,
      ...(times ? { times } : {}),
      periodMs,
      days,
      text: `${periodsText(given)} periods a year (${periodsFlag}${said})`,
    };
  }
  if (!times) {
    return {
      periodsPerYear: 365,
      source: 'default',
      year,
      periodMs,
      days,
      text: `365 periods a year (no timestamps to infer them from: vectorbt's year over daily ${unit}; ${periodsFlag} to set it)`,
    };
  }
  const chosen = year === 'trading' ? trading : calendar;
  const tradingHow =
    !days && times.kind === 'intraday'
      ? `${times.daysPerYear} days (${times.daysWhy}) x ${times.regular ? periodsText(times.barsPerDay) : `about ${times.barsPerDay.toFixed(1)}`} bars`
      : !days && times.kind === 'coarse'
        ? 'the bars observed a year'
        : `${times.daysPerYear} days, ${times.daysWhy}`;
  const calendarHow = `365 days / ${durationText(periodMs)}`;
  const tail = `inferred from the timestamps; ${periodsFlag} to set it`;
  let text: string;
  if (Math.abs(trading - calendar) <= 1e-9 * calendar) {
    text = `${what}, ${periodsText(chosen)} periods a year: ${tradingHow}, the trading and calendar years alike (${tail})`;
  } else if (year === 'trading') {
    text = `${what}, ${periodsText(chosen)} periods a year: a trading year of ${tradingHow} (${yearFlag} calendar for vectorbt's ${calendarHow} = ${periodsText(calendar)}; ${tail})`;
  } else {
    text = `${what}, ${periodsText(chosen)} periods a year: vectorbt's calendar year, ${calendarHow} (${yearFlag} trading for ${tradingHow} = ${periodsText(trading)}; ${tail})`;
  }
  return { periodsPerYear: chosen, source: 'inferred', year, times, periodMs, days, text };
}

/** Whether `x` names a year basis: 'trading' or 'calendar'. */
export function isYearBasis(x: unknown): x is YearBasis {
  return typeof x === 'string' && (YEAR_BASES as readonly string[]).includes(x);
}

/**
 * A duration in periods with its time: `3 h 12 min (192 bars)` (bars x the period: trading time, as
 * vectorbt's durations), `3 days` when a period is a day, `192 bars` without a period's length; `-` for NaN.
 */
export function durationWithUnits(periods: number, periodMs: number, days = false): string {
  if (Number.isNaN(periods)) return '-';
  if (!Number.isFinite(periods)) return periods > 0 ? 'inf' : '-inf';
  const n = String(Number(periods.toFixed(2)));
  if (days) return `${n} ${periods === 1 ? 'day' : 'days'}`;
  const bars = `${n} ${periods === 1 ? 'bar' : 'bars'}`;
  if (!(periodMs > 0) || periods === 0) return bars;
  return `${durationText(periods * periodMs)} (${bars})`;
}

/** A choice as --json prints it: the periods a year, where they come from, and what the timestamps say. */
export function periodsJson(c: PeriodsChoice): Record<string, unknown> {
  const t = c.times;
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    periodsPerYear: c.periodsPerYear,
    source: c.source,
    year: c.year,
    period: c.days ? 'day' : 'bar',
    periodMs: finite(c.periodMs),
    ...(t
      ? {
          bars: t.bars,
          regular: t.regular,
          spacingMs: t.spacingMs,
          daysPerYear: t.daysPerYear,
          dayMs: t.dayMs,
          trading: c.days ? t.daysPerYear : t.trading,
          calendar: c.days ? 365 : t.calendar,
        }
      : {}),
    text: c.text,
  };
}
