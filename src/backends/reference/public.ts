/**
 * What the reference backend offers the rest of src/ besides its provider (./index.ts): the pieces
 * src/api runs one symbol at a time. Outside src/backends a backend is reached through its index.ts
 * or its public.ts only (test/package/import-graph.test.ts).
 * - the rolling estimators' series functions, which BarWindow runs over its last bars;
 * - the indicators' resumable machines and their state's export/import, which indicatorStream runs.
 */
export {
  seriesAmihudLambda,
  seriesCorwinSchultz,
  seriesHasbrouckLambda,
  seriesKyleLambda,
  seriesRangeVolatility,
  seriesRollImpact,
  seriesRollMeasure,
} from './features/estimators.js';
export { exportState, importState } from './indicators/stream/machine.js';
export { INDICATOR_MACHINES, type IndicatorMachine } from './indicators/stream/machines.js';
