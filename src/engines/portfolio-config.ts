/**
 * What PortfolioEngine is configured with: the portfolios it manages, each with its optimizer, that
 * optimizer's options and every constraint the optimizers accept, named by asset and by sector (the
 * universe's column order is known only when its first RETURNS_UPDATE arrives). `resolvePortfolios`
 * checks a configuration when the engine starts (KernelInputError naming the field, e.g.
 * `options.portfolios[0].sectorBounds.tech`); `kernelOptions` turns a portfolio's constraints into the
 * kernels' options for its universe's assets, at its first rebalance (an asset the configuration names
 * that the universe lacks is a KernelInputError then, which the engine counts as a failure).
 */
import { KernelInputError } from '../errors.js';
import { LINKAGE_METHODS, type LinkageMethod } from '../kernels/portfolio/portfolio-allocation.js';
import type { MaxUtilityOptions } from '../kernels/portfolio/portfolio.js';
import { COVARIANCE_METHODS, type CovarianceMethod } from '../kernels/risk/risk.js';
import { describeValue } from '../kernels/validate.js';
import { isPlainObject } from './payload-checks.js';

/** The optimizers PortfolioEngine can rebalance with (the portfolio family's kernel of each name). */
export const OPTIMIZERS = [
  'min-variance',
  'max-sharpe',
  'max-utility',
  'efficient-return',
  'efficient-risk',
  'risk-parity',
  'hrp',
] as const;
export type Optimizer = (typeof OPTIMIZERS)[number];

/**
 * The kinds of RISK_ALERT that can rebalance a portfolio: RiskEngine's VaR-limit alert (its historical
 * VaR reached the portfolio's limit) and its backtest alerts (the VaR backtest's traffic light turned
 * yellow or red: `reason: 'backtest'`, `zone`).
 */
