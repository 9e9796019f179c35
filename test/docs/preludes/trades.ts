// README "VPIN in code": a seeded tape of 20,000 trades as the block's `ts`, `price`, `volume`, and a `batch` of them.
let seed = 7;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const n = 20_000;
const ts = new Float64Array(n);
const price = new Float64Array(n);
const volume = new Float64Array(n);
for (let i = 0, t = 1.7e12, p = 100; i < n; i++) {
  t += 1 + Math.floor(rnd() * 2000);
  p += rnd() - 0.5;
  ts[i] = t;
  price[i] = p;
  volume[i] = 1 + Math.floor(rnd() * 500);
}
const batch = { ts, price, volume };
