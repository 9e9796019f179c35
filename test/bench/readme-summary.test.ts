/**
 * The README's benchmark summary is generated from bench/results/*.json (bench/readme-summary.ts): its
 * figures are the tables' own, and the committed README holds exactly what the results give.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BenchRow } from '../../bench/lib.js';
import { readmeSummary, SUMMARY_MARKERS } from '../../bench/readme-summary.js';
import { readSection, type SectionResults } from '../../bench/results.js';

const meta = { date: '2026-11-25T10:00:00Z', node: 'v20.20.2', platform: 'linux-x64', cpu: 'Test CPU', cores: 2, memory: 1, os: 'Linux' };
const row = (section: string, c: string, subject: string, value: number, ratio?: number): BenchRow => ({
  section,
  case: c,
  subject,
  value,
  unit: 'x',
  ...(ratio === undefined ? {} : { ratio }),
});

describe('README benchmark summary', () => {
  it('prints the results figures as the tables format them', () => {
    const results: Record<string, SectionResults> = {
      vpin: {
        section: 'vpin',
        meta,
        rows: [
          row('vpin', 'vpin() 10^7 trades, bvc, 60 s bars', 'native', 1.49e9, 1),
          row('vpin', 'vpin() 10^7 trades, bvc, 60 s bars', 'reference', 58.5e6, 0.0393),
          row('vpin', 'vpin() 10^6 trades, bvc, 10 ms bars', 'native', 30.8e6, 11.6),
          row('vpin', 'vpin() 10^6 trades, bvc, 1 s bars', 'native', 1.51e9, 22.6),
        ],
      },
      bus: {
        section: 'bus',
        meta,
        rows: [
          row('bus', 'throughput, single trades end to end (msg/s)', 'kernelbus', 9.15e6),
          row('bus', 'throughput, single trades end to end (msg/s)', 'reported', 6680),
          row('bus', 'latency p50 @ 6.7k msg/s (ms)', 'kernelbus', 0.006),
        ],
      },
    };
    const command = (c: string, value: number, ratio: number, baseline: string, note: string): BenchRow => ({
      ...row('io', c, 'kernelbus', value, ratio),
      unit: 'ms',
      baseline,
      note,
    });
    results.io = {
      section: 'io',
      meta,
      rows: [
        command(
          'kernelbus vpin, 10^7 trades CSV (241 MB), end to end',
          419,
          1.17,
          'polars.read_csv alone (0.357 s)',
          'best of 3; issue 56 target <= 1.5x polars.read_csv: met',
        ),
        command(
          'kernelbus risk, 2520 x 500 returns CSV (15 MB), end to end',
          178,
          5.55,
          'polars.read_csv alone (0.032 s)',
          'issue 56 target <= 2x polars.read_csv: not met; floor: node -e 0 68 ms',
        ),
      ],
    };
    const text = readmeSummary((s) => results[s]);
    expect(text).toContain(
      'the whole process (start, read, VPIN, write): CSV 419 ms (1.17x polars.read_csv alone (0.357 s); target <= 1.5x: met); `kernelbus risk` on 2,520 x 500 returns 178 ms (5.55x polars.read_csv alone (0.032 s); target <= 2x: not met).',
    );
    expect(text).toContain('In short, on Test CPU, 2 cores, Node 20.20.2');
    expect(text).toContain(
      "- **VPIN**: `vpin()` over 10^7 trades at 1490 M trades/s native, 25.5x the reference's 58.5 M trades/s (60 s bars, BVC); 11.6x-22.6x the reference at 10^6 trades",
    );
    expect(text).toContain('9.15 M single-trade messages/s end to end into the VPIN engine (1370x the 6,680 msg/s');
    expect(text).toContain('6 µs p50');
    expect(readmeSummary(() => undefined)).toContain('- **VPIN**: no results yet (`npm run bench -- --only vpin`).');
  });

  it('the committed README holds what bench/results/*.json give', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = readme.match(SUMMARY_MARKERS)?.[0];
    expect(block).toBe(readmeSummary(readSection));
  });
});
