// docs/volatility.md: `returns`, 1,000 percent returns with clustered volatility (a GARCH(1,1) path),
// and `panel`, 1,000 x 3 of them (a T x N Matrix).
const path = (seed: number, T: number) => {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const out = new Float64Array(T);
  for (let t = 0, v = 1; t < T; t++) {
    out[t] = 0.05 + Math.sqrt(v) * normal();
    v = 0.05 + 0.1 * (out[t] - 0.05) ** 2 + 0.85 * v;
  }
  return out;
};
const returns = path(11, 1000);
const panel = (() => {
  const cols = [path(3, 1000), path(5, 1000), path(7, 1000)];
  const data = new Float64Array(1000 * 3);
  for (let t = 0; t < 1000; t++) for (let j = 0; j < 3; j++) data[t * 3 + j] = cols[j][t];
  return { data, rows: 1000, cols: 3 };
})();
