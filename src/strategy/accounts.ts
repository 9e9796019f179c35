/**
 * The accounts file (`--accounts accounts.json`), read by `kernelbus backtest --strategy`, the Strategy
 * engine (each strategy's margin for its pre-trade checks) and the Collateral engine (each account's
 * cash, haircuts and margin). docs/margin.md, "Accounts":
 *
 * ```json
 * {
 *   "margin": { "every": "daily", "horizon": 2, "confidence": 0.99 },
 *   "accounts": [
 *     { "name": "main", "strategies": ["ma-cross", "rsi"], "cash": 100000, "haircuts": { "*": 0.1, "TSLA": 0.3 } }
 *   ]
 * }
 * ```
 *
 * `margin` (optional) holds the defaults of every account's MarginSettings (./margin.ts); an account's
 * own `margin` overrides them, and its `haircuts` are its MarginSettings' haircuts. A strategy belongs to
 * one account at most. A mistake is a KernelInputError naming the file, the line and the field
 * (`accounts.json:7: accounts[0].haircuts.TSLA: expected a haircut in [0, 1), got -0.1`).
 */
import { readFileSync } from 'node:fs';
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';
import { type MarginSettings, resolveMargin } from './margin.js';

/** One account of the file. */
export interface Account {
  name: string;
  /** The strategies whose fills and orders are this account's. */
  strategies: string[];
  /** The account's cash before any fill (the Collateral engine's; a strategy's own runs from its initCash). */
  cash: number;
  /** Its margin settings: the file's defaults, its own `margin`, its `haircuts`. */
  margin: MarginSettings;
}

/** The accounts of a file. */
export interface Accounts {
  accounts: Account[];
  /** The file they were read from. */
  source: string;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const ACCOUNT_KEYS = ['name', 'strategies', 'cash', 'haircuts', 'margin'];

/** A parsed JSON value with the line each path starts on (`accounts[0].haircuts.TSLA`). */
function parseWithLines(text: string, file: string): { value: unknown; lines: Map<string, number> } {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const fail = (what: string): never => {
    throw new KernelInputError(`${file}:${line}`, 'a JSON accounts file', what);
  };
  const space = () => {
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') break;
    }
  };
  const token = (re: RegExp): string => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return fail(`${describeValue(text.slice(i, i + 12))} where a value was expected`);
    i += m[0].length;
    return m[0];
  };
  const value = (path: string): unknown => {
    space();
    lines.set(path, line);
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      space();
      if (text[i] === '}') return (i++, out);
      for (;;) {
        space();
        if (text[i] !== '"') fail(`${describeValue(text.slice(i, i + 12))} where a key was expected`);
        const key = JSON.parse(token(/"(?:[^"\\\n]|\\.)*"/y)) as string;
        space();
        if (text[i++] !== ':') fail(`no ':' after the key "${key}"`);
        out[key] = value(path === '' ? key : `${path}.${key}`);
        space();
        const next = text[i++];
        if (next === '}') return out;
        if (next !== ',') fail(`${next === undefined ? 'the end' : `'${next}'`} where ',' or '}' was expected`);
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      space();
      if (text[i] === ']') return (i++, out);
      for (;;) {
        out.push(value(`${path}[${out.length}]`));
        space();
        const next = text[i++];
        if (next === ']') return out;
        if (next !== ',') fail(`${next === undefined ? 'the end' : `'${next}'`} where ',' or ']' was expected`);
      }
    }
    if (c === '"') return JSON.parse(token(/"(?:[^"\\\n]|\\.)*"/y));
    return JSON.parse(token(/-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y));
  };
  const out = value('');
  space();
  if (i < text.length) fail(`${describeValue(text.slice(i, i + 12))} after the end`);
  return { value: out, lines };
}

