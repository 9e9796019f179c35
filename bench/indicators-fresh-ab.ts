/**
 * What a panel's fresh output costs, in one process, the cases interleaved call by call (so that the
 * other jobs of a shared machine weigh on all of them alike): each core indicator on a 2,520 x 500
 * panel, on 1 and 2 threads, (fresh) as the API allocates its output (freshOutput: uninitialised),
 * (zeroed) into a new zeroed Float64Array passed as `out` (how the output was allocated before), and
 * (reused) into one output allocated once. Prints the best of `rounds` calls of each and the 2-thread
 * speed-up, and the medians' speed-up beside it (docs/indicators.md, Speed).
 * Usage: tsx bench/indicators-fresh-ab.ts [rounds=21] [indicators=sma,ema,rsi,macd,bbands,atr,adx,stoch]
 */
import { kernels, matrix } from '../src/api/index.js';
import { INDICATORS_KERNELS } from '../src/kernels/indicators/indicators-kernels.js';
import { prng } from './lib.js';

const [roundsArg = '21', namesArg = 'sma,ema,rsi,macd,bbands,atr,adx,stoch'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const rows = 2520;
const cols = 500;
const cells = rows * cols;

// a seeded random walk, high and low around the close
const rnd = prng(7);
const close = new Float64Array(cells);
for (let c = 0; c < cols; c++) {
  let x = 100;
  for (let t = 0; t < rows; t++) {
    x *= 1 + 0.02 * (rnd() - 0.5);
    close[t * cols + c] = x;
  }
}
const bars = {
  high: matrix(
    close.map((x) => x * 1.005),
    rows,
    cols,
  ),
  low: matrix(
    close.map((x) => x * 0.995),
    rows,
    cols,
  ),
  close: matrix(close, rows, cols),
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
type Call = (input: unknown, options?: object) => Record<string, unknown>;

for (const name of namesArg.split(',') as (keyof typeof INDICATORS_KERNELS)[]) {
  const spec = INDICATORS_KERNELS[name];
  const input = spec.fields.length === 1 ? bars.close : bars;
  const parts = Object.keys(spec.outputs);
  // an output of the indicator's shape over `data` (its parts one after the other, as the API packs them)
  const outOf = (data: Float64Array) =>
    parts.length === 1
      ? matrix(data, rows, cols)
      : Object.fromEntries(parts.map((p, i) => [p, matrix(data.subarray(i * cells, (i + 1) * cells), rows, cols)]));
  const reused = new Float64Array(parts.length * cells);
  const modes = {
    fresh: (call: Call) => call(input),
    zeroed: (call: Call) => call(input, { out: outOf(new Float64Array(parts.length * cells)) }),
    reused: (call: Call) => call(input, { out: outOf(reused) }),
  };
  const calls = [1, 2].map((threads) => kernels({ backend: 'native', threads })[name] as unknown as Call);
  const cases = Object.entries(modes).flatMap(([mode, run]) => calls.map((call, t) => ({ key: `${mode} ${t + 1}`, run: () => run(call) })));
  const ms: Record<string, number[]> = Object.fromEntries(cases.map((c) => [c.key, []]));
  for (const c of cases) c.run();
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const t0 = performance.now();
      c.run();
      ms[c.key].push(performance.now() - t0);
    }
  }
  const line = Object.keys(modes).map((mode) => {
    const [one, two] = [ms[`${mode} 1`], ms[`${mode} 2`]];
    const [b1, b2] = [Math.min(...one), Math.min(...two)];
    return `${mode} ${b1.toFixed(2)} / ${b2.toFixed(2)} ms ${(b1 / b2).toFixed(2)}x (medians ${(median(one) / median(two)).toFixed(2)}x)`;
  });
  console.log(`${name.padEnd(6)} 1 / 2 threads, best of ${rounds}: ${line.join(' | ')}`);
}
