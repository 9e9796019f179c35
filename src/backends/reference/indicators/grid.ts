/**
 * The reference grid (src/kernels/indicators/grid.ts): the indicator's own call once per parameter
 * set into one set's outputs, each output column copied to its place in the grid's (column p x cols
 * + n). The oracle of native/kernels/indicators/indicators_entry.hpp.
 */
import { INDICATORS_KERNELS } from '../../../kernels/indicators/indicators-kernels.js';
import type { IndicatorCall, IndicatorName } from '../../../kernels/indicators/indicators.js';

/** `family`'s grid call: indicator `name` of `family` over `count` sets of its packed parameters. */
export function gridOver(family: { readonly [K in IndicatorName]: IndicatorCall }) {
  return (
    name: IndicatorName,
    inputs: readonly Float64Array[],
    rows: number,
    cols: number,
    sets: Float64Array,
    count: number,
    out: Float64Array,
  ): Float64Array => {
    const k = INDICATORS_KERNELS[name].params.length;
    const outputs = Object.keys(INDICATORS_KERNELS[name].outputs).length;
    const one = rows * cols;
    const width = count * cols;
    const scratch = new Float64Array(one * outputs);
    for (let p = 0; p < count; p++) {
      family[name](...inputs, rows, cols, ...sets.subarray(p * k, (p + 1) * k), scratch);
      for (let o = 0; o < outputs; o++) {
        for (let t = 0; t < rows; t++) {
          for (let n = 0; n < cols; n++) out[o * rows * width + t * width + p * cols + n] = scratch[o * one + t * cols + n];
        }
      }
    }
    return out;
  };
}
