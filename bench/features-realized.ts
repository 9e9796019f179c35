/**
 * Features family, realized measures: each measure over 20 days x 10^6 prices (the VPIN section's
 * cent-grid prices, 86 ms apart within a day), native, in prices/s (issue 55's target: >= 500 M
 * prices/s for RV, BV and MedRV, the realized kernel >= 0.2x RV's rate: its ratio to RV in rounds
 * alternating with it); native against the reference on one day; the numpy port of highfrequency's
 * formulas (bench/peers/realized.json, timed by hand by bench/peers/realized.py: target >= 50x),
 * when the file is there.
 */
import { readFileSync } from 'node:fs';
import type { kernels } from '../src/api/index.js';
import { centGrid } from './inputs.js';
import { median, timeBest, type BenchRow } from './lib.js';

const DAYS = 20;
const PER_DAY = 1e6;
const N = DAYS * PER_DAY;
const DAY_MS = 86_400_000;
const rate = (n: number, ms: number) => n / (ms / 1000);

type Kernels = ReturnType<typeof kernels>;
type Case = [label: string, run: (k: Kernels, price: Float64Array, ts: Float64Array) => unknown, target: string];

const CASES: Case[] = [
  ['realizedVariance', (k, p, ts) => k.realizedVariance(p, { ts }), 'target >= 500 M/s'],
  ['bipowerVariation', (k, p, ts) => k.bipowerVariation(p, { ts }), 'target >= 500 M/s'],
  ['medRV', (k, p, ts) => k.medRV(p, { ts }), 'target >= 500 M/s'],
  ['minRV', (k, p, ts) => k.minRV(p, { ts }), ''],
  ['realizedSemivariance', (k, p, ts) => k.realizedSemivariance(p, { ts }), ''],
  ['twoScaleRV k 300', (k, p, ts) => k.twoScaleRV(p, { ts }), ''],
  ['realizedKernel parzen, bandwidth 1', (k, p, ts) => k.realizedKernel(p, { ts, kernel: 'parzen' }), 'target >= 0.2x RV'],
  ['realizedKernel parzen, bandwidth 10', (k, p, ts) => k.realizedKernel(p, { ts, kernel: 'parzen', bandwidth: 10 }), ''],
];

/** bench/peers/realized.json: the numpy port timed by hand. */
interface RealizedPeers {
  date: string;
  machine: { loadAverage: number[] };
  versions: Record<string, string>;
  results: { case: string; prices: number; seconds: number }[];
}

function peers(): RealizedPeers | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./peers/realized.json', import.meta.url), 'utf8')) as RealizedPeers;
  } catch {
    return undefined;
  }
}

/** The 20-day tape: cent-grid prices, each day 10^6 of them 86 ms apart. */
function tape(): { price: Float64Array; ts: Float64Array } {
  const { price } = centGrid(N);
  const ts = new Float64Array(N);
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < N; i++) ts[i] = start + Math.floor(i / PER_DAY) * DAY_MS + (i % PER_DAY) * 86;
  return { price, ts };
}

/**
 * The rows of the realized measures (native and reference given): realizedVariance's rate as a
 * fraction of the section's yardstick (VPIN's 60 s bars over 10^7 trades, `yardstick`: the memory
 * bound on this machine in this run), the others' as a fraction of realizedVariance's.
 */
export function realizedRows(nat: Kernels, ref: Kernels, yardstick: () => unknown): BenchRow[] {
  const rows: BenchRow[] = [];
  const { price, ts } = tape();
  const rvRun = () => nat.realizedVariance(price, { ts });
  const rates: Record<string, number> = {};
  for (const [label, run, target] of CASES) {
    const ratios: number[] = [];
    const r: number[] = [];
    const first = label === 'realizedVariance';
    for (let round = 0; round < 5; round++) {
      // per price against the yardstick's per trade (10^7 of them)
      const base = first ? timeBest(yardstick, { minMs: 1, minRuns: 2 }) * (N / 1e7) : timeBest(rvRun, { minMs: 1, minRuns: 2 });
      const ms = timeBest(() => run(nat, price, ts), { minMs: 1, minRuns: 2 });
      ratios.push(base / ms);
      r.push(rate(N, ms));
    }
    rates[label] = median(r);
    rows.push({
      section: 'features',
      case: `${label}, ${DAYS} days x 10^6 prices`,
      subject: 'native',
      value: median(r),
      unit: 'prices/s',
      ratio: median(ratios),
      baseline: first ? 'vpin() bvc 60 s bars, native, per trade' : 'realizedVariance, native',
      note: target,
    });
  }
  const day = { price: price.subarray(0, PER_DAY), ts: ts.subarray(0, PER_DAY) };
  for (const [label, run] of CASES.slice(0, 3)) {
    const r = rate(
      PER_DAY,
      timeBest(() => run(ref, day.price, day.ts), { minMs: 1, minRuns: 3 }),
    );
    const n = rate(
      PER_DAY,
      timeBest(() => run(nat, day.price, day.ts), { minMs: 1, minRuns: 3 }),
    );
    rows.push({ section: 'features', case: `${label}, one day of 10^6 prices`, subject: 'reference', value: r, unit: 'prices/s' });
    rows.push({
      section: 'features',
      case: `${label}, one day of 10^6 prices`,
      subject: 'native',
      value: n,
      unit: 'prices/s',
      ratio: n / r,
      baseline: 'reference',
    });
  }
  const p = peers();
  for (const peer of p?.results ?? []) {
    const native = rates[peer.case];
    if (native === undefined) continue;
    const value = peer.prices / peer.seconds;
    rows.push({
      section: 'features',
      case: `${peer.case}, ${peer.prices} prices`,
      subject: 'numpy port',
      value,
      unit: 'prices/s',
      ratio: native / value,
      baseline: "native's rate over it",
      note: `bench/peers/realized.json (${Object.entries(p!.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), ${p!.date.slice(0, 10)}, load ${p!.machine.loadAverage[0]}: not side by side; target >= 50x`,
    });
  }
  return rows;
}
