/**
 * `kernelbus vpin <trades> [options]`: VPIN from a table of trades (CSV, TSV, gzip, Parquet, Arrow,
 * stdin), of every symbol when the file has a symbol column; prints a summary (per symbol) and, with
 * --out, writes one row per completed bucket (--daily: one per calendar day, dailyVpin), in any format.
 */
import { KernelInputError } from '../errors.js';
import { requireTimeZone } from '../kernels/calendar.js';
import { dailyVpin } from '../kernels/vpin/daily-vpin.js';
import { DEFAULT_CDF_WINDOW, VPIN_DEFAULTS, type DistributionOption, type SigmaOption, type VpinOptions } from '../kernels/vpin/vpin.js';
import { badTradesFlag, badTradesUsage } from './bad-trades.js';
import { INPUT_FLAGS, INPUT_USAGE, readJson, readNotes } from './input.js';
import { backendUsed } from './observe.js';
import { flag, onePositional, parseCommand, parseFinite, text, type Flag } from './options.js';
import { fixed, labelled, table } from './summary.js';
import { bucketsTable, dailyTable, readTradeGroups, type SymbolVpin, vpinBySymbol } from './vpin-symbols.js';

export const VPIN_USAGE = `Usage: kernelbus vpin <trades.{csv,tsv,csv.gz,parquet,arrow}|-> [options]

Computes VPIN from a table of trades: columns ts (or timestamp, time: epoch s/ms/us/ns or ISO 8601),
price (px), volume (size, qty, quantity), any order and case; bid and ask (offer) too for a quote
classifier (an empty field or NA where there is no quote). A file with a symbol column (symbol, sym,
ticker, instrument, or --symbol-column) is a tape of many symbols: each symbol's VPIN is computed (all
at once, on the backend's threads; each with its own bid/ask), and printed and written per symbol.

Options:
  --bucket-volume V     volume per bucket (default: each symbol's average daily volume / 50)
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
  --cdf-window n        VPIN values the CDF ranks each among, or all (default ${DEFAULT_CDF_WINDOW})
  --backend b           auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --symbol-column name  the symbol column (default: symbol, sym, ticker or instrument when present)
  --symbols A,B         only these symbols (in this order)
  --out file            write the buckets ([symbol,]startTs,endTs,duration,buyVolume,sellVolume,vpin,cdf)
                        as .csv, .tsv, .jsonl, .parquet or .arrow (by extension; .gz for text); - : stdout
  --daily file          write daily VPIN ([symbol,]day,vpin,weightedVpin,buckets,vpinBuckets), any format as
                        --out: per calendar day of the buckets' starts, the mean and the duration-weighted
                        mean (dailyVpin)
  --tz zone             the days of --daily in an IANA time zone (default UTC)
${badTradesUsage('fail')}
${INPUT_USAGE}`;

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
  'cdf-window': {
    type: 'string',
    parse: (raw, name) => (raw === undefined || raw === 'all' ? text(raw) : parseFinite(text(raw)!, name)),
  } satisfies Flag<number | string | undefined>,
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
  'symbol-column': flag.name(),
  symbols: flag.symbols(),
  'bad-trades': badTradesFlag('fail'),
  ...INPUT_FLAGS,
};

