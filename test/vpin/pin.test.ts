/**
 * PIN (issue 32): aggregateTrades, pinLikelihood and pin against closed forms, a direct sum of the
 * likelihood in log space, and parameters recovered from counts simulated from the model.
 */
import { describe, expect, it } from 'vitest';
import { aggregateTrades, kernels, KernelInputError, pin, pinLikelihood } from '../../src/api/index.js';
import { estimatePin } from '../../src/backends/reference/vpin/pin.js';
import { completeLinkage, initialsEa, initialsGwj, initialsYz } from '../../src/kernels/vpin/pin-initials.js';
import type { PinEstimate, PinFactorization, PinParams } from '../../src/kernels/vpin/pin.js';
import { logGamma } from '../../src/math/special.js';
import { rng, simulatePin as simulate } from '../helpers/pin.js';

const ref = kernels({ backend: 'reference' });
const FACTS: PinFactorization[] = ['e', 'lk', 'eho'];

/** log k! as a sum of logs (independent of logGamma). */
function logFact(k: number): number {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
}

/** log Poisson(k; lambda), 0 log 0 = 0. */
const logPois = (k: number, lambda: number) => (k === 0 ? 0 : k * Math.log(lambda)) - lambda - logFact(k);

/** The likelihood straight from the model: per day the log of the three-term mixture. */
function directLogLikelihood(p: PinParams, buys: Float64Array, sells: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < buys.length; i++) {
    const [b, s] = [buys[i], sells[i]];
    const t = [
      Math.log(p.alpha * (1 - p.delta)) + logPois(b, p.epsilonBuy + p.mu) + logPois(s, p.epsilonSell),
      Math.log(p.alpha * p.delta) + logPois(b, p.epsilonBuy) + logPois(s, p.epsilonSell + p.mu),
      Math.log(1 - p.alpha) + logPois(b, p.epsilonBuy) + logPois(s, p.epsilonSell),
    ];
    const m = Math.max(...t);
    sum += m + Math.log(t.reduce((acc, x) => acc + Math.exp(x - m), 0));
  }
  return sum;
}

const TRUE: PinParams = { alpha: 0.35, delta: 0.4, mu: 180, epsilonBuy: 140, epsilonSell: 110 };

describe('logGamma', () => {
  it('matches log k! and the half-integer closed form', () => {
    for (const k of [0, 1, 2, 5, 10, 20, 50, 170, 1000, 25000]) expect(logGamma(k + 1)).toBeCloseTo(logFact(k), 9);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14); // Gamma(1/2) = sqrt(pi)
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 13); // log Gamma(0.1) (Abramowitz-Stegun 6.1)
    expect(logGamma(1)).toBe(0);
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-1)).toBeNaN();
  });
});

