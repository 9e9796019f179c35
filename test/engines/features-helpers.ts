/** A seeded multi-symbol tape for the Features engine's tests, and how they publish it. */
import type { Bus } from '../../src/bus/index.js';
import type { Trades } from '../../src/kernels/features/features.js';
import { nextTurn } from '../bus/helpers.js';

const HOUR = 3_600_000;

/** A seeded tape of `symbols` symbols: trades 0.5-3 s apart on a 5-cent grid (many unchanged closes), a night without trades. */
export function tape(n: number, symbols = 3, seed = 7) {
  let x = seed;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const rows: { key: string; ts: number; price: number; volume: number }[] = [];
  const price = Array.from({ length: symbols }, (_, i) => 50 + 10 * i);
  let ts = Date.UTC(2026, 10, 19, 20, 30);
  for (let i = 0; i < n; i++) {
    ts += 500 + Math.floor(rnd() * 2500);
    if (i === Math.floor(n / 2)) ts += 10 * HOUR; // the night: the next trades are on the next UTC day
    const s = Math.floor(rnd() * symbols);
    const move = rnd() < 0.5 ? 0 : rnd() < 0.5 ? 0.05 : -0.05;
    price[s] = Math.max(1, Math.round((price[s] + move) * 20) / 20);
    rows.push({ key: `S${s}`, ts, price: price[s], volume: 1 + Math.floor(rnd() * 100) });
  }
  return rows;
}

export function tradesOf(rows: ReturnType<typeof tape>, key: string, upTo = Infinity): Trades {
  const mine = rows.filter((r) => r.key === key).slice(0, upTo);
  return {
    ts: Float64Array.from(mine, (r) => r.ts),
    price: Float64Array.from(mine, (r) => r.price),
    volume: Float64Array.from(mine, (r) => r.volume),
  };
}

/** Publishes the rows as frames of 1-9 trades of one symbol, in time order per symbol. */
export async function publish(bus: Bus, rows: ReturnType<typeof tape>, from = 0, to = rows.length) {
  let i = from;
  let k = 0;
  while (i < to) {
    const key = rows[i].key;
    let j = i + 1;
    while (j < to && j - i < 1 + ((k * 7) % 9) && rows[j].key === key) j++;
    const part = rows.slice(i, j);
    await bus.publish('TRADE_EXECUTION', {
      key,
      ts: Float64Array.from(part, (r) => r.ts),
      price: Float64Array.from(part, (r) => r.price),
      volume: Float64Array.from(part, (r) => r.volume),
    });
    i = j;
    if (++k % 50 === 0) await nextTurn();
  }
}
