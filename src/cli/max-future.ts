/**
 * --max-future-ms of the trade engines (`kernelbus engine vpin | features | strategy`): a module of its
 * own, loaded by the engine commands only (options.ts is every command's, and the guard's default comes
 * with the engines' modules: test/cli/startup.test.ts).
 */
import { DEFAULT_MAX_FUTURE_MS } from '../engines/future-guard.js';
import { parseNumber } from './options.js';

/** ms >= 0, 'off' (Infinity: no guard), else the default (KernelInputError naming the flag). */
export function parseMaxFutureMs(value: string | undefined): number {
  if (value === 'off') return Number.POSITIVE_INFINITY;
  return parseNumber(value, DEFAULT_MAX_FUTURE_MS, '--max-future-ms', 0, 86_400_000 * 365, false);
}
