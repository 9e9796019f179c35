/**
 * What RiskEngine reads and writes: the payloads of RETURNS_UPDATE and PORTFOLIO_UPDATE (checked here,
 * KernelInputError naming the payload field), of ANALYTICS_RESULT and RISK_ALERT, and the checkpoint
 * bytes of a universe and of a portfolio (magic + version, little-endian: ./state-codec.ts).
 */
import { KernelInputError, describeValue } from '../errors.js';
import { restoredWindow, type ReturnsWindow } from './returns-window.js';
import { isPlainObject, requireAssetNames } from './payload-checks.js';
import type { GarchUniverseRecord, RiskGarch } from './risk-garch.js';
import { decodeState, encodeState } from './state-codec.js';

/**
 * Payload of RETURNS_UPDATE (message key: the universe). `returns` holds rows x assets.length values,
 * row-major (one row, or a block of rows, oldest first): simple returns per period as fractions, NaN
 * for a missing one (a NaN makes that period missing for every portfolio of the universe). A
 * Float64Array travels as one (msgpack keeps typed arrays); a number[] is accepted too.
 */
export interface ReturnsUpdate {
  /** The universe's assets, in the order of each row's values. */
  assets: readonly string[];
  returns: Float64Array | readonly number[];
}

/** Payload of PORTFOLIO_UPDATE (message key: the portfolio id); it replaces the portfolio's previous one. */
export interface PortfolioUpdate {
  /** asset -> weight (a fraction of value; negative for a short position). Assets left out weigh 0. */
  weights: Readonly<Record<string, number>>;
  /** VaR limit as a positive loss fraction: RISK_ALERT when the historical VaR reaches it. None: no alerts. */
  limit?: number;
  /** The universe whose returns the portfolio is measured on. Default: the engine's `universe` option. */
  universe?: string;
}

/** VaR and ES, positive losses as fractions of value. */
export interface VarEs {
  var: number;
  es: number;
}

/** Payload of the ANALYTICS_RESULT RiskEngine publishes (message key: the portfolio; ts: the universe's last row). */
export interface RiskResult {
  source: 'risk';
  engine: string;
  universe: string;
  /** Rows of the window the figures are computed over. */
  rows: number;
  confidence: number;
  historical: VarEs;
  gaussian: VarEs;
  /** Standard deviation (ddof 1) of the portfolio's returns over the window, per period (not annualised). */
  volatility: number;
  /** The VaR backtest, once a period has a VaR published before it. */
  backtest?: RiskBacktest;
  /** Rolling Sharpe and beta, with a configured benchmark asset the universe holds, over a full rolling window. */
  rolling?: RiskRolling;
  /** With the engine's `var: { method: 'garch' }`, once the window is full: the GARCH VaR and ES of the next period and its fit. */
  garch?: RiskGarch;
  /** The backtest of the GARCH VaR (the same periods' returns against the GARCH VaR forecast for each), as `backtest`. */
  garchBacktest?: RiskBacktest;
  /** The portfolio's limit, when it has one. */
  limit?: number;
}

/** Payload of the RISK_ALERT RiskEngine raises (message key: the portfolio; priority 'high'). */
/** The VaR backtest of a result: the last period against the VaR published for it, and the last `window` periods. */
export interface RiskBacktest {
  /** Periods backtested (each with a VaR published before it), at most the engine's backtestWindow. */
  observations: number;
  /** The engine's backtestWindow: the zone's RISK_ALERT waits for observations >= window. */
  window: number;
  /** Exceptions among them: realized return < -VaR. */
  exceptions: number;
  /** The last period's portfolio return and the historical VaR published for it (NaN when none was). */
  realized: number;
  var: number;
  /** The last period was an exception. */
  exception: boolean;
  /** Kupiec's POF p-value; Christoffersen's independence and conditional coverage p-values. */
  kupiecPValue: number;
  independencePValue: number;
  christoffersenPValue: number;
  /** The Basel traffic light over these periods (segMGarch TL). */
  zone: 'green' | 'yellow' | 'red';
}

/** Rolling statistics of a result against the configured benchmark asset. */
export interface RiskRolling {
  /** The benchmark asset and the periods of each statistic. */
  benchmark: string;
  window: number;
  /** Sharpe ratio (annualized by the engine's periodsPerYear) and beta against the benchmark over the last `window` periods. */
  sharpe: number;
  beta: number;
}

