/**
 * What a packed parameter accepts, as data (issue 40): one rule per parameter, read three ways.
 * - `ruleText(rule)`: the descriptor's `expected`, the message of a parameter fault raised in C++;
 * - `checkParam(spec, value)`: the API's check of the option the parameter comes from (the resolvers);
 * - the C++ ParamReader call: scripts/gen-native.ts writes each family's Params structs, `unpack()`
 *   and names table from the descriptors into native/kernels/generated/<family>.hpp.
 * Each rule is one ParamReader method (native/kernels/entry.hpp) with its arguments; `accepts` here is
 * the same test in TypeScript.
 */
import { KernelInputError } from '../errors.js';
import { describeValue } from './validate.js';

/**
 * One packed numeric parameter: `key` is its name in C++ (the Params struct's field, and the names
 * table native/kernels/generated/param_names.hpp), `name` the argument a fault names
 * (`options.confidence`; default `key`), `rule` what is accepted (param-rules.ts: from it come
 * `expected`, the TS check `checkParam` and the C++ ParamReader call in the generated `unpack()`),
 * `expected` the rule in words (the fault's text). Build one with `param()` / `option()`
 * (param-rules.ts), never by hand.
 */
export interface ParamSpec {
  readonly key: string;
  /** Default: `key`. */
  readonly name?: string;
  readonly rule: Rule;
  readonly expected: string;
  /** The key of an earlier parameter this one may not be below (winsorize's upper >= lower). */
  readonly notBelow?: string;
}

/** The largest integer a double holds exactly (and ParamReader::kMaxInteger). */
const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

/** A packed parameter's rule: the ParamReader method that reads it, with its arguments. */
export type Rule =
  /** Any finite number. */
  | { readonly kind: 'finite' }
  /** A finite number > 0. */
  | { readonly kind: 'positive' }
  /** A finite number > lo. */
  | { readonly kind: 'above'; readonly lo: number }
  /** A finite number >= lo. */
  | { readonly kind: 'atLeast'; readonly lo: number }
  /** A number > 0, Infinity allowed (`note`: what Infinity means). */
  | { readonly kind: 'aboveZero'; readonly note?: string }
  /** A number in (0, 1). */
  | { readonly kind: 'openUnit' }
  /** A number in [lo, hi]. */
  | { readonly kind: 'closed'; readonly lo: number; readonly hi: number }
  /** A number in [lo, hi], or exactly `off` (`note`: what `off` means). */
  | { readonly kind: 'closedOr'; readonly lo: number; readonly hi: number; readonly off: number; readonly note?: string }
  /** An integer in [lo, hi] (hi at most 2^53 - 1, the default); `note` follows the range. */
  | { readonly kind: 'int'; readonly lo: number; readonly hi?: number; readonly note?: string }
  /** 0, or a finite number > lo (`note`: what 0 means). */
  | { readonly kind: 'zeroOrAbove'; readonly lo: number; readonly note?: string }
  /** An option given as one of `values`, packed as its index (C++: an int). */
  | { readonly kind: 'code'; readonly values: readonly string[] }
  /** A boolean option, packed as 0 or 1 (C++: a bool); `note`: what 1 means. */
  | { readonly kind: 'flag'; readonly note?: string }
  /** A number in [lo, hi). */
  | { readonly kind: 'halfOpen'; readonly lo: number; readonly hi: number }
  /**
   * A rule chosen by an earlier code parameter `key`: `cases` its values with their names and rules,
   * `otherwise` the rule of any other value (vpin's sigmaParam by sigmaKind, nu by distribution).
   */
  | { readonly kind: 'when'; readonly key: string; readonly cases: readonly WhenCase[]; readonly otherwise: Rule };

/** A case of a `when` rule: the governing code's value, its name (the rule's text says it), the rule. */
export type WhenCase = readonly [value: number, name: string, rule: Rule];

export const finite = (): Rule => ({ kind: 'finite' });
export const positive = (): Rule => ({ kind: 'positive' });
export const above = (lo: number): Rule => ({ kind: 'above', lo });
export const atLeast = (lo: number): Rule => ({ kind: 'atLeast', lo });
export const aboveZero = (note?: string): Rule => ({ kind: 'aboveZero', note });
export const openUnit = (): Rule => ({ kind: 'openUnit' });
export const closed = (lo: number, hi: number): Rule => ({ kind: 'closed', lo, hi });
export const closedOr = (lo: number, hi: number, off: number, note?: string): Rule => ({ kind: 'closedOr', lo, hi, off, note });
export const int = (lo: number, hi?: number, note?: string): Rule => ({ kind: 'int', lo, hi, note });
export const zeroOrAbove = (lo: number, note?: string): Rule => ({ kind: 'zeroOrAbove', lo, note });
export const code = (values: readonly string[]): Rule => ({ kind: 'code', values });
export const flag = (note?: string): Rule => ({ kind: 'flag', note });
export const halfOpen = (lo: number, hi: number): Rule => ({ kind: 'halfOpen', lo, hi });
export const when = (key: string, cases: readonly WhenCase[], otherwise: Rule): Rule => ({ kind: 'when', key, cases, otherwise });

/** A packed parameter with its rule (what `param()` builds). */
export type RuledParam<K extends string = string> = ParamSpec & { readonly key: K; readonly rule: Rule };

/**
 * One packed parameter (descriptor.ts `ParamSpec`) from its rule: `key` its name in C++, `name` the
 * argument its faults name (default `key`), `expected` the rule's text. `notBelow`: an earlier
 * parameter this one may not be below (`expected` says so; C++ requires it once both are read).
 */
