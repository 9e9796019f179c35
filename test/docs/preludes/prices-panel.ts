// docs/backtest.md "A rebalanced book": `prices`, 600 daily closes of 5 assets (a T x N Matrix).
const prices = (() => {
  const T = 600;
  const N = 5;
  const data = new Float64Array(T * N);
  let s = 7;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let j = 0; j < N; j++) for (let t = 0, p = 50 + 10 * j; t < T; t++) data[t * N + j] = p *= 1 + 0.02 * (u() - 0.5) + 0.0002 * j;
  return { data, rows: T, cols: N, columns: ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'] };
})();
