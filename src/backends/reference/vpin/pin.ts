/**
 * The reference PIN kernels (the VPIN family's `aggregateTrades`, `pinLikelihood`, `pin`; documented
 * on `PinKernels`): PINstimation's three factorizations of the log-likelihood computed in log space,
 * its initial sets (src/kernels/vpin/pin-initials.ts), a bounded Nelder-Mead from each, the best kept.
 */
import {
  pinExcludesBoundaries,
  type AggregatedTrades,
  type PinEstimate,
  type PinFactorization,
  type PinInitials,
  type PinParams,
} from '../../../kernels/vpin/pin.js';
import { nelderMead } from '../../../math/nelder-mead.js';
import { expNonPositive, log1pNonNegative, logNonNegative } from '../../../math/elementary.js';
import { logFactorial } from '../../../math/special.js';
import { pinInitialSets, pinStarts } from '../../../kernels/vpin/pin-initials.js';
import { utcOffsetFinder } from '../../../kernels/calendar.js';

// The logs and exps below are elementary.ts's (IEEE operations only), which the C++ computes bit for
// bit (native/kernels/elementary.hpp): the optimizer then takes the same path on every backend.

/** k log x with 0 log 0 = 0 (a Poisson count of 0 at rate 0 has probability 1), log x given (taken once a call). */
function xlogy(k: number, logX: number): number {
  return k === 0 ? 0 : k * logX;
}

/** log(e^x + e^y + e^z), -Infinity when all three are. */
function logSumExp3(x: number, y: number, z: number): number {
  const m = Math.max(x, y, z);
  if (m === -Infinity) return -Infinity;
  return m + logNonNegative(expNonPositive(x - m) + expNonPositive(y - m) + expNonPositive(z - m));
}

/** sum over days of log B! + log S!: the constant every factorization subtracts. */
function logFactorials(buys: Float64Array, sells: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < buys.length; i++) sum += logFactorial(buys[i]) + logFactorial(sells[i]);
  return sum;
}

/**
 * The log-likelihood without sum(log B! + log S!). The three mixture terms per day are the
 * factorization's, each with its weight's log added inside the log-sum-exp (PINstimation factors the
 * largest exponent out of the sum of weighted exponentials: the same value, and no weight of 0 makes
 * it NaN). Where a rate is 0 (eps.b or eps.s: the factorizations divide by them) the direct
 * mixture of Poisson terms is used.
 */
function logLikelihoodCore(p: PinParams, buys: Float64Array, sells: Float64Array, factorization: PinFactorization): number {
  const { alpha: a, delta: d, mu, epsilonBuy: eb, epsilonSell: es } = p;
  const wGood = logNonNegative(a * (1 - d)); // buys from the informed
  const wBad = logNonNegative(a * d); // sells from the informed
  const wNone = logNonNegative(1 - a);
  const direct = eb === 0 || es === 0;
  const lb = direct ? 0 : log1pNonNegative(mu / eb); // log((eb + mu) / eb)
  const ls = direct ? 0 : log1pNonNegative(mu / es);
  const logEb = logNonNegative(eb);
  const logEs = logNonNegative(es);
  const logEbMu = logNonNegative(eb + mu);
  const logEsMu = logNonNegative(es + mu);
  let sum = 0;
  for (let i = 0; i < buys.length; i++) {
    const b = buys[i];
    const s = sells[i];
    let day: number;
    if (direct) {
      const nb = xlogy(b, logEb) - eb;
      const ns = xlogy(s, logEs) - es;
      day = logSumExp3(wGood + xlogy(b, logEbMu) - eb - mu + ns, wBad + nb + xlogy(s, logEsMu) - es - mu, wNone + nb + ns);
    } else if (factorization === 'e') {
      // Ersan (2016): b log eb + s log es - (eb + es) + log(a(1-d) e^g1 + a d e^g2 + (1-a) e^0)
      const g1 = -mu + b * lb;
      const g2 = -mu + s * ls;
      day = xlogy(b, logEb) + xlogy(s, logEs) - (eb + es) + logSumExp3(wGood + g1, wBad + g2, wNone);
    } else if (factorization === 'lk') {
      // Lin and Ke (2011): b log(eb + mu) + s log(es + mu) - (eb + es) + log(a d e^e1 + a(1-d) e^e2 + (1-a) e^e3)
      const e1 = -mu - b * lb;
      const e2 = -mu - s * ls;
      const e3 = -b * lb - s * ls;
      day = xlogy(b, logEbMu) + xlogy(s, logEsMu) - (eb + es) + logSumExp3(wBad + e1, wGood + e2, wNone + e3);
    } else {
      // Easley, Hvidkjaer and O'Hara (2010), with M = min(B, S) + max(B, S) / 2, xb = eb / (mu + eb),
      // xs = es / (mu + es); its powers xb^(B-M), xs^(-M)... taken as logs (PINstimation raises them,
      // which underflows for large counts: see PinKernels.pinLikelihood).
      const m = Math.min(b, s) + Math.max(b, s) / 2;
      const lxb = -lb;
      const lxs = -ls;
      const base = xlogy(b, logEbMu) + xlogy(s, logEsMu) + m * lxb + m * lxs - (eb + es);
      day =
        base + logSumExp3(wBad - mu + (b - m) * lxb - m * lxs, wGood - mu - m * lxb + (s - m) * lxs, wNone + (b - m) * lxb + (s - m) * lxs);
    }
    sum += day;
  }
  return sum;
}

