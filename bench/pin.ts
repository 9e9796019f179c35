/**
 * The PIN rows of the 'vpin' section: pin() on daily counts simulated from the model (60 and 250
 * days), reference against native, and native on one thread against all (the initial sets run in
 * parallel). No peer figure: PINstimation's docs and papers quote no running time for pin_ea/pin_yz.
 */
import type { Kernels } from '../src/api/index.js';
import type { PinOptions, PinParams } from '../src/kernels/vpin/pin.js';
import { simulatePin } from './inputs.js';
import { backendRows, nativeThreads, type BenchRow } from './lib.js';

/** A liquid stock's day: ~300 buys and ~250 sells, events on 35% of days adding ~180 informed trades. */
const MODEL: PinParams = { alpha: 0.35, delta: 0.4, mu: 180, epsilonBuy: 300, epsilonSell: 250 };

/** pin() rows: reference and native (ms a call), native's speed-up and the speed-up of its threads. */
export function pinRows(ref: Kernels, nat: Kernels, one: Kernels): BenchRow[] {
  const threads = nativeThreads();
  const rows: BenchRow[] = [];
  const cases: [number, PinOptions, string][] = [
    [60, { initials: 'ea' }, 'pin_ea: 5 initial sets'],
    [60, { initials: 'yz' }, 'pin_yz: about 90 initial sets'],
    [250, { initials: 'ea' }, 'pin_ea: 5 initial sets'],
    [250, { initials: 'gwj' }, 'pin_gwj: 1 initial set'],
  ];
  for (const [days, options, note] of cases) {
    const { buys, sells } = simulatePin(MODEL, days, days);
    const name = `pin() ${days} days, initials '${options.initials}' (ms a call)`;
    const c = {
      reference: () => ref.pin(buys, sells, options),
      native: () => nat.pin(buys, sells, options),
      oneThread: () => one.pin(buys, sells, options),
      slowReference: options.initials === 'yz',
      note: `${note}; the reference's estimate to the bit`,
    };
    rows.push(...backendRows('vpin', name, c, threads).rows);
  }
  return rows;
}
