/**
 * What PortfolioEngine publishes (its configuration: portfolio-config.ts): the payload of its ANALYTICS_RESULT (its PORTFOLIO_UPDATE is
 * risk-messages.ts' PortfolioUpdate, which RiskEngine consumes), and the checkpoint bytes of a universe
 * (its window and every scheduled rebalance) and of a portfolio (its last alert-driven rebalance).
 */
import { KernelInputError } from '../errors.js';
import type { CovarianceMethod } from '../kernels/risk/risk.js';
import type { Optimizer } from './portfolio-config.js';
import type { UniverseSnapshot } from './risk-messages.js';
import { restoredWindow, type ReturnsWindow } from './returns-window.js';
import { decodeState, encodeState } from './state-codec.js';

/** Payload of the ANALYTICS_RESULT PortfolioEngine publishes at each rebalance (key: the portfolio; ts: the universe's last row). */
export interface PortfolioResult {
  source: 'portfolio';
  engine: string;
  universe: string;
  optimizer: Optimizer;
  estimator: CovarianceMethod;
  /** 'schedule': the universe's row count reached a multiple of `every`; 'alert': a RISK_ALERT on the portfolio. */
  reason: 'schedule' | 'alert';
  /** Rows of the window the covariance was estimated over. */
  rows: number;
  /** The universe's assets, the order of the arrays below. */
  assets: string[];
  weights: number[];
  /** sqrt(w' S w) with the estimated covariance: per period, not annualised. */
  volatility: number;
  /** sum |w - w_prev| against the weights held before (none before the first rebalance: then sum |w| = 1). */
  turnover: number;
  /** w_i (S w)_i / w'Sw per asset (sums to 1). */
  riskContributions: number[];
}

/** A rebalance: the weights (universe column order) and the universe's row count when they were set. */
export interface Rebalance {
  weights: Float64Array;
  /** The universe's total rows at the rebalance. */
  at: number;
}

const UNIVERSE_MAGIC = 0x5550424b; // 'KBPU'
const PORTFOLIO_MAGIC = 0x5050424b; // 'KBPP'
const VERSION = 1;

/**
 * A universe's state as bytes: 'KBPU', u32 version 1, f64 total rows, rows held, lastTs, lastSentAt,
 * JSON { assets, scheduled: [[id, at], ...] }, then the rows held (oldest first) and each scheduled
 * rebalance's weights, in the list's order.
 */
export function encodeUniverse(u: UniverseSnapshot, scheduled: ReadonlyMap<string, Rebalance>): Uint8Array {
  return encodeRows(UNIVERSE_MAGIC, u, scheduled, u.window.matrix().rows);
}

const UNIVERSE_DELTA_MAGIC = 0x4450424b; // 'KBPD'

/**
 * A universe's change since its last record, taken when it had `since` rows in all (an incremental
 * checkpoint): encodeUniverse()'s layout under 'KBPD' with only the rows appended since (the scheduled
 * rebalances whole); undefined when more rows came than the window holds.
 */
export function encodeUniverseDelta(u: UniverseSnapshot, scheduled: ReadonlyMap<string, Rebalance>, since: number): Uint8Array | undefined {
  const rows = u.window.total - since;
  return rows >= 0 && rows <= u.window.rows ? encodeRows(UNIVERSE_DELTA_MAGIC, u, scheduled, rows) : undefined;
}

/** `magic`, the head, { assets, scheduled }, the window's last `rows` rows and the scheduled weights. */
function encodeRows(magic: number, u: UniverseSnapshot, scheduled: ReadonlyMap<string, Rebalance>, rows: number): Uint8Array {
  const m = u.window.matrix();
  const n = u.window.assets.length;
  const values = new Float64Array(rows * n + scheduled.size * n);
  values.set(m.data.subarray((m.rows - rows) * n));
  const list: [string, number][] = [];
  let at = rows * n;
  for (const [id, r] of scheduled) {
    list.push([id, r.at]);
    values.set(r.weights, at);
    at += n;
  }
  return encodeState(magic, VERSION, [u.window.total, rows, u.lastTs, u.lastSentAt], { assets: u.window.assets, scheduled: list }, values);
}

/** A universe and its scheduled rebalances from encodeUniverse() bytes, in a window of `capacity` rows. */
export function decodeUniverse(
  bytes: Uint8Array,
  capacity: number,
  deltas: readonly Uint8Array[] = [],
): { universe: UniverseSnapshot; scheduled: Map<string, Rebalance> } {
  const out = decodeRows(bytes, UNIVERSE_MAGIC, 'PortfolioEngine universe', (assets, rows, total, values) =>
    restoredWindow(assets, capacity, values, rows, total),
  );
  // each delta: the rows that follow, the scheduled rebalances at that time
  for (const delta of deltas) {
    const w = out.universe.window;
    Object.assign(
      out,
      decodeRows(delta, UNIVERSE_DELTA_MAGIC, 'PortfolioEngine universe delta', (assets, rows, total, values) => {
        if (total - rows !== w.total || assets.length !== w.assets.length) {
          throw new KernelInputError(
            'bytes',
            `a PortfolioEngine universe delta following its ${w.total} rows`,
            `one from row ${total - rows}`,
          );
        }
        w.append(values, rows);
        return w;
      }),
    );
  }
  return out;
}

/** The parts of encodeRows() bytes, the window made by `windowOf`. */
function decodeRows(
  bytes: Uint8Array,
  magic: number,
  what: string,
  windowOf: (assets: string[], rows: number, total: number, values: Float64Array) => ReturnsWindow,
): { universe: UniverseSnapshot; scheduled: Map<string, Rebalance> } {
  const { head, json, values } = decodeState(bytes, magic, VERSION, 4, what);
  const [total, rows, lastTs, lastSentAt] = head;
  const { assets, scheduled } = (json ?? {}) as { assets?: string[]; scheduled?: [string, number][] };
  const n = Array.isArray(assets) ? assets.length : 0;
  if (n === 0 || !Array.isArray(scheduled) || values.length !== (rows + scheduled.length) * n || !(total >= rows)) {
    throw new KernelInputError('bytes', `a ${what} state (version ${VERSION})`, 'inconsistent bytes');
  }
  const map = new Map<string, Rebalance>();
  scheduled.forEach(([id, at], k) => map.set(id, { at, weights: values.slice((rows + k) * n, (rows + k + 1) * n) }));
  return { universe: { window: windowOf(assets!, rows, total, values.subarray(0, rows * n)), lastTs, lastSentAt }, scheduled: map };
}

/** A portfolio's last alert-driven rebalance as bytes: 'KBPP', u32 version 1, f64 at (-1: none), JSON null, the weights. */
export function encodeAlertRebalance(r: Rebalance | undefined): Uint8Array {
  return encodeState(PORTFOLIO_MAGIC, VERSION, [r ? r.at : -1], null, r ? r.weights : []);
}

/** A portfolio's alert-driven rebalance from encodeAlertRebalance() bytes (undefined: none); `assets` its universe's count when known. */
export function decodeAlertRebalance(bytes: Uint8Array, assets?: number): Rebalance | undefined {
  const { head, values } = decodeState(bytes, PORTFOLIO_MAGIC, VERSION, 1, 'PortfolioEngine portfolio');
  if (head[0] < 0) return undefined;
  if (!(head[0] >= 0) || values.length === 0 || (assets !== undefined && values.length !== assets)) {
    throw new KernelInputError('bytes', `a PortfolioEngine portfolio state (version ${VERSION})`, 'inconsistent bytes');
  }
  return { at: head[0], weights: values };
}
