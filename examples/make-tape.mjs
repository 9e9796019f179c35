// Writes examples/tape.csv: a seeded synthetic tape of 8 symbols interleaved over two trading days
// (ts epoch ms, symbol, price, size, the prevailing bid and ask, and the venue: a quoted name with a
// comma), for `kernelbus vpin examples/tape.csv`. Prices walk on a cent grid; each trade prints at
// the bid, the ask or inside the spread. Run: node examples/make-tape.mjs
import { writeFileSync } from 'node:fs';

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(37);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOG', 'META', 'TSLA', 'JPM'];
const VENUES = ['"XNAS, Nasdaq"', '"XNYS, NYSE"', '"ARCX, NYSE Arca"', '"BATS, Cboe BZX"'];
const state = SYMBOLS.map((symbol, i) => ({ symbol, mid: 100 + 60 * i + 40 * random(), weight: 1 + random() }));
const total = state.reduce((s, x) => s + x.weight, 0);
const DAYS = [Date.UTC(2026, 10, 19, 14, 30), Date.UTC(2026, 10, 20, 14, 30)];
const SESSION_MS = 6.5 * 3600 * 1000;
const PER_DAY = 2600;
const cents = (x) => Math.round(x * 100) / 100;

const lines = ['ts,symbol,price,size,bid,ask,venue'];
for (const open of DAYS) {
  let ts = open;
  for (let n = 0; n < PER_DAY; n++) {
    ts += Math.max(1, Math.round((-Math.log(1 - random()) * SESSION_MS) / PER_DAY));
    let pick = random() * total;
    const s = state.find((x) => (pick -= x.weight) <= 0) ?? state[state.length - 1];
    s.mid = Math.max(1, s.mid * (1 + 0.0008 * normal()));
    const half = 0.01 * (1 + Math.floor(3 * random()));
    const bid = cents(s.mid - half);
    const ask = cents(s.mid + half);
    const u = random();
    const price = u < 0.4 ? bid : u < 0.8 ? ask : cents(bid + (ask - bid) * random());
    const size = 100 * (1 + Math.floor(-Math.log(1 - random()) * 3));
    lines.push(`${ts},${s.symbol},${price},${size},${bid},${ask},${VENUES[Math.floor(random() * VENUES.length)]}`);
  }
}
writeFileSync(new URL('tape.csv', import.meta.url), `${lines.join('\n')}\n`);
console.log(`wrote examples/tape.csv: ${lines.length - 1} trades of ${SYMBOLS.length} symbols`);
