// docs/portfolio.md's batched frontier: 100 rolling windows of 50 assets as `covs` (5000 x 50) and `means` (100 x 50).
import * as kbFrontier from 'kernelbus/kernels';
let seedFrontier = 19;
const rndFrontier = () => (seedFrontier = (seedFrontier * 16807) % 2147483647) / 2147483647;
const P = 100;
const N = 50;
const base = Float64Array.from({ length: 300 * N }, () => 0.02 * (rndFrontier() - 0.5));
const covs = kbFrontier.stackCovariances(
  Array.from({ length: P }, (_, p) => kbFrontier.covariance(kbFrontier.matrix(base.subarray(p * N, p * N + 200 * N), 200, N))),
);
const means = kbFrontier.matrix(
  Float64Array.from({ length: P * N }, () => 0.0005 + 0.001 * rndFrontier()),
  P,
  N,
);
