/**
 * `npm run bench:readme [-- --check]`: regenerates the performance tables of docs/benchmarks.md (and the
 * charts bench/results/<section>.svg, chart.ts) from
 * bench/results/<section>.json. Each table block sits between `<!-- bench:<section>:start -->` and
 * `<!-- bench:<section>:end -->`; what is between them is replaced by the section's tables (laid out
 * by VIEWS below) and the line naming the command, the commit and the machine. The README's summary
 * (between `<!-- bench:summary:start -->` and `<!-- bench:summary:end -->`, readme-summary.ts) is
 * generated from the same results. Running it twice changes nothing. With `--check` it writes nothing
 * and exits 1 when docs/benchmarks.md or the README differs from what the results give (for CI).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { sectionChart } from './chart.js';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchRow } from './lib.js';
import { readmeSummary, SUMMARY_MARKERS } from './readme-summary.js';
import {
  formatFigure,
  formatRowRatio,
  formatValue,
  machineLine,
  markdownTable,
  readSection,
  savedSections,
  type SectionResults,
} from './results.js';

/** The page the tables live in (the README links to it); its links are relative to docs/. */
const PAGE_FILE = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const PAGE = 'docs/benchmarks.md';

/** One README table: some rows of a section, laid out for reading. */
interface TableView {
  /** Rows whose case matches (default: the rows no earlier table of the section took). */
  cases?: RegExp;
  /** Header of the first column. */
  title: string;
  /**
   * 'pivot' (default): a row per case, a column per subject, each cell the value and its ratio to the
   * case's baseline; 'sweep': a column per case, a row per subject (a size sweep on one line);
   * 'list': a row per row of the results, with its note.
   */
  layout?: 'pivot' | 'sweep' | 'list';
  /** Removed from case names (what the title or the units already say). */
  strip?: RegExp;
  /** Column headers of subjects (default: the subject); these subjects come first, in this order. */
  labels?: Record<string, string>;
}

/** Units in parentheses at the end of a case name: the cells carry them. */
const UNIT_SUFFIX = / \((?:msg\/s|ms|ns|µs)\)$/;
const ORIGINAL = { reported: 'original system (reported)' };

