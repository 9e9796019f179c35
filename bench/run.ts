/**
 * `npm run bench [-- --only vpin,risk,bus,redis] [-- --json <file>]`: every section side by side in one run,
 * printed as tables with ratios to each case's baseline. Each section that ran rewrites its own
 * bench/results/<section>.json (rows + machine) and .md (results.ts); the other sections' files are
 * left as they are. `--json <file>` also writes all the rows of this run to one file. Then
 * `npm run bench:readme` puts the new figures into README.md. `--no-write` leaves bench/results/ alone;
 * a section whose saved results hold figures this run lacks (a peer not installed) is not written
 * unless `--force-write`.
 *
 * `--against <git ref> [--rounds 3] [--confirm 2]`: this checkout against another commit, row by row, in
 * one run (bench/against.ts; `--confirm`: rounds more of a flagged row's section before the verdict);
 * `--json` then writes the comparison.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { runAgainst } from './against.js';
import type { BenchRow, BenchSection } from './lib.js';
import { busSection } from './bus.js';
import { backtestSection } from './backtest.js';
import { volatilitySection } from './volatility.js';
import { callsSection } from './calls.js';
import { redisSection } from './redis.js';
import { factorSection } from './factor.js';
import { featuresSection } from './features.js';
import { gatewaySection } from './gateway.js';
import { indicatorsSection } from './indicators.js';
import { indicatorsGridSection } from './indicators-grid.js';
import { ioSection } from './io.js';
import { labelingSection } from './labeling.js';
import { marginSection } from './margin.js';
import { mlSection } from './ml.js';
import { mlEngineSection } from './ml-engine.js';
import { pretradeSection } from './pretrade.js';
import { replaySection } from './replay.js';
import { portfolioSection } from './portfolio.js';
import { riskSection } from './risk.js';
import { strategySection } from './strategy.js';
import { freshOutputsSection } from './fresh-outputs.js';
import { formatFigure, formatRowRatio, lostFigures, machineMeta, writeSection } from './results.js';
import { startSpawner } from './spawner.js';
import { vpinSection } from './vpin.js';

const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    only: { type: 'string' },
    'no-write': { type: 'boolean' },
    'force-write': { type: 'boolean' },
    against: { type: 'string' },
    rounds: { type: 'string' },
    confirm: { type: 'string' },
  },
  allowPositionals: false,
});

const sections: BenchSection[] = [
  vpinSection,
  riskSection,
  factorSection,
  portfolioSection,
  featuresSection,
  labelingSection,
  marginSection,
  mlSection,
  mlEngineSection,
  pretradeSection,
  indicatorsSection,
  indicatorsGridSection,
  backtestSection,
  volatilitySection,
  callsSection,
  busSection,
  redisSection,
  gatewaySection,
  ioSection,
  replaySection,
  strategySection,
  freshOutputsSection,
];
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !sections.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown section ${unknown.join(', ')} (sections: ${sections.map((s) => s.name).join(', ')})`);
  process.exit(2);
}

/** A count option of --against: a whole number >= `least`, else exit 2 naming it. */
function count(name: 'rounds' | 'confirm', fallback: number, least: number): number {
  const value = Number(values[name] ?? fallback);
  if (!Number.isInteger(value) || value < least) {
    console.error(`--${name}: a whole number >= ${least}, got ${values[name]}`);
    process.exit(2);
  }
  return value;
}
if (values.against !== undefined) {
  const rounds = count('rounds', 3, 1);
  const confirm = count('confirm', 2, 0);
  process.exit(runAgainst({ ref: values.against, only, sections, rounds, confirm, json: values.json }));
}
for (const name of ['rounds', 'confirm'] as const) {
  if (values[name] !== undefined) {
    console.error(`--${name} goes with --against`);
    process.exit(2);
  }
}

// the peers run from a spawner started now, before the sections allocate: this process never forks
// while it times (bench/spawner.ts)
startSpawner();
const all: BenchRow[] = [];
for (const section of sections) {
  if (only && !only.includes(section.name)) continue;
  console.log(`\n## ${section.name}`);
  const rows = await section.run();
  if (rows.length === 0) {
    console.log(`${section.name}: no rows, bench/results/${section.name}.* left as they are`);
    continue;
  }
  all.push(...rows);
  console.table(
    rows.map((r) => ({
      case: r.case,
      subject: r.subject,
      value: formatFigure(r),
      ratio: formatRowRatio(r),
      note: r.note ?? '',
    })),
  );
  if (values['no-write']) continue;
  // a run without a peer (or a server) the saved table has figures of does not overwrite it
  const lost = lostFigures(section.name, rows);
  if (lost.length > 0 && !values['force-write']) {
    console.log(
      `${section.name}: bench/results/${section.name}.* left as they are: this run has no figure for ${lost.length} row(s) they hold (${lost.slice(0, 3).join('; ')}${lost.length > 3 ? '; ...' : ''}); KERNELBUS_PEERS_DIR or npm run bench:peers for the peers, --force-write to write anyway`,
    );
    continue;
  }
  const files = writeSection({ section: section.name, meta: machineMeta(section.name), rows });
  console.log(`wrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);
}

if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ meta: machineMeta(), rows: all }, null, 2)}\n`);
  console.log(`\nwrote ${values.json}`);
}
