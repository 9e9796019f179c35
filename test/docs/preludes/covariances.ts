// README "Portfolio construction in code": `returns` of 20 tickers (250 dates), their covariance `cov`
// (labelled by the tickers) and a `stack` of 5 covariances (stackCovariances: 5 problems).
import * as kbCov from 'kernelbus/kernels';
let seedCov = 17;
const rndCov = () => (seedCov = (seedCov * 16807) % 2147483647) / 2147483647;
const tickers = Array.from({ length: 20 }, (_, i) => `T${String(i).padStart(2, '0')}`);
const returnsOf = () =>
  kbCov.matrix(
    Float64Array.from({ length: 250 * 20 }, () => 0.02 * (rndCov() - 0.5)),
    250,
    20,
    { columns: tickers },
  );
const returns = returnsOf();
const cov = kbCov.covariance(returns);
const stack = kbCov.stackCovariances(Array.from({ length: 5 }, () => kbCov.covariance(returnsOf())));