export const ALERT_KINDS = ['var-limit', 'backtest-yellow', 'backtest-red'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Linear constraint rows by asset: each row of A an array in the universe's column order or { asset: coefficient } (others 0). */
export interface LinearRowsConfig {
  A: (number[] | Record<string, number>)[];
  b: number[];
}

/** The constraints of the mean-variance optimizers (min-variance, max-sharpe, max-utility, efficient-*), as src/kernels/portfolio/portfolio.ts PortfolioConstraints. */
export interface ConstraintsConfig {
  /** Weight bounds: a number for every asset or an array in the universe's column order. Default { lower: 0, upper: 1 }: long only. */
  bounds?: { lower?: number | number[]; upper?: number | number[] };
  /** Per-asset bounds by name, [lower, upper], over `bounds`. */
  assetBounds?: Record<string, [number, number]>;
  /** The weights sum to it (default 1; 0: market neutral). */
  budget?: number;
  /** Each asset's sector by name (an asset not listed is in none); needs sectorBounds. */
  sectors?: Record<string, string>;
  /** Each sector's bounds on its total weight, [lower, upper] (every sector of `sectors` needs one). */
  sectorBounds?: Record<string, [number, number]>;
  /** A w <= b. */
  inequality?: LinearRowsConfig;
  /** A w = b. */
  equality?: LinearRowsConfig;
  /** PyPortfolioOpt's L2_reg gamma (>= 0). */
  l2Gamma?: number;
  /** Each covariance through nearestPsd first (the optimizers' `repair`). */
  repair?: boolean;
  /** Skip the optimizers' positive-semidefiniteness test (their `assumePsd`). */
  assumePsd?: boolean;
}

/** One portfolio PortfolioEngine manages. */
export interface PortfolioConfig extends ConstraintsConfig {
  /** The portfolio's id: the key of its PORTFOLIO_UPDATE and ANALYTICS_RESULT (and of RiskEngine's RISK_ALERT on it). */
  id: string;
  /**
   * The optimizer: 'min-variance' (minVariance: PyPortfolioOpt min_volatility), 'max-sharpe',
   * 'max-utility', 'efficient-return', 'efficient-risk' (over the window's mean returns), 'risk-parity'
   * (riskParity) or 'hrp' (hrp from the estimated covariance).
   */
  optimizer: Optimizer;
  /** The universe (RETURNS_UPDATE key) it is built from. Default: the engine's `universe` option. */
  universe?: string;
  /** The covariance estimator over the window (the risk family's covariance methods). Default 'ledoit-wolf'. */
  estimator?: CovarianceMethod;
  /** Rebalance every `every` rows of returns (when the universe's row count is a multiple of it). Default 20. */
  every?: number;
  /** The VaR limit its PORTFOLIO_UPDATE carries (RiskEngine raises RISK_ALERT at it, and this engine rebalances). */
  limit?: number;
  /** The RISK_ALERT kinds that rebalance it ([] for none). Default ['var-limit']. */
  rebalanceOn?: AlertKind[];
  /** max-sharpe and the others over mean returns: the risk-free rate per period (default 0). */
  riskFree?: number;
  /** max-utility's risk aversion (> 0, default 1). */
  riskAversion?: number;
  /** efficient-return's target return per period (required there). */
  targetReturn?: number;
  /** efficient-risk's target volatility per period (required there). */
  targetVolatility?: number;
  /** risk-parity's risk budgets (> 0): an array in the universe's column order or { asset: budget } (others get the mean of the given). Default equal. */
  budgets?: number[] | Record<string, number>;
  /** hrp's linkage. Default 'single'. */
  linkage?: LinkageMethod;
}

/** A portfolio's configuration, checked and defaulted. */
export interface ResolvedPortfolio extends PortfolioConfig {
  universe: string;
  estimator: CovarianceMethod;
  every: number;
  linkage: LinkageMethod;
  limit: number | undefined;
  rebalanceOn: AlertKind[];
}

export const PORTFOLIO_DEFAULTS = { estimator: 'ledoit-wolf', every: 20, linkage: 'single', rebalanceOn: ['var-limit'] } as const;

const COMMON = ['id', 'optimizer', 'universe', 'estimator', 'every', 'limit', 'rebalanceOn'];
const CONSTRAINTS = [
  'bounds',
  'assetBounds',
  'budget',
  'sectors',
  'sectorBounds',
  'inequality',
  'equality',
  'l2Gamma',
  'repair',
  'assumePsd',
];
/** The keys each optimizer's portfolio accepts. */
const KEYS: Record<Optimizer, readonly string[]> = {
  'min-variance': [...COMMON, ...CONSTRAINTS],
  'max-sharpe': [...COMMON, ...CONSTRAINTS, 'riskFree'],
  'max-utility': [...COMMON, ...CONSTRAINTS, 'riskFree', 'riskAversion'],
  'efficient-return': [...COMMON, ...CONSTRAINTS, 'riskFree', 'targetReturn'],
  'efficient-risk': [...COMMON, ...CONSTRAINTS, 'riskFree', 'targetVolatility'],
  'risk-parity': [...COMMON, 'budgets'],
  hrp: [...COMMON, 'linkage'],
};

/** KernelInputError naming `name`: `actual` described (a string quoted, an array as JSON), or `text` as it is. */
const fail = (name: string, expected: string, actual: unknown): never => {
  throw new KernelInputError(name, expected, Array.isArray(actual) ? JSON.stringify(actual) : describeValue(actual));
};
const failText = (name: string, expected: string, text: string): never => {
  throw new KernelInputError(name, expected, text);
};

/** A number passing `test` (default: finite), else KernelInputError naming `name` with `expected`. */
function num(value: unknown, name: string, test: (x: number) => boolean = Number.isFinite, expected = 'a finite number'): number {
  if (typeof value !== 'number' || !test(value)) fail(name, expected, value);
  return value as number;
}
const bound = (value: unknown, name: string) => num(value, name, (x) => !Number.isNaN(x), 'a number (+-Infinity for none)');

/** A [lower, upper] pair of bounds, lower <= upper. */
function pair(value: unknown, name: string): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) fail(name, '[lower, upper]', value);
  const [lo, hi] = [bound((value as unknown[])[0], `${name}[0]`), bound((value as unknown[])[1], `${name}[1]`)];
  if (!(lo <= hi)) fail(name, '[lower, upper] with lower <= upper', value);
  return [lo, hi];
}

/** An object of string keys (asset or sector names), each value checked by `each`. */
function namedMap<T>(value: unknown, name: string, each: (v: unknown, at: string) => T): Record<string, T> {
  if (!isPlainObject(value) || Object.keys(value).length === 0) fail(name, 'an object { name: value, ... } (at least one)', value);
  return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, each(v, `${name}.${k}`)]));
}