/** How each section's block is laid out; a section not named here gets one pivot table of all its rows. */
const VIEWS: Record<string, TableView[]> = {
  gateway: [
    {
      title: '200 clients x every served type, the demo at 200,000 trades/s, 60 s',
      layout: 'list',
      strip: /, 200 clients x every served type, demo at 200,000 trades\/s, 60 s$/,
    },
  ],
  vpin: [
    { cases: /^(vpin\(\) 10\^7|tickRule)/, title: '10^7 trades (ratio: to the 60 s-bar BVC figure on one thread)', layout: 'list' },
    { cases: /^vpin\(\) 10\^6/, title: '`vpin()` 10^6 trades', strip: /^vpin\(\) 10\^6 trades, / },
    { cases: /\(ms a call\)$/, title: '`bulkClassify()` beside tfjs (ms a call)', strip: / \(ms a call\)$/ },
    { cases: /^(bulkClassify|normalCdf)\(\) 10/, title: 'per value' },
    // 'sweep 64 trades' or 'auto sweep: vpin() 64 trades'; 'auto sweep: normalCdf() 64 values'
    {
      cases: /^(auto )?sweep:? (vpin\(\) )?\d/,
      title: '`vpin()`: trades per call',
      layout: 'sweep',
      strip: /^(auto )?sweep:? (vpin\(\) )?| trades$/g,
    },
    {
      cases: /^auto sweep: normalCdf/,
      title: '`normalCdf()`: values per call',
      layout: 'sweep',
      strip: /^auto sweep: normalCdf\(\) | values$/g,
    },
    { cases: /^auto threshold/, title: "`'auto'` backend", layout: 'list' },
  ],
  risk: [
    { cases: / (252 x 50|100 x 50|10,000 paths x 50)/, title: 'smaller inputs (tfjs beside native)' },
    {
      cases: /^(simpleReturns|logReturns|portfolioReturns|performanceStats|valueAtRisk|covariance|portfolioVolatility|componentVar) /,
      title: '2520 x 500 (ten years of daily returns, 500 assets)',
    },
    { cases: /^monteCarloVar /, title: 'Monte Carlo, 500 assets, one thread' },
    {
      cases: /^auto sweep: performanceStats/,
      title: '`performanceStats()`: values per call',
      layout: 'sweep',
      strip: /^auto sweep: performanceStats\(\) | values$/g,
    },
    {
      cases: /^auto sweep: covariance/,
      title: '`covariance()` of 252 rows: values per call',
      layout: 'sweep',
      strip: /^auto sweep: covariance\(\) 252 x N | values$/g,
    },
    {
      cases: /^auto sweep: portfolioVolatility/,
      title: '`portfolioVolatility()` of 100 portfolios: weights per call',
      layout: 'sweep',
      strip: /^auto sweep: portfolioVolatility\(\) 100 x N | values$/g,
    },
    { cases: /^auto threshold/, title: "`'auto'` backend", layout: 'list' },
  ],
  portfolio: [
    {
      cases: /^(minVariance|maxSharpe|maxUtility|efficientReturn|efficientRisk|efficientFrontier) (?!batch)/,
      title: 'the optimizers, 500 and 50 assets',
    },
    { cases: /^(minVariance|riskParity) batch/, title: 'batches of 1,000 rolling-window problems' },
    { cases: /^efficientFrontier batch/, title: 'a batch of 100 rolling-window frontiers' },
    {
      cases: /^auto sweep: minVariance/,
      title: '`minVariance()`: N x N values per call',
      layout: 'sweep',
      strip: /^auto sweep: minVariance\(\) N x N | values$/g,
    },
    { cases: /^(riskParity|hrp|nearestPsd|expectedReturns) (?!batch)/, title: 'the allocation kernels, 500 assets' },
    {
      cases: /^auto sweep: riskParity/,
      title: '`riskParity()`: N x N values per call',
      layout: 'sweep',
      strip: /^auto sweep: riskParity\(\) N x N | values$/g,
    },
    {
      cases: /^auto sweep: hrp/,
      title: '`hrp({ cov })`: N x N values per call',
      layout: 'sweep',
      strip: /^auto sweep: hrp\(\{ cov \}\) N x N | values$/g,
    },
    { cases: /^auto threshold/, title: "`'auto'` backend", layout: 'list' },
  ],
  factor: [
    { cases: / 63 x 500 /, title: 'a smaller panel (tfjs and blas beside native)' },
    { cases: /^(factorReturns|momentum|size|value|winsorize|standardize) /, title: 'toraniko-sized panels (3,000 assets)' },
    {
      cases: /^blas sweep: factorReturns/,
      title: '`factorReturns()` 252 x 3,000 x (1 + 11 + s): styles s',
      layout: 'sweep',
      strip: /^blas sweep: factorReturns\(\) 252 x 3,000 x \(1 \+ 11 \+ s\), s = | styles$/g,
    },
    {
      cases: /^auto sweep: standardize/,
      title: '`standardize()`: values per call',
      layout: 'sweep',
      strip: /^auto sweep: standardize\(\) | values$/g,
    },
    { cases: /^auto threshold/, title: "`'auto'` backend", layout: 'list' },
  ],
  labeling: [
    {
      title: 'labeling, ms a call (ratios: native over reference, 1 thread over the pool, mlfinlab over native, native over the bound)',
      labels: {
        native: 'native',
        'native, 1 thread': 'native, 1 thread',
        reference: 'reference',
        mlfinlab: 'mlfinlab (same run)',
        bound: 'bound',
      },
    },
  ],
  margin: [
    {
      title: 'margin, a call (ratios: native over reference, 1 thread over the pool, numpy over native, native over the bound)',
      labels: {
        native: 'native',
        'native, 1 thread': 'native, 1 thread',
        reference: 'reference',
        numpy: 'numpy (same run)',
        bound: 'bound',
      },
    },
  ],
  ml: [
    {
      cases: /500 trees x 63 leaves/,
      title: 'a binary LightGBM model of 500 trees x 63 leaves (ratios: native over reference, 1 thread over 2, LightGBM over native)',
      strip: /, 500 trees x 63 leaves \(binary\)/,
      labels: {
        native: 'native, 2 threads',
        'native, 1 thread': 'native, 1 thread',
        reference: 'reference (batches: on a slice, scaled)',
        LightGBM: 'LightGBM (same run)',
      },
    },
    {
      cases: /ONNX MLP/,
      title: "an ONNX MLP 50-64-64-1 (ratios: onnxruntime-node's time over ours, onnxruntime's (Python) over ours)",
      strip: /, ONNX MLP 50-64-64-1 \(float32\)/,
    },
  ],
  bus: [
    {
      cases: /^throughput/,
      title: 'in-process bus, single trade messages',
      strip: UNIT_SUFFIX,
      labels: { kernelbus: 'kernelbus', naive: 'naive bus (JSON, a handler call per message)', ...ORIGINAL },
    },
    {
      cases: /^latency/,
      title: 'in-process, publish to VPIN update',
      strip: UNIT_SUFFIX,
      labels: { kernelbus: 'kernelbus', naive: 'naive bus', ...ORIGINAL },
    },
  ],
  redis: [
    {
      cases: /Redis Cluster|^durability cost|^Redis CPU per million/,
      title: 'over a Redis Cluster (3 primaries and 1, a replica each; medians of 3 interleaved runs)',
      layout: 'list',
    },
    {
      cases: /^throughput/,
      title: 'over Redis, publisher process -> redis-server -> engine process',
      strip: UNIT_SUFFIX,
      labels: { 'redis, 2 processes': 'kernelbus over Redis', 'in-process bus': 'kernelbus in-process', ...ORIGINAL },
    },
    {
      cases: /^latency/,
      title: 'over Redis, publish to VPIN update',
      strip: UNIT_SUFFIX,
      labels: {
        'redis, 2 processes': 'kernelbus over Redis',
        'redis, at delivery': 'kernelbus over Redis, at delivery',
        'raw ioredis': 'plain ioredis (floor)',
        'in-process bus': 'kernelbus in-process',
        ...ORIGINAL,
      },
    },
    { cases: /^CPU/, title: 'CPU time', layout: 'list' },
  ],
};

