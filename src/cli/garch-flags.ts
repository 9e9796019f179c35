/**
 * The flags that name a conditional volatility model, read alike by `kernelbus risk --garch` (each
 * column's fit and garchVar backtest) and `kernelbus engine risk --garch` (the RiskEngine's GARCH VaR):
 * --garch vol, --dist d, --garch-refit n, and the rule that they mean nothing without --garch.
 */
import { KernelInputError } from '../errors.js';
import { DISTS, type Dist, VOLS, type Vol } from '../kernels/volatility/volatility.js';
import { type Flag, flag, text } from './options.js';

/** A flag whose value is one of `names` (undefined when absent); KernelInputError naming the flag otherwise. */
export function choice<T extends string>(names: readonly T[]): Flag<T | undefined> {
  return {
    type: 'string',
    parse: (raw, name) => {
      const value = text(raw);
      if (value !== undefined && !(names as readonly string[]).includes(value))
        throw new KernelInputError(name, names.join(' | '), JSON.stringify(value));
      return value as T | undefined;
    },
  };
}

/** --garch (the model: garch | gjr | egarch | aparch), --dist (its errors) and --garch-refit (periods between refits). */
export const GARCH_FLAGS = {
  garch: choice(VOLS),
  dist: choice(DISTS),
  'garch-refit': flag.optionalNumber(1, 1e9, true),
};

/** The GARCH flags as parsed. */
export interface GarchFlagValues {
  garch?: Vol;
  dist?: Dist;
  'garch-refit'?: number;
}

/** Throws KernelInputError naming the first of `names` given without --garch. */
export function requireGarchFlag(values: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  for (const name of names) {
    if (values[name] !== undefined && values.garch === undefined)
      throw new KernelInputError(`--${name}`, 'nothing without --garch', String(values[name]));
  }
}

/** --garch, --dist and --garch-refit from their raw strings (`kernelbus engine` reads every flag as a string). */
export function parseGarchFlags(raw: Readonly<Partial<Record<keyof typeof GARCH_FLAGS, string>>>): GarchFlagValues {
  const values: GarchFlagValues = {
    garch: GARCH_FLAGS.garch.parse(raw.garch, '--garch'),
    dist: GARCH_FLAGS.dist.parse(raw.dist, '--dist'),
    'garch-refit': GARCH_FLAGS['garch-refit'].parse(raw['garch-refit'], '--garch-refit'),
  };
  requireGarchFlag(values as Record<string, unknown>, ['dist', 'garch-refit']);
  return values;
}
