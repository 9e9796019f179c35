/**
 * The readers' scan of a chunk of trades for the trade rule (screenTrades' TradeRun): the addon's
 * goodTradeRun (native/kernels/trade_run.cpp) for a long chunk, the TypeScript one (src/kernels/trade-check.ts,
 * the reference: the same rule, the same row and last times) for a short one or without the addon. The
 * scan of 10^7 trades (240 MB of columns) takes 50-80 ms in TypeScript, 9-11 ms in C++ on two threads
 * with the pages in memory (AVX-512; 12 ms AVX2, 18 ms baseline); on a mapped Arrow file it is the first
 * pass over the pages, and with `badTrades` the only one (src/io/trades.ts: no missing-value scan
 * before it): `kernelbus vpin`'s read of the bench's Arrow file 97 -> 48 ms (2026-12-04).
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