/** PIN's log-likelihood at `params` (the full one: log B! and log S! subtracted). */
export function referencePinLikelihood(
  params: PinParams,
  buys: Float64Array,
  sells: Float64Array,
  factorization: PinFactorization,
): number {
  return logLikelihoodCore(params, buys, sells, factorization) - logFactorials(buys, sells);
}

/** alpha mu / (alpha mu + eb + es), 0 where there is no trading at all (all rates 0). */
export function pinOf(p: PinParams): number {
  const informed = p.alpha * p.mu;
  const total = informed + p.epsilonBuy + p.epsilonSell;
  return total > 0 ? informed / total : 0;
}

const fromVector = (x: readonly number[], scale: number): PinParams => ({
  alpha: x[0],
  delta: x[1],
  mu: x[2] * scale,
  epsilonBuy: x[3] * scale,
  epsilonSell: x[4] * scale,
});

/** The better of two estimates: the higher likelihood, ties broken by the parameters (order-free). */
function better(a: PinEstimate, b: PinEstimate): PinEstimate {
  if (a.logLikelihood !== b.logLikelihood) return a.logLikelihood > b.logLikelihood ? a : b;
  for (const key of ['alpha', 'delta', 'mu', 'epsilonBuy', 'epsilonSell'] as const) if (a[key] !== b[key]) return a[key] < b[key] ? a : b;
  return a;
}

/** PINstimation's failed estimate (`success = FALSE`, likelihood NaN): every field NaN. */
const failed = (initialSets: PinParams[]): PinEstimate => ({
  alpha: NaN,
  delta: NaN,
  mu: NaN,
  epsilonBuy: NaN,
  epsilonSell: NaN,
  pin: NaN,
  logLikelihood: NaN,
  initialSets,
});

/**
 * Maximum-likelihood PIN from each of `initialSets`, the best kept. The rates are optimized divided
 * by the mean daily count (so that all five coordinates are of order 1), within [0, 1]^2 x [0, inf)^3.
 * `initialSets` empty: the no-event model's estimate (alpha 0, the mean counts) is the start.
 * `excludeBoundaries` (pin_yz's): estimates with alpha exactly 0 or 1 are not kept; none left: NaN.
 */
export function estimatePin(
  buys: Float64Array,
  sells: Float64Array,
  initialSets: PinParams[],
  factorization: PinFactorization,
  excludeBoundaries = false,
): PinEstimate {
  let total = 0;
  for (let i = 0; i < buys.length; i++) total += buys[i] + sells[i];
  if (total === 0) {
    // no trade on any day: the likelihood is 1 (its log 0) at eb = es = 0 with no informed trading
    return { alpha: 0, delta: 0, mu: 0, epsilonBuy: 0, epsilonSell: 0, pin: 0, logLikelihood: 0, initialSets };
  }
  const constant = logFactorials(buys, sells);
  const scale = total / (2 * buys.length);
  const starts = pinStarts(buys, sells, initialSets);
  const f = (x: number[]) => {
    const v = -logLikelihoodCore(fromVector(x, scale), buys, sells, factorization);
    return Number.isNaN(v) ? Infinity : v;
  };
  const bounds = { lower: [0, 0, 0, 0, 0], upper: [1, 1, Infinity, Infinity, Infinity] };
  let best: PinEstimate | undefined;
  for (const set of starts) {
    const x0 = [set.alpha, set.delta, set.mu / scale, set.epsilonBuy / scale, set.epsilonSell / scale];
    const step = [0.1, 0.1, ...x0.slice(2).map((v) => Math.max(0.1 * v, 0.05))];
    const { x, f: value } = nelderMead(f, x0, { ...bounds, step });
    const p = fromVector(x, scale);
    const estimate: PinEstimate = { ...p, pin: pinOf(p), logLikelihood: -value - constant, initialSets };
    if (excludeBoundaries && (p.alpha === 0 || p.alpha === 1)) continue;
    best = best === undefined ? estimate : better(best, estimate);
  }
  return best ?? failed(initialSets);
}

/** `pin()`: PINstimation's initial sets of `initials`, then estimatePin. */
export function referencePin(
  buys: Float64Array,
  sells: Float64Array,
  initials: PinInitials,
  factorization: PinFactorization,
  eaCorrection: boolean,
): PinEstimate {
  const sets = pinInitialSets(buys, sells, initials, eaCorrection);
  return estimatePin(buys, sells, sets, factorization, pinExcludesBoundaries(initials, eaCorrection));
}

/**
 * Buys and sells per period: each trade's period is floor(local / periodMs) with local = ts + the
 * zone's offset at the trade; periodStart is that period's start in UTC at the trade's offset.
 * Unclassified trades (label 0) are counted in neither; a period is listed when it holds a trade.
 */
export function referenceAggregateTrades(labels: Int8Array, ts: Float64Array, periodMs: number, tz: string): AggregatedTrades {
  const offset = utcOffsetFinder(tz);
  const start: number[] = [];
  const buys: number[] = [];
  const sells: number[] = [];
  let period = NaN;
  for (let i = 0; i < ts.length; i++) {
    const off = offset(ts[i]);
    const k = Math.floor((ts[i] + off) / periodMs);
    if (k !== period) {
      period = k;
      start.push(k * periodMs - off);
      buys.push(0);
      sells.push(0);
    }
    const last = buys.length - 1;
    if (labels[i] === 1) buys[last]++;
    else if (labels[i] === -1) sells[last]++;
  }
  return { periodStart: Float64Array.from(start), buys: Float64Array.from(buys), sells: Float64Array.from(sells) };
}