export function param<K extends string>(key: K, rule: Rule, name?: string, notBelow?: ParamSpec): RuledParam<K> {
  const text = ruleText(rule);
  if (!notBelow) return { key, name, rule, expected: text };
  return { key, name, rule, expected: `${text}, >= ${notBelow.name ?? notBelow.key}`, notBelow: notBelow.key };
}

/** `param(key, rule, 'options.<key>')`: a parameter that is the option of the same name. */
export const option = <K extends string>(key: K, rule: Rule, notBelow?: ParamSpec) => param(key, rule, `options.${key}`, notBelow);

/** `'a', 'b' or 'c'`. */
function listed(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** A code list's numbers: `(0 or 1)`, `(0, 1 or 2)`, `(0 to 6)`. */
function codes(n: number): string {
  if (n === 2) return '(0 or 1)';
  if (n === 3) return '(0, 1 or 2)';
  return `(0 to ${n - 1})`;
}

const withNote = (text: string, note: string | undefined) => (note === undefined ? text : `${text} (${note})`);

/** What `rule` accepts, in words: the `expected` of a parameter fault (the packed value, a code as a number). */
export function ruleText(rule: Rule): string {
  switch (rule.kind) {
    case 'finite':
      return 'a finite number';
    case 'positive':
      return 'a finite number > 0';
    case 'above':
      return `a finite number > ${rule.lo}`;
    case 'atLeast':
      return `a finite number >= ${rule.lo}`;
    case 'aboveZero':
      return withNote('a number > 0', rule.note);
    case 'openUnit':
      return 'a number in (0, 1)';
    case 'closed':
      return `a number in [${rule.lo}, ${rule.hi}]`;
    case 'closedOr':
      return `a number in [${rule.lo}, ${rule.hi}] or ${withNote(String(rule.off), rule.note)}`;
    case 'int': {
      const range =
        rule.hi === undefined
          ? `an integer >= ${rule.lo}`
          : rule.hi === MAX_INTEGER
            ? `an integer in [${rule.lo}, 2^53)`
            : `an integer in [${rule.lo}, ${rule.hi}]`;
      return withNote(range, rule.note);
    }
    case 'zeroOrAbove':
      return `${withNote('0', rule.note)} or a finite number > ${rule.lo}`;
    case 'code':
      return `${listed(rule.values)} ${codes(rule.values.length)}`;
    case 'flag':
      return withNote('0 or 1', rule.note);
    case 'halfOpen':
      return `a number in [${rule.lo}, ${rule.hi})`;
    case 'when':
      return listedText(rule.cases.map(([, name, r]) => `${ruleText(r)} (${name})`));
  }
}

/** `a, b or c` of texts. */
function listedText(texts: readonly string[]): string {
  return texts.length < 2 ? texts.join('') : `${texts.slice(0, -1).join(', ')} or ${texts[texts.length - 1]}`;
}

/**
 * Whether the packed value `x` meets `rule` (what ParamReader accepts in C++); a `when` rule by the
 * case of `governing`, the value of the parameter it names.
 */
export function accepts(rule: Rule, x: number, governing?: number): boolean {
  switch (rule.kind) {
    case 'finite':
      return Number.isFinite(x);
    case 'positive':
      return x > 0 && x < Infinity;
    case 'above':
      return x > rule.lo && x < Infinity;
    case 'atLeast':
      return x >= rule.lo && x < Infinity;
    case 'aboveZero':
      return x > 0;
    case 'openUnit':
      return x > 0 && x < 1;
    case 'closed':
      return x >= rule.lo && x <= rule.hi;
    case 'closedOr':
      return (x >= rule.lo && x <= rule.hi) || x === rule.off;
    case 'int':
      return Number.isInteger(x) && x >= rule.lo && x <= (rule.hi ?? MAX_INTEGER);
    case 'zeroOrAbove':
      return x === 0 || (x > rule.lo && x < Infinity);
    case 'code':
      return Number.isInteger(x) && x >= 0 && x < rule.values.length;
    case 'flag':
      return x === 0 || x === 1;
    case 'halfOpen':
      return x >= rule.lo && x < rule.hi;
    case 'when':
      return accepts(rule.cases.find(([value]) => value === governing)?.[2] ?? rule.otherwise, x);
  }
}

/**
 * The option `value` checked by `spec`'s rule, as the number packed for it: a number as it is, a code
 * option (one of the rule's values) as its index, a boolean as 0 or 1. Else KernelInputError naming
 * `name` (default the parameter's), expecting the rule's text (for a code the values, for a flag a boolean).
 */
export function checkParam(spec: RuledParam, value: unknown, name = spec.name ?? spec.key): number {
  const { rule } = spec;
  if (rule.kind === 'code') {
    const index = rule.values.indexOf(value as string);
    if (index < 0) throw new KernelInputError(name, listed(rule.values), describeValue(value));
    return index;
  }
  if (rule.kind === 'flag') {
    if (typeof value !== 'boolean') throw new KernelInputError(name, 'a boolean', describeValue(value));
    return value ? 1 : 0;
  }
  if (rule.kind === 'when') throw new Error(`${name}: a rule that depends on ${rule.key} is checked by its resolver`);
  if (typeof value !== 'number' || !accepts(rule, value)) throw new KernelInputError(name, ruleText(rule), describeValue(value));
  return value;
}
