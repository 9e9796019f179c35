/**
 * The fill model's flags of `kernelbus backtest --strategy` and `kernelbus engine strategy`: each option
 * of EXECUTION_OPTIONS (src/strategy/execution.ts, the one list) as its name in kebab case
 * (`initCash` -> `--init-cash`), read into resolveExecution(), whose errors then name the flag.
 */
import { KernelInputError } from '../errors.js';
import { EXECUTION_OPTIONS, type ExecutionOptions, resolveExecution } from '../strategy/execution.js';
import { type Flag, flag, parseFinite } from './options.js';

/** `initCash` -> `init-cash`, at the type level. */
type Kebab<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `-${Lowercase<H>}`}${Kebab<T>}` : S;
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

type KebabAll<T extends readonly string[]> = { readonly [I in keyof T]: Kebab<T[I] & string> };

/** The fill model's flags, in EXECUTION_OPTIONS' order (`allow-short` a boolean flag, the others take a value). */
export const EXECUTION_FLAGS = EXECUTION_OPTIONS.map(kebab) as unknown as KebabAll<typeof EXECUTION_OPTIONS>;
export type ExecutionFlag = (typeof EXECUTION_FLAGS)[number];

/** The flags' parsers for a command's table (parseCommand): the values as given, checked by executionOf(). */
export const EXECUTION_FLAG_PARSERS = Object.fromEntries(
  EXECUTION_FLAGS.map((f) => [f, f === 'allow-short' ? flag.boolean() : flag.string()]),
) as { [F in Exclude<ExecutionFlag, 'allow-short'>]: Flag<string | undefined> } & { 'allow-short': Flag<boolean> };

/**
 * The fill model's options the flags give (the others left to their defaults), checked by
 * resolveExecution(): KernelInputError naming the flag.
 */
export function executionOf(values: Partial<Record<ExecutionFlag, string | boolean | undefined>>): ExecutionOptions {
  const options: Record<string, unknown> = {};
  for (const name of EXECUTION_OPTIONS) {
    const raw = values[kebab(name) as ExecutionFlag];
    if (raw === undefined) continue;
    options[name] = typeof raw === 'string' && name !== 'fillAt' ? parseFinite(raw, `--${kebab(name)}`) : raw;
  }
  try {
    resolveExecution(options);
  } catch (error) {
    if (!(error instanceof KernelInputError && error.argument.startsWith('options.'))) throw error;
    throw new KernelInputError(`--${kebab(error.argument.slice('options.'.length))}`, error.expected, error.actual);
  }
  return options;
}
