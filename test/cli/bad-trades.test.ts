/**
 * Issue 88's damaged tape (JPM's 10th trade at -557.53, line 101) through every command that reads
 * trades from a file: each stops at it by default naming file:line (exit 2), leaves it out with
 * --bad-trades skip (a count and the first in the summary and --json), lists it with reject; the other
 * trades, JPM's included, are computed as on the tape without that row.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { main } from '../../src/cli/main.js';
import { kernels } from '../../src/index.js';
import { readTrades, splitBySymbol } from '../../src/io/index.js';
import { cleanTapePath, damagedTape } from '../helpers/damaged-tape.js';

const tape = damagedTape();
const STRATEGY = 'examples/strategy-ma-cross.mjs';
const refusal = (command: string) => `kernelbus ${command}: ${tape.path}:${tape.line}: expected a finite price > 0, got -557.53 (JPM)`;

/** main() with `args` (TAPE: the damaged tape): its exit code, stdout lines (console.log) and stderr text. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(args.map((a) => (a === 'TAPE' ? tape.path : a)));
    const text = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map((c) => String(c[0])).join('\n');
    return { code, out: text(log), err: `${text(error)}\n${text(write)}` };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

const COMMANDS: [string, string[]][] = [
  ['vpin', ['vpin', 'TAPE']],
  ['bars', ['bars', 'TAPE', '--by', 'tick', '--threshold', '50']],
  ['backtest', ['backtest', '--file', 'TAPE', '--strategy', STRATEGY]],
];

describe.each(COMMANDS)('kernelbus %s on the damaged tape', (command, args) => {
  it('stops at the bad trade by default, naming file:line, the rule and the symbol (exit 2)', async () => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    expect(err).toContain(refusal(command));
  });

  it('--bad-trades skip leaves it out and says so, in the summary and in --json', async () => {
    const text = await run([...args, '--bad-trades', 'skip']);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`1 bad trade skipped: price 1; the first: ${tape.path}:${tape.line}`);
    const json = await run([...args, '--bad-trades', 'skip', '--json']);
    expect(json.code).toBe(0);
    const read = JSON.parse(json.out).read;
    expect(read.badTrades).toMatchObject({ policy: 'skip', count: 1, byReason: { price: 1 }, first: { symbol: 'JPM', row: tape.row + 1 } });
  });

  it('refuses an unknown policy, naming the flag (exit 2)', async () => {
    const { code, err } = await run([...args, '--bad-trades', 'drop']);
    expect(code).toBe(2);
    expect(err).toContain(`kernelbus ${command}: --bad-trades: expected 'fail', 'skip', 'reject', got "drop"`);
  });

  it('--bad-trades reject lists it on stderr', async () => {
    const { code, err } = await run([...args, '--bad-trades', 'reject']);
    expect(code).toBe(0);
    expect(err).toContain(`rejected: ${tape.path}:${tape.line}: expected a finite price > 0, got -557.53 (JPM)`);
  });
});

describe('what the commands compute from the other trades', () => {
  it("vpin: JPM's VPIN is vpin() of JPM's other trades; every other symbol's as on the clean tape", async () => {
    const { out } = await run(['vpin', 'TAPE', '--bad-trades', 'skip', '--bucket-volume', '2000', '--json']);
    const bySymbol = new Map<string, { trades: number; vpin: { last: number } }>(
      JSON.parse(out).symbols.map((s: { symbol: string }) => [s.symbol, s]),
    );
    const clean = await readTrades(cleanTapePath);
    const groups = splitBySymbol(clean.trades, clean.symbols!);
    const k = kernels({ backend: 'reference' });
    for (const g of groups) {
      const keep = g.symbol === 'JPM' ? Array.from(g.trades.price.keys()).filter((i) => i !== 9) : Array.from(g.trades.price.keys());
      const take = (x: Float64Array) => Float64Array.from(keep, (i) => x[i]);
      const want = k.vpin({ ts: take(g.trades.ts), price: take(g.trades.price), volume: take(g.trades.volume) }, { bucketVolume: 2000 });
      const got = bySymbol.get(g.symbol)!;
      expect(got.trades).toBe(keep.length);
      expect(got.vpin.last).toBeCloseTo(want.vpin[want.vpin.length - 1], 11); // --json rounds to 12 digits
    }
  });

  it('backtest: JPM trades on its other trades; no fill at a price <= 0', async () => {
    const { code, out } = await run(['backtest', '--file', 'TAPE', '--strategy', STRATEGY, '--bad-trades', 'skip', '--json']);
    expect(code).toBe(0);
    const fills: { symbol: string; price: number }[] = JSON.parse(out).fills;
    expect(fills.filter((f) => f.symbol === 'JPM').length).toBeGreaterThan(0);
    expect(Math.min(...fills.map((f) => f.price))).toBeGreaterThan(0);
  });
});

describe('kernelbus demo --file on the damaged tape', () => {
  it('stops at the bad trade by default; with --bad-trades skip runs on, saying so', async () => {
    const { code, err } = await run(['demo', '--file', 'TAPE']);
    expect(code).toBe(2);
    expect(err).toContain(refusal('demo'));
    const out = Object.assign(new PassThrough(), { isTTY: false });
    out.resume();
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runDemo(['--file', tape.path, '--bad-trades', 'skip', '--seconds', '2'], out)).toBe(0);
    expect(write.mock.calls.map((c) => String(c[0])).join('')).toContain(
      `1 bad trade skipped: price 1; the first: ${tape.path}:${tape.line}`,
    );
  }, 120_000);
});
