/**
 * The readers' scan of a chunk of trades for the trade rule (screenTrades' TradeRun): the addon's
 * goodTradeRun (native/kernels/trade_run.cpp) for a long chunk, the TypeScript one (src/kernels/trade-check.ts,
 * the reference: the same rule, the same row and last times) for a short one or without the addon. The
 * scan of 10^7 trades (240 MB of columns) is bound by memory: 50-80 ms in TypeScript, 30-45 ms in C++ on
 * two threads; on a mapped Arrow file, whose pages the scan faults in first, `kernelbus vpin`'s read
 * went from a median of 155 ms to 84 (2026-11-30, a 2-core VM).
 */
import { loadNative } from '../backends/native/public.js';
import { type TradeRun, tradeRun } from '../kernels/trade-check.js';

/** Below this many rows the TypeScript scan (the addon call costs about as much as a hundred of its rows). */
export const NATIVE_RUN_FROM = 4096;

/** TradeRun through the addon from NATIVE_RUN_FROM rows, else tradeRun(). */
export const readerRun: TradeRun = (ts, price, volume, last, codes) => {
  const native = ts.length >= NATIVE_RUN_FROM ? loadNative().binding : undefined;
  return typeof native?.goodTradeRun === 'function'
    ? native.goodTradeRun(ts, price, volume, last, codes)
    : tradeRun(ts, price, volume, last, codes);
};