/** The accounts of the JSON `text` (read from `file`, for the errors' places); see the module's comment. */
export function parseAccounts(text: string, file: string): Accounts {
  const { value, lines } = parseWithLines(text, file);
  const fail = (path: string, expected: string, actual: unknown, described = false): never => {
    // the line of the path, else of the nearest enclosing one
    let p = path;
    while (!lines.has(p) && p !== '') p = p.replace(/(\.[^.[\]]*|\[\d+\])$/, '');
    throw new KernelInputError(`${file}:${lines.get(p) ?? 1}: ${path}`, expected, described ? String(actual) : describeValue(actual));
  };
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(value)) fail('', '{ "margin"?, "accounts": [...] }', value);
  const root = value as Record<string, unknown>;
  const extra = Object.keys(root).find((k) => k !== 'margin' && k !== 'accounts');
  if (extra !== undefined) fail(extra, '"margin" or "accounts"', extra);
  const defaults = root.margin ?? {};
  if (!isObject(defaults)) fail('margin', 'an object of margin settings', defaults);
  if (!Array.isArray(root.accounts) || root.accounts.length === 0) fail('accounts', 'a list of accounts', root.accounts);
  const owner = new Map<string, string>();
  const names = new Set<string>();
  const accounts = (root.accounts as unknown[]).map((a, n): Account => {
    const at = `accounts[${n}]`;
    if (!isObject(a)) return fail(at, '{ "name", "strategies", "cash", "haircuts"?, "margin"? }', a);
    const unknown = Object.keys(a).find((k) => !ACCOUNT_KEYS.includes(k));
    if (unknown !== undefined) fail(`${at}.${unknown}`, `one of ${ACCOUNT_KEYS.join(', ')}`, unknown);
    if (typeof a.name !== 'string' || !NAME.test(a.name)) fail(`${at}.name`, 'a name of 1 to 64 letters, digits, _ . or -', a.name);
    if (names.has(a.name as string)) fail(`${at}.name`, 'a name no other account has', a.name);
    names.add(a.name as string);
    const strategies = a.strategies;
    if (!Array.isArray(strategies) || strategies.length === 0) fail(`${at}.strategies`, 'a list of strategy names', strategies);
    (strategies as unknown[]).forEach((s, j) => {
      if (typeof s !== 'string' || !NAME.test(s)) fail(`${at}.strategies[${j}]`, 'a strategy name (letters, digits, _ . -)', s);
      const other = owner.get(s as string);
      if (other !== undefined) fail(`${at}.strategies[${j}]`, `a strategy of one account (it is account '${other}''s)`, s);
      owner.set(s as string, a.name as string);
    });
    if (!(typeof a.cash === 'number' && Number.isFinite(a.cash) && a.cash >= 0)) fail(`${at}.cash`, 'a finite number >= 0', a.cash);
    const own = a.margin ?? {};
    if (!isObject(own)) fail(`${at}.margin`, 'an object of margin settings', own);
    const margin = { ...defaults, ...own, ...(a.haircuts === undefined ? {} : { haircuts: a.haircuts }) } as MarginSettings;
    try {
      resolveMargin(margin, `${at}.margin`);
    } catch (error) {
      if (!(error instanceof KernelInputError)) throw error;
      // name the field where it was written: the account's haircuts, its margin, or the file's defaults
      const field = error.argument.slice(`${at}.margin.`.length).split('.')[0];
      const path =
        field === 'haircuts' && a.haircuts !== undefined
          ? `${at}.haircuts${error.argument.slice(`${at}.margin.haircuts`.length)}`
          : Object.hasOwn(own as object, field)
            ? error.argument
            : `margin${error.argument.slice(`${at}.margin`.length)}`;
      fail(path, error.expected, error.actual, true);
    }
    return { name: a.name as string, strategies: strategies as string[], cash: a.cash as number, margin };
  });
  return { accounts, source: file };
}

/** The accounts of the file at `path` (KernelInputError naming it when unreadable). */
export function loadAccounts(path: string): Accounts {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new KernelInputError(
      '--accounts',
      'a readable accounts file',
      `${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  return parseAccounts(text, path);
}

/** The account of `strategy`, or undefined. */
export function accountOf(accounts: Accounts, strategy: string): Account | undefined {
  return accounts.accounts.find((a) => a.strategies.includes(strategy));
}

/** The margin settings of `strategy`'s account: KernelInputError naming the file when no account has it. */
export function strategyMargin(accounts: Accounts, strategy: string): MarginSettings {
  const account = accountOf(accounts, strategy);
  if (!account) {
    const known = accounts.accounts.flatMap((a) => a.strategies).join(', ');
    throw new KernelInputError(`${accounts.source}`, `an account for strategy '${strategy}'`, `accounts of ${known} only`);
  }
  return account.margin;
}
