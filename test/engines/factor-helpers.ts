/** Pieces of the FactorEngine tests: a seeded daily panel, its FACTOR_INPUT payloads, and the figures computed directly with the kernels. */
import type { Bus, BusMessage } from '../../src/bus/index.js';
import { mulberry32 } from '../../src/math/mulberry32.js';
import type { FactorInput } from '../../src/engines/index.js';
import type { Kernels, Matrix } from '../../src/index.js';

/** A T x N panel (row-major, dates x assets) of everything a FACTOR_INPUT carries. */
export interface Panel {
  T: number;
  N: number;
  dates: string[];
  assets: string[];
  /** Sector name per asset. */
  sectorOf: string[];
  returns: Float64Array;
  marketCap: Float64Array;
  bookPrice: Float64Array;
  salesPrice: Float64Array;
  cashFlowPrice: Float64Array;
}

const SECTORS = ['Energy', 'Tech', 'Health', 'Banks'];

/** `T` dates of `N` assets in 4 sectors (assets cycle through them), seeded: market, sector and idiosyncratic moves; a few missing returns. */
export function seededPanel(T: number, N: number, seed = 7): Panel {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const assets = Array.from({ length: N }, (_, j) => `A${String(j).padStart(2, '0')}`);
  const sectorOf = assets.map((_, j) => SECTORS[(j * 7 + 1) % SECTORS.length]);
  const shares = assets.map(() => 1e6 * Math.exp(2 * normal()));
  const book = assets.map(() => Math.exp(0.5 * normal()));
  const sales = assets.map(() => Math.exp(0.7 * normal()));
  const cash = assets.map(() => 0.1 * normal());
  const price = assets.map(() => 20 + 100 * random());
  const p: Panel = {
    T,
    N,
    assets,
    sectorOf,
    dates: Array.from({ length: T }, (_, t) => new Date(Date.UTC(2024, 0, 1) + t * 86_400_000).toISOString().slice(0, 10)),
    returns: new Float64Array(T * N),
    marketCap: new Float64Array(T * N),
    bookPrice: new Float64Array(T * N),
    salesPrice: new Float64Array(T * N),
    cashFlowPrice: new Float64Array(T * N),
  };
  for (let t = 0; t < T; t++) {
    const market = 0.01 * normal();
    const sector = SECTORS.map(() => 0.005 * normal());
    for (let j = 0; j < N; j++) {
      const i = t * N + j;
      const r = market + sector[SECTORS.indexOf(sectorOf[j])] + 0.015 * normal();
      price[j] *= 1 + r;
      p.returns[i] = random() < 0.01 ? NaN : r;
      p.marketCap[i] = price[j] * shares[j];
      p.bookPrice[i] = (book[j] / price[j]) * 50;
      p.salesPrice[i] = (sales[j] / price[j]) * 80;
      p.cashFlowPrice[i] = (cash[j] / price[j]) * 60;
    }
  }
  return p;
}

/** Date t of the panel as a FACTOR_INPUT payload (`only`: the columns to include, in that order). */
export function inputOf(p: Panel, t: number, only?: number[]): FactorInput {
  const cols = only ?? Array.from({ length: p.N }, (_, j) => j);
  const pick = (x: Float64Array) => Float64Array.from(cols, (j) => x[t * p.N + j]);
  return {
    date: p.dates[t],
    assets: cols.map((j) => p.assets[j]),
    sectors: cols.map((j) => p.sectorOf[j]),
    returns: pick(p.returns),
    marketCap: pick(p.marketCap),
    bookPrice: pick(p.bookPrice),
    salesPrice: pick(p.salesPrice),
    cashFlowPrice: pick(p.cashFlowPrice),
  };
}

/** Publishes dates [from, to) of the panel on universe `key`. */
export async function feedPanel(bus: Bus, p: Panel, from: number, to: number, key = 'us') {
  for (let t = from; t < to; t++) await bus.publish('FACTOR_INPUT', { key, ts: 1_700_000_000_000 + t, payload: inputOf(p, t) });
}

/** Sector names in the order first seen across the panel's assets. */
export const sectorNamesOf = (p: Panel) => [...new Set(p.sectorOf)];

/**
 * The whole panel computed directly with the kernels: momentum, size and value over the T x N panels,
 * factorReturns with every sector, and per date the cap-weighted R2 of the fit (written out here).
 */
export function direct(k: Kernels, p: Panel, momentum: { window: number; halfLife: number; lag: number }, winsorize = 0.05) {
  const M = (data: Float64Array): Matrix => ({ data, rows: p.T, cols: p.N });
  const names = sectorNamesOf(p);
  const styles = {
    momentum: k.momentum(M(p.returns), momentum),
    size: k.size(M(p.marketCap)),
    value: k.value(M(p.bookPrice), M(p.salesPrice), M(p.cashFlowPrice)),
  };
  const fit = k.factorReturns(
    {
      returns: M(p.returns),
      marketCap: M(p.marketCap),
      sectors: Int32Array.from(p.sectorOf, (s) => names.indexOf(s)),
      styles,
      sectorNames: names,
    },
    { winsorize },
  );
  const r2: number[] = [];
  for (let t = 0; t < p.T; t++) {
    const use = [...Array(p.N).keys()].filter((j) => Number.isFinite(fit.residuals.data[t * p.N + j]));
    const r = k.winsorize(
      { data: Float64Array.from(use, (j) => p.returns[t * p.N + j]), rows: 1, cols: use.length },
      { lower: winsorize, upper: 1 - winsorize },
    ).data;
    const w = use.map((j) => Math.sqrt(p.marketCap[t * p.N + j]));
    const e = use.map((j) => fit.residuals.data[t * p.N + j]);
    const rbar = w.reduce((s, wi, a) => s + wi * r[a], 0) / w.reduce((s, wi) => s + wi, 0);
    r2.push(1 - w.reduce((s, wi, a) => s + wi * e[a] * e[a], 0) / w.reduce((s, wi, a) => s + wi * (r[a] - rbar) ** 2, 0));
  }
  return { styles, fit, r2 };
}

/** Collects every message of `type` (a group of its own). */
export function collect<P>(bus: Bus, type: string): BusMessage<P>[] {
  const got: BusMessage<P>[] = [];
  bus.subscribe<P>(type, (m) => void got.push(m));
  return got;
}

/** The demo summary's factor engine row: [bars published, factor results]. */
export function factorBars(text: string): [number, number] {
  const m = /factor engine\s+([\d,]+) bars of the market's symbols -> ([\d,]+) factor results/.exec(text);
  if (!m) throw new Error(`no factor engine row in:\n${text}`);
  return [Number(m[1].replaceAll(',', '')), Number(m[2].replaceAll(',', ''))];
}

/** The demo summary's latest factor returns (fractions) by name. */
export function factorTable(text: string): Record<string, number> {
  const m = /\n {2}bar \d+: R2 \S+ over \d+ symbols\n {2}(.+)\n {2}(.+)\n/.exec(text);
  if (!m) throw new Error(`no factor table in:\n${text}`);
  const names = m[1].trim().split(/\s+/);
  const values = m[2]
    .trim()
    .split(/\s+/)
    .map((v) => Number(v.replace('%', '')) / 100);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}