export interface RiskAlert {
  source: 'risk';
  engine: string;
  universe: string;
  /** The historical VaR that reached the limit (a backtest alert: the VaR published for the last period). */
  var: number;
  /** The portfolio's limit (NaN: none). */
  limit: number;
  confidence: number;
  rows: number;
  /** 'backtest' when the VaR backtest's traffic light turned yellow or red; absent for a limit alert. */
  reason?: 'backtest';
  /** The backtest's zone, exceptions and periods (a backtest alert). */
  zone?: 'yellow' | 'red';
  exceptions?: number;
  observations?: number;
}

/** A RETURNS_UPDATE payload, checked: the rows as numbers in the payload's asset order. */
export interface ParsedReturns {
  assets: readonly string[];
  values: ArrayLike<number>;
  rows: number;
}

/** Checks a RETURNS_UPDATE payload: unique asset names, rows x assets values, each finite or NaN. */
export function parseReturnsUpdate(payload: unknown): ParsedReturns {
  if (!isPlainObject(payload)) throw new KernelInputError('payload', 'a RETURNS_UPDATE { assets, returns }', describeValue(payload));
  const { assets, returns } = payload;
  requireAssetNames(assets);
  if (!(returns instanceof Float64Array) && !Array.isArray(returns)) {
    throw new KernelInputError('payload.returns', 'a Float64Array or an array of numbers', describeValue(returns));
  }
  const n = assets.length;
  if (returns.length === 0 || returns.length % n !== 0) {
    throw new KernelInputError('payload.returns', `rows x ${n} values (one per asset per row)`, `length ${returns.length}`);
  }
  for (let i = 0; i < returns.length; i++) {
    const v: unknown = returns[i];
    if (typeof v !== 'number' || v === Infinity || v === -Infinity) {
      throw new KernelInputError('payload.returns', 'finite returns (NaN for a missing one)', `returns[${i}] = ${describeValue(v)}`);
    }
  }
  return { assets: assets as string[], values: returns as ArrayLike<number>, rows: returns.length / n };
}

/** A PORTFOLIO_UPDATE payload, checked and defaulted. */
export interface ParsedPortfolio {
  universe: string;
  /** Assets and weights, in the payload's order. */
  assets: string[];
  weights: Float64Array;
  /** NaN: no limit. */
  limit: number;
}

/** Checks a PORTFOLIO_UPDATE payload: finite weights of named assets, a limit > 0, a universe name. */
export function parsePortfolioUpdate(payload: unknown, defaultUniverse: string): ParsedPortfolio {
  if (!isPlainObject(payload))
    throw new KernelInputError('payload', 'a PORTFOLIO_UPDATE { weights, limit?, universe? }', describeValue(payload));
  const { weights, limit, universe = defaultUniverse } = payload;
  if (!isPlainObject(weights)) throw new KernelInputError('payload.weights', 'an object of asset -> weight', describeValue(weights));
  const assets = Object.keys(weights);
  if (assets.length === 0) throw new KernelInputError('payload.weights', 'at least one asset', 'an empty object');
  const values = new Float64Array(assets.length);
  assets.forEach((a, i) => {
    const w = weights[a];
    if (typeof w !== 'number' || !Number.isFinite(w))
      throw new KernelInputError(`payload.weights.${a}`, 'a finite number', describeValue(w));
    values[i] = w;
  });
  if (limit !== undefined && (typeof limit !== 'number' || !(limit > 0 && limit < Infinity))) {
    throw new KernelInputError('payload.limit', 'a finite number > 0 (a loss fraction)', describeValue(limit));
  }
  if (typeof universe !== 'string' || universe.length === 0)
    throw new KernelInputError('payload.universe', 'a non-empty string', describeValue(universe));
  return { universe, assets, weights: values, limit: limit ?? NaN };
}

const UNIVERSE_MAGIC = 0x5552424b; // 'KBRU' read as little-endian u32
const PORTFOLIO_MAGIC = 0x5052424b; // 'KBRP'
const VERSION = 1;

/** A universe's state: its window and the last row's ts and publish time (to spot frames stored twice). */
export interface UniverseSnapshot {
  window: ReturnsWindow;
  /** The same rows and the periods before them the backtest reads (window + backtestWindow rows); what is checkpointed. */
  history?: ReturnsWindow;
  lastTs: number;
  lastSentAt: number;
}

