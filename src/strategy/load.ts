/**
 * loadStrategy(): a strategy module from a file (its default export, defineStrategy()'s), for
 * `kernelbus backtest --strategy` and the Strategy engine. What goes wrong is one StrategyError line
 * naming the file (and the line, when the error's stack or message has it).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkStrategy, isStrategy } from './define.js';
import { fileFrame, StrategyError } from './errors.js';
import type { Strategy, StrategyDefinition } from './types.js';

/** The strategy that `file` (a path to an ES module, .mjs or .js) exports by default. */
export async function loadStrategy(file: string): Promise<{ strategy: Strategy<object>; source: string }> {
  if (typeof file !== 'string' || file === '') throw new StrategyError('--strategy: expected a file (./strategy.mjs), got none');
  const path = resolve(file);
  if (!existsSync(path)) throw new StrategyError('no such file', file);
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(path).href);
  } catch (error) {
    if (error instanceof StrategyError) throw error;
    const place = fileFrame(error, path) ?? syntaxPlace(error, path) ?? path;
    throw new StrategyError(`the module does not load: ${(error as Error)?.message ?? String(error)}`, place, { cause: error });
  }
  const exported = module.default;
  if (isStrategy(exported)) return { strategy: exported, source: path };
  // a plain definition is checked here, its errors naming the file
  if (typeof exported === 'object' && exported !== null && 'onBar' in exported) {
    return { strategy: checkStrategy(exported as StrategyDefinition<object>, path), source: path };
  }
  throw new StrategyError('expected a default export made by defineStrategy({ name, bars, onBar, ... }) or such a definition', path);
}

/** A syntax error's `file:line` (V8 puts it on the stack's first line, `path:line`). */
function syntaxPlace(error: unknown, path: string): string | undefined {
  const first = String((error as Error | undefined)?.stack ?? '').split('\n')[0];
  const m = /^(.*):(\d+)$/.exec(first.replace(/^file:\/\//, ''));
  return m && m[1] === path ? `${m[1]}:${m[2]}` : undefined;
}
