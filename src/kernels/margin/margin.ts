/**
 * The margin family: initial margin by filtered historical simulation, as clearinghouses compute it
 * (Eurex Prisma, LCH PAIRS, CME SPAN 2): returns devolatilized by a volatility model and scaled to
 * today's volatility, overlapping h-day scenarios, the expected shortfall (or VaR) of a book's P&L over
 * them. Types, packed parameters, defaults and checks, defined once for every backend; the kernels as
 * the API offers them are margin-kernels.ts, the prepared book (marginBook) margin-book.ts.
 */
import { atLeast, code, finite, int, openUnit, option } from '../param-rules.js';

/** The volatility model that filters the returns. */
export const FILTER_MODELS = ['ewma', 'garch'] as const;
/** What margin is: the historical expected shortfall, or the VaR, of the book's P&L. */
export const MARGIN_MEASURES = ['es', 'var'] as const;

export const MODEL = option('model', code(FILTER_MODELS));
export const LAMBDA = option('lambda', openUnit());
export const SEED = option('seed', int(1));
export const HORIZON = option('horizon', int(1));
export const VOL_FLOOR = option('volFloor', atLeast(0));
export const CONFIDENCE = option('confidence', openUnit());
export const MEASURE = option('measure', code(MARGIN_MEASURES));
export const INSTRUMENT = { ...option('instrument', int(0)), name: 'order.instrument' } as const;
export const VALUE = { ...option('value', finite()), name: 'order.value' } as const;

/** `filteredScenarios()`' packed values (model an index of FILTER_MODELS). */
export interface ScenarioParams {
  model: number;
  lambda: number;
  seed: number;
  horizon: number;
  volFloor: number;
}

/** The scenarios of T returns and K stress rows at horizon h: the filtered windows, then the stress windows. */
export function scenarioCount(T: number, K: number, h: number): number {
  return Math.max(0, T - h + 1) + (K > 0 ? Math.max(0, K - h + 1) : 0);
}

/** What a backend implementing the margin family provides (arrays and counts, then the packed values). */
export interface MarginFamily {
  /** The scenarios (S x cols): S = scenarioCount(rows, stressRows, horizon), the API's count. */
  filteredScenarios(
    returns: Float64Array,
    rows: number,
    cols: number,
    stress: Float64Array,
    stressRows: number,
    scenarios: number,
    model: number,
    lambda: number,
    seed: number,
    horizon: number,
    volFloor: number,
    out?: Float64Array,
  ): Float64Array;
  /** margin (books), then pnl (books x rows). */
  initialMargin(
    positions: Float64Array,
    books: number,
    scenarios: Float64Array,
    rows: number,
    cols: number,
    confidence: number,
    measure: number,
    out?: Float64Array,
  ): Float64Array;
  /** [the margin with value added to position instrument, less the margin without]. */
  marginalMargin(
    positions: Float64Array,
    scenarios: Float64Array,
    rows: number,
    cols: number,
    instrument: number,
    value: number,
    confidence: number,
    measure: number,
    out?: Float64Array,
  ): Float64Array;
  /** [margin of pnl + value x column] (column of pnl's length, or empty for pnl alone): the prepared book's step. */
  pnlMargin(pnl: Float64Array, column: Float64Array, value: number, confidence: number, measure: number, out?: Float64Array): Float64Array;
}