/** Per-asset values: a non-empty array in column order or { asset: value }. */
function perAsset(value: unknown, name: string, each: (v: unknown, at: string) => number): number[] | Record<string, number> {
  if (Array.isArray(value)) {
    if (value.length === 0) fail(name, 'one value per asset, or { asset: value }', value);
    return value.map((v, k) => each(v, `${name}[${k}]`));
  }
  return namedMap(value, name, each);
}

/** Checks the constraints of one portfolio (`at` its field name). */
function checkConstraints(p: ConstraintsConfig, at: string): void {
  if (p.bounds !== undefined) {
    if (!isPlainObject(p.bounds)) fail(`${at}.bounds`, '{ lower, upper }: numbers or arrays in the universe column order', p.bounds);
    const { lower = 0, upper = 1 } = p.bounds;
    const lo =
      typeof lower === 'number' ? [bound(lower, `${at}.bounds.lower`)] : (perAsset(lower, `${at}.bounds.lower`, bound) as number[]);
    const hi =
      typeof upper === 'number' ? [bound(upper, `${at}.bounds.upper`)] : (perAsset(upper, `${at}.bounds.upper`, bound) as number[]);
    if (!Array.isArray(lo) || !Array.isArray(hi)) fail(`${at}.bounds`, '{ lower, upper }: numbers or arrays', p.bounds);
    if (lo.length > 1 && hi.length > 1 && lo.length !== hi.length)
      failText(`${at}.bounds.upper`, `${lo.length} values (as bounds.lower)`, `${hi.length} values`);
    for (let k = 0; k < Math.max(lo.length, hi.length); k++) {
      const [l, h] = [lo[lo.length > 1 ? k : 0], hi[hi.length > 1 ? k : 0]];
      if (!(l <= h)) failText(`${at}.bounds`, 'lower <= upper for every asset', `lower ${l}, upper ${h} (asset ${k})`);
    }
  }
  if (p.assetBounds !== undefined) namedMap(p.assetBounds, `${at}.assetBounds`, pair);
  if (p.budget !== undefined) num(p.budget, `${at}.budget`);
  if (p.l2Gamma !== undefined) num(p.l2Gamma, `${at}.l2Gamma`, (x) => x >= 0 && x < Infinity, 'a finite number >= 0');
  if (p.repair !== undefined && typeof p.repair !== 'boolean') fail(`${at}.repair`, 'true or false', p.repair);
  if (p.assumePsd !== undefined && typeof p.assumePsd !== 'boolean') fail(`${at}.assumePsd`, 'true or false', p.assumePsd);
  if ((p.sectors === undefined) !== (p.sectorBounds === undefined)) {
    const missing = p.sectors === undefined ? 'sectors' : 'sectorBounds';
    fail(`${at}.${missing}`, `an object (sectors and sectorBounds go together)`, undefined);
  }
  if (p.sectors !== undefined) {
    const bounds = namedMap(p.sectorBounds, `${at}.sectorBounds`, pair);
    const names = Object.keys(bounds);
    namedMap(p.sectors, `${at}.sectors`, (v, name) =>
      typeof v === 'string' && names.includes(v) ? v : fail(name, `one of the sectors of sectorBounds (${names.join(', ')})`, v),
    );
  }
  for (const kind of ['inequality', 'equality'] as const) {
    const rows = p[kind];
    if (rows === undefined) continue;
    const name = `${at}.${kind}`;
    if (!isPlainObject(rows) || !Array.isArray(rows.A) || !Array.isArray(rows.b) || rows.A.length === 0) {
      fail(name, '{ A: rows (arrays in column order or { asset: coefficient }), b: numbers }', rows);
    }
    if (rows.b.length !== rows.A.length) failText(`${name}.b`, `${rows.A.length} values (one per row of A)`, `${rows.b.length} values`);
    rows.A.forEach((row, r) => perAsset(row, `${name}.A[${r}]`, (v, n) => num(v, n)));
    rows.b.forEach((v, r) => num(v, `${name}.b[${r}]`));
  }
}

/**
 * Checks the `portfolios` option (`name`: what errors call it): unique ids, known optimizers and their
 * keys only, every option's range (KernelInputError naming the field).
 */
