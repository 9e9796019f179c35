/**
 * The value names a strategy's callbacks read, checked when the strategy loads (issue 88): each
 * `ctx.value('<name>', ...)` with a literal name in onBar, onFill, onStart or onStop must be a bar field
 * or an indicator output of the definition, so that a typo (`'bb.lowr'`) is one StrategyError naming
 * the file, the line and the nearest name (`did you mean "bb.lower"?`) before the first bar, not an
 * error at every bar. The callbacks' source (Function.prototype.toString) is read, without its comments
 * and the contents of its other strings; a name made at run time (`ctx.value(key, s)`, a template with
 * `${}`) is checked when called, as before.
 */
import { readFileSync } from 'node:fs';
import { unknownValue } from './context.js';
import { StrategyError } from './errors.js';

const CALLBACK_KEYS = ['onBar', 'onFill', 'onReject', 'onStart', 'onStop'] as const;

/** The first parameter's name in a function's source (`onBar(ctx, bar) {`, `(c) =>`, `c =>`), undefined when destructured or none. */
export function firstParameter(source: string): string | undefined {
  const arrow = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (arrow) return arrow[1];
  const m = /^\s*(?:async\s*)?(?:function\b\s*\*?\s*)?(?:[A-Za-z_$][\w$]*\s*)?\(\s*([A-Za-z_$][\w$]*)\s*[,)=]/.exec(source);
  return m?.[1];
}

/**
 * `source` with each comment's characters made spaces and each string's (and template's) contents `_`,
 * quotes and newlines kept: the code alone, at the same offsets.
 */
export function maskSource(source: string): string {
  const out = source.split('');
  let quote = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === quote) quote = '';
      else {
        if (c !== '\n') out[i] = '_';
        if (c === '\\' && i + 1 < source.length) out[++i] = '_';
      }
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '/' && source[i + 1] === '/') {
      for (; i < source.length && source[i] !== '\n'; i++) out[i] = ' ';
      i--;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      for (; i < stop; i++) if (source[i] !== '\n') out[i] = ' ';
      i--;
    }
  }
  return out.join('');
}

/** Each literal name a function reads with `<param>.value('<name>', ...)`, with its offset in `source`. */
export function literalValueNames(source: string): { name: string; offset: number }[] {
  const param = firstParameter(source);
  if (param === undefined) return [];
  const escaped = param.replace(/\$/g, '\\$');
  const call = new RegExp(`(?<![\\w$.])${escaped}\\s*\\.\\s*value\\s*\\(\\s*(['"\`])(_*)\\1\\s*[,)]`, 'g');
  const found: { name: string; offset: number }[] = [];
  for (const m of maskSource(source).matchAll(call)) {
    const offset = m.index + m[0].length - m[0].replace(/^[^'"`]*['"`]/, '').length;
    const name = source.slice(offset, offset + m[2].length);
    // a name with an escape or a template's ${}: made at run time, checked when called
    if (!/[\\\n]|\$\{/.test(name)) found.push({ name, offset });
  }
  return found;
}

/**
 * Throws StrategyError for the first literal name a callback of `definition` reads with ctx.value that
 * is not one of `valueNames`: `file:line:column: strategy.onBar: ctx.value: expected one of ..., got
 * "bb.lowr" (did you mean "bb.lower"?)`, the place that of the name in the strategy's file (the file of
 * `definedAt`) when the callback's text is found there, else `definedAt`.
 */
export function checkValueNames(definition: object, valueNames: readonly string[], definedAt: string | undefined): void {
  const known = new Set(valueNames);
  for (const key of CALLBACK_KEYS) {
    const fn = (definition as Record<string, unknown>)[key];
    if (typeof fn !== 'function') continue;
    const text = Function.prototype.toString.call(fn);
    const bad = literalValueNames(text).find((v) => !known.has(v.name));
    if (bad) throw new StrategyError(`strategy.${key}: ${unknownValue(bad.name, valueNames)}`, placeIn(text, bad.offset, definedAt));
  }
}

/** `file:line:column` of `offset` in `text`, looked up in the file `definedAt` names (`file[:line:column]`); else `definedAt`. */
function placeIn(text: string, offset: number, definedAt: string | undefined): string | undefined {
  const file = definedAt?.replace(/:\d+:\d+$/, '');
  if (!file) return definedAt;
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch {
    return definedAt;
  }
  const at = content.indexOf(text);
  if (at < 0) return definedAt;
  const before = content.slice(0, at + offset);
  const line = before.split('\n').length;
  return `${file}:${line}:${at + offset - before.lastIndexOf('\n')}`;
}
