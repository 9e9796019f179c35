/**
 * The indicators' calls that are not a descriptor's fixed layout, on the addon: an indicator's grid
 * (`<name>Grid`, native/kernels/indicators/indicators_entry.hpp: the sets shared between threads,
 * the inputs read in place by every set) and the crossovers (`crossedAbove`; crossedBelow is
 * crossedAbove with a and b swapped, as vectorbt computes it). The API allocates every output and
 * passes it; each call returns it filled (its promise variant resolves with it).
 */
import type { CrossCall, IndicatorGridCall, IndicatorsFamily } from '../../kernels/indicators/indicators.js';
import type { AsyncFamily } from '../types.js';
import type { NativeBinding } from './binding.js';

type Extras = Pick<IndicatorsFamily, 'grid' | 'crossedAbove' | 'crossedBelow'>;

/** A grid entry: the inputs, rows, cols, sets, count, out. */
type GridEntry<R> = (...args: (Float64Array | number)[]) => R;
/** crossedAbove's entry: a, aCols, b, bCols, rows, pairsA, pairsB, the packed `wait`, out. */
type CrossEntry<R> = (...args: [Float64Array, number, Float64Array, number, number, Int32Array, Int32Array, Float64Array, Uint8Array]) => R;

/** The grid and the crossovers, synchronous. */
export function nativeIndicatorExtras(b: NativeBinding): Extras {
  const grid: IndicatorGridCall = (name, inputs, rows, cols, sets, count, out) => {
    (b[`${name}Grid`] as GridEntry<void>)(...inputs, rows, cols, sets, count, out);
    return out;
  };
  const crossedAbove: CrossCall = (a, aCols, x, bCols, rows, pairsA, pairsB, wait, out) => {
    (b.crossedAbove as CrossEntry<void>)(a, aCols, x, bCols, rows, pairsA, pairsB, Float64Array.of(wait), out);
    return out;
  };
  const crossedBelow: CrossCall = (a, aCols, x, bCols, rows, pairsA, pairsB, wait, out) =>
    crossedAbove(x, bCols, a, aCols, rows, pairsB, pairsA, wait, out);
  return { grid, crossedAbove, crossedBelow };
}

/** Their promise variants, on the addon's thread pool. */
export function nativeIndicatorExtrasAsync(b: NativeBinding): AsyncFamily<Extras> {
  const grid = async (...[name, inputs, rows, cols, sets, count, out]: Parameters<IndicatorGridCall>) => {
    await (b[`${name}GridAsync`] as GridEntry<Promise<void>>)(...inputs, rows, cols, sets, count, out);
    return out;
  };
  const crossedAbove = async (...[a, aCols, x, bCols, rows, pairsA, pairsB, wait, out]: Parameters<CrossCall>) => {
    await (b.crossedAboveAsync as CrossEntry<Promise<void>>)(a, aCols, x, bCols, rows, pairsA, pairsB, Float64Array.of(wait), out);
    return out;
  };
  const crossedBelow = (...[a, aCols, x, bCols, rows, pairsA, pairsB, wait, out]: Parameters<CrossCall>) =>
    crossedAbove(x, bCols, a, aCols, rows, pairsB, pairsA, wait, out);
  return { grid, crossedAbove, crossedBelow };
}