/** Runs the command with its arguments (without `vpin`); output lines go to `log`. Returns the exit code. */
export async function runVpin(argv: string[], log = console.log): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(VPIN_USAGE), positionals: onePositional('trades', 'one file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  // the kernels, the reader and the writer load once the options are parsed (--help loads none of them)
  const [{ commandKernels }, { writeFormatOf, writeTable }] = await Promise.all([import('./kernels.js'), import('../io/index.js')]);
  if (values.tz !== undefined && values.daily === undefined) throw new KernelInputError('--tz', 'with --daily', JSON.stringify(values.tz));
  // checked up front (before the read), but only when given: Intl's first use costs ~30 ms
  const tz = values.tz === undefined ? 'UTC' : requireTimeZone(values.tz, '--tz');
  if (values.out !== undefined) writeFormatOf(values.out, undefined, '--out');
  if (values.daily !== undefined) writeFormatOf(values.daily, undefined, '--daily');
  const k = await commandKernels(values.backend);
  const started = performance.now();
  const { read, readMs, groups } = await readTradeGroups(positionals[0], values);
  const { trades, symbols } = read;
  const n = trades.ts.length;

  const options: Omit<VpinOptions, 'bucketVolume'> = {};
  if (values.window !== undefined) options.window = values.window;
  if (values['bar-ms'] !== undefined) options.barMs = values['bar-ms'];
  if (values['cdf-window'] !== undefined) options.cdfWindow = values['cdf-window'] as number | 'all'; // checked by vpin()
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
  const t0 = performance.now();
  const results = await vpinBySymbol(k, groups, options, values['bucket-volume'], threshold, window);
  const computeMs = performance.now() - t0;

  const backend = await backendUsed(k.backend);
  if (values.out) await writeTable(values.out, bucketsTable(results));
  if (values.daily) await writeTable(values.daily, dailyTable(results.map((r) => ({ symbol: r.symbol, daily: dailyVpin(r.out, { tz }) }))));
  const wrote = [values.out, values.daily].filter((f) => f !== undefined);
  // a table written to stdout keeps stdout to itself: the summary goes to stderr
  if (wrote.includes('-')) log = (line: string) => console.error(line);
  const multi = symbols !== undefined;
  if (values.json) {
    const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(12)) : null);
    const figures = (r: SymbolVpin) => ({
      trades: r.trades,
      bucketVolume: r.bucketVolume,
      window,
      buckets: r.out.vpin.length,
      withVpin: r.count,
      vpin: { last: round(r.last), mean: round(r.mean), max: round(r.max) },
      threshold,
      alerts: r.alerts,
    });
    const body = multi
      ? {
          trades: n,
          window,
          threshold,
          symbols: results.map((r) => {
            const { window: _, threshold: __, ...own } = figures(r);
            return { symbol: r.symbol, ...own };
          }),
        }
      : figures(results[0]);
    log(
      JSON.stringify(
        {
          input: positionals[0] === '-' ? 'stdin' : positionals[0],
          ...body,
          backend,
          ms: { read: round(readMs), vpin: round(computeMs) },
          ...readJson(read.info, n, readMs / 1000, computeMs / 1000, started / 1000),
          ...(wrote.length > 0 ? { wrote: wrote.join(', ') } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const layout = { width: 13 };
  const notes = readNotes(read.info);
  if (multi) {
    log(
      `${n} trades, ${results.length} symbol${results.length === 1 ? '' : 's'}${groups.length < (symbols?.values.length ?? 0) ? ' (--symbols)' : ''}; window ${window}, alerts at CDF >= ${threshold} after ${window} VPIN values`,
    );
    const rows = results.map((r) => [
      r.symbol ?? '',
      String(r.trades),
      String(Number(r.bucketVolume.toPrecision(6))),
      String(r.out.vpin.length),
      String(r.count),
      fixed(r.last, 4),
      fixed(r.mean, 4),
      fixed(r.max, 4),
      String(r.alerts),
    ]);
    for (const line of table(['symbol', 'trades', 'bucket vol', 'buckets', 'with VPIN', 'last', 'mean', 'max', 'alerts'], rows)) log(line);
  } else {
    const r = results[0];
    for (const line of labelled(
      [
        ['trades', `${n}`],
        ['bucket volume', `${r.bucketVolume}${values['bucket-volume'] === undefined ? ' (average daily volume / 50)' : ''}`],
        ['buckets', `${r.out.vpin.length} (${r.count} with VPIN, window ${window})`],
        ['VPIN', `last ${fixed(r.last, 4)}  mean ${fixed(r.mean, 4)}  max ${fixed(r.max, 4)}`],
        ['alerts', `${r.alerts} buckets with CDF >= ${threshold} (after ${window} VPIN values of warm-up)`],
      ],
      layout,
    ))
      log(line);
  }
  const timing = `read ${readMs.toFixed(1)} ms, vpin ${computeMs.toFixed(2)} ms (${backend} backend)`;
  for (const line of labelled(
    [
      ['time', timing],
      ...notes.map((note) => ['input', note] as const),
      ...(wrote.length > 0 ? [['wrote', wrote.join(', ')] as const] : []),
    ],
    layout,
  ))
    log(line);
  return 0;
}
