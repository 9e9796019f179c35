/**
 * What vectorbt 1.1.0 derives from the order records (vectorbt/portfolio/nb.py: asset_flow_nb,
 * assets_nb, cash_flow_nb, cash_grouped_nb, get_exit_trades_nb; base.py: Portfolio.asset_value with
 * fillna_close, value): positions, cash and value series and the exit trades. The reference:
 * native/kernels/backtest/records.cpp is its twin.
 */
import {
  TRADE_FIELDS,
  type Flex,
  type OrderRecords,
  type SeriesInput,
  type Simulation,
  type SimulationOutput,
  type SimulationSeries,
  type TradeRecords,
} from '../kernels/backtest/backtest.js';
import { add, BUY, isClose, isCloseOrLess, isLess } from './orders.js';
import { at, OrderLog, simulate } from './loops.js';

/** Order records as the derivations read them: an OrderLog, or a result's OrderRecords with their length. */
type Records = { readonly length: number } & Pick<OrderRecords, 'col' | 'idx' | 'size' | 'price' | 'fees' | 'side'>;

/** Each column's record indices in record order (vectorbt's col_map). */
function columnMap(log: Records, K: number): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(K + 1);
  for (let r = 0; r < log.length; r++) start[log.col[r] + 1]++;
  for (let k = 0; k < K; k++) start[k + 1] += start[k];
  const fillAt = start.slice(0, K);
  const list = new Int32Array(log.length);
  for (let r = 0; r < log.length; r++) list[fillAt[log.col[r]]++] = r;
  return { start, list };
}

/** The close of column `col`, filled forward then backward (vectorbt's get_filled_close). */
export function filledClose(close: Flex, T: number, col: number): Float64Array {
  const out = new Float64Array(T);
  let last = NaN;
  for (let i = 0; i < T; i++) {
    const v = at(close, i, col);
    if (!Number.isNaN(v)) last = v;
    out[i] = last;
  }
  let next = NaN;
  for (let i = T - 1; i >= 0; i--) {
    if (Number.isNaN(out[i])) out[i] = next;
    else next = out[i];
  }
  return out;
}

/** The trade records as they are made. */
class TradeLog {
  readonly rows: number[][] = TRADE_FIELDS.map(() => []);
  parent = -1;

  push(
    col: number,
    size: number,
    entryIdx: number,
    entryPrice: number,
    entryFees: number,
    exitIdx: number,
    exitPrice: number,
    exitFees: number,
    direction: number,
    status: number,
  ): void {
    // vectorbt's get_trade_stats_nb
    const entryValue = size * entryPrice;
    let diff = add(size * exitPrice, -entryValue);
    if (diff !== 0 && direction === 1) diff *= -1;
    const pnl = diff - entryFees - exitFees;
    const values = [
      this.rows[0].length,
      col,
      size,
      entryIdx,
      entryPrice,
      entryFees,
      exitIdx,
      exitPrice,
      exitFees,
      pnl,
      pnl / entryValue,
      direction,
      status,
      this.parent,
    ];
    values.forEach((v, f) => this.rows[f].push(v));
  }

  records(): TradeRecords {
    return Object.fromEntries(TRADE_FIELDS.map((f, k) => [f, Float64Array.from(this.rows[k])])) as unknown as TradeRecords;
  }
}

/** vectorbt's get_exit_trades_nb over one column's records (`list[a .. b)`). */
function exitTrades(
  log: Records,
  list: Int32Array,
  a: number,
  b: number,
  col: number,
  lastClose: number,
  lastIdx: number,
  out: TradeLog,
): void {
  let inPosition = false;
  let direction = -1;
  let entryIdx = -1;
  let sizeSum = 0;
  let grossSum = 0;
  let feesSum = 0;
  for (let r = a; r < b; r++) {
    const o = list[r];
    const i = log.idx[o];
    const size = log.size[o];
    const price = log.price[o];
    const fees = log.fees[o];
    const side = log.side[o];
    if (!inPosition) {
      inPosition = true;
      entryIdx = i;
      direction = side === BUY ? 0 : 1;
      out.parent++;
      sizeSum = grossSum = feesSum = 0;
    }
    if ((direction === 0) === (side === BUY)) {
      sizeSum += size;
      grossSum += size * price;
      feesSum += fees;
    } else if (isCloseOrLess(size, sizeSum)) {
      const closes = isClose(size, sizeSum);
      const exitSize = closes ? sizeSum : size;
      out.push(col, exitSize, entryIdx, grossSum / sizeSum, (exitSize / sizeSum) * feesSum, i, price, fees, direction, 1);
      if (closes) {
        entryIdx = -1;
        direction = -1;
        inPosition = false;
      } else {
        const fraction = (sizeSum - size) / sizeSum;
        sizeSum *= fraction;
        grossSum *= fraction;
        feesSum *= fraction;
      }
    } else {
      // reversed: close the trade with its share of the order's fees, open the rest
      const exitFees = (sizeSum / size) * fees;
      out.push(col, sizeSum, entryIdx, grossSum / sizeSum, feesSum, i, price, exitFees, direction, 1);
      sizeSum = size - sizeSum;
      grossSum = sizeSum * price;
      feesSum = fees - exitFees;
      entryIdx = i;
      direction = direction === 0 ? 1 : 0;
      out.parent++;
    }
  }
  if (inPosition && isLess(-sizeSum, 0)) {
    out.push(col, sizeSum, entryIdx, grossSum / sizeSum, feesSum, lastIdx, lastClose, 0, direction, 0);
  }
}

