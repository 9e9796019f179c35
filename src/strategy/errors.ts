/**
 * StrategyError: what a strategy did wrong, in one line that names where (`file:line:column`), and
 * the helpers that find that place in a stack.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelbusError } from '../errors.js';

/** kernelbus's own code (src/ or dist/, this module's folder's parent, bundled or not): frames there are not the strategy's. */
const OWN = `${dirname(dirname(fileURLToPath(import.meta.url)))}/`;

/** A strategy's mistake: a definition, an order or a callback that threw; `at` is its `file:line:column` when known. */
export class StrategyError extends KernelbusError {
  override name = 'StrategyError';
  /** `file:line:column` of the offending code, when the stack tells. */
  readonly at: string | undefined;

  constructor(message: string, at?: string, options?: { cause?: unknown }) {
    super(at ? `${at}: ${message}` : message, options);
    this.at = at;
  }
}

/** The `file:line:column` of each frame of a V8 stack, in order (frames without one are skipped). */
export function stackPlaces(stack: string | undefined): string[] {
  if (typeof stack !== 'string') return [];
  const places: string[] = [];
  for (const line of stack.split('\n')) {
    const m = /^\s*at (?:.*\()?(.+?:\d+:\d+)\)?\s*$/.exec(line);
    if (m) places.push(m[1].replace(/^file:\/\//, ''));
  }
  return places;
}

/**
 * Where in `error`'s stack the strategy's code is: the first frame in `file` (a path or file URL)
 * when given, else the first frame outside kernelbus's own strategy modules.
 */
export function strategyPlace(error: unknown, file: string | undefined): string | undefined {
  const places = stackPlaces((error as { stack?: string } | undefined)?.stack);
  return fileFrame(error, file) ?? places.find((p) => !p.startsWith(OWN) && !p.startsWith('node:'));
}

/** The first frame of `error`'s stack in `file` (a path or file URL), if any. */
export function fileFrame(error: unknown, file: string | undefined): string | undefined {
  const path = file?.replace(/^file:\/\//, '');
  if (!path) return undefined;
  return stackPlaces((error as { stack?: string } | undefined)?.stack).find((p) => p.startsWith(`${path}:`));
}
