/**
 * loadStrategy(): a strategy module from a file (its default export, defineStrategy()'s), for
 * `kernelbus backtest --strategy` and the Strategy engine. What goes wrong is one StrategyError line
 * naming the file (and the line, when the error's stack or message has it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkStrategy, isStrategy } from './define.js';
import { fileFrame, StrategyError } from './errors.js';
import { installResolveHook, needsResolveHook } from './resolve-hook.js';
import type { Strategy, StrategyDefinition } from './types.js';

/** The strategy that `file` (a path to an ES module, .mjs or .js) exports by default. */
export async function loadStrategy(file: string): Promise<{ strategy: Strategy<object>; source: string }> {
  if (typeof file !== 'string' || file === '') throw new StrategyError('--strategy: expected a file (./strategy.mjs), got none');
  const path = resolve(file);
  if (!existsSync(path)) throw new StrategyError('no such file', file);
  let module: { default?: unknown };
  // `kernelbus` and `kernelbus/<subpath>` in the file (or what it imports) are the running package's
  if (needsResolveHook(path)) installResolveHook();
  try {
    module = await import(pathToFileURL(path).href);
  } catch (error) {
    if (error instanceof StrategyError) throw error;
    // a frame in the file (it threw while loading), else node --check's syntax error, else the file
    const frame = fileFrame(error, path);
    const syntax = frame ? undefined : checkSyntax(path);
    const message = syntax?.message ?? String((error as Error)?.message ?? error).split('\n')[0];
    throw new StrategyError(`the module does not load: ${message}`, frame ?? syntax?.place ?? path, { cause: error });
  }
  const exported = module.default;
  if (isStrategy(exported)) return { strategy: exported, source: path };
  // a plain definition is checked here, its errors naming the file
  if (typeof exported === 'object' && exported !== null && 'onBar' in exported) {
    return { strategy: checkStrategy(exported as StrategyDefinition<object>, path), source: path };
  }
  throw new StrategyError('expected a default export made by defineStrategy({ name, bars, onBar, ... }) or such a definition', path);
}

/**
 * `node --check`'s syntax error of `path` (`path:line` and the SyntaxError's text), or undefined when it
 * finds none: Node does not put the line in an ES module's SyntaxError. Run on the error path only.
 */
function checkSyntax(path: string): { place: string; message: string } | undefined {
  const check = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: 10_000 });
  if (check.status === 0) return undefined;
  const lines = (check.stderr ?? '').split('\n');
  const m = /^(.*):(\d+)$/.exec(lines[0].replace(/^file:\/\//, ''));
  const text = lines.find((l) => l.startsWith('SyntaxError: '));
  return m && m[1] === path && text ? { place: `${m[1]}:${m[2]}`, message: text.slice('SyntaxError: '.length) } : undefined;
}
