/**
 * `--accounts` and `--on-margin-call` of `kernelbus backtest --strategy` and `kernelbus engine strategy`:
 * each strategy's margin settings (its account's in the accounts file, docs/margin.md) and what a margin
 * call does, as RunnerOptions. Checked before the tape is read: KernelInputError naming the flag, or the
 * file and line.
 */
import { KernelInputError } from '../errors.js';
import { loadAccounts, strategyMargin } from '../strategy/accounts.js';
import type { OnMarginCall, PreTradeOptions } from '../strategy/pretrade.js';

const ON_MARGIN_CALL: readonly OnMarginCall[] = ['reduce', 'halt', 'none'];

/** The flags read: `of(name)` gives a strategy's options (none without --accounts). */
export function riskOptions(
  accounts: string | undefined,
  onMarginCall: string | undefined,
  strategies: readonly string[],
): { of(name: string): PreTradeOptions } {
  if (onMarginCall !== undefined && !ON_MARGIN_CALL.includes(onMarginCall as OnMarginCall)) {
    throw new KernelInputError('--on-margin-call', ON_MARGIN_CALL.join(', '), JSON.stringify(onMarginCall));
  }
  if (onMarginCall !== undefined && accounts === undefined) {
    throw new KernelInputError('--on-margin-call', 'an --accounts file too (the margin that calls)', 'no --accounts');
  }
  if (accounts === undefined) return { of: () => ({}) };
  const file = loadAccounts(accounts);
  const margins = new Map(strategies.map((name) => [name, strategyMargin(file, name)]));
  return {
    of: (name) => ({ margin: margins.get(name)!, ...(onMarginCall === undefined ? {} : { onMarginCall: onMarginCall as OnMarginCall }) }),
  };
}