export function resolvePortfolios(list: unknown, defaultUniverse: string, name = 'options.portfolios'): ResolvedPortfolio[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new KernelInputError(name, 'a non-empty array of { id, optimizer, ... }', describeValue(list));
  }
  const ids = new Set<string>();
  return list.map((p: Partial<PortfolioConfig>, i) => {
    const at = `${name}[${i}]`;
    if (typeof p !== 'object' || p === null) throw new KernelInputError(at, 'an object { id, optimizer, ... }', describeValue(p));
    if (typeof p.id !== 'string' || p.id.length === 0 || ids.has(p.id)) {
      throw new KernelInputError(`${at}.id`, 'a non-empty string, unique among the portfolios', describeValue(p.id));
    }
    ids.add(p.id);
    if (!OPTIMIZERS.includes(p.optimizer as Optimizer)) {
      throw new KernelInputError(`${at}.optimizer`, OPTIMIZERS.map((o) => `'${o}'`).join(' or '), describeValue(p.optimizer));
    }
    const optimizer = p.optimizer as Optimizer;
    const unknown = Object.keys(p).filter((key) => !KEYS[optimizer].includes(key));
    if (unknown.length > 0) {
      throw new KernelInputError(
        at,
        `only the keys of a '${optimizer}' portfolio (${KEYS[optimizer].join(', ')})`,
        `${unknown.map((k) => `"${k}"`).join(', ')}`,
      );
    }
    const universe = p.universe ?? defaultUniverse;
    if (typeof universe !== 'string' || universe.length === 0) fail(`${at}.universe`, 'a non-empty string', universe);
    const estimator = p.estimator ?? PORTFOLIO_DEFAULTS.estimator;
    if (!COVARIANCE_METHODS.includes(estimator)) fail(`${at}.estimator`, `one of ${COVARIANCE_METHODS.join(', ')}`, estimator);
    const every = p.every ?? PORTFOLIO_DEFAULTS.every;
    if (!Number.isInteger(every) || every < 1) fail(`${at}.every`, 'an integer >= 1 (rows)', every);
    const linkage = p.linkage ?? PORTFOLIO_DEFAULTS.linkage;
    if (!LINKAGE_METHODS.includes(linkage)) fail(`${at}.linkage`, LINKAGE_METHODS.join(', '), linkage);
    if (p.limit !== undefined) num(p.limit, `${at}.limit`, (x) => x > 0 && x < Infinity, 'a finite number > 0 (a loss fraction)');
    const rebalanceOn = p.rebalanceOn ?? [...PORTFOLIO_DEFAULTS.rebalanceOn];
    if (!Array.isArray(rebalanceOn) || !rebalanceOn.every((k) => ALERT_KINDS.includes(k))) {
      fail(`${at}.rebalanceOn`, `an array of ${ALERT_KINDS.map((k) => `'${k}'`).join(', ')} (possibly empty)`, rebalanceOn);
    }
    checkConstraints(p, at);
    if (p.riskFree !== undefined) num(p.riskFree, `${at}.riskFree`);
    if (p.riskAversion !== undefined) num(p.riskAversion, `${at}.riskAversion`, (x) => x > 0 && x < Infinity, 'a finite number > 0');
    if (optimizer === 'efficient-return') num(p.targetReturn, `${at}.targetReturn`, Number.isFinite, 'a finite number (required)');
    if (optimizer === 'efficient-risk') {
      num(p.targetVolatility, `${at}.targetVolatility`, (x) => x > 0 && x < Infinity, 'a finite number > 0 (required)');
    }
    if (p.budgets !== undefined)
      perAsset(p.budgets, `${at}.budgets`, (v, n) => num(v, n, (x) => x > 0 && x < Infinity, 'a finite number > 0'));
    return { ...p, id: p.id, optimizer, universe, estimator, every, linkage, limit: p.limit, rebalanceOn: [...rebalanceOn] };
  });
}

/** The kind of a RISK_ALERT payload: a backtest alert's zone, else RiskEngine's VaR-limit alert. */
export function alertKind(payload: unknown): AlertKind {
  if (isPlainObject(payload) && payload.reason === 'backtest') return payload.zone === 'red' ? 'backtest-red' : 'backtest-yellow';
  return 'var-limit';
}

