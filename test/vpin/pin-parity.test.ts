/**
 * PIN on every backend that implements it (the native one) against the reference: the estimates and
 * likelihoods equal (the issue asks 1e-8; both compute through elementary.ts/elementary.hpp's logs
 * and exps and the same Nelder-Mead, so they agree to the bit), on one and two threads, sync and
 * async, on views; and bad counts refused with the reference's message by the C++ check itself.
 */
import { expect, it } from 'vitest';
import { kernels } from '../../src/api/index.js';
import { loadNative } from '../../src/backends/native/binding.js';
import type { PinEstimate, PinFactorization, PinInitials, PinParams } from '../../src/kernels/vpin/pin.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { simulatePin } from '../helpers/pin.js';

/** Cases: the model's parameters, days, seed (small and large counts, few and many days, no events). */
const CASES: [PinParams, number, number][] = [
  [{ alpha: 0.35, delta: 0.4, mu: 180, epsilonBuy: 140, epsilonSell: 110 }, 120, 1],
  [{ alpha: 0.35, delta: 0.4, mu: 180, epsilonBuy: 140, epsilonSell: 110 }, 25, 7],
  [{ alpha: 0.2, delta: 0.7, mu: 40, epsilonBuy: 15, epsilonSell: 20 }, 250, 2],
  [{ alpha: 0.5, delta: 0.5, mu: 3, epsilonBuy: 1, epsilonSell: 0.5 }, 20, 3],
  [{ alpha: 0, delta: 0, mu: 0, epsilonBuy: 2000, epsilonSell: 1800 }, 40, 4],
  [{ alpha: 0.3, delta: 0.2, mu: 5000, epsilonBuy: 20000, epsilonSell: 15000 }, 30, 5],
  [{ alpha: 0.4, delta: 0.5, mu: 10, epsilonBuy: 5, epsilonSell: 5 }, 2, 6],
];
const INITIALS: PinInitials[] = ['ea', 'gwj', 'yz'];
const FACTS: PinFactorization[] = ['e', 'lk', 'eho'];
const KEYS = ['alpha', 'delta', 'mu', 'epsilonBuy', 'epsilonSell', 'pin', 'logLikelihood'] as const;

/** The estimate's numbers (the initial sets are the same list on every backend: compared apart). */
const numbers = (e: PinEstimate) => KEYS.map((k) => e[k]);

