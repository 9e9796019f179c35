/**
 * `kernelbus vpin <trades.csv> [options]`: VPIN from a CSV of trades; prints a summary and, with
 * --out, writes one CSV row per completed bucket (--daily: one per calendar day, dailyVpin).
 */
import { kernels } from '../api/kernels.js';
import { KernelInputError } from '../errors.js';
import { requireTimeZone } from '../kernels/calendar.js';
import { dailyVpin } from '../kernels/daily-vpin.js';
import { VPIN_DEFAULTS, type DistributionOption, type SigmaOption, type VpinOptions } from '../kernels/vpin.js';
import { readTradesCsv, writeBucketsCsv, writeDailyCsv } from './csv.js';
import { backendUsed } from './observe.js';
import { CSV_FLAGS, CSV_USAGE, csvProgress, flag, onePositional, parseCommand, parseFinite, text, type Flag } from './options.js';
import { fixed, labelled } from './summary.js';

export const VPIN_USAGE = `Usage: kernelbus vpin <trades.csv|-> [options]

Computes VPIN from a CSV of trades (header with ts, price, volume columns; ts in epoch ms or ISO 8601;
bid and ask columns too for a quote classifier, an empty field or NA where there is no quote).

Options:
  --bucket-volume V     volume per bucket (default: average daily volume / 50)
  --window n            buckets per VPIN value (default ${VPIN_DEFAULTS.window})
  --bar-ms ms           time bar length (default ${VPIN_DEFAULTS.barMs})
  --classifier c        bvc | tick | a quote classifier: quote, lee-ready, emo, clnv, reverse-tick,
                        reverse-lee-ready, reverse-emo, reverse-clnv (default bvc)
  --quote-lag-ms ms     a quote classifier's quote lag (default 0)
  --lag-from f          quotes | trades: the lag over the quote times, or PINstimation's timelag over
                        the trade rows (default quotes)
  --convention c        tclf | pinstimation (default tclf)
  --price-change p      close | intra (default close)
  --sigma s             sample | <number> | rolling:<k> | ewma:<lambda> (default sample)
  --distribution d      normal | t:<nu> (default normal)
  --threshold x         CDF level counted as an alert (default 0.99)
  --backend b           auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --out file            write buckets as CSV (startTs,endTs,duration,buyVolume,sellVolume,vpin,cdf)
  --daily file          write daily VPIN as CSV (day,vpin,weightedVpin,buckets,vpinBuckets): per calendar
                        day of the buckets' starts, the mean and the duration-weighted mean (dailyVpin)
  --tz zone             the days of --daily in an IANA time zone (default UTC)
${CSV_USAGE}`;

function parseSigma(value: string): SigmaOption {
  if (value === 'sample') return 'sample';
  const [kind, param] = value.split(':');
  if (kind === 'rolling' && param !== undefined) return { rolling: parseFinite(param, '--sigma rolling') };
  if (kind === 'ewma' && param !== undefined) return { ewma: parseFinite(param, '--sigma ewma') };
  return parseFinite(value, '--sigma');
}

function parseDistribution(value: string): DistributionOption {
  if (value === 'normal') return 'normal';
  const [kind, nu] = value.split(':');
  if ((kind === 't' || kind === 'studentT') && nu !== undefined) return { studentT: parseFinite(nu, '--distribution t') };
  throw new KernelInputError('--distribution', "'normal' or 't:<nu>'", JSON.stringify(value));
}

/** The flags of `kernelbus vpin`: numbers are checked for being numbers here, for their range by vpin(). */
const FLAGS = {
  'bucket-volume': flag.finite(),
  window: flag.finite(),
  'bar-ms': flag.finite(),
  classifier: flag.classifier(false),
  'quote-lag-ms': flag.finite(),
  'lag-from': flag.string(),
  convention: flag.string(),
  'price-change': flag.string(),
  sigma: { type: 'string', parse: (raw) => (raw === undefined ? undefined : parseSigma(text(raw)!)) } satisfies Flag<
    SigmaOption | undefined
  >,
  distribution: { type: 'string', parse: (raw) => (raw === undefined ? undefined : parseDistribution(text(raw)!)) } satisfies Flag<
    DistributionOption | undefined
  >,
  threshold: { type: 'string', parse: (raw, name) => parseFinite(text(raw) ?? '0.99', name) } satisfies Flag<number>,
  backend: flag.anyBackend(),
  out: flag.string(),
  daily: flag.string(),
  tz: flag.string(),
  ...CSV_FLAGS,
};

