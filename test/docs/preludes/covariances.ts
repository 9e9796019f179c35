// README "Portfolio construction in code": `cov` of 20 assets and a `stack` of 5 covariances (5·20 rows).
import * as kbCov from 'kernelbus/kernels';
let seedCov = 17;
const rndCov = () => (seedCov = (seedCov * 16807) % 2147483647) / 2147483647;
const covOf = (rows: number, cols: number) =>
  kbCov.covariance(
    kbCov.matrix(
      Float64Array.from({ length: rows * cols }, () => 0.02 * (rndCov() - 0.5)),
      rows,
      cols,
    ),
  ).cov;
const cov = covOf(250, 20);
const parts = Array.from({ length: 5 }, () => covOf(250, 20));
const stack = kbCov.matrix(Float64Array.from(parts.flatMap((c) => [...c.data])), 5 * 20, 20);
