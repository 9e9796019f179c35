/**
 * `npx tsx scripts/vpin-digest.ts`: one SHA-256 over the native backend's vpin() buckets and vpinStream
 * updates, snapshots included, on seeded tapes (cent grids, one with fractional volumes, a walk off the
 * grid, 3 * 10^6 grid trades) in every bar size from 1 ms to 60 s, both classifiers, every sigma rule,
 * three bucket volumes and both price changes, and streams fed in uneven batches. Run it before and
 * after a change to native/kernels/vpin: the same digest means the same bits (issue 52's speed work
 * kept it: 4713522 rows, f6816b5e... with the addon of cde7630 and after).
 */
import { createHash } from 'node:crypto';
import { kernels } from '../src/api/index.js';
import { centGrid } from '../bench/inputs.js';
import { syntheticTrades } from '../bench/vpin.js';
const nat = kernels({ backend: 'native' });
const h = createHash('sha256');
const add = (label: string, r: Record<string, Float64Array | unknown>) => {
  for (const k of Object.keys(r).sort()) {
    const v = r[k];
    if (v instanceof Float64Array) h.update(label + k).update(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  }
};
const tapes = [
  ['grid', centGrid(300_000, 3)],
  ['gridfrac', centGrid(300_000, 4, 0.45, 1000)],
  ['walk', syntheticTrades(300_000, 7)],
  ['big', centGrid(3_000_000, 9)],
] as const;
const sigmas = ['sample', 0.05, { rolling: 20 }, { ewma: 0.9 }] as const;
let rows = 0;
for (const [name, t] of tapes) {
  for (const barMs of [1, 10, 100, 1000, 60000]) {
    for (const classifier of ['bvc', 'tick'] as const) {
      for (const sigma of classifier === 'bvc' ? sigmas : (['sample'] as const)) {
        for (const bucketVolume of [500, 20000, 3e6]) {
          for (const priceChange of ['close', 'intra'] as const) {
            if (name === 'big' && (bucketVolume !== 3e6 || priceChange !== 'close')) continue;
            const opts = { bucketVolume, barMs, classifier, sigma, priceChange, window: 20 } as never;
            const r = nat.vpin(t, opts);
            rows += r.vpin.length;
            add(`${name}/${barMs}/${classifier}/${JSON.stringify(sigma)}/${bucketVolume}/${priceChange}`, r as never);
          }
        }
      }
    }
  }
  // a stream in batches of uneven sizes, fixed and ewma sigma
  for (const sigma of [0.05, { ewma: 0.9 }] as const) {
    for (const barMs of [10, 1000]) {
      const s = nat.vpinStream({ bucketVolume: 20000, barMs, sigma, window: 20 } as never);
      const n = t.ts.length;
      let at = 0,
        k = 0;
      while (at < n) {
        const len = Math.min(n - at, [1, 7, 1000, 20000, 70000][k++ % 5]);
        const r = s.update({
          ts: t.ts.subarray(at, at + len),
          price: t.price.subarray(at, at + len),
          volume: t.volume.subarray(at, at + len),
        });
        if (r) {
          add(`stream${name}${barMs}${at}`, r as never);
          rows += r.vpin.length;
        }
        at += len;
      }
      const r = s.flush();
      if (r) add(`streamflush${name}${barMs}`, r as never);
      h.update(Buffer.from(s.snapshot()));
    }
  }
}
console.log(rows, h.digest('hex'));
