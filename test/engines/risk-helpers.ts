/** Pieces of the RiskEngine tests: seeded returns, portfolios, and the figures computed directly with the kernels. */
import type { Bus, BusMessage } from '../../src/bus/index.js';
import { mulberry32 } from '../../src/math/mulberry32.js';
import type { PortfolioUpdate, RiskResult } from '../../src/engines/index.js';
import type { Kernels } from '../../src/index.js';

export const ASSETS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];

/** `rows` x assets seeded returns (about 1% daily moves, some fat-tailed days), row-major. */
export function seededReturns(rows: number, assets = ASSETS.length, seed = 5): Float64Array {
  const random = mulberry32(seed);
  const out = new Float64Array(rows * assets);
  for (let i = 0; i < out.length; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out[i] = (random() < 0.05 ? 3 : 1) * 0.01 * z + 0.0003;
  }
  return out;
}

/** Three portfolios of ASSETS: equal weight, long-short and concentrated (with limits). */
export const PORTFOLIOS: Record<string, PortfolioUpdate> = {
  equal: { weights: Object.fromEntries(ASSETS.map((a) => [a, 1 / ASSETS.length])) },
  'long-short': { weights: { AAA: 0.6, BBB: 0.4, DDD: -0.5, EEE: -0.5 }, limit: 0.05 },
  concentrated: { weights: { CCC: 1 }, limit: 0.02, universe: 'stocks' },
};

/** A portfolio's weights in the universe's column order. */
export function weightVector(update: PortfolioUpdate, assets: readonly string[] = ASSETS): Float64Array {
  return Float64Array.from(assets, (a) => update.weights[a] ?? 0);
}

/** Row i of a row-major block. */
export const row = (block: Float64Array, i: number, n = ASSETS.length) => block.slice(i * n, (i + 1) * n);

/**
 * The figures of a portfolio over rows [from, to) of `block`, computed directly: portfolioReturns,
 * valueAtRisk (historical, gaussian) and performanceStats' volatility with periodsPerYear 1.
 */
export function expectedFigures(k: Kernels, block: Float64Array, from: number, to: number, weights: Float64Array, confidence = 0.95) {
  const n = weights.length;
  const window = { data: block.slice(from * n, to * n), rows: to - from, cols: n };
  const book = k.portfolioReturns(window, weights);
  const h = k.valueAtRisk(book, { method: 'historical', confidence });
  const g = k.valueAtRisk(book, { method: 'gaussian', confidence });
  return {
    rows: to - from,
    confidence,
    historical: { var: h.var, es: h.es },
    gaussian: { var: g.var, es: g.es },
    volatility: k.performanceStats(book, { periodsPerYear: 1 }).annualVolatility,
  };
}

/** Collects every message of `type` (a group of its own). */
export function collect<P>(bus: Bus, type: string): BusMessage<P>[] {
  const got: BusMessage<P>[] = [];
  bus.subscribe<P>(type, (m) => void got.push(m));
  return got;
}

/** The figures of a result without its labels (engine, universe, source, limit). */
export function figures(r: RiskResult) {
  return { rows: r.rows, confidence: r.confidence, historical: r.historical, gaussian: r.gaussian, volatility: r.volatility };
}

/** The figures of the demo's portfolio table, per portfolio: hist VaR, hist ES, gauss VaR, gauss ES, volatility (fractions). */
export function riskTable(text: string, names = ['equal-weight', 'long-short', 'concentrated']): Record<string, number[]> {
  const table = text.slice(text.indexOf('portfolio VaR now'));
  const out: Record<string, number[]> = {};
  for (const name of names) {
    const m = new RegExp(`\\n  ${name} +(\\S+)% +(\\S+)% +(\\S+)% +(\\S+)% +(\\S+)% +(\\S+)% +\\d+(?: +\\S+ \\d+\\/\\d+| +-)?\\n`).exec(
      table,
    );
    if (!m) throw new Error(`no row for ${name} in:\n${table}`);
    out[name] = m.slice(1, 6).map((x) => Number(x) / 100);
  }
  return out;
}
