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
