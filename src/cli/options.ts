/**
 * The one options parser of the `kernelbus` commands: each command declares its flags (what each
 * reads and how it is checked), parseCommand() reads argv with node:util's parseArgs, answers --help,
 * checks the positionals and then each flag in the order declared. A bad value throws KernelInputError
 * naming the flag (`--rate: expected a number in [1, 100000000], got "0"`); the dispatcher prints it
 * and exits 2. The flags several commands share (numbers in a range, names, --backend, --redis) are
 * defined once here; the factor model's are in ./factor.ts (factorFlags).
 */
import { parseArgs } from 'node:util';
import type { BackendChoice } from '../api/kernels.js';
import { KernelbusError, KernelInputError } from '../errors.js';
import { CLASSIFY_ALGORITHMS, type ClassifyAlgorithm } from '../kernels/vpin/classify.js';
import type { VpinOptions } from '../kernels/vpin/vpin.js';
import { nearest } from '../kernels/nearest.js';

/** A flag: how parseArgs reads it, and its value from what was given (undefined: absent). */
export interface Flag<T> {
  readonly type: 'string' | 'boolean';
  /** Given any number of times: `raw` is the values in order. */
  readonly multiple?: boolean;
  /** Throws KernelInputError naming `flag` (`--name`) when `raw` is not acceptable. */
  parse(raw: string | boolean | string[] | undefined, flag: string): T;
}

/** A command's flags by name (without the leading `--`); `help` is added by parseCommand(). */
export type FlagSpec = Record<string, Flag<unknown>>;

/** The checked values of a FlagSpec. */
export type FlagValues<S extends FlagSpec> = { [K in keyof S]: S[K] extends Flag<infer T> ? T : never };

/** What parseCommand() returns unless --help was asked for. */
export interface ParsedCommand<S extends FlagSpec> {
  values: FlagValues<S>;
  positionals: string[];
  /** A flag as given (undefined when absent), e.g. to echo it in a message. */
  raw(name: keyof S & string): string | boolean | string[] | undefined;
}

/** How a command takes positional arguments: none, or a check run before the flags'. */
export interface CommandShape {
  /** Prints the command's usage (--help). */
  help: () => void;
  /** Checks the positionals (KernelInputError); without it none are allowed. */
  positionals?: (positionals: string[]) => void;
}

/**
 * Parses `argv` (without the command's name) against `spec`: unknown flags throw parseArgs's
 * ERR_PARSE_ARGS_UNKNOWN_OPTION. Returns undefined after printing the usage when --help (-h) is given;
 * otherwise the positionals are checked, then each flag in the order of `spec`.
 */
export function parseCommand<S extends FlagSpec>(argv: string[], spec: S, shape: CommandShape): ParsedCommand<S> | undefined {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, flag] of Object.entries(spec))
    options[name] = flag.multiple ? { type: flag.type, multiple: true } : { type: flag.type };
  let parsedArgs: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    parsedArgs = parseArgs({ args: argv, allowPositionals: shape.positionals !== undefined, options }) as typeof parsedArgs;
  } catch (error) {
    throw usageErrorOf(error, Object.keys(options));
  }
  const { values: raw, positionals } = parsedArgs;
  if (raw.help) {
    shape.help();
    return undefined;
  }
  shape.positionals?.(positionals);
  const values = {} as Record<string, unknown>;
  for (const [name, flag] of Object.entries(spec)) values[name] = flag.parse(raw[name], `--${name}`);
  return { values: values as FlagValues<S>, positionals, raw: (name) => raw[name] };
}

/** A command line that does not parse: an unknown flag (with the nearest known one), a flag without its value... Exit 2. */
export class UsageError extends KernelbusError {
  override name = 'UsageError';
}

export { editDistance, nearest } from '../kernels/nearest.js';

/** parseArgs's errors as UsageError: `unknown option '--sybols' (did you mean --symbols?)`. */
function usageErrorOf(error: unknown, flags: readonly string[]): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec((error as Error).message)?.[1] ?? '?';
    const guess = nearest(given.replace(/^-+/, '').split('=')[0], flags);
    return new UsageError(`unknown option '${given}'${guess ? ` (did you mean --${guess}?)` : ''}`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError((error as Error).message.split('. ')[0]);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError((error as Error).message);
  return error;
}

/** Exactly one positional argument, named `name` in the error (e.g. `trades.csv: expected one CSV file, got 2 arguments`). */
export function onePositional(name: string, expected: string): (positionals: string[]) => void {
  return (positionals) => {
    if (positionals.length !== 1) throw new KernelInputError(name, expected, `${positionals.length} arguments`);
  };
}