const DAY_MS = 86_400_000;

/** Runs the command with its arguments (without `vpin`); output lines go to `log`. Returns the exit code. */
export async function runVpin(argv: string[], log = console.log): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(VPIN_USAGE), positionals: onePositional('trades.csv', 'one CSV file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (values.tz !== undefined && values.daily === undefined) throw new KernelInputError('--tz', 'with --daily', JSON.stringify(values.tz));
  const tz = requireTimeZone(values.tz ?? 'UTC', '--tz');
  const started = performance.now();
  // Large files take a while: show progress on a terminal.
  const progress = csvProgress('trades');
  const trades = await readTradesCsv(positionals[0], { delimiter: values.delimiter, onProgress: progress });
  if (progress && trades.ts.length >= 1_000_000) process.stderr.write('\n');
  const n = trades.ts.length;
  const readMs = performance.now() - started;

  let bucketVolume: number;
  if (values['bucket-volume'] !== undefined) {
    bucketVolume = values['bucket-volume'];
  } else {
    let total = 0;
    for (let i = 0; i < n; i++) total += trades.volume[i];
    const days = n === 0 ? 1 : Math.max(1, Math.ceil((trades.ts[n - 1] - trades.ts[0] + 1) / DAY_MS));
    bucketVolume = total / days / 50 || 1;
  }
  const options: VpinOptions = { bucketVolume };
  if (values.window !== undefined) options.window = values.window;
  if (values['bar-ms'] !== undefined) options.barMs = values['bar-ms'];
  if (values.classifier !== undefined) options.classifier = values.classifier;
  // the quote classifier's options (their values checked by vpin(), as options.classifier.*)
  const quoteFlags = [
    ['quote-lag-ms', 'quoteLagMs', values['quote-lag-ms']],
    ['lag-from', 'lagFrom', values['lag-from']],
    ['convention', 'convention', values.convention],
  ] as const;
  for (const [flagName, key, value] of quoteFlags) {
    if (value === undefined) continue;
    if (typeof options.classifier !== 'object') {
      throw new KernelInputError(`--${flagName}`, 'to come with a quote classifier (--classifier lee-ready, ...)', 'none');
    }
    Object.assign(options.classifier, { [key]: value });
  }
  if (values['price-change'] !== undefined) options.priceChange = values['price-change'] as VpinOptions['priceChange'];
  if (values.sigma !== undefined) options.sigma = values.sigma;
  if (values.distribution !== undefined) options.distribution = values.distribution;
  const threshold = values.threshold;

  const window = options.window ?? VPIN_DEFAULTS.window;
  const k = kernels({ backend: values.backend });
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
  const backend = await backendUsed(k.backend);
  if (values.out) await writeBucketsCsv(values.out, out);
  if (values.daily) await writeDailyCsv(values.daily, dailyVpin(out, { tz }));
  const wrote = [values.out, values.daily].filter((f) => f !== undefined);
  if (values.json) {
    const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(12)) : null);
    log(
      JSON.stringify(
        {
          input: positionals[0] === '-' ? 'stdin' : positionals[0],
          trades: n,
          bucketVolume,
          window,
          buckets: out.vpin.length,
          withVpin: count,
          vpin: { last: round(last), mean: round(count ? sum / count : NaN), max: round(max) },
          threshold,
          alerts,
          backend,
          ms: { read: round(readMs), vpin: round(computeMs) },
          ...(wrote.length > 0 ? { wrote: wrote.join(', ') } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const layout = { width: 13 };
  for (const line of labelled(
    [
      ['trades', `${n}`],
      ['bucket volume', `${bucketVolume}${values['bucket-volume'] === undefined ? ' (average daily volume / 50)' : ''}`],
      ['buckets', `${out.vpin.length} (${count} with VPIN, window ${window})`],
      ['VPIN', `last ${fixed(last, 4)}  mean ${fixed(count ? sum / count : NaN, 4)}  max ${fixed(max, 4)}`],
      ['alerts', `${alerts} buckets with CDF >= ${threshold} (after ${window} VPIN values of warm-up)`],
      ['time', `read ${readMs.toFixed(1)} ms, vpin ${computeMs.toFixed(2)} ms (${backend} backend)`],
    ],
    layout,
  ))
    log(line);
  if (wrote.length > 0) {
    for (const line of labelled([['wrote', wrote.join(', ')]], layout)) log(line);
  }
  return 0;
}