/** Version 2 of a universe's record or delta: version 1's with its portfolios' GARCH states (risk-garch.ts) in the JSON. */
const GARCH_VERSION = 2;

/** The version of `bytes` when they start with `magic` (else `fallback`: decodeState then refuses them). */
function versionOf(bytes: Uint8Array, magic: number, fallback: number): number {
  const head = bytes instanceof Uint8Array && bytes.byteLength >= 8 ? new DataView(bytes.buffer, bytes.byteOffset, 8) : undefined;
  return head && head.getUint32(0, true) === magic ? head.getUint32(4, true) : fallback;
}

/**
 * A universe's state as bytes: 'KBRU', u32 version 1, f64 total rows, rows held, lastTs, lastSentAt,
 * u32 length + the asset names as UTF-8 JSON, zero padding to 8, then the rows held (oldest first,
 * row-major f64). With `garch` (its portfolios' GARCH states), version 2: the JSON { assets, garch }.
 */
export function encodeUniverse(u: UniverseSnapshot, garch?: GarchUniverseRecord): Uint8Array {
  const w = u.history ?? u.window;
  const m = w.matrix();
  const head = [w.total, m.rows, u.lastTs, u.lastSentAt];
  if (garch) return encodeState(UNIVERSE_MAGIC, GARCH_VERSION, head, { assets: w.assets, garch }, m.data);
  return encodeState(UNIVERSE_MAGIC, VERSION, head, w.assets, m.data);
}

/**
 * A universe from encodeUniverse() bytes, in a window of `capacity` rows (the last rows kept when
 * smaller), and with `historyCapacity` its history of that many rows; `garch` the GARCH states a
 * version 2 record holds (checked by their reader).
 */
export function decodeUniverse(bytes: Uint8Array, capacity: number, historyCapacity?: number): UniverseSnapshot & { garch?: unknown } {
  const version = versionOf(bytes, UNIVERSE_MAGIC, VERSION) === GARCH_VERSION ? GARCH_VERSION : VERSION;
  const { head, json, values } = decodeState(bytes, UNIVERSE_MAGIC, version, 4, 'RiskEngine universe');
  const [total, rows, lastTs, lastSentAt] = head;
  const { assets, garch } = (version === VERSION ? { assets: json } : (json ?? {})) as { assets?: unknown; garch?: unknown };
  if (!Array.isArray(assets) || assets.length === 0 || values.length !== rows * assets.length || !(total >= rows)) {
    throw new KernelInputError('bytes', `a RiskEngine universe state (version ${version})`, 'inconsistent bytes');
  }
  const history = historyCapacity === undefined ? undefined : restoredWindow(assets, historyCapacity, values, rows, total);
  return { window: restoredWindow(assets, capacity, values, rows, total), history, lastTs, lastSentAt, garch };
}

const UNIVERSE_DELTA_MAGIC = 0x4452424b; // 'KBRD'

/**
 * The rows a universe appended since its last record, taken when it had `since` rows in all (an
 * incremental checkpoint): 'KBRD', u32 version 1, f64 total rows, rows, lastTs, lastSentAt, JSON null,
 * then the rows (oldest first, row-major f64); undefined when more rows came than the window holds.
 * With `garch` (its portfolios' GARCH states since the record), version 2: the JSON { garch }.
 */
export function encodeUniverseDelta(u: UniverseSnapshot, since: number, garch?: GarchUniverseRecord): Uint8Array | undefined {
  const w = u.history ?? u.window;
  const rows = w.total - since;
  const m = w.matrix();
  if (!(rows >= 0 && rows <= m.rows)) return undefined;
  return encodeState(
    UNIVERSE_DELTA_MAGIC,
    garch ? GARCH_VERSION : VERSION,
    [w.total, rows, u.lastTs, u.lastSentAt],
    garch ? { garch } : null,
    m.data.subarray((m.rows - rows) * m.cols),
  );
}

/**
 * Appends the rows of encodeUniverseDelta() bytes to a universe (KernelInputError when they do not
 * follow its rows); returns the GARCH states a version 2 delta holds (checked by their reader).
 */
