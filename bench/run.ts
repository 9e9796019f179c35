/**
 * `npm run bench [-- --json results.json] [-- --only vpin,bus]`: every section side by side in one
 * run, printed as tables with ratios to each case's baseline.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BenchRow, BenchSection } from './lib.js';
import { busSection } from './bus.js';
import { redisSection } from './redis.js';
import { vpinSection } from './vpin.js';

const { values } = parseArgs({
  options: { json: { type: 'string' }, only: { type: 'string' } },
  allowPositionals: false,
});

const sections: BenchSection[] = [vpinSection, busSection, redisSection];
const only = values.only?.split(',');

function format(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value >= 10 ? value.toFixed(1) : value.toPrecision(3);
}

const all: BenchRow[] = [];
for (const section of sections) {
  if (only && !only.includes(section.name)) continue;
  console.log(`\n## ${section.name}`);
  const rows = await section.run();
  all.push(...rows);
  console.table(
    rows.map((r) => ({
      case: r.case,
      subject: r.subject,
      value: `${format(r.value)} ${r.unit}`,
      ratio: r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
      note: r.note ?? '',
    })),
  );
}

if (values.json) {
  const meta = { date: new Date().toISOString(), node: process.version, platform: `${process.platform}-${process.arch}` };
  writeFileSync(values.json, `${JSON.stringify({ meta, rows: all }, null, 2)}\n`);
  console.log(`\nwrote ${values.json}`);
}