/** Distinct values in order of first appearance. */
function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

function pivot(view: TableView, rows: BenchRow[], label: (c: string) => string): string {
  const known = Object.keys(view.labels ?? {});
  const present = distinct(rows.map((r) => r.subject));
  const subjects = [...known.filter((s) => present.includes(s)), ...present.filter((s) => !known.includes(s))];
  const body = distinct(rows.map((r) => r.case)).map((c) => [
    label(c),
    ...subjects.map((s) => {
      const row = rows.find((r) => r.case === c && r.subject === s);
      if (!row) return '';
      const ratio = formatRowRatio(row);
      return ratio ? `${formatFigure(row)} (${ratio})` : formatFigure(row);
    }),
  ]);
  return markdownTable([view.title, ...subjects.map((s) => view.labels?.[s] ?? s)], body);
}

function sweep(view: TableView, rows: BenchRow[], label: (c: string) => string): string {
  const cases = distinct(rows.map((r) => r.case));
  const body = distinct(rows.map((r) => r.subject)).map((s) => {
    const of = rows.filter((r) => r.subject === s);
    return [`${s} (${of[0].unit})`, ...cases.map((c) => formatValue(of.find((r) => r.case === c)?.value))];
  });
  return markdownTable([view.title, ...cases.map(label)], body);
}

function list(view: TableView, rows: BenchRow[], label: (c: string) => string): string {
  return markdownTable(
    [view.title, 'subject', 'value', 'ratio', 'note'],
    rows.map((r) => [label(r.case), r.subject, formatFigure(r), formatRowRatio(r) ?? '', r.note ?? '']),
  );
}