export function applyUniverseDelta(u: UniverseSnapshot, bytes: Uint8Array): unknown {
  const version = versionOf(bytes, UNIVERSE_DELTA_MAGIC, VERSION) === GARCH_VERSION ? GARCH_VERSION : VERSION;
  const { head, json, values } = decodeState(bytes, UNIVERSE_DELTA_MAGIC, version, 4, 'RiskEngine universe delta');
  const [total, rows, lastTs, lastSentAt] = head;
  const w = u.history ?? u.window;
  if (total - rows !== w.total || values.length !== rows * w.assets.length) {
    throw new KernelInputError('bytes', `a RiskEngine universe delta following its ${w.total} rows`, `one from row ${total - rows}`);
  }
  u.window.append(values, rows);
  u.history?.append(values, rows);
  u.lastTs = lastTs;
  u.lastSentAt = lastSentAt;
  return version === GARCH_VERSION ? (json as { garch?: unknown } | null)?.garch : undefined;
}

/** Weights a portfolio held from a period on: `from` the rows its universe had when they were applied. */
export interface HeldRecord {
  from: number;
  assets: string[];
  weights: Float64Array;
}

/** A portfolio's state: its last update, and the weights it held over the periods the backtest reads (the last: the update's). */
export interface PortfolioSnapshot extends ParsedPortfolio {
  held: HeldRecord[];
}

const PORTFOLIO_VERSION = 2;

/**
 * A portfolio's state as bytes: 'KBRP', u32 version 2, f64 limit (NaN: none), u32 length + UTF-8 JSON
 * { universe, held: [[from, ...assets], ...] } (oldest first, the last the current weights), zero
 * padding to 8, then the weights of each held entry in turn (f64, in its assets' order).
 */
export function encodePortfolio(p: PortfolioSnapshot): Uint8Array {
  const weights = new Float64Array(p.held.reduce((n, h) => n + h.weights.length, 0));
  let at = 0;
  for (const h of p.held) {
    weights.set(h.weights, at);
    at += h.weights.length;
  }
  return encodeState(
    PORTFOLIO_MAGIC,
    PORTFOLIO_VERSION,
    [p.limit],
    { universe: p.universe, held: p.held.map((h) => [h.from, ...h.assets]) },
    weights,
  );
}

/**
 * A portfolio from encodePortfolio() bytes; version 1 bytes (the weights alone: [universe, ...assets]
 * and its weights) give those weights held from period 0.
 */
export function decodePortfolio(bytes: Uint8Array): PortfolioSnapshot {
  const head8 = bytes instanceof Uint8Array && bytes.byteLength >= 8 ? new DataView(bytes.buffer, bytes.byteOffset, 8) : undefined;
  const version = head8 && head8.getUint32(0, true) === PORTFOLIO_MAGIC ? head8.getUint32(4, true) : PORTFOLIO_VERSION;
  const bad = () => new KernelInputError('bytes', `a RiskEngine portfolio state (version ${PORTFOLIO_VERSION})`, 'inconsistent bytes');
  if (version === 1) {
    const { head, json, values } = decodeState(bytes, PORTFOLIO_MAGIC, 1, 1, 'RiskEngine portfolio');
    const names = json as string[];
    if (!Array.isArray(names) || names.length !== values.length + 1) throw bad();
    const assets = names.slice(1);
    return { limit: head[0], universe: names[0], assets, weights: values, held: [{ from: 0, assets, weights: values }] };
  }
  const { head, json, values } = decodeState(bytes, PORTFOLIO_MAGIC, PORTFOLIO_VERSION, 1, 'RiskEngine portfolio');
  const { universe, held: entries } = (json ?? {}) as { universe?: unknown; held?: unknown };
  if (typeof universe !== 'string' || !Array.isArray(entries) || entries.length === 0) throw bad();
  const held: HeldRecord[] = [];
  let at = 0;
  for (const entry of entries) {
    if (!Array.isArray(entry) || !Number.isInteger(entry[0]) || entry[0] < 0 || !entry.slice(1).every((a) => typeof a === 'string'))
      throw bad();
    const assets = entry.slice(1) as string[];
    if (held.length > 0 && !(entry[0] > held[held.length - 1].from)) throw bad();
    held.push({ from: entry[0], assets, weights: values.slice(at, at + assets.length) });
    at += assets.length;
  }
  if (at !== values.length) throw bad();
  const current = held[held.length - 1];
  return { limit: head[0], universe, assets: current.assets, weights: current.weights, held };
}
