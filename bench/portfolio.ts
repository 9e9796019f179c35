/**
 * Portfolio family: the allocation kernels' rows (bench/portfolio-allocation.ts: riskParity, hrp against
 * PyPortfolioOpt's HRPOpt, nearestPsd, expectedReturns), native against the reference in one run. The
 * optimizers' rows (minVariance and the others, against PyPortfolioOpt's figures in the issue) join here.
 */
import { backends } from '../src/api/index.js';
import type { BenchRow, BenchSection } from './lib.js';
import { allocationRows } from './portfolio-allocation.js';

export const portfolioSection: BenchSection = {
  name: 'portfolio',
  async run() {
    const rows: BenchRow[] = [];
    if (!backends().some((b) => b.name === 'native' && b.available)) return rows;
    rows.push(...allocationRows('portfolio'));
    return rows;
  },
};