/**
 * vectorbt's exit trades of order records made elsewhere (the strategy runner's fills: `idx` a row of
 * `close`, T x K, records in time order per column), each open trade valued at its column's last close.
 */
export function exitTradeRecords(orders: OrderRecords, close: Flex, T: number, K: number): TradeRecords {
  const log: Records = { ...orders, length: orders.id.length };
  const { start, list } = columnMap(log, K);
  const trades = new TradeLog();
  for (let col = 0; col < K; col++) exitTrades(log, list, start[col], start[col + 1], col, at(close, T - 1, col), T - 1, trades);
  return trades.records();
}

/**
 * Runs `sim` into its order records and exit trades; its series are made on request (backtestSeries).
 * `_valueGroups`: how a backend shares the work out (one thread here).
 */
export function simulateBacktest(sim: Simulation, _valueGroups: Int32Array): SimulationOutput {
  const T = sim.rows;
  const K = sim.cols;
  const log = new OrderLog();
  simulate(sim, log);
  const { start, list } = columnMap(log, K);
  const trades = new TradeLog();
  for (let col = 0; col < K; col++) exitTrades(log, list, start[col], start[col + 1], col, at(sim.close, T - 1, col), T - 1, trades);
  return {
    orders: {
      id: Float64Array.from({ length: log.length }, (_, r) => r),
      col: log.col.slice(0, log.length),
      idx: log.idx.slice(0, log.length),
      size: log.size.slice(0, log.length),
      price: log.price.slice(0, log.length),
      fees: log.fees.slice(0, log.length),
      side: log.side.slice(0, log.length),
    },
    trades: trades.records(),
    series: backtestSeries,
  };
}

/**
 * The series of a result whose arrays `out` holds (assets T x K, cash or value T x G) from its order
 * records and close, as vectorbt derives them: each bar's asset and cash flows from its records
 * (asset_flow_nb, cash_flow_nb), the position and each value group's cash their running sums
 * (assets_nb, cash_grouped_nb), the value the cash plus the positions at the filled close
 * (fillna_close).
 */
export function backtestSeries(input: SeriesInput, out: Partial<SimulationSeries>): void {
  const { rows: T, cols: K, groupLens, orders } = input;
  const log: Records = { ...orders, length: orders.col.length };
  const { start, list } = columnMap(log, K);
  const assets = out.assets ? out.assets.fill(0) : new Float64Array(T * K);
  const cashFlow = new Float64Array(out.cash || out.value ? T * K : 0);
  const assetValue = new Float64Array(out.value ? T * K : 0);
  for (let col = 0; col < K; col++) {
    for (let r = start[col]; r < start[col + 1]; r++) {
      const o = list[r];
      const size = log.side[o] === BUY ? log.size[o] : -log.size[o];
      const cell = log.idx[o] * K + col;
      assets[cell] = add(assets[cell], size); // the bar's asset flow, summed
      if (cashFlow.length) cashFlow[cell] = add(cashFlow[cell], -size * log.price[o] - log.fees[o]);
    }
    let position = 0;
    const close = out.value ? filledClose(input.close, T, col) : undefined;
    for (let i = 0; i < T; i++) {
      position = add(position, assets[i * K + col]);
      assets[i * K + col] = position;
      if (close) assetValue[i * K + col] = position === 0 ? 0 : close[i] * position;
    }
  }
  if (!cashFlow.length) return;
  const G = groupLens.length;
  for (let g = 0, from = 0; g < G; from += groupLens[g++]) {
    const to = from + groupLens[g];
    let now = input.initCash[g];
    for (let i = 0; i < T; i++) {
      let flow = 0;
      let held = 0;
      for (let col = from; col < to; col++) {
        flow += cashFlow[i * K + col];
        if (out.value) held += assetValue[i * K + col];
      }
      now = add(now, flow);
      if (out.cash) out.cash[i * G + g] = now;
      if (out.value) out.value[i * G + g] = now + held;
    }
  }
}
