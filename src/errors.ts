/**
 * The error vocabulary of kernelbus. The classes are defined here once, handed to the native addon
 * when it loads, and thrown from C++ as well as from TypeScript, so `instanceof` works for both.
 * Messages are part of the contract: tests check them.
 */

/** Base class of every error kernelbus throws on purpose. */
export class KernelbusError extends Error {
  override name = 'KernelbusError';
}

/**
 * Bad input to a kernel: names the argument, what was expected and what was found.
 * `message` is `"<argument>: expected <expected>, got <actual>"`.
 */
export class KernelInputError extends KernelbusError {
  override name = 'KernelInputError';
  /** The argument (or option path, e.g. `options.window`, `trades.price`) that was wrong. */
  readonly argument: string;
  /** What the kernel needs, e.g. `"a Float64Array"`, `"an integer >= 1"`. */
  readonly expected: string;
  /** What it got, e.g. `"Float32Array"`, `"price[17] = NaN"`. */
  readonly actual: string;

  constructor(argument: string, expected: string, actual: string) {
    super(`${argument}: expected ${expected}, got ${actual}`);
    this.argument = argument;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A backend was asked for by name but is not built or cannot load on this machine, or it lacks the
 * kernel called (then `kernel` names it).
 */
export class BackendUnavailableError extends KernelbusError {
  override name = 'BackendUnavailableError';
  readonly backend: string;
  readonly kernel?: string;
  constructor(backend: string, reason: string, kernel?: string) {
    super(`backend '${backend}' is unavailable${kernel ? ` for kernel '${kernel}'` : ''}: ${reason}`);
    this.backend = backend;
    if (kernel !== undefined) this.kernel = kernel;
  }
}

/**
 * A call's `threads` option: undefined (the default: KERNELBUS_THREADS, else the cores) or an integer in
 * [1, 1024]; anything else is a KernelInputError naming `argument`.
 */
export function checkThreads(threads: unknown, argument = 'options.threads'): number | undefined {
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 1024)) {
    throw new KernelInputError(argument, 'an integer in [1, 1024]', describeValue(threads));
  }
  return threads;
}

/** A short, safe description of any value for error messages (never its whole contents). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object') return typeof value;
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as { length?: number }).length ?? value.byteLength})`;
  const name = (value as object).constructor?.name;
  if (name && name !== 'Object') return `a ${name}`;
  return `an object with keys ${JSON.stringify(Object.keys(value as object)).slice(0, 60)}`;
}