describe('pinLikelihood', () => {
  const { buys, sells } = simulate(TRUE, 60, 7);

  it('equals the direct sum of the mixture in log space, under each factorization', () => {
    for (const p of [TRUE, { alpha: 0.1, delta: 0.9, mu: 40, epsilonBuy: 300, epsilonSell: 20 }, { ...TRUE, alpha: 0, delta: 0 }]) {
      const direct = directLogLikelihood(p, buys, sells);
      for (const f of FACTS) expect(pinLikelihood(p, buys, sells, f), f).toBeCloseTo(direct, 8);
    }
    expect(pinLikelihood(TRUE, buys, sells)).toBe(pinLikelihood(TRUE, buys, sells, 'e')); // 'e' is the default
  });

  it('a zero rate takes the direct mixture (0 log 0 = 0; a buy at eb = 0 needs an event)', () => {
    const b = Float64Array.of(0, 0, 5);
    const s = Float64Array.of(0, 3, 0);
    const p = { alpha: 0.5, delta: 0.5, mu: 4, epsilonBuy: 0, epsilonSell: 2 };
    for (const f of FACTS) expect(pinLikelihood(p, b, s, f)).toBeCloseTo(directLogLikelihood(p, b, s), 12);
    // no-event days only: log of 1 * Poisson(0; 0) ... = 0 when all rates are 0 and counts 0
    expect(pinLikelihood({ alpha: 0, delta: 0, mu: 0, epsilonBuy: 0, epsilonSell: 0 }, b.subarray(0, 1), s.subarray(0, 1))).toBe(0);
  });

  it("stays finite for large counts where PINstimation's EHO underflows, and equal across factorizations", () => {
    const big = { alpha: 0.3, delta: 0.5, mu: 6000, epsilonBuy: 20000, epsilonSell: 18000 };
    const { buys: b, sells: s } = simulate(big, 20, 11);
    // PINstimation's EHO (fact_pin_eho) raises xb = eb / (mu + eb) and xs to powers of the counts:
    // its p2 = log(a d e^-mu xb^(B-M) xs^-M + a (1-d) e^-mu xb^-M xs^(S-M) + (1-a) xb^(B-M) xs^(S-M))
    // is not finite here in double precision (e^-6000 = 0, the powers overflow or underflow)
    const [b0, s0] = [b[0], s[0]];
    const m = Math.min(b0, s0) + Math.max(b0, s0) / 2;
    const xb = big.epsilonBuy / (big.mu + big.epsilonBuy);
    const xs = big.epsilonSell / (big.mu + big.epsilonSell);
    const { alpha: a, delta: d, mu } = big;
    const p2 = Math.log(
      a * d * Math.exp(-mu) * xb ** (b0 - m) * xs ** -m +
        a * (1 - d) * Math.exp(-mu) * xb ** -m * xs ** (s0 - m) +
        (1 - a) * xb ** (b0 - m) * xs ** (s0 - m),
    );
    expect(Number.isFinite(p2)).toBe(false);
    const direct = directLogLikelihood(big, b, s);
    expect(Number.isFinite(direct)).toBe(true);
    // b log(lambda) - lambda - log b! cancels terms of ~2e5 down to ~-10 a day: the tolerance is on their scale
    let scale = 0;
    for (let i = 0; i < b.length; i++) scale += logFact(b[i]) + logFact(s[i]);
    for (const f of FACTS) expect(Math.abs(pinLikelihood(big, b, s, f) - direct), f).toBeLessThan(1e-13 * scale);
  });

  it('refuses bad input naming the argument', () => {
    const b = Float64Array.of(1, 2);
    expect(() => pinLikelihood({ ...TRUE, alpha: 1.5 }, b, b)).toThrow('params.alpha: expected a number in [0, 1], got 1.5');
    expect(() => pinLikelihood({ ...TRUE, mu: -1 }, b, b)).toThrow('params.mu: expected a finite number >= 0, got -1');
    expect(() => pinLikelihood(TRUE, b, b, 'x' as never)).toThrow("factorization: expected 'e', 'lk' or 'eho', got \"x\"");
    expect(() => pinLikelihood(TRUE, Float64Array.of(1, 2.5), b)).toThrow('buys: expected integers >= 0, got buys[1] = 2.5');
  });
});

