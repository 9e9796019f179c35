/**
 * What FactorEngine reads and writes: the payload of FACTOR_INPUT (checked here, KernelInputError
 * naming the payload field), of FACTOR_CALCULATION, and the checkpoint bytes of a universe (magic +
 * version, little-endian: ./state-codec.ts); and its styles and defaults, which `kernelbus factor`
 * shares (this module loads no bus code).
 */
import { KernelInputError, describeValue } from '../errors.js';
import { FACTOR_DEFAULTS } from '../kernels/factor/factor.js';
import { PanelHistory } from './factor-history.js';
import { isPlainObject, requireAssetNames } from './payload-checks.js';
import { decodeState, encodeState } from './state-codec.js';

/** The styles FactorEngine can compute, in their default order. */
export const FACTOR_STYLES = ['momentum', 'size', 'value'] as const;
/** A style of FACTOR_STYLES. */
export type FactorStyle = (typeof FACTOR_STYLES)[number];

/**
 * FactorEngine's defaults: every style; momentum over 252 dates (toraniko's 504 is two years of daily
 * returns) with toraniko's half-life 126, lag 20 and winsorization; factorReturns' own defaults.
 */
export const FACTOR_ENGINE_DEFAULTS = {
  styles: FACTOR_STYLES,
  momentum: { window: 252, halfLife: 126, lag: 20, winsorize: FACTOR_DEFAULTS.momentum.winsorize },
  winsorize: FACTOR_DEFAULTS.factorReturns.winsorize,
  residualizeStyles: FACTOR_DEFAULTS.factorReturns.residualizeStyles,
} as const;

/** A column of per-asset numbers: a Float64Array (it travels as one) or a number[]. */
export type AssetValues = Float64Array | readonly number[];

/**
 * Payload of FACTOR_INPUT (message key: the universe): one date's cross-section. Every array holds one
 * value per asset, in `assets` order; NaN is missing.
 */
export interface FactorInput {
  /** The date: an ISO 8601 string ('2024-06-28', compared as text) or a number (e.g. epoch ms or yyyymmdd), increasing per universe. */
  date: string | number;
  /** The assets of the date (unique names); they may differ from date to date. */
  assets: readonly string[];
  /** Returns over the date, as fractions (finite or NaN). */
  returns: AssetValues;
  /** Market capitalisations (> 0, or NaN): the regression weights are sqrt(cap); the size style's input. */
  marketCap: AssetValues;
  /** Book to price, sales to price, cash flow to price (finite or NaN): the value style's inputs (needed only when the engine computes it). */
  bookPrice?: AssetValues;
  salesPrice?: AssetValues;
  cashFlowPrice?: AssetValues;
  /** Sector per asset: a name, or a code (a number, named `sector <code>`); null for a missing one. */
  sectors: readonly (string | number | null)[];
}

/** The residuals of a fit: count, mean and sd (ddof 1, unweighted). */
export interface ResidualStats {
  count: number;
  mean: number;
  sd: number;
}

/** Payload of FACTOR_CALCULATION (message key: the universe; ts: the FACTOR_INPUT's). */
export interface FactorResult {
  source: 'factor';
  engine: string;
  universe: string;
  date: string | number;
  /** 'market', the universe's sectors (in the order first seen), the styles: the order of factorReturns. */
  names: string[];
  /** Per name, the date's factor return (NaN for a sector without a usable asset that date). */
  factorReturns: number[];
  /** Cap-weighted R-squared of the fit: 1 - sum w e^2 / sum w (r - rbar_w)^2, w = sqrt(cap) (see estimateFactors). */
  r2: number;
  /** Assets in the date's cross-section. */
  assets: number;
  /** The residuals of the assets in the fit (those with every input and score present). */
  residuals: ResidualStats;
  /** Per style, the assets with a score (momentum needs window + lag dates of an asset's returns). */
  coverage: Record<string, number>;
  /** With the engine's `perAsset` option: the date's style scores and residuals, in `assets` order (NaN: none). */
  perAsset?: { assets: string[]; exposures: Record<string, Float64Array>; residuals: Float64Array };
}

/** A FACTOR_INPUT payload, checked: the columns as Float64Arrays, sectors as names (null missing). */
export interface ParsedFactorInput {
  date: string | number;
  assets: readonly string[];
  returns: Float64Array;
  marketCap: Float64Array;
  bookPrice: Float64Array;
  salesPrice: Float64Array;
  cashFlowPrice: Float64Array;
  sectors: (string | null)[];
}

