/**
 * `kernelbus vpin <trades.csv> [options]`: VPIN from a CSV of trades; prints a summary and, with
 * --out, writes one CSV row per completed bucket.
 */
import { parseArgs } from 'node:util';
import { KernelInputError } from '../errors.js';
import { kernels } from '../api/kernels.js';
import { VPIN_DEFAULTS, type DistributionOption, type SigmaOption, type VpinOptions } from '../kernels/vpin.js';
import type { BackendChoice } from '../api/kernels.js';
import { readTradesCsv, writeBucketsCsv } from './csv.js';

export const VPIN_USAGE = `Usage: kernelbus vpin <trades.csv> [options]

Computes VPIN from a CSV of trades (header with ts, price, volume columns; ts in epoch ms or ISO 8601).

Options:
  --bucket-volume V     volume per bucket (default: average daily volume / 50)
  --window n            buckets per VPIN value (default ${VPIN_DEFAULTS.window})
  --bar-ms ms           time bar length (default ${VPIN_DEFAULTS.barMs})
  --classifier c        bvc | tick (default bvc)
  --price-change p      close | intra (default close)
  --sigma s             sample | <number> | rolling:<k> | ewma:<lambda> (default sample)
  --distribution d      normal | t:<nu> (default normal)
  --threshold x         CDF level counted as an alert (default 0.99)
  --backend b           auto | native | reference (default auto)
  --out file            write buckets as CSV (endTs,buyVolume,sellVolume,vpin,cdf)
`;

function number(value: string, flag: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x)) throw new KernelInputError(flag, 'a number', JSON.stringify(value));
  return x;
}

function parseSigma(value: string): SigmaOption {
  if (value === 'sample') return 'sample';
  const [kind, param] = value.split(':');
  if (kind === 'rolling' && param !== undefined) return { rolling: number(param, '--sigma rolling') };
  if (kind === 'ewma' && param !== undefined) return { ewma: number(param, '--sigma ewma') };
  return number(value, '--sigma');
}

function parseDistribution(value: string): DistributionOption {
  if (value === 'normal') return 'normal';
  const [kind, nu] = value.split(':');
  if ((kind === 't' || kind === 'studentT') && nu !== undefined) return { studentT: number(nu, '--distribution t') };
  throw new KernelInputError('--distribution', "'normal' or 't:<nu>'", JSON.stringify(value));
}

const DAY_MS = 86_400_000;

export async function runVpin(argv: string[], log = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'bucket-volume': { type: 'string' },
      window: { type: 'string' },
      'bar-ms': { type: 'string' },
      classifier: { type: 'string' },
      'price-change': { type: 'string' },
      sigma: { type: 'string' },
      distribution: { type: 'string' },
      threshold: { type: 'string', default: '0.99' },
      backend: { type: 'string', default: 'auto' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    log(VPIN_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new KernelInputError('trades.csv', 'one CSV file', `${positionals.length} arguments`);
  const started = performance.now();
  // Large files take a while: show progress on a terminal.
  const progress = process.stderr.isTTY ? (rows: number) => process.stderr.write(`\rread ${rows.toLocaleString('en-US')} trades`) : undefined;
  const trades = await readTradesCsv(positionals[0], progress);
  if (progress && trades.ts.length >= 1_000_000) process.stderr.write('\n');
  const n = trades.ts.length;
  const readMs = performance.now() - started;

  let bucketVolume: number;
  if (values['bucket-volume'] !== undefined) {
    bucketVolume = number(values['bucket-volume'], '--bucket-volume');
  } else {
    let total = 0;
    for (let i = 0; i < n; i++) total += trades.volume[i];
    const days = n === 0 ? 1 : Math.max(1, Math.ceil((trades.ts[n - 1] - trades.ts[0] + 1) / DAY_MS));
    bucketVolume = total / days / 50 || 1;
  }
  const options: VpinOptions = { bucketVolume };
  if (values.window !== undefined) options.window = number(values.window, '--window');
  if (values['bar-ms'] !== undefined) options.barMs = number(values['bar-ms'], '--bar-ms');
  if (values.classifier !== undefined) options.classifier = values.classifier as VpinOptions['classifier'];
  if (values['price-change'] !== undefined) options.priceChange = values['price-change'] as VpinOptions['priceChange'];
  if (values.sigma !== undefined) options.sigma = parseSigma(values.sigma);
  if (values.distribution !== undefined) options.distribution = parseDistribution(values.distribution);
  const threshold = number(values.threshold, '--threshold');

  const window = options.window ?? VPIN_DEFAULTS.window;
  const k = kernels({ backend: values.backend as BackendChoice });
  const t0 = performance.now();
  const out = k.vpin(trades, options);
  const computeMs = performance.now() - t0;

  let count = 0;
  let sum = 0;
  let max = -Infinity;
  let alerts = 0;
  for (let i = 0; i < out.vpin.length; i++) {
    const v = out.vpin[i];
    if (Number.isNaN(v)) continue;
    count++;
    sum += v;
    max = Math.max(max, v);
    // The CDF of the first values is trivially high: count alerts once `window` values are in.
    if (count > window && out.cdf[i] >= threshold) alerts++;
  }
  const last = count > 0 ? out.vpin[out.vpin.length - 1] : NaN;
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');
  log(`trades        ${n}`);
  log(`bucket volume ${bucketVolume}${values['bucket-volume'] === undefined ? ' (average daily volume / 50)' : ''}`);
  log(`buckets       ${out.vpin.length} (${count} with VPIN, window ${window})`);
  log(`VPIN          last ${fmt(last)}  mean ${fmt(count ? sum / count : NaN)}  max ${fmt(max)}`);
  log(`alerts        ${alerts} buckets with CDF >= ${threshold} (after ${window} VPIN values of warm-up)`);
  log(`time          read ${readMs.toFixed(1)} ms, vpin ${computeMs.toFixed(2)} ms (${k.backend} backend)`);
  if (values.out) {
    await writeBucketsCsv(values.out, out);
    log(`wrote         ${values.out}`);
  }
  return 0;
}
