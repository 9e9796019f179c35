/**
 * `kernelbus engine strategy --strategy <module>[,<module>] --redis URL [the fill model's options]`: the
 * StrategyEngine's options from the engine command's flags, with the strategy modules loaded (a module
 * that does not load or export a strategy is one StrategyError line naming the file and the line).
 */
import type { StrategyEngineOptions } from '../engines/strategy.js';
import { KernelInputError } from '../errors.js';
import { loadAccounts } from '../strategy/accounts.js';
import { loadStrategy } from '../strategy/load.js';
import type { OnMarginCall } from '../strategy/pretrade.js';
import type { Strategy } from '../strategy/types.js';
import { EXECUTION_FLAGS, executionOf } from './execution-flags.js';
import { parseMaxFutureMs } from './max-future.js';
import { parseNumber } from './options.js';
import { riskOptions } from './risk-flags.js';

/** The strategy engine's flags of `kernelbus engine` (--allow-short is a boolean flag of its own). */
export const STRATEGY_ENGINE_FLAGS = [
  'strategy',
  ...EXECUTION_FLAGS,
  'max-lateness-ms',
  'symbols',
  'max-errors',
  'max-future-ms',
  'accounts',
  'on-margin-call',
] as const;

/** The strategy engine's part of `kernelbus engine --help`. */
export const STRATEGY_ENGINE_USAGE = `strategy:
  --strategy files     strategy modules, comma-separated (.mjs or .js; default export defineStrategy()'s), each
                       with its own account and order ids, in any folder (their imports of kernelbus are this
                       kernelbus's) (required)
  --init-cash x        initial cash of each strategy (default 100)
  --fees x             fees, a fraction of each fill's notional at the slipped price (default 0)
  --fixed-fees x       fees per fill (default 0)
  --slippage x         a fraction moving market buys up and sells down (default 0)
  --latency-ms n       orders reach the market this long after the bar closed (default 0)
  --participation x    at most this share (0, 1] of each trade's volume fills an order (default: all)
  --allow-short        sells may go short (default: a sell is cut to the position held)
  --fill-at w          next (default: the symbol's next trade) | close (the bar's close: the vectorized model)
  --max-lateness-ms ms wall-clock ms the merge of the symbols' trades waits for a slower symbol (default 1000)
  --symbols list       the symbols the feed brings, comma-separated (default: those the strategies name, when
                       each names its own): the merge then waits for these from the start instead of holding
                       every trade for --max-lateness-ms while it learns which symbols come
  --max-errors n       stop the engine (exit 1, after its last checkpoint) at a strategy's callback error
                       n + 1 in this process (default: no limit: each error is counted, the first of a kind
                       logged, and the engine goes on; it exits 1 at its stop when every onBar threw)
  --max-future-ms ms   as vpin's
  --accounts f         an accounts file (docs/margin.md): each strategy's margin (its account's) for the
                       pre-trade margin check; every strategy must have an account there
  --on-margin-call w   reduce | halt | none (default): what a margin call at a bar's close does to the
                       strategy's trading state (ORDER_REJECTED for what it then refuses)
`;

type Values = Partial<Record<Exclude<(typeof STRATEGY_ENGINE_FLAGS)[number], 'allow-short'>, string>> & { 'allow-short'?: boolean };

/** A number flag >= 0 (> 0 when `positive`), undefined when absent; KernelInputError naming the flag. */
function amount(value: string | undefined, flag: string, positive: boolean, max = 1e300): number | undefined {
  if (value === undefined) return undefined;
  return parseNumber(value, 0, flag, positive ? Number.MIN_VALUE : 0, max, false);
}

/**
 * The StrategyEngine's options (but the engine's own: name, group...) from the flags, the modules of
 * --strategy loaded: KernelInputError naming the flag for a bad value, StrategyError naming the file
 * for a module that is not a strategy.
 */
export async function strategyEngineOptions(values: Values): Promise<Omit<StrategyEngineOptions, 'name'>> {
  const files = (values.strategy ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (files.length === 0) throw new KernelInputError('--strategy', 'strategy modules (./strategy.mjs), comma-separated', 'none');
  const execution = {
    ...executionOf(values),
    maxLatenessMs: amount(values['max-lateness-ms'], '--max-lateness-ms', false, 86_400_000),
    maxErrors:
      values['max-errors'] === undefined
        ? undefined
        : parseNumber(values['max-errors'], 0, '--max-errors', 0, Number.MAX_SAFE_INTEGER, true),
    maxFutureMs: values['max-future-ms'] === undefined ? undefined : parseMaxFutureMs(values['max-future-ms']),
  };
  const strategies: Strategy<object>[] = [];
  const sources: Record<string, string> = {};
  for (const file of files) {
    const { strategy, source } = await loadStrategy(file);
    if (sources[strategy.name] !== undefined) {
      throw new KernelInputError(
        '--strategy',
        'strategies of distinct names',
        `'${strategy.name}' in ${sources[strategy.name]} and ${source}`,
      );
    }
    strategies.push(strategy);
    sources[strategy.name] = source;
  }
  const defined = Object.fromEntries(Object.entries(execution).filter(([, v]) => v !== undefined));
  const onMarginCall = values['on-margin-call'];
  // checked with the flags' rules (riskOptions), the file read once
  riskOptions(
    values.accounts,
    onMarginCall,
    strategies.map((s) => s.name),
  );
  const risk = {
    ...(values.accounts === undefined ? {} : { accounts: loadAccounts(values.accounts) }),
    ...(onMarginCall === undefined ? {} : { onMarginCall: onMarginCall as OnMarginCall }),
  };
  let symbols: string[] | undefined;
  if (values.symbols !== undefined) {
    symbols = values.symbols.split(',').map((x) => x.trim());
    if (symbols.some((x) => x === '') || new Set(symbols).size !== symbols.length)
      throw new KernelInputError('--symbols', 'distinct symbols, comma-separated', JSON.stringify(values.symbols));
  }
  return { strategies, sources, ...defined, ...risk, ...(symbols ? { symbols } : {}) };
}
