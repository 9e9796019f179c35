// Writes examples/var.csv: one-day 95 % VaR forecasts for examples/returns.csv, the file that
// `kernelbus risk examples/returns.csv --backtest examples/var.csv` backtests. The format --backtest
// reads: a date column and one column per asset, named as the returns' columns, one row per date of
// the returns, each a positive loss fraction published before that date's return (empty: no forecast).
// The forecasts are RiskMetrics' (EWMA variance, lambda 0.94, zero mean): VaR = 1.645 sigma, sigma from
// the returns before the date (the first 20 dates seed it and have no forecast).
// Run from the folder holding examples/: node examples/make-var.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const [header, ...lines] = readFileSync('examples/returns.csv', 'utf8').trim().split('\n');
const assets = header.split(',').slice(1);
const rows = lines.map((line) => line.split(','));
const Z95 = 1.6448536269514722;
const LAMBDA = 0.94;
const SEED = 20;
const variance = assets.map((_, j) => {
  const first = rows.slice(0, SEED).map((r) => Number(r[j + 1]));
  return first.reduce((s, x) => s + x * x, 0) / SEED;
});
const out = [header];
rows.forEach((r, t) => {
  const cells = assets.map((_, j) => (t < SEED ? '' : (Z95 * Math.sqrt(variance[j])).toFixed(6)));
  out.push(`${r[0]},${cells.join(',')}`);
  if (t >= SEED) assets.forEach((_, j) => (variance[j] = LAMBDA * variance[j] + (1 - LAMBDA) * Number(r[j + 1]) ** 2));
});
writeFileSync('examples/var.csv', `${out.join('\n')}\n`);
console.log(`examples/var.csv: ${rows.length} dates x ${assets.length} assets (${rows.length - SEED} with a forecast)`);
