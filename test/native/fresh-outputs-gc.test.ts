/**
 * Large fresh outputs are plain V8-owned typed arrays the caller keeps as long as it likes
 * (docs/backends.md, Fresh outputs and the collector): results kept alive while many more are
 * allocated, dropped and collected (scavenges and full collections) keep their values, the
 * reference's; and dropping every result leaves the resident set bounded (a child process with
 * --expose-gc, no timing).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { kernels, matrix } from '../../src/index.js';
import { inCI, ref } from '../helpers/backends.js';
import { expectColumnsClose, expectVpinClose } from '../helpers/compare.js';
import { centGrid } from '../helpers/trades.js';

const loaded = loadNative();
const suite = loaded.binding || inCI ? describe : describe.skip;
const root = join(import.meta.dirname, '..', '..');

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** A seeded random walk of n closes. */
function walk(n: number, seed: number): Float64Array {
  let s = seed;
  const out = new Float64Array(n);
  let x = 100;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    x *= 1 + 0.02 * (s / 2147483647 - 0.5);
    out[i] = x;
  }
  return out;
}

/** Whether two results hold the same arrays, bit for bit (a byte compare: toEqual walks each element). */
function sameBits(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const bytes = (v: unknown) => {
    const view = v as Float64Array;
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  };
  return Object.keys(b).every((k) => (ArrayBuffer.isView(b[k]) ? bytes(a[k]).equals(bytes(b[k])) : Object.is(a[k], b[k])));
}

/** Every array of a result, copied (what it held when it was returned). */
const copyOf = (r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, ArrayBuffer.isView(v) ? (v as Float64Array).slice() : v]));

suite('fresh outputs and the collector', () => {
  const nat = kernels({ backend: 'native' });
  const BARS = 200_000; // 1.6 MB an output: past the uninitialised threshold, and 8 of them trigger a scavenge

  it('results kept while many others are allocated and collected keep their values', () => {
    const cases = [
      {
        name: 'sma',
        run: (x: Float64Array) => ({ sma: nat.sma(x, { timePeriod: 20 }) }),
        want: (x: Float64Array) => ({ sma: ref.sma(x, { timePeriod: 20 }) }),
      },
      {
        name: 'ema',
        run: (x: Float64Array) => ({ ema: nat.ema(x, { timePeriod: 30 }) }),
        want: (x: Float64Array) => ({ ema: ref.ema(x, { timePeriod: 30 }) }),
      },
      {
        name: 'bbands',
        run: (x: Float64Array) => nat.bbands(x, { timePeriod: 20 }),
        want: (x: Float64Array) => ref.bbands(x, { timePeriod: 20 }),
      },
    ];
    const kept = cases.flatMap((c) =>
      [1, 2, 3, 4].map((seed) => {
        const input = walk(BARS, seed);
        const result = c.run(input) as Record<string, unknown>;
        return { c, input, result, copy: copyOf(result) };
      }),
    );
    // churn: fresh outputs dropped at once, collections of both kinds between them
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) nat.sma(kept[i % kept.length].input, { timePeriod: 5 + i });
      collect();
    }
    for (const { c, input, result, copy } of kept) {
      expect(sameBits(result, copy), c.name).toBe(true);
      expectColumnsClose(result as Record<string, Float64Array>, c.want(input) as Record<string, Float64Array>, {}, 1e-9);
    }
  });

  it('vpin buckets, bars and covariances kept through the churn keep their values', () => {
    const trades = [1, 2, 3].map((seed) => centGrid(BARS, seed));
    const buckets = trades.map((t) => nat.vpin(t, { bucketVolume: 500 }));
    const bars = trades.map((t) => nat.bars(t, { by: 'tick', threshold: 10 }));
    const returns = [1, 2, 3].map((seed) => {
      const w = walk(300 * 40, seed);
      return matrix(
        w.map((x, i) => (i < 40 ? 0 : x / w[i - 40] - 1)),
        300,
        40,
      );
    });
    const covariances = returns.map((r) => nat.covariance(r));
    const copies = {
      buckets: buckets.map((b) => copyOf(b as unknown as Record<string, unknown>)),
      bars: bars.map((b) => copyOf(b as unknown as Record<string, unknown>)),
      covariances: covariances.map((c) => c.data.slice()),
    };
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 12; i++) {
        nat.vpin(trades[i % 3], { bucketVolume: 300 + i });
        nat.bars(trades[i % 3], { by: 'tick', threshold: 5 + i });
        nat.covariance(returns[i % 3]);
      }
      collect();
    }
    for (let i = 0; i < 3; i++) {
      expect(sameBits(buckets[i] as unknown as Record<string, unknown>, copies.buckets[i]), 'buckets').toBe(true);
      expect(sameBits(bars[i] as unknown as Record<string, unknown>, copies.bars[i]), 'bars').toBe(true);
      expect(sameBits({ cov: covariances[i].data }, { cov: copies.covariances[i] }), 'covariance').toBe(true);
      expectVpinClose(
        buckets[i] as unknown as Record<string, Float64Array>,
        ref.vpin(trades[i], { bucketVolume: 500 }) as unknown as Record<string, Float64Array>,
        { bucketVolume: 500 },
        1e-9,
      );
      expectColumnsClose(
        bars[i] as unknown as Record<string, Float64Array>,
        ref.bars(trades[i], { by: 'tick', threshold: 10 }) as unknown as Record<string, Float64Array>,
        {},
        1e-9,
      );
      expectColumnsClose({ cov: covariances[i].data }, { cov: ref.covariance(returns[i]).data }, {}, 1e-9);
    }
  });

  it('dropping every result leaves the resident set bounded, kept a while or not', () => {
    const out = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(root, 'test', 'native', 'fresh-outputs-rss-child.ts')],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(out.status, out.stderr).toBe(0);
    const { dropped, kept } = JSON.parse(out.stdout.trim().split('\n').at(-1) as string) as Record<string, { early: number; late: number }>;
    // 3,000 outputs of 2 MB (6 GB) each way; the resident set after them within 128 MB of where it was after 300
    expect(dropped.late - dropped.early).toBeLessThan(128e6);
    expect(kept.late - kept.early).toBeLessThan(128e6);
  });
});
