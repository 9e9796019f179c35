// README's risk-model block: the factor returns and residuals of the block before it, and a portfolio.
import * as kbModel from 'kernelbus/kernels';
let seedModel = 13;
const rndModel = () => (seedModel = (seedModel * 16807) % 2147483647) / 2147483647;
const T = 120;
const N = 12;
const panelOf = (f: (t: number, i: number) => number) =>
  kbModel.matrix(
    Float64Array.from({ length: T * N }, (_, k) => f(Math.floor(k / N), k % N)),
    T,
    N,
  );
const sectors = Int32Array.from({ length: N }, (_, i) => i % 3);
const styles = { size: kbModel.size(panelOf((_, i) => 1e9 * (1 + i))), value: panelOf(() => rndModel() - 0.5) };
const { factorReturns: f, residuals } = kbModel.factorReturns({
  returns: panelOf(() => 0.02 * (rndModel() - 0.5)),
  marketCap: panelOf((_, i) => 1e9 * (1 + i)),
  sectors,
  styles,
});
const matrix = kbModel.matrix;
const weights = Float64Array.from({ length: N }, () => 1 / N);