describe('pin', () => {
  it('no events (all counts 0): alpha 0, pin 0, log-likelihood 0', () => {
    const zero = new Float64Array(60);
    for (const initials of ['ea', 'gwj', 'yz'] as const) {
      const r = pin(zero, zero, { initials });
      expect(r).toMatchObject({ alpha: 0, delta: 0, mu: 0, epsilonBuy: 0, epsilonSell: 0, pin: 0, logLikelihood: 0 });
    }
  });

  it('recovers the parameters of counts simulated from the model (60 days, 40 runs), beating the truth each run', () => {
    const runs = 40;
    const est = { alpha: 0, delta: 0, mu: 0, epsilonBuy: 0, epsilonSell: 0, pin: 0 };
    for (let r = 0; r < runs; r++) {
      const { buys, sells } = simulate(TRUE, 60, 1000 + r);
      const e = ref.pin(buys, sells);
      // the MLE is at least as likely as the true parameters
      expect(e.logLikelihood).toBeGreaterThanOrEqual(pinLikelihood(TRUE, buys, sells) - 1e-9);
      expect(e.logLikelihood).toBeCloseTo(pinLikelihood(e, buys, sells), 9);
      for (const k of Object.keys(est) as (keyof typeof est)[]) est[k] += e[k] / runs;
    }
    const truePin = (TRUE.alpha * TRUE.mu) / (TRUE.alpha * TRUE.mu + TRUE.epsilonBuy + TRUE.epsilonSell);
    // standard errors of a 40-run mean at 60 days: alpha ~ 0.062 / sqrt(40) ~ 0.01, delta ~ 0.015,
    // rates ~ 1-3; bounds at about 4 standard errors
    expect(Math.abs(est.alpha - TRUE.alpha)).toBeLessThan(0.04);
    expect(Math.abs(est.delta - TRUE.delta)).toBeLessThan(0.07);
    expect(Math.abs(est.mu - TRUE.mu)).toBeLessThan(6);
    expect(Math.abs(est.epsilonBuy - TRUE.epsilonBuy)).toBeLessThan(3);
    expect(Math.abs(est.epsilonSell - TRUE.epsilonSell)).toBeLessThan(3);
    expect(Math.abs(est.pin - truePin)).toBeLessThan(0.01);
  });

  it('EA, GWJ and YZ initial sets and the three factorizations reach the same maximum', () => {
    const { buys, sells } = simulate(TRUE, 60, 42);
    const base = pin(buys, sells);
    for (const initials of ['gwj', 'yz'] as const) expect(pin(buys, sells, { initials }).logLikelihood).toBeCloseTo(base.logLikelihood, 6);
    for (const factorization of ['lk', 'eho'] as const) {
      const e = pin(buys, sells, { factorization });
      expect(e.logLikelihood).toBeCloseTo(base.logLikelihood, 6);
      expect(e.pin).toBeCloseTo(base.pin, 5);
    }
  });

  it('does not depend on the order of the initial sets', () => {
    const { buys, sells } = simulate({ ...TRUE, alpha: 0.2 }, 60, 5);
    const sets = initialsYz(buys, sells).slice(0, 30);
    const a = estimatePin(buys, sells, sets, 'e');
    const b = estimatePin(buys, sells, sets.slice().reverse(), 'e');
    const { initialSets: _a, ...ea } = a;
    const { initialSets: _b, ...eb } = b;
    expect(eb).toEqual(ea);
  });

  it('refuses bad input naming the argument', () => {
    const b = Float64Array.of(1, 2);
    expect(() => pin(Float64Array.of(1, -1), b)).toThrow('buys: expected integers >= 0, got buys[1] = -1');
    expect(() => pin(b, Float64Array.of(1, NaN))).toThrow('sells: expected integers >= 0, got sells[1] = NaN');
    expect(() => pin(b, Float64Array.of(1, 2, 3))).toThrow('sells: expected length 2 (as buys), got length 3');
    expect(() => pin(new Float64Array(0), new Float64Array(0))).toThrow('buys: expected at least one period, got length 0');
    expect(() => pin([1, 2] as never, b)).toThrow(KernelInputError);
    expect(() => pin(b, b, { initials: 'abc' as never })).toThrow("options.initials: expected 'ea', 'gwj' or 'yz', got \"abc\"");
    expect(() => pin(b, b, { factorization: 'E' as never })).toThrow("options.factorization: expected 'e', 'lk' or 'eho', got \"E\"");
    expect(() => pin(b, b, { grid: 5 } as never)).toThrow(KernelInputError);
  });

  it('the promise forms settle with the same results and reject with the same messages', async () => {
    const { buys, sells } = simulate(TRUE, 30, 9);
    expect(await ref.pinAsync(buys, sells, { initials: 'gwj' })).toEqual(ref.pin(buys, sells, { initials: 'gwj' }));
    expect(await ref.pinLikelihoodAsync(TRUE, buys, sells, 'lk')).toBe(ref.pinLikelihood(TRUE, buys, sells, 'lk'));
    await expect(ref.pinAsync(Float64Array.of(1, -1), buys)).rejects.toThrow('buys: expected integers >= 0, got buys[1] = -1');
    await expect(ref.aggregateTradesAsync(Int8Array.of(1), { ts: Float64Array.of(1, 2) })).rejects.toThrow(
      'trades.ts: expected length 1 (as labels), got length 2',
    );
  });
});