describeEachBackend(
  'PIN parity with the reference',
  (k, _name, supports) => {
    it.runIf(supports('pin', 'pinLikelihood'))('pin: the same estimates, every initial set and factorization, to the bit', () => {
      for (const [p, days, seed] of CASES) {
        const { buys, sells } = simulatePin(p, days, seed);
        // YZ's 90-odd sets on the short samples only (the reference takes seconds at 250 days)
        for (const initials of days > 60 ? INITIALS.filter((i) => i !== 'yz') : INITIALS) {
          for (const factorization of FACTS) {
            const e = ref.pin(buys, sells, { initials, factorization });
            const a = k.pin(buys, sells, { initials, factorization });
            expect([days, seed, initials, factorization, ...numbers(a)]).toEqual([days, seed, initials, factorization, ...numbers(e)]);
            expect(a.initialSets).toEqual(e.initialSets);
          }
        }
      }
      // pin_yz with ea_correction (boundaries kept), and the boundaries left out of no-event data
      for (const [p, days, seed] of [[{ alpha: 0, delta: 0, mu: 0, epsilonBuy: 20, epsilonSell: 20 }, 30, 5] as const, CASES[1]]) {
        const { buys, sells } = simulatePin(p, Math.min(days, 30), seed);
        for (const eaCorrection of [false, true]) {
          const e = ref.pin(buys, sells, { initials: 'yz', eaCorrection });
          expect([eaCorrection, ...numbers(k.pin(buys, sells, { initials: 'yz', eaCorrection }))]).toEqual([eaCorrection, ...numbers(e)]);
        }
      }
      // every set at a boundary: the failed estimate, NaN, on both
      const none = new Float64Array(10).fill(3);
      expect(numbers(k.pin(none, none, { initials: 'yz' }))).toEqual(numbers(ref.pin(none, none, { initials: 'yz' })));
    });

    it.runIf(supports('pin', 'pinLikelihood'))('pinLikelihood: the reference value to the bit (log k! through the same log)', () => {
      for (const [p, days, seed] of CASES) {
        const { buys, sells } = simulatePin(p, days, seed);
        for (const f of FACTS) {
          for (const q of [p, { ...p, alpha: 0.9, delta: 0.1 }, { ...p, epsilonBuy: 0 }, { ...p, alpha: 1, mu: 0 }]) {
            expect([days, f, k.pinLikelihood(q, buys, sells, f)]).toEqual([days, f, ref.pinLikelihood(q, buys, sells, f)]);
          }
        }
      }
    });

    it.runIf(supports('pin'))('does not depend on the thread count; async and views give the same', async () => {
      const { buys, sells } = simulatePin(CASES[0][0], 30, 11);
      const one = kernels({ backend: _name, threads: 1 }).pin(buys, sells, { initials: 'yz' });
      const two = kernels({ backend: _name, threads: 2 }).pin(buys, sells, { initials: 'yz' });
      expect(numbers(two)).toEqual(numbers(one));
      expect(numbers(await k.pinAsync(buys, sells, { initials: 'yz' }))).toEqual(numbers(one));
      const shared = (v: Float64Array) => {
        const view = new Float64Array(new SharedArrayBuffer(8 * (v.length + 3)), 24, v.length);
        view.set(v);
        return view;
      };
      expect(numbers(k.pin(shared(buys), shared(sells), { initials: 'yz' }))).toEqual(numbers(one));
      expect(await k.pinLikelihoodAsync(CASES[0][0], buys, sells, 'eho')).toBe(k.pinLikelihood(CASES[0][0], buys, sells, 'eho'));
    });

    it.runIf(supports('pin'))('refuses bad input with the reference message, sync and async', async () => {
      const b = Float64Array.of(1, 2);
      expect(() => k.pin(Float64Array.of(1, -1), b)).toThrow('buys: expected integers >= 0, got buys[1] = -1');
      await expect(k.pinAsync(b, Float64Array.of(1, 2.5))).rejects.toThrow('sells: expected integers >= 0, got sells[1] = 2.5');
      await expect(k.pinLikelihoodAsync({ alpha: 2, delta: 0, mu: 0, epsilonBuy: 1, epsilonSell: 1 }, b, b)).rejects.toThrow(
        'params.alpha: expected a number in [0, 1], got 2',
      );
    });
  },
  'vpin',
);

// The C++ checks the counts, the initial sets and the parameters again (never trusting the caller).
const binding = loadNative().binding;
it.runIf(binding !== undefined)('the addon itself refuses bad counts, sets and parameters (the typed error, the same message)', () => {
  const b = binding!;
  const out = new Float64Array(7);
  const sets = Float64Array.of(0.5, 0.5, 1, 1, 1);
  const code = Float64Array.of(0, 0);
  expect(() => b.pin(Float64Array.of(1, 2), Float64Array.of(1, -3), sets, code, out)).toThrow(
    'sells: expected integers >= 0, got sells[1] = -3',
  );
  expect(() => b.pin(Float64Array.of(NaN), Float64Array.of(1), sets, code, out)).toThrow('buys: expected integers >= 0, got buys[0] = NaN');
  expect(() => b.pin(Float64Array.of(1), Float64Array.of(1), Float64Array.of(0.5, 2, 1, 1, 1), code, out)).toThrow(
    'sets: expected alpha and delta in [0, 1], got sets[1] = 2.000000',
  );
  expect(() => b.pin(Float64Array.of(1), Float64Array.of(1), sets.subarray(1), code, out)).toThrow('sets: expected a whole number');
  expect(() => b.pin(Float64Array.of(1), Float64Array.of(1, 2), sets, code, out)).toThrow(
    'sells: expected length 1 (as buys), got length 2',
  );
  expect(() => b.pin(Float64Array.of(1), Float64Array.of(1), sets, Float64Array.of(3, 0), out)).toThrow(
    "options.factorization: expected 'e', 'lk' or 'eho' (0, 1 or 2), got 3",
  );
  expect(() =>
    b.pinLikelihood(Float64Array.of(1), Float64Array.of(1), Float64Array.of(0.5, 0.5, -1, 1, 1, 0), new Float64Array(1)),
  ).toThrow('params.mu: expected a finite number >= 0, got -1');
});