/** A number: `fallback` when absent, else KernelInputError naming `flag` unless in [min, max] (and an integer if asked). */
export function parseNumber(value: string | undefined, fallback: number, flag: string, min: number, max: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
    throw new KernelInputError(flag, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`, JSON.stringify(value));
  }
  return x;
}

/** Any finite number (its range is the kernel's to check, with the kernel's message), else KernelInputError naming `flag`. */
export function parseFinite(value: string, flag: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x)) throw new KernelInputError(flag, 'a number', JSON.stringify(value));
  return x;
}

/**
 * A `--redis` URL: required (when `required`), redis:// or rediss://, a Unix socket's unix:///path, or a
 * Redis Cluster's redis+cluster://host:port,host:port,... (rediss+cluster://); never echoed (it may hold
 * a password).
 */
export function parseRedisUrl(value: string | undefined, required: boolean): string | undefined {
  if (value === undefined) {
    if (required) throw new KernelInputError('--redis', 'a redis://host:port URL', 'nothing');
    return undefined;
  }
  if (!/^(rediss?(\+cluster)?|unix):\/\//.test(value))
    throw new KernelInputError('--redis', 'a redis://, rediss://, unix:// or redis+cluster:// URL', 'another string (not shown)');
  return value;
}

/**
 * A `--classifier`: 'bvc', 'tick', or one of classifyTrades' algorithms (a VpinClassifier; the causal
 * ones only when `stream`, as a stream takes them), else KernelInputError naming `flag`.
 */
export function parseClassifier(value: string, flag: string, stream: boolean): VpinOptions['classifier'] {
  if (value === 'bvc' || value === 'tick') return value;
  const algorithms = CLASSIFY_ALGORITHMS.filter((a) => !stream || !a.startsWith('reverse'));
  if ((algorithms as readonly string[]).includes(value)) return { algorithm: value as ClassifyAlgorithm };
  throw new KernelInputError(
    flag,
    `bvc, tick or a quote classifier: ${algorithms.filter((a) => a !== 'tick').join(', ')}`,
    JSON.stringify(value),
  );
}

/** The string of a raw value (undefined when absent). */
export const text = (raw: string | boolean | string[] | undefined) => (typeof raw === 'string' ? raw : undefined);

/** Flag constructors. */
export const flag = {
  /** A string as given (undefined when absent). */
  string: (): Flag<string | undefined> => ({ type: 'string', parse: text }),
  /** A string given any number of times (`--file a --file b`): the values in order, [] when absent. */
  strings: (): Flag<string[]> => ({
    type: 'string',
    multiple: true,
    parse: (raw, name) => {
      const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
      if (values.includes('')) throw new KernelInputError(name, 'a non-empty value', '""');
      return values;
    },
  }),
  /** Present or not. */
  boolean: (): Flag<boolean> => ({ type: 'boolean', parse: (raw) => raw === true }),
  /** A number in [min, max] (an integer when asked), `fallback` when absent. */
  number: (fallback: number, min: number, max: number, integer = false): Flag<number> => ({
    type: 'string',
    parse: (raw, name) => parseNumber(text(raw), fallback, name, min, max, integer),
  }),
  /** A number in [min, max] (an integer when asked), undefined when absent. */
  optionalNumber: (min: number, max: number, integer = false): Flag<number | undefined> => ({
    type: 'string',
    parse: (raw, name) => (raw === undefined ? undefined : parseNumber(text(raw), 0, name, min, max, integer)),
  }),
  /** Any finite number, undefined when absent (the kernel checks its range). */
  finite: (): Flag<number | undefined> => ({
    type: 'string',
    parse: (raw, name) => (raw === undefined ? undefined : parseFinite(text(raw)!, name)),
  }),
  /** A name that is not empty, `fallback` when absent. */
  name: (fallback?: string): Flag<string | undefined> => ({
    type: 'string',
    parse: (raw, name) => {
      if (raw === '') throw new KernelInputError(name, 'a non-empty name', '""');
      return text(raw) ?? fallback;
    },
  }),
  /** `--symbols A,B`: names, comma-separated (undefined when absent). */
  symbols: (): Flag<string[] | undefined> => ({
    type: 'string',
    parse: (raw, name) => {
      if (raw === undefined) return undefined;
      const list = text(raw)!
        .split(',')
        .map((s) => s.trim());
      if (list.some((s) => s === '')) throw new KernelInputError(name, 'names, comma-separated', JSON.stringify(raw));
      return list;
    },
  }),
  /** `--classifier` (see parseClassifier), undefined when absent. */
  classifier: (stream: boolean): Flag<VpinOptions['classifier'] | undefined> => ({
    type: 'string',
    parse: (raw, name) => (raw === undefined ? undefined : parseClassifier(text(raw) ?? '', name, stream)),
  }),
  /** `--redis URL` (see parseRedisUrl). */
  redis: (required: boolean): Flag<string | undefined> => ({ type: 'string', parse: (raw) => parseRedisUrl(text(raw), required) }),
  /** `--backend auto | native | reference` (default: KERNELBUS_BACKEND when set, else auto). */
  backend: (): Flag<BackendChoice> => ({
    type: 'string',
    parse: (raw, name) => {
      const given = text(raw);
      const backend = (given ?? envBackend()) as BackendChoice;
      if (!['auto', 'native', 'reference'].includes(backend))
        throw new KernelInputError(
          given === undefined ? 'KERNELBUS_BACKEND' : name,
          "'auto', 'native' or 'reference'",
          JSON.stringify(backend),
        );
      return backend;
    },
  }),
  /**
   * `--backend`, passed to kernels() as given (which checks it against every backend it knows): default
   * KERNELBUS_BACKEND when set, else auto.
   */
  anyBackend: (): Flag<BackendChoice> => ({ type: 'string', parse: (raw) => (text(raw) ?? envBackend()) as BackendChoice }),
};

/** KERNELBUS_BACKEND when set and not empty, else 'auto': the default of `--backend`, as of the library's exports. */
function envBackend(): string {
  return process.env.KERNELBUS_BACKEND || 'auto';
}

/**
 * A help text with its option lines aligned: each `  --flag value  description` line's description
 * starts at `column` (on the next line where the flag is too long for it), and the lines continuing a
 * description (indented 6 or more spaces) start there too. Other lines are left as they are.
 */
export function alignOptions(text: string, column: number): string {
  return text
    .split('\n')
    .map((line) => {
      const option = /^ {2}(-\S+(?: \S+)?) {2,}(\S.*)$/.exec(line);
      if (option) {
        const head = `  ${option[1]}`;
        return head.length + 2 <= column ? head.padEnd(column) + option[2] : `${head}\n${' '.repeat(column)}${option[2]}`;
      }
      const more = /^ {6,}(\S.*)$/.exec(line);
      return more ? ' '.repeat(column) + more[1] : line;
    })
    .join('\n');
}