describe('initial sets (PINstimation initials_pin_ea, _gwj, _yz)', () => {
  it("complete linkage cuts like R's cutree(hclust(dist(x), 'complete'), k)", () => {
    // 1 2 | 10 11 12 | 30: complete linkage merges {1,2}, {10,11}, then 12 into it, 30 stays alone
    expect(completeLinkage([1, 10, 2, 30, 11, 12], 3)).toEqual([0, 1, 0, 2, 1, 1]);
  });

  it('complete linkage with nearest-neighbour rows makes the merges of the full pair scan (ties in index order)', () => {
    // the plain algorithm: at every merge, the first pair of least distance over all live pairs
    const plain = (x: number[], k: number): number[] => {
      const members = x.map((_, i) => [i]);
      const dist = x.map((a) => x.map((b) => Math.abs(a - b)));
      const live = x.map((_, i) => i);
      while (live.length > k) {
        let [bi, bj, bd] = [0, 1, Infinity];
        for (let p = 0; p < live.length; p++)
          for (let q = p + 1; q < live.length; q++) if (dist[live[p]][live[q]] < bd) [bi, bj, bd] = [p, q, dist[live[p]][live[q]]];
        const [i, j] = [live[bi], live[bj]];
        for (const m of live) dist[i][m] = dist[m][i] = Math.max(dist[i][m], dist[j][m]);
        members[i] = members[i].concat(members[j]);
        live.splice(bj, 1);
      }
      const label = new Array<number>(x.length);
      live
        .map((c) => members[c])
        .sort((a, b) => Math.min(...a) - Math.min(...b))
        .forEach((c, id) => c.forEach((m) => (label[m] = id)));
      return label;
    };
    const u = rng(77);
    for (let c = 0; c < 300; c++) {
      const n = 1 + Math.floor(u() * 40);
      // small integers: many equal distances (ties), or spread values
      const x = Array.from({ length: n }, () => (c % 2 === 0 ? Math.floor(u() * 8) : Math.round(u() * 1000) / 7));
      for (const k of [1, 3, 6].filter((kk) => kk <= n)) expect([c, k, completeLinkage(x, k)]).toEqual([c, k, plain(x, k)]);
    }
  });

  it('YZ: the 5 x 5 x 5 grid, eb = g mean(B), mu = (mean(B) - eb) / (a (1 - d)), es = mean(S) - a d mu, es < 0 dropped', () => {
    const b = Float64Array.of(100, 200, 300);
    const s = Float64Array.of(100, 100, 100);
    const sets = initialsYz(b, s);
    expect(sets[0]).toEqual({
      alpha: 0.1,
      delta: 0.1,
      mu: (200 - 20) / (0.1 * 0.9),
      epsilonBuy: 20,
      epsilonSell: 100 - 0.01 * (180 / 0.09),
    });
    expect(sets.every((p) => p.epsilonSell >= 0)).toBe(true);
    expect(sets.length).toBeLessThan(125);
  });

  it('YZ with ea_correction: a 2 x 2 x 2 grid by hand, sets with es < 0 dropped, and with the correction those with mu > max(B, S)', () => {
    // mean(B) = mean(S) = 20, max(B, S) = 40; grid {0.25, 0.75}; expand.grid order: alpha fastest, then delta, then eb
    const b = Float64Array.of(10, 20, 30);
    const s = Float64Array.of(5, 15, 40);
    // (alpha, delta, mu, eb, es): mu = (20 - eb) / (a (1 - d)), es = 20 - a d mu
    const all = [
      [0.25, 0.25, 80, 5, 15],
      [0.75, 0.25, 80 / 3, 5, 15],
      // eb 5, delta 0.75: es = 20 - 45 < 0 at both alphas: dropped
      [0.25, 0.25, 80 / 3, 15, 55 / 3],
      [0.75, 0.25, 80 / 9, 15, 55 / 3],
      [0.25, 0.75, 80, 15, 5],
      [0.75, 0.75, 80 / 3, 15, 5],
    ];
    const asArrays = (sets: PinParams[]) => sets.map((p) => [p.alpha, p.delta, p.mu, p.epsilonBuy, p.epsilonSell]);
    const close = (got: number[][], want: number[][]) => {
      expect(got.length).toBe(want.length);
      got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 12)));
    };
    close(asArrays(initialsYz(b, s, 2)), all);
    close(asArrays(initialsYz(b, s, 2, true)), [all[1], all[2], all[3], all[5]]); // mu 80 > 40 dropped
  });

  it("pin_yz's exclude_boundaries (default): the best of the estimates with alpha strictly inside (0, 1); eaCorrection: the best of all", () => {
    const { buys, sells } = simulate({ alpha: 0, delta: 0, mu: 0, epsilonBuy: 20, epsilonSell: 20 }, 30, 5);
    const inside = (p: PinParams) => p.alpha > 0 && p.alpha < 1;
    const grid = initialsYz(buys, sells);
    const each = grid.map((p) => estimatePin(buys, sells, [p], 'e')); // one estimate per initial set
    const best = (estimates: PinEstimate[]) => Math.max(...estimates.map((e) => e.logLikelihood));
    expect(each.filter((e) => !inside(e)).length).toBeGreaterThan(0); // no-event data: some sets end at alpha 0 or 1
    const excluded = pin(buys, sells, { initials: 'yz' });
    expect(inside(excluded)).toBe(true);
    expect(excluded.logLikelihood).toBe(best(each.filter(inside)));
    const corrected = pin(buys, sells, { initials: 'yz', eaCorrection: true });
    const correctedGrid = initialsYz(buys, sells, 5, true);
    expect(corrected.logLikelihood).toBe(
      best(
        each.filter((_, i) =>
          correctedGrid.some(
            (p) => p.mu === grid[i].mu && p.alpha === grid[i].alpha && p.delta === grid[i].delta && p.epsilonBuy === grid[i].epsilonBuy,
          ),
        ),
      ),
    );
    // every set at a boundary: PINstimation's failure (success = FALSE), every field NaN
    const failed = estimatePin(
      buys,
      sells,
      grid.filter((_, i) => !inside(each[i])),
      'e',
      true,
    );
    expect([failed.alpha, failed.pin, failed.logLikelihood]).toEqual([NaN, NaN, NaN]);
    expect(() => pin(buys, sells, { initials: 'ea', eaCorrection: true })).toThrow(
      "options.eaCorrection: expected true only with initials: 'yz' (pin_yz's ea_correction), got initials 'ea'",
    );
    expect(() => pin(buys, sells, { initials: 'yz', eaCorrection: 1 as never })).toThrow('options.eaCorrection: expected a boolean, got 1');
  });

  it('GWJ: one set from the bad, no-event and good clusters of B - S', () => {
    // B - S: -50 -48 (bad) | 0 1 (none) | 60 62 (good)
    const b = Float64Array.of(50, 52, 100, 101, 160, 162);
    const s = Float64Array.of(100, 100, 100, 100, 100, 100);
    const [p] = initialsGwj(b, s);
    const eb = (51 * 2 + 100.5 * 2) / 4;
    const es = 100;
    expect(p.alpha).toBeCloseTo(4 / 6, 15);
    expect(p.delta).toBeCloseTo(0.5, 15);
    expect(p.epsilonBuy).toBeCloseTo(eb, 12);
    expect(p.epsilonSell).toBeCloseTo(es, 12);
    expect(p.mu).toBeCloseTo((Math.max(161 - eb, 0) + Math.max(100 - es, 0)) / 2, 12);
  });

  it('EA: five sets, the i-th taking the i lowest |B - S| clusters as no-event days', () => {
    const { buys, sells } = simulate(TRUE, 60, 3);
    const sets = initialsEa(buys, sells);
    expect(sets).toHaveLength(5);
    for (let i = 1; i < 5; i++) expect(sets[i].alpha).toBeLessThanOrEqual(sets[i - 1].alpha); // more no-event days each time
  });
});

