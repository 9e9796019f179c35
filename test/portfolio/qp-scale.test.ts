// The QP's scale, max |H_ij|, sets its tolerances: a step's curvature below -1e-10 x scale x |d|^2 is
// negative curvature (PortfolioNotPsd), above it rounding. The native solver takes the scale from the
// covariance's check (one pass over the matrix, not two); these pin it on both sides of the threshold.
// S = [[1, 0.9 + d], [0.9 + d, 0.8]] (scale 1): the solver starts at w = (1, 0), frees asset 1 (its
// gradient is the smaller), and steps along (-1, 1), whose curvature is -2d with |dir|^2 = 2: below the
// threshold for d = 1e-11 (a step to w = (0, 1)), past it for d = 1e-9. A scale 10x off either way
// moves one of the two across.
import { expect, it } from 'vitest';
import { kernels, matrix } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';

const ref = kernels({ backend: 'reference' });
const cov = (d: number) => matrix(Float64Array.of(1, 0.9 + d, 0.9 + d, 0.8), 2, 2);
const equalMeans = Float64Array.of(0.1, 0.1);

describeEachBackend(
  'the QP scale of a covariance (assumePsd: the solver meets the curvature)',
  (k) => {
    it('minVariance: curvature of rounding size is stepped through, past the threshold refused', () => {
      const below = k.minVariance(cov(1e-11), { assumePsd: true });
      expect(Array.from(below.weights)).toEqual([0, 1]);
      expect(below.iterations).toBe(ref.minVariance(cov(1e-11), { assumePsd: true }).iterations);
      expect(() => k.minVariance(cov(1e-9), { assumePsd: true })).toThrow(/negative curvature -9\.99\d*e-10 freeing asset 1/);
    });

    it('maxSharpe: the same on its QP in y (equal means: the minVariance problem scaled)', () => {
      expect(Array.from(k.maxSharpe(equalMeans, cov(1e-11), { assumePsd: true }).weights)).toEqual([0, 1]);
      expect(() => k.maxSharpe(equalMeans, cov(1e-9), { assumePsd: true })).toThrow(/negative curvature -9\.99\d*e-10 freeing asset 1/);
    });
  },
  'portfolio',
);
