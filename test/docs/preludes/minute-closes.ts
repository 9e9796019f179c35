// docs/labeling.md: a seeded week of one-minute closes (09:30-16:00 UTC, weekdays) as `ts` and `close`.
let seed = 11;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const stamps: number[] = [];
const prices: number[] = [];
for (let day = 0, p = 100; day < 7; day++) {
  const date = Date.UTC(2026, 0, 5 + day);
  if (new Date(date).getUTCDay() % 6 === 0) continue;
  for (let m = 0; m < 390; m++) {
    p *= 1 + 0.0012 * (rnd() + rnd() + rnd() - 1.5);
    stamps.push(date + 570 * 60_000 + m * 60_000);
    prices.push(Math.round(p * 100) / 100);
  }
}
const ts = Float64Array.from(stamps);
const close = Float64Array.from(prices);