describe('aggregateTrades', () => {
  const H = 3_600_000;
  const D = 24 * H;
  const ts = Float64Array.of(1, 2 * H, 3 * H, D + 1, D + 5, 3 * D + 7);
  const labels = Int8Array.of(1, -1, 0, 1, 1, 0);

  it('counts buys and sells per UTC day, unclassified trades left out', () => {
    expect(aggregateTrades(labels, { ts })).toEqual({
      periodStart: Float64Array.of(0, D, 3 * D),
      buys: Float64Array.of(1, 2, 0),
      sells: Float64Array.of(1, 0, 0),
    });
    expect(aggregateTrades(labels, { ts }, { periodMs: 2 * H }).buys).toEqual(Float64Array.of(1, 0, 2, 0));
  });

  it('aligns days to a time zone (New York, UTC-5 in January)', () => {
    const jan = Date.UTC(2024, 0, 2); // 2024-01-02 00:00 UTC = 01-01 19:00 in New York
    const r = aggregateTrades(Int8Array.of(1, 1, -1), { ts: Float64Array.of(jan, jan + 4 * H, jan + 6 * H) }, { tz: 'America/New_York' });
    expect(r).toEqual({
      periodStart: Float64Array.of(jan - 19 * H, jan + 5 * H),
      buys: Float64Array.of(2, 0),
      sells: Float64Array.of(0, 1),
    });
  });

  it('keeps a daylight-saving day whole (New York, 2024-03-10: midnight at UTC-5, the day ends at UTC-4)', () => {
    const day = Date.UTC(2024, 2, 10, 5); // 00:00 EST
    const ts = Float64Array.of(day + H, day + 10 * H, day + 23 * H - 1, day + 23 * H); // the last: 00:00 EDT on 03-11
    const r = aggregateTrades(Int8Array.of(1, -1, 1, 1), { ts }, { tz: 'America/New_York' });
    expect(r).toEqual({ periodStart: Float64Array.of(day, day + 23 * H), buys: Float64Array.of(2, 1), sells: Float64Array.of(1, 0) });
  });

  it('refuses bad input naming the argument', () => {
    expect(() => aggregateTrades(Int8Array.of(1, 2), { ts: Float64Array.of(1, 2) })).toThrow(
      'labels: expected values -1, 0 or +1, got labels[1] = 2',
    );
    expect(() => aggregateTrades(Int8Array.of(1), { ts: Float64Array.of(1, 2) })).toThrow(
      'trades.ts: expected length 1 (as labels), got length 2',
    );
    expect(() => aggregateTrades(Int8Array.of(1, 1), { ts: Float64Array.of(2, 1) })).toThrow('trades.ts: expected non-decreasing times');
    expect(() => aggregateTrades(labels, { ts }, { tz: 'Mars/Olympus' })).toThrow(
      'options.tz: expected an IANA time zone name, got "Mars/Olympus"',
    );
    expect(() => aggregateTrades(labels, { ts }, { periodMs: 0 })).toThrow('options.periodMs: expected a finite number > 0, got 0');
  });
});