/** `payload.<name>`: n numbers (Float64Array or number[]), each finite or NaN, and > 0 when `positive`. */
function column(value: unknown, name: string, n: number, positive: boolean): Float64Array {
  const field = `payload.${name}`;
  if (!(value instanceof Float64Array) && !Array.isArray(value))
    throw new KernelInputError(field, 'a Float64Array or an array of numbers', describeValue(value));
  if (value.length !== n) throw new KernelInputError(field, `${n} values (one per asset)`, `length ${value.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || v === Infinity || v === -Infinity || (positive && v <= 0)) {
      throw new KernelInputError(
        field,
        positive ? 'numbers > 0 (NaN for a missing one)' : 'finite numbers (NaN for a missing one)',
        `${name}[${i}] = ${describeValue(v)}`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Checks a FACTOR_INPUT payload: a date, unique asset names, a value per asset in each column (returns
 * and ratios finite or NaN, caps > 0 or NaN), a sector per asset. The ratios are required when
 * `ratios` (the engine computes the value style), else read when present (NaN when absent).
 */
export function parseFactorInput(payload: unknown, ratios: boolean): ParsedFactorInput {
  if (!isPlainObject(payload))
    throw new KernelInputError('payload', 'a FACTOR_INPUT { date, assets, returns, marketCap, sectors, ... }', describeValue(payload));
  const { date, assets, sectors } = payload;
  if (!(typeof date === 'string' && date.length > 0) && !(typeof date === 'number' && Number.isFinite(date))) {
    throw new KernelInputError('payload.date', 'a non-empty string or a finite number', describeValue(date));
  }
  requireAssetNames(assets);
  const n = assets.length;
  const ratio = (name: 'bookPrice' | 'salesPrice' | 'cashFlowPrice') =>
    payload[name] === undefined && !ratios ? new Float64Array(n).fill(NaN) : column(payload[name], name, n, false);
  if (!Array.isArray(sectors)) throw new KernelInputError('payload.sectors', 'an array of sector names or codes', describeValue(sectors));
  if (sectors.length !== n) throw new KernelInputError('payload.sectors', `${n} sectors (one per asset)`, `length ${sectors.length}`);
  const names = sectors.map((s: unknown, i) => {
    if (s === null) return null;
    if (typeof s === 'string' && s.length > 0) return s;
    if (typeof s === 'number' && Number.isInteger(s) && s >= 0) return `sector ${s}`;
    throw new KernelInputError(`payload.sectors[${i}]`, 'a sector name, an integer code >= 0 or null', describeValue(s));
  });
  return {
    date,
    assets: assets as string[],
    returns: column(payload.returns, 'returns', n, false),
    marketCap: column(payload.marketCap, 'marketCap', n, true),
    bookPrice: ratio('bookPrice'),
    salesPrice: ratio('salesPrice'),
    cashFlowPrice: ratio('cashFlowPrice'),
    sectors: names,
  };
}

/**
 * Compares two dates of one universe (< 0, 0, > 0); KernelInputError('payload.date') when one is a
 * string and the other a number.
 */
export function compareDates(a: string | number, b: string | number): number {
  if (typeof a !== typeof b)
    throw new KernelInputError('payload.date', `a ${typeof b} like the universe's earlier dates`, describeValue(a));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A universe's state: its recent returns, its sectors, its last date and the ts and publish time of its last input. */
export interface FactorUniverse {
  history: PanelHistory;
  /** Sector names by code, in the order first seen. */
  sectors: string[];
  /** The last date applied (undefined before the first). */
  lastDate: string | number | undefined;
  lastTs: number;
  lastSentAt: number;
}

const UNIVERSE_MAGIC = 0x5546424b; // 'KBFU' read as little-endian u32
const VERSION = 1;

/**
 * A universe's state as bytes: 'KBFU', u32 version 1, f64 dates appended, dates held, lastTs,
 * lastSentAt, u32 length + UTF-8 JSON { date, sectors, assets, last } (each asset's last date number),
 * zero padding to 8, then each asset's returns over the dates held, oldest first, asset after asset.
 */
export function encodeFactorUniverse(u: FactorUniverse): Uint8Array {
  const { assets, last, values } = u.history.export();
  return encodeState(
    UNIVERSE_MAGIC,
    VERSION,
    [u.history.total, u.history.rows, u.lastTs, u.lastSentAt],
    { date: u.lastDate ?? null, sectors: u.sectors, assets, last },
    values,
  );
}

/** A universe from encodeFactorUniverse() bytes, with a history of `capacity` dates (the last dates kept when smaller). */
export function decodeFactorUniverse(bytes: Uint8Array, capacity: number): FactorUniverse {
  const { head, json, values } = decodeState(bytes, UNIVERSE_MAGIC, VERSION, 4, 'FactorEngine universe');
  const [total, rows, lastTs, lastSentAt] = head;
  const j = json as { date?: unknown; sectors?: unknown; assets?: unknown; last?: unknown };
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (
    !isPlainObject(j) ||
    !strings(j.sectors) ||
    !strings(j.assets) ||
    !Array.isArray(j.last) ||
    !(j.date === null || typeof j.date === 'string' || typeof j.date === 'number')
  ) {
    throw new KernelInputError('bytes', `a FactorEngine universe state (version ${VERSION})`, 'inconsistent bytes');
  }
  const history = PanelHistory.restore(capacity, total, rows, j.assets, j.last as number[], values);
  return { history, sectors: j.sectors, lastDate: j.date ?? undefined, lastTs, lastSentAt };
}

const UNIVERSE_DELTA_MAGIC = 0x4446424b; // 'KBFD'

/** A date a universe appended: its assets and their returns. */
export interface FactorDate {
  assets: readonly string[];
  returns: Float64Array;
}

/**
 * The dates a universe appended since its last record (an incremental checkpoint): 'KBFD', u32 version
 * 1, f64 total dates, dates, lastTs, lastSentAt, u32 length + UTF-8 JSON { date, sectors, assets } (the
 * assets of each date; null: the previous date's), zero padding to 8, then the dates' returns, oldest
 * first.
 */
export function encodeFactorDelta(u: FactorUniverse, dates: readonly FactorDate[]): Uint8Array {
  const values = new Float64Array(dates.reduce((n, d) => n + d.returns.length, 0));
  let at = 0;
  for (const d of dates) {
    values.set(d.returns, at);
    at += d.returns.length;
  }
  return encodeState(
    UNIVERSE_DELTA_MAGIC,
    VERSION,
    [u.history.total, dates.length, u.lastTs, u.lastSentAt],
    {
      date: u.lastDate ?? null,
      sectors: u.sectors,
      assets: dates.map((d, i) => (i > 0 && sameNames(d.assets, dates[i - 1].assets) ? null : d.assets)),
    },
    values,
  );
}

/** Appends the dates of encodeFactorDelta() bytes to a universe (KernelInputError when they do not follow its dates). */
export function applyFactorDelta(u: FactorUniverse, bytes: Uint8Array): void {
  const { head, json, values } = decodeState(bytes, UNIVERSE_DELTA_MAGIC, VERSION, 4, 'FactorEngine universe delta');
  const [total, count, lastTs, lastSentAt] = head;
  const j = json as { date?: unknown; sectors?: unknown; assets?: unknown };
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  const bad = () => new KernelInputError('bytes', `a FactorEngine universe delta (version ${VERSION})`, 'inconsistent bytes');
  if (!isPlainObject(j) || !Array.isArray(j.assets)) throw bad();
  // each date's assets (null: the previous date's)
  const dates: string[][] = [];
  for (const a of j.assets as unknown[]) {
    const assets = a === null ? dates.at(-1) : strings(a) ? a : undefined;
    if (!assets) throw bad();
    dates.push(assets);
  }
  if (
    !strings(j.sectors) ||
    !(j.date === null || typeof j.date === 'string' || typeof j.date === 'number') ||
    dates.length !== count ||
    dates.reduce((n, a) => n + a.length, 0) !== values.length
  ) {
    throw bad();
  }
  if (total - count !== u.history.total) {
    throw new KernelInputError(
      'bytes',
      `a FactorEngine universe delta following its ${u.history.total} dates`,
      `one from date ${total - count}`,
    );
  }
  let at = 0;
  for (const assets of dates) u.history.append(assets, values.subarray(at, (at += assets.length)));
  u.sectors = j.sectors;
  u.lastDate = j.date ?? undefined;
  u.lastTs = lastTs;
  u.lastSentAt = lastSentAt;
}

/** Whether two lists of names are equal, name for name. */
function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}