/** The block of a section: its tables, then the machine line and a link to every row with its notes. */
function block(results: SectionResults): string {
  const views = VIEWS[results.section] ?? [{ title: results.section }];
  let left = results.rows;
  const tables: string[] = [];
  const render = (view: TableView, rows: BenchRow[]) => {
    const label = (c: string) => (view.strip ? c.replace(view.strip, '') : c);
    const layout = view.layout === 'sweep' ? sweep : view.layout === 'list' ? list : pivot;
    tables.push(layout(view, rows, label));
  };
  for (const view of views) {
    const rows = left.filter((r) => !view.cases || view.cases.test(r.case));
    left = left.filter((r) => !rows.includes(r));
    if (rows.length > 0) render(view, rows);
  }
  // Cases no view expected (a section that grew): shown rather than dropped.
  if (left.length > 0) render({ title: `${results.section}, other cases` }, left);
  const file = `bench/results/${results.section}.md`;
  const chart = sectionChart(results) ? [`![bench: ${results.section}](../bench/results/${results.section}.svg)`] : [];
  return [...tables, ...chart, `_${machineLine(results.meta)}; every row with its notes: [${file}](../${file})._`].join('\n\n');
}

const MARKERS = /<!-- bench:([\w-]+):start -->[\s\S]*?<!-- bench:\1:end -->/g;

/** README text with every bench block regenerated; throws when a block has no results file. */
function regenerate(readme: string): string {
  return readme.replace(MARKERS, (_, section: string) => {
    const results = readSection(section);
    if (!results)
      throw new Error(
        `${PAGE} has a bench:${section} block but bench/results/${section}.json is missing: run npm run bench -- --only ${section}`,
      );
    return `<!-- bench:${section}:start -->\n${block(results)}\n<!-- bench:${section}:end -->`;
  });
}

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } }, allowPositionals: false });
const before = readFileSync(PAGE_FILE, 'utf8');
const starts = [...before.matchAll(/<!-- bench:([\w-]+):start -->/g)].map((m) => m[1]);
const blocks = [...before.matchAll(MARKERS)].map((m) => m[1]);
for (const section of starts.filter((s) => !blocks.includes(s))) {
  console.error(`${PAGE}: <!-- bench:${section}:start --> has no matching <!-- bench:${section}:end -->`);
  process.exit(2);
}
for (const section of savedSections().filter((s) => !blocks.includes(s)))
  console.warn(`note: bench/results/${section}.json has no bench:${section} block in ${PAGE}`);

let after: string;
try {
  after = regenerate(before);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
// The README's summary, from the same results
const README_FILE = fileURLToPath(new URL('../README.md', import.meta.url));
const readmeBefore = readFileSync(README_FILE, 'utf8');
if (!SUMMARY_MARKERS.test(readmeBefore)) {
  console.error('README.md has no <!-- bench:summary:start --> ... <!-- bench:summary:end --> block');
  process.exit(2);
}
const readmeAfter = readmeBefore.replace(SUMMARY_MARKERS, () => readmeSummary(readSection));
/** Each block's chart, bench/results/<section>.svg, from its results: [path, svg] (none without ratios). */
const charts = blocks.flatMap((section) => {
  const svg = sectionChart(readSection(section)!);
  return svg ? [[fileURLToPath(new URL(`./results/${section}.svg`, import.meta.url)), svg] as const] : [];
});
const staleCharts = charts.filter(([path, svg]) => !existsSync(path) || readFileSync(path, 'utf8') !== svg);
if (!values.check) for (const [path, svg] of staleCharts) writeFileSync(path, svg);

if (values.check) {
  if (staleCharts.length > 0) {
    console.error('bench/results/*.svg are out of date with bench/results/*.json: run npm run bench:readme');
    process.exit(1);
  }
  if (after !== before || readmeAfter !== readmeBefore) {
    console.error(`${after !== before ? PAGE : 'README.md'} is out of date with bench/results/*.json: run npm run bench:readme`);
    process.exit(1);
  }
  console.log(`${PAGE} and README.md's summary are up to date (${blocks.join(', ')})`);
} else {
  if (readmeAfter !== readmeBefore) {
    writeFileSync(README_FILE, readmeAfter);
    console.log('README.md: regenerated the benchmark summary');
  }
  if (after !== before) {
    writeFileSync(PAGE_FILE, after);
    console.log(`${PAGE}: regenerated ${blocks.join(', ')}`);
  } else {
    console.log(`${PAGE}: already up to date`);
  }
}
