/**
 * PIN (the probability of informed trading, Easley, Kiefer, O'Hara and Paperman 1996) as
 * PINstimation estimates it (github.com/monty-se/PINstimation, `R/model_pin.R`,
 * `R/model_factorizations.R`, `R/data_aggregation.R`): the spec of the VPIN family's `aggregateTrades`,
 * `pinLikelihood` and `pin` (issue 32): their inputs, options and their resolution, the checks.
 * The kernels are documented on `PinKernels` (pin-kernels.ts); the reference computes them
 * (backends/reference/vpin/pin.ts).
 */
import { KernelInputError } from '../../errors.js';
import { requireTimeZone } from '../calendar.js';
import { atLeast, checkParam, closed, code, flag, option, param } from '../param-rules.js';
import { describeValue, requireFloat64Array, requireSameLength } from '../validate.js';

/** The PIN model's parameters (PINstimation's order: alpha, delta, mu, eps.b, eps.s). */
export interface PinParams {
  /** Probability of an information event on a day, in [0, 1]. */
  alpha: number;
  /** Probability that an event is bad news (sells from the informed), in [0, 1]. */
  delta: number;
  /** Arrival rate of informed trades on an event day, >= 0. */
  mu: number;
  /** Arrival rate of uninformed buys, >= 0. */
  epsilonBuy: number;
  /** Arrival rate of uninformed sells, >= 0. */
  epsilonSell: number;
}

/** The factorizations of the log-likelihood PINstimation offers: Ersan (2016), Lin-Ke (2011), Easley-Hvidkjaer-O'Hara (2010). */
export type PinFactorization = 'e' | 'lk' | 'eho';
export const PIN_FACTORIZATIONS = ['e', 'lk', 'eho'] as const satisfies readonly PinFactorization[];
/** A factorization's packed code (its position in PIN_FACTORIZATIONS: native/kernels/vpin/pin.hpp Factorization). */
export const pinFactorizationCode = (f: PinFactorization): number => PIN_FACTORIZATIONS.indexOf(f);

/** PINstimation's initial parameter sets: `initials_pin_ea`, `initials_pin_gwj`, `initials_pin_yz`. */
export type PinInitials = 'ea' | 'gwj' | 'yz';
export const PIN_INITIALS = ['ea', 'gwj', 'yz'] as const satisfies readonly PinInitials[];

/** Options of `pin()`. */
export interface PinOptions {
  /** Which initial sets the optimizer starts from (default `'ea'`, as PINstimation's `pin_ea`). */
  initials?: PinInitials;
  /** The factorization of the log-likelihood maximized (default `'e'`, PINstimation's default). */
  factorization?: PinFactorization;
  /**
   * With `initials: 'yz'` only: PINstimation's `pin_yz(ea_correction)` (default false). false: estimates
   * whose alpha is exactly 0 or 1 are left out of the best (its `exclude_boundaries`), and when every
   * set ends there the estimate fails (all fields NaN, as its `success = FALSE`, likelihood NaN). true
   * (Ersan and Alici 2016's correction): the grid drops sets with mu > max(B, S) and boundaries are kept.
   */
  eaCorrection?: boolean;
}

/** `pin()`'s result: the estimates, PIN, the maximized log-likelihood and the initial sets used. */
export interface PinEstimate extends PinParams {
  /** alpha mu / (alpha mu + epsilonBuy + epsilonSell); 0 where the denominator is 0 (no trades at all). */
  pin: number;
  /** The log-likelihood at the estimates (the full one, log B! and log S! included). */
  logLikelihood: number;
  /** The initial parameter sets the optimizer started from, in PINstimation's order. */
  initialSets: PinParams[];
}

/** Options of `aggregateTrades()`. */
export interface AggregateTradesOptions {
  /** The period's length in milliseconds (default one day, 86 400 000: PINstimation's daily counts). */
  periodMs?: number;
  /** An IANA time zone (default 'UTC'): periods are aligned to multiples of periodMs in its local time. */
  tz?: string;
}

/** Buys and sells per period: `periodStart` (epoch ms, UTC) of each period holding a trade, in time order. */
export interface AggregatedTrades {
  periodStart: Float64Array;
  buys: Float64Array;
  sells: Float64Array;
}

/** The PIN kernels as a backend's VPIN family implements them (optional: aggregateTrades is the reference's alone). */
export interface PinFamily {
  aggregateTrades?(labels: Int8Array, ts: Float64Array, periodMs: number, tz: string): AggregatedTrades;
  pinLikelihood?(params: PinParams, buys: Float64Array, sells: Float64Array, factorization: PinFactorization): number;
  pin?(buys: Float64Array, sells: Float64Array, initials: PinInitials, factorization: PinFactorization, eaCorrection: boolean): PinEstimate;
}

const DAY_MS = 86_400_000;

const factorization = code(PIN_FACTORIZATIONS);

/**
 * The PIN kernels' packed parameters (PIN_KERNELS' `params`), each with its rule (param-rules.ts): the
 * checks below go by them, and native/kernels/generated/pin.hpp reads them in C++.
 */
