/**
 * Random backtests for the parity suite and the fuzz-like properties: a seeded random walk of closes
 * (with NaN gaps, and open/high/low around them), sparse signals and a random choice of every option.
 */
import type { Matrix } from '../../src/index.js';
import { mulberry32 } from '../../src/math/mulberry32.js';
import type { BacktestPrices, OrdersOptions, Signals, SignalsOptions } from '../../src/kernels/backtest/backtest-kernels.js';

export interface Case {
  prices: BacktestPrices;
  signals: SignalsOptions;
  orders: OrdersOptions;
}

const pick = <T>(r: () => number, ...xs: T[]) => xs[Math.floor(r() * xs.length)];
const matrix = (rows: number, cols: number, f: () => number): Matrix => ({
  data: Float64Array.from({ length: rows * cols }, f),
  rows,
  cols,
});

/** One random case of T bars and K columns (close of 1 or K columns). */
export function randomCase(seed: number): Case {
  const r = mulberry32(seed);
  const T = 2 + Math.floor(r() * 60);
  const K = 1 + Math.floor(r() * 4);
  const closeCols = pick(r, 1, K);
  const close = matrix(T, closeCols, () => 0);
  const open = matrix(T, closeCols, () => 0);
  const high = matrix(T, closeCols, () => 0);
  const low = matrix(T, closeCols, () => 0);
  const gaps = pick(r, 0, 0.05);
  for (let c = 0; c < closeCols; c++) {
    let p = 10 + r() * 40;
    for (let i = 0; i < T; i++) {
      const o = p * (1 + 0.03 * (r() - 0.5));
      p = p * (1 + 0.08 * (r() - 0.5));
      const at = i * closeCols + c;
      close.data[at] = r() < gaps ? NaN : p;
      open.data[at] = o;
      high.data[at] = Math.max(o, p) * (1 + 0.02 * r());
      low.data[at] = Math.min(o, p) * (1 - 0.02 * r());
    }
  }
  const withBars = r() < 0.5;
  const prices: BacktestPrices = withBars ? { close, open, high, low } : { close };
  const rate = pick(r, 0.05, 0.2, 0.4);
  const signal = () => matrix(T, K, () => (r() < rate ? 1 : 0));
  const cashSharing = K > 1 && r() < 0.3;
  const groups = cashSharing && r() < 0.5 ? Int32Array.from({ length: K }, (_, k) => (k < K / 2 ? 0 : 1)) : undefined;
  const common = {
    fees: pick(r, 0, 0.001, 0.01),
    fixedFees: pick(r, 0, 0.5),
    slippage: pick(r, 0, 0.0005, 0.01),
    minSize: pick(r, 1e-8, 0, 0.5),
    initCash: pick(r, 100, 1000),
    cashSharing,
    ...(groups && { groups }),
    callSeq: pick(r, 'default', 'auto') as 'default' | 'auto',
  };
  const ls = r() < 0.3;
  const sizeType = pick(r, 'amount', 'value', 'percent') as 'amount' | 'value' | 'percent';
  const size = sizeType === 'percent' ? pick(r, 0.5, 1) : pick(r, Infinity, 3, 50);
  const signals: SignalsOptions = {
    ...common,
    entries: signal(),
    exits: signal(),
    ...(ls && { shortEntries: signal(), shortExits: signal() }),
    direction: pick(r, 'long', 'short', 'both'),
    size:
      sizeType === 'percent'
        ? size
        : pick<number | Matrix>(
            r,
            size,
            matrix(T, K, () => (r() < 0.1 ? NaN : 1 + r() * 20)),
          ),
    sizeType,
    accumulate: pick<boolean | 'addOnly' | 'removeOnly'>(r, false, true, 'addOnly', 'removeOnly'),
    uponOppositeEntry:
      sizeType === 'percent'
        ? pick(r, 'ignore', 'close', 'closeReduce')
        : pick(r, 'ignore', 'close', 'closeReduce', 'reverse', 'reverseReduce'),
    slStop: pick(r, NaN, 0.02, 0.1),
    slTrail: r() < 0.3,
    tpStop: pick(r, NaN, 0.03, 0.2),
    price: pick(r, Infinity, -Infinity),
  };
  const orders: OrdersOptions = {
    ...common,
    size: matrix(T, K, () => (r() < 0.5 ? NaN : pick(r, -Infinity, Infinity, 0, (r() - 0.5) * 20, r()))),
    sizeType: pick(r, 'amount', 'value', 'percent', 'targetAmount', 'targetValue', 'targetPercent'),
    direction: pick(r, 'long', 'short', 'both'),
  };
  if (orders.sizeType === 'targetPercent' || orders.sizeType === 'percent') {
    orders.size = matrix(T, K, () => (r() < 0.5 ? NaN : (r() - 0.3) * 1.2));
  }
  return { prices, signals, orders };
}

/**
 * A seeded random walk of T x K closes (labelled `columns` where given) and MA-free signals, entries
 * every 7th bar and exits every 11th, shifted by column: as numbers (a Float64Array the call converts)
 * or, with `bytes`, as the one-byte matrices a call takes as they are.
 */
export function walkPanel(
  T: number,
  K: number,
  seed: number,
  { bytes = false, columns }: { bytes?: boolean; columns?: readonly string[] } = {},
): { close: Matrix; entries: Signals; exits: Signals } {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const close: Matrix = { data: new Float64Array(T * K), rows: T, cols: K, ...(columns && { columns }) };
  for (let c = 0; c < K; c++) {
    let p = 50 + 10 * rand();
    for (let i = 0; i < T; i++) close.data[i * K + c] = p *= 1 + 0.04 * (rand() - 0.5);
  }
  const signal = (every: number) => {
    const at = (j: number) => ((Math.floor(j / K) + (j % K)) % every === 0 ? 1 : 0);
    const data = bytes ? Uint8Array.from({ length: T * K }, (_, j) => at(j)) : Float64Array.from({ length: T * K }, (_, j) => at(j));
    return { data, rows: T, cols: K } as Signals;
  };
  return { close, entries: signal(7), exits: signal(11) };
}
