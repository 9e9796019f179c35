/** The backtest family on the reference backend (the oracle): one simulation serves both kernels. */
import type { BacktestFamily } from '../../../kernels/backtest/backtest.js';
import { simulateBacktest } from '../../../simulation/records.js';
import { backtestStatsRows } from '../../../simulation/statistics.js';

export const referenceBacktest: BacktestFamily = {
  backtestSignals: simulateBacktest,
  backtestOrders: simulateBacktest,
  backtestStats: backtestStatsRows,
};
