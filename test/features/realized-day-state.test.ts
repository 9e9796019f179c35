/**
 * FeaturesEngine's DayRealized (src/engines/features-state.ts) follows the realized measures' order of
 * adds (chunks of REALIZED_CHUNK prices, four lanes in each): over a day of several chunks, trade by
 * trade, its sums equal realizedVariance() and bipowerVariation() on the prices so far, bit for bit,
 * at chunk edges too, and across a checkpoint (state(), restore()).
 */
import { expect, it } from 'vitest';
import { DayRealized } from '../../src/engines/features-state.js';
import { kernels } from '../../src/index.js';
import { DAY_MS, REALIZED_CHUNK } from '../../src/kernels/features/realized.js';

const SESSION = { offset: 0, open: 0, close: DAY_MS };
const k = kernels({ backend: 'reference' });

it('a day of 2.5 chunks, trade by trade: realizedVariance and bipowerVariation of the prices so far', () => {
  const n = Math.floor(2.5 * REALIZED_CHUNK);
  const price = new Float64Array(n);
  const ts = new Float64Array(n);
  let s = 11;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    price[i] = 100 + ((s % 200) - 100) / 100;
    ts[i] = Date.UTC(2024, 0, 2) + i;
  }
  let day = new DayRealized(SESSION);
  const checks = [1, 2, 5, REALIZED_CHUNK - 1, REALIZED_CHUNK, REALIZED_CHUNK + 1, REALIZED_CHUNK + 3, 2 * REALIZED_CHUNK + 2, n];
  for (let i = 0; i < n; i++) {
    day.add(ts[i], price[i]);
    if (i === REALIZED_CHUNK + 7) {
      const restored = new DayRealized(SESSION);
      restored.restore(day.state());
      expect(restored.state()).toHaveLength(DayRealized.VALUES);
      day = restored;
    }
    if (!checks.includes(i + 1)) continue;
    const p = price.subarray(0, i + 1);
    const t = ts.subarray(0, i + 1);
    expect(day.rv, `rv at ${i + 1}`).toBe(k.realizedVariance(p, { ts: t })[0]);
    expect(day.bipowerVariation, `bpv at ${i + 1}`).toBe(k.bipowerVariation(p, { ts: t })[0]);
  }
  // the order matters on this day: a serial sum differs
  let serial = 0;
  for (let i = 1; i < n; i++) serial += Math.log(price[i] / price[i - 1]) ** 2;
  expect(day.rv).not.toBe(serial);
});