/** A column-order array or { asset: value } as n values (`fallback` for an asset a map leaves out). */
function columns(value: number[] | Record<string, number>, assets: readonly string[], name: string, fallback: number): Float64Array {
  if (Array.isArray(value)) {
    if (value.length !== assets.length)
      failText(name, `${assets.length} values (the universe's assets: ${assets.join(', ')})`, `${value.length} values`);
    return Float64Array.from(value);
  }
  for (const a of Object.keys(value)) if (!assets.includes(a)) fail(`${name}.${a}`, `an asset of the universe (${assets.join(', ')})`, a);
  return Float64Array.from(assets, (a) => value[a] ?? fallback);
}

/** A bound option for the universe: a number as it is, an array checked against the assets. */
const boundFor = (v: number | number[] | undefined, assets: readonly string[], name: string, fallback: number) =>
  v === undefined ? fallback : typeof v === 'number' ? v : columns(v, assets, name, fallback);

/**
 * The kernel options of portfolio `p` for its universe's `assets` (column order): the constraints
 * (MaxUtilityOptions: PortfolioConstraints with riskFree and riskAversion) and riskParity's budgets.
 * KernelInputError naming the field for an array of the wrong length or an asset not in the universe.
 */
export function kernelOptions(p: ResolvedPortfolio, assets: readonly string[]): { constraints: MaxUtilityOptions; budgets?: Float64Array } {
  const at = `portfolios.${p.id}`;
  const n = assets.length;
  const o: MaxUtilityOptions = {};
  if (p.bounds !== undefined || p.assetBounds !== undefined) {
    let lower = boundFor(p.bounds?.lower, assets, `${at}.bounds.lower`, 0);
    let upper = boundFor(p.bounds?.upper, assets, `${at}.bounds.upper`, 1);
    if (p.assetBounds !== undefined) {
      const lo = typeof lower === 'number' ? new Float64Array(n).fill(lower) : lower;
      const hi = typeof upper === 'number' ? new Float64Array(n).fill(upper) : upper;
      for (const [asset, [l, h]] of Object.entries(p.assetBounds)) {
        const j = assets.indexOf(asset);
        if (j < 0) fail(`${at}.assetBounds.${asset}`, `an asset of the universe (${assets.join(', ')})`, asset);
        [lo[j], hi[j]] = [l, h];
      }
      [lower, upper] = [lo, hi];
    }
    o.bounds = { lower, upper };
  }
  if (p.sectors !== undefined && p.sectorBounds !== undefined) {
    const names = Object.keys(p.sectorBounds);
    for (const a of Object.keys(p.sectors))
      if (!assets.includes(a)) fail(`${at}.sectors.${a}`, `an asset of the universe (${assets.join(', ')})`, a);
    // the bounded sectors by their order in sectorBounds, then one unbounded code for the assets in none
    const sectors = Int32Array.from(assets, (a) => (p.sectors![a] === undefined ? names.length : names.indexOf(p.sectors![a])));
    const count = Math.max(...sectors) + 1;
    const side = (k: 0 | 1) =>
      Float64Array.from({ length: count }, (_, c) => (c < names.length ? p.sectorBounds![names[c]][k] : k ? Infinity : -Infinity));
    o.sectors = sectors;
    o.sectorBounds = { lower: side(0), upper: side(1) };
  }
  for (const kind of ['inequality', 'equality'] as const) {
    const rows = p[kind];
    if (rows === undefined) continue;
    const A = new Float64Array(rows.A.length * n);
    rows.A.forEach((row, r) => A.set(columns(row, assets, `${at}.${kind}.A[${r}]`, 0), r * n));
    o[kind] = { A: { data: A, rows: rows.A.length, cols: n }, b: Float64Array.from(rows.b) };
  }
  for (const key of ['budget', 'l2Gamma', 'repair', 'assumePsd', 'riskFree', 'riskAversion'] as const)
    if (p[key] !== undefined) (o as Record<string, unknown>)[key] = p[key];
  if (p.budgets === undefined) return { constraints: o };
  const given = Object.values(p.budgets);
  return { constraints: o, budgets: columns(p.budgets, assets, `${at}.budgets`, given.reduce((s, b) => s + b, 0) / given.length) };
}
