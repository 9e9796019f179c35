// Writes examples/panel.csv: a seeded synthetic daily panel for `kernelbus factor` (80 business days x
// 30 assets in 4 sectors; one asset listed late, one delisted early, a few missing returns). Returns
// have a market, a sector and size/value components plus noise. Run: node examples/make-panel.mjs
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
const random = mulberry32(2024);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const SECTORS = ['Energy', 'Technology', 'Healthcare', 'Financials'];
const T = 80;
const N = 30;
const assets = Array.from({ length: N }, (_, j) => ({
  symbol: `S${String(j + 1).padStart(2, '0')}`,
  sector: SECTORS[j % SECTORS.length],
  shares: 1e7 * Math.exp(1.2 * normal()),
  price: 20 + 180 * random(),
  book: Math.exp(0.5 * normal()),
  sales: Math.exp(0.6 * normal()),
  cash: 0.05 + 0.08 * normal(),
  from: j === 29 ? 30 : 0, // listed on day 30
  to: j === 28 ? 60 : T, // delisted after day 59
}));

const dates = [];
for (let d = new Date(Date.UTC(2024, 0, 2)); dates.length < T; d = new Date(d.getTime() + 86_400_000)) {
  if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) dates.push(d.toISOString().slice(0, 10));
}
const fixed = (x, digits) => Number(x.toPrecision(digits)).toString();
const lines = ['date,symbol,sector,returns,market_cap,book_price,sales_price,cf_price'];
for (let t = 0; t < T; t++) {
  const market = 0.0004 + 0.009 * normal();
  const sector = SECTORS.map(() => 0.004 * normal());
  const sizeF = 0.002 * normal();
  const valueF = 0.0015 * normal();
  for (const a of assets) {
    if (t < a.from || t >= a.to) continue;
    const cap = a.price * a.shares;
    const bp = (a.book * 40) / a.price;
    const sizeScore = -Math.log(cap / 1e9);
    const r = market + sector[SECTORS.indexOf(a.sector)] + sizeF * sizeScore + valueF * Math.log(bp) + 0.012 * normal();
    const missing = random() < 0.004;
    lines.push(
      [
        dates[t],
        a.symbol,
        a.sector,
        missing ? '' : fixed(r, 6),
        fixed(cap, 6),
        fixed(bp, 5),
        fixed((a.sales * 70) / a.price, 5),
        fixed((a.cash * 30) / a.price, 5),
      ].join(','),
    );
    a.price *= 1 + r;
  }
}
writeFileSync(new URL('./panel.csv', import.meta.url), `${lines.join('\n')}\n`);
console.log(`examples/panel.csv: ${lines.length - 1} rows`);
