/** The backtest family on the reference backend (the oracle): one simulation serves both kernels. */
import type { BacktestFamily } from '../../../kernels/backtest/backtest.js';
import { simulateBacktest } from './records.js';
import { backtestStatsRows } from './stats.js';

export const referenceBacktest: BacktestFamily = {
  backtestSignals: simulateBacktest,
  backtestOrders: simulateBacktest,
  backtestStats: backtestStatsRows,
};