export const PIN_PARAMS = {
  /** pinLikelihood's: the model's parameters, then the factorization. */
  likelihood: [
    param('alpha', closed(0, 1), 'params.alpha'),
    param('delta', closed(0, 1), 'params.delta'),
    param('mu', atLeast(0), 'params.mu'),
    param('epsilonBuy', atLeast(0), 'params.epsilonBuy'),
    param('epsilonSell', atLeast(0), 'params.epsilonSell'),
    param('factorization', factorization),
  ],
  /** pin's: the factorization, and whether estimates at the boundaries are left out (from options.eaCorrection). */
  estimate: [option('factorization', factorization), param('excludeBoundaries', flag('excludeBoundaries'), 'options.eaCorrection')],
} as const;

/** Checks that `counts` is a non-empty Float64Array of integers >= 0, naming `name`. */
export function requireCounts(counts: unknown, name: string): asserts counts is Float64Array {
  requireFloat64Array(counts, name);
  if (counts.length === 0) throw new KernelInputError(name, 'at least one period', 'length 0');
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (!(c >= 0 && Number.isInteger(c))) throw new KernelInputError(name, 'integers >= 0', `${name}[${i}] = ${c}`);
  }
}

/** Checks `buys` and `sells`: counts of one length. */
export function requireBuysSells(buys: unknown, sells: unknown): asserts buys is Float64Array {
  requireCounts(buys, 'buys');
  requireCounts(sells, 'sells');
  requireSameLength(buys, 'buys', sells as Float64Array, 'sells');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Checks a parameter set: alpha and delta in [0, 1], the rates finite and >= 0 (`name.alpha`...). */
export function requirePinParams(params: unknown, name = 'params'): PinParams {
  if (!isRecord(params)) throw new KernelInputError(name, 'an object { alpha, delta, mu, epsilonBuy, epsilonSell }', describeValue(params));
  const model = PIN_PARAMS.likelihood.slice(0, 5); // the factorization is an argument of its own
  const [alpha, delta, mu, epsilonBuy, epsilonSell] = model.map((spec) => checkParam(spec, params[spec.key], `${name}.${spec.key}`));
  return { alpha, delta, mu, epsilonBuy, epsilonSell };
}

/** Resolves a factorization argument (default 'e'). */
export function resolveFactorization(value: unknown, name: string): PinFactorization {
  if (value === undefined) return 'e';
  return PIN_FACTORIZATIONS[checkParam(PIN_PARAMS.estimate[0], value, name)];
}

/** Resolves `pin()`'s options. */
export function resolvePinOptions(options: PinOptions | undefined): Required<PinOptions> {
  if (options !== undefined && !isRecord(options)) throw new KernelInputError('options', 'an object', describeValue(options));
  const initials: unknown = options?.initials ?? 'ea';
  if (!PIN_INITIALS.includes(initials as PinInitials))
    throw new KernelInputError('options.initials', "'ea', 'gwj' or 'yz'", describeValue(initials));
  const eaCorrection: unknown = options?.eaCorrection ?? false;
  if (typeof eaCorrection !== 'boolean') throw new KernelInputError('options.eaCorrection', 'a boolean', describeValue(eaCorrection));
  if (eaCorrection && initials !== 'yz') {
    throw new KernelInputError('options.eaCorrection', "true only with initials: 'yz' (pin_yz's ea_correction)", `initials '${initials}'`);
  }
  return {
    initials: initials as PinInitials,
    factorization: resolveFactorization(options?.factorization, 'options.factorization'),
    eaCorrection,
  };
}

/** Whether pin() leaves estimates with alpha exactly 0 or 1 out of the best: pin_yz's exclude_boundaries = !ea_correction. */
export const pinExcludesBoundaries = (initials: PinInitials, eaCorrection: boolean): boolean => initials === 'yz' && !eaCorrection;

/** Resolves `aggregateTrades()`'s options: the period and the time zone (checked by Intl). */
export function resolveAggregateTradesOptions(options: AggregateTradesOptions | undefined): { periodMs: number; tz: string } {
  if (options !== undefined && !isRecord(options)) throw new KernelInputError('options', 'an object', describeValue(options));
  const periodMs = options?.periodMs ?? DAY_MS;
  if (typeof periodMs !== 'number' || !(periodMs > 0 && periodMs < Infinity)) {
    throw new KernelInputError('options.periodMs', 'a finite number > 0', describeValue(periodMs));
  }
  return { periodMs, tz: requireTimeZone(options?.tz ?? 'UTC', 'options.tz') };
}

/** Checks `aggregateTrades()`'s arguments: labels (Int8Array of -1, 0, +1) and `trades.ts` of one length. */
export function requireLabelledTrades(labels: unknown, trades: unknown): asserts labels is Int8Array {
  if (!(labels instanceof Int8Array)) throw new KernelInputError('labels', 'an Int8Array', describeValue(labels));
  if (!isRecord(trades)) throw new KernelInputError('trades', 'an object { ts }', describeValue(trades));
  requireFloat64Array(trades.ts, 'trades.ts');
  requireSameLength(labels, 'labels', trades.ts, 'trades.ts');
  const ts = trades.ts;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== 1 && l !== -1 && l !== 0) throw new KernelInputError('labels', 'values -1, 0 or +1', `labels[${i}] = ${l}`);
    const t = ts[i];
    if (!Number.isFinite(t)) throw new KernelInputError('trades.ts', 'finite times', `trades.ts[${i}] = ${t}`);
    if (i > 0 && t < ts[i - 1])
      throw new KernelInputError('trades.ts', 'non-decreasing times', `trades.ts[${i}] = ${t} < trades.ts[${i - 1}] = ${ts[i - 1]}`);
  }
}
