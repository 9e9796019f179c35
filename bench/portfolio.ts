/**
 * Portfolio family: the allocation kernels' rows (bench/portfolio-allocation.ts: riskParity, hrp against
 * PyPortfolioOpt's HRPOpt, nearestPsd, expectedReturns) and the optimizers' (bench/portfolio-optimizers.ts:
 * minVariance, maxSharpe, the CLA frontier and the others against PyPortfolioOpt's figures in the issue,
 * the rolling-window batch, the size sweep), native against the reference in one run.
 */
import { backends } from '../src/api/index.js';
import type { BenchRow, BenchSection } from './lib.js';
import { allocationRows } from './portfolio-allocation.js';
import { optimizerRows } from './portfolio-optimizers.js';
import { psdRows } from './portfolio-psd.js';

export const portfolioSection: BenchSection = {
  name: 'portfolio',
  async run() {
    const rows: BenchRow[] = [];
    if (!backends().some((b) => b.name === 'native' && b.available)) return rows;
    rows.push(...optimizerRows('portfolio'));
    rows.push(...psdRows('portfolio'));
    rows.push(...allocationRows('portfolio'));
    return rows;
  },
};
