/**
 * Bad input to the volatility family: a KernelInputError naming the argument, the same text on every
 * backend. The faults only the data shows (a constant series, omega outside the bounds that scale with
 * the residuals) come from the kernel as a status and are thrown by the API with one text.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, type Kernels } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { fixture, returnsOf } from './cases.js';

const y = returnsOf(fixture.cases[0]);
const withAt = (i: number, v: number) => {
  const c = Float64Array.from(y);
  c[i] = v;
  return c;
};
const good = { mu: 0.05, omega: 0.05, alpha: Float64Array.of(0.08), gamma: new Float64Array(0), beta: Float64Array.of(0.9) };

/** [what, call, message] of each bad input. */
/** 16 returns near -6.7e99 (the seed aparch-power-past-the-doubles): residuals ~1e90, |e|^3.9 past the doubles. */
const HUGE = new Float64Array(16).fill(-6.7317038253511957e99);
HUGE[0] = -6.7317038222653983e99;

const CASES: [string, (k: Kernels) => unknown, string][] = [
  ['NaN return', (k) => k.garch(withAt(17, Number.NaN)), 'returns: expected finite returns, got NaN at row 17'],
  ['infinite return', (k) => k.garch(withAt(3, Infinity)), 'returns: expected finite returns, got Infinity at row 3'],
  [
    'NaN in a column',
    (k) => k.garch({ data: Float64Array.from({ length: 400 }, (_, i) => (i === 9 ? Number.NaN : Math.sin(i))), rows: 200, cols: 2 }),
    'returns: expected finite returns, got NaN at row 4, column 1',
  ],
  ['too few returns', (k) => k.garch(y.subarray(0, 5)), 'returns: expected at least 6 returns for this model, got 5'],
  [
    'too few for an AR(2)',
    (k) => k.garch(y.subarray(0, 9), { mean: 'ar', lags: 2 }),
    'returns: expected at least 10 returns for this model, got 9',
  ],
  [
    'constant series',
    (k) => k.garch(new Float64Array(100).fill(0.3)),
    'returns: expected a series whose mean model leaves residuals (not constant), got residuals all 0',
  ],
  [
    'zero series, zero mean',
    (k) => k.garch(new Float64Array(100), { mean: 'zero' }),
    'returns: expected a series whose mean model leaves residuals (not constant), got residuals all 0',
  ],
  [
    'constant series, AR mean (singular normal equations)',
    (k) => k.garch(new Float64Array(100).fill(-1), { mean: 'ar' }),
    'returns: expected a series whose mean model leaves residuals (not constant), got residuals all 0',
  ],
  [
    'residuals whose squares underflow',
    (k) =>
      k.garch(
        Float64Array.from({ length: 100 }, (_, i) => 1e-150 * (1 + (i % 3))),
        { mean: 'zero' },
      ),
    'returns: expected a series whose mean model leaves residuals (not constant), got residuals all 0',
  ],
  [
    'unknown vol',
    (k) => k.garch(y, { vol: 'figarch' as never }),
    "options.vol: expected one of 'garch', 'gjr', 'egarch', 'aparch', got \"figarch\"",
  ],
  ['unknown mean', (k) => k.garch(y, { mean: 'harx' as never }), "options.mean: expected one of 'constant', 'zero', 'ar', got \"harx\""],
  [
    'unknown dist',
    (k) => k.garch(y, { dist: 'cauchy' as never }),
    "options.dist: expected one of 'normal', 't', 'skewt', 'ged', got \"cauchy\"",
  ],
  ['p not an integer', (k) => k.garch(y, { p: 1.5 }), 'options.p: expected an integer in [1, 20], got 1.5'],
  ['o above p', (k) => k.garch(y, { vol: 'gjr', o: 2 }), 'options.o: expected o <= p (1), got 2'],
  [
    'unknown option',
    (k) => k.garch(y, { power: 1 } as never),
    'options: expected only the options vol, p, o, q, mean, lags, dist, delta, startingValues, got unknown option "power"',
  ],
  [
    'starting values not finite',
    (k) =>
      k.garch(y, {
        startingValues: { mu: 0, omega: NaN, alpha: Float64Array.of(0.1), gamma: new Float64Array(0), beta: Float64Array.of(0.8) },
      }),
    'options.startingValues: expected finite parameters, got NaN at 1',
  ],
  [
    'starting values of another count',
    (k) => k.garch(y, { startingValues: new Float64Array(3) }),
    "options.startingValues: expected 4 parameters in arch's order, got 3",
  ],
  [
    'returns not an array',
    (k) => k.garch([1, 2, 3] as never),
    'returns: expected a Float64Array or a Matrix { data, rows, cols } of at least 1 column',
  ],
  [
    'filter without params',
    (k) => k.garchFilter(y, {} as never),
    'options.params: expected the parameters by name, or a Float64Array, got undefined',
  ],
  [
    'filter params of another count',
    (k) => k.garchFilter(y, { params: new Float64Array(3) }),
    "options.params: expected 4 parameters in arch's order, got 3",
  ],
  [
    'filter alpha above 1',
    (k) => k.garchFilter(y, { params: { ...good, alpha: Float64Array.of(1.2) } }),
    'options.params.alpha[0]: expected a value in [0, 1], got 1.2',
  ],
  [
    'filter persistence above 1',
    (k) => k.garchFilter(y, { params: { ...good, alpha: Float64Array.of(0.2) } }),
    'options.params.beta: expected a persistence sum(alpha) + sum(gamma) / 2 + sum(beta) <= 1',
  ],
  [
    'filter alpha + gamma < 0',
    (k) => k.garchFilter(y, { vol: 'gjr', params: { ...good, alpha: Float64Array.of(0.05), gamma: Float64Array.of(-0.1) } }),
    'options.params.gamma[0]: expected alpha[0] + gamma[0] >= 0',
  ],
  [
    'filter nu below 2.05',
    (k) => k.garchFilter(y, { dist: 't', params: { ...good, nu: 2 } }),
    'options.params.nu: expected a value in [2.05, 500], got 2',
  ],
  [
    'filter lambda above 1',
    (k) => k.garchFilter(y, { dist: 'skewt', params: { ...good, nu: 8, lambda: 1.5 } }),
    'options.params.lambda: expected a value in [-1, 1], got 1.5',
  ],
  [
    'filter omega above its bound',
    (k) => k.garchFilter(y, { params: { ...good, omega: 1000 } }),
    "params.omega: expected a value within arch's bounds for these returns (docs/volatility.md), got out of bounds",
  ],
  [
    'filter beta missing',
    (k) => k.garchFilter(y, { params: { ...good, beta: undefined } as never }),
    'options.params.beta: expected 1 numbers (a Float64Array), got undefined',
  ],
  [
    'forecast horizon 0',
    (k) => k.garchForecast({ returns: y, params: good }, { horizon: 0 }),
    'options.horizon: expected an integer in [1, 100000], got 0',
  ],
  [
    'EGARCH forecast beyond one step',
    (k) => k.garchForecast({ returns: y, vol: 'egarch', params: { ...good, omega: 0, gamma: Float64Array.of(0) } }, { horizon: 2 }),
    "options.horizon: expected 1 for EGARCH's analytic forecast (arch's has one step; method 'simulation' gives more), got 2",
  ],
  [
    // fuzz_volatility/egarch-simulation-overflow: exp of ln sigma^2 = omega + gamma z past the doubles
    'EGARCH simulated past the doubles',
    (k) =>
      k.garchForecast(
        {
          returns: y,
          vol: 'egarch',
          o: 1,
          params: { ...good, omega: 0.5, alpha: Float64Array.of(0), gamma: Float64Array.of(-700), beta: Float64Array.of(0) },
        },
        { horizon: 3, method: 'simulation', simulations: 20, seed: 1 },
      ),
    "params: expected parameters whose forecast variance stays finite (docs/volatility.md), got a variance past the doubles' range",
  ],
  [
    // fuzz_volatility/aparch-power-past-the-doubles: |e|^3.9 of residuals ~1e90, omega's start NaN
    'APARCH fit past the doubles',
    (k) => k.garch(HUGE, { vol: 'aparch', p: 1, o: 0, q: 0, dist: 'ged', delta: 3.9 }),
    "returns: expected a series whose variance process stays within the doubles' range under this model (docs/volatility.md), got a variance past the doubles' range",
  ],
  [
    // an alpha of 0 times |e|^3.9 past the doubles (residuals ~1e90): arch's likelihood is NaN there
    'APARCH filter past the doubles',
    (k) => {
      const none = new Float64Array(0);
      const params = { mu: -6.7317038e99, omega: 0.1, alpha: Float64Array.of(0), gamma: none, beta: none, nu: 1.5 };
      return k.garchFilter(HUGE, { vol: 'aparch', p: 1, o: 0, q: 0, dist: 'ged', delta: 3.9, params });
    },
    "params: expected parameters whose variance process stays within the doubles' range on these returns (docs/volatility.md), got a variance past the doubles' range",
  ],
  ['forecast of something else', (k) => k.garchForecast({} as never), 'source: expected a garch() result or { returns, params, ...model }'],
];

function expectCases(k: Kernels) {
  it.each(CASES)('%s', (_what, call, message) => {
    let thrown: unknown;
    try {
      call(k);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KernelInputError);
    expect((thrown as Error).message).toContain(message);
  });
}

describe('volatility bad input [reference]', () => expectCases(ref));
describeEachBackend('volatility bad input', (k) => expectCases(k), 'volatility');
