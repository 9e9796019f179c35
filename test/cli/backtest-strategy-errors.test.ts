/**
 * Issue 88, point 3, from the command: `kernelbus backtest --file examples/tape.csv --strategy` with a
 * strategy whose onBar has a typo (`ctx.positon.x`) prints its first error once (file:line and the
 * strategy's frame), the count by kind at the end, and exits 1; `--max-errors 3` stops at the fourth
 * error (exit 1, saying so, no results); an onBar that fails now and then exits 0 with its counts; an
 * unknown indicator output (`bb.lowr`) is refused before the tape is read (exit 2, did you mean).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBacktest } from '../../src/cli/backtest.js';
import { main } from '../../src/cli/main.js';

const TAPE = fileURLToPath(new URL('../../examples/tape.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kb-backtest-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const regexOf = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Writes a strategy module (a plain definition) whose onBar body is `body`; returns its path. */
function strategy(name: string, body: string, extra = ''): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(
    path,
    `export default {\n  name: '${name}',\n  bars: { by: 'time', threshold: 60_000 },${extra}\n  onBar(ctx, bar) {\n${body}\n  },\n};\n`,
  );
  return path;
}

/** Runs `kernelbus backtest` in process: the exit code, the result lines and what went to stderr. */
async function backtest(...args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    const code = await runBacktest(
      ['--file', TAPE, ...args],
      (line) => out.push(line),
      () => {},
    );
    // not what these tests count: a slow onBar on a loaded machine (`onBar took 120.3 ms ...`), and
    // Node's warning that the native addon is not built here (the reference reads the CSV)
    const text = err
      .join('')
      .split('\n')
      .filter((line) => !/ onBar took [\d.]+ ms |^\(node:\d+\) |^\(Use `node --trace-warnings/.test(line));
    return { code, out, err: text.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

const typo = strategy('typo', '    if (ctx.positon.x > 0) ctx.close(bar.symbol);');

describe('kernelbus backtest --strategy with a strategy that fails', () => {
  it('a typo in onBar: the first error once with file:line, the counts at the end, exit 1', async () => {
    const { code, out, err } = await backtest('--strategy', typo);
    expect(code).toBe(1);
    const lines = err.trimEnd().split('\n');
    // one error printed (not 3,510), then its frame, the note, the counts and why the command fails
    expect(lines.filter((l) => l.includes('threw'))).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\S+Z typo: onBar threw at \\w+ bar 0, its orders dropped: ${regexOf(typo)}:5:\\d+: TypeError: Cannot read properties of undefined \\(reading 'x'\\)$`,
      ),
    );
    expect(lines[1]).toMatch(new RegExp(`^    at (Object\\.)?onBar \\(${regexOf(typo)}:5:\\d+\\)$`));
    expect(lines.slice(2)).toEqual([
      '    (the same error again is counted, not logged: the counts come at the end)',
      'typo: 3,510 callback errors (onBar 3,510 of 3,510 calls), by kind:',
      expect.stringMatching(
        new RegExp(`^  3,510 x onBar: ${regexOf(typo)}:5:\\d+: TypeError: Cannot read properties .* \\(first: \\S+Z at \\w+ bar 0\\)$`),
      ),
      'kernelbus backtest: the strategy fails: every call of onBar threw (3,510 calls)',
    ]);
    // the results are printed all the same
    expect(out[0]).toBe(`typo on ${TAPE}: 5,200 trades, 3,510 bars, 0 orders, 0 fills, 3,510 callbacks threw (their orders dropped)`);
  });

  it('--max-errors 3: stops at the fourth error and says so, exit 1, no results', async () => {
    const { code, out, err } = await backtest('--strategy', typo, '--max-errors', '3');
    expect(code).toBe(1);
    expect(out).toEqual([]);
    const lines = err.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('onBar threw'))).toHaveLength(1);
    expect(lines.slice(-3)).toEqual([
      'typo: 4 callback errors (onBar 4 of 4 calls), by kind:',
      expect.stringMatching(/^ {2}4 x onBar: .*TypeError: Cannot read properties of undefined \(reading 'x'\) \(first: /),
      expect.stringMatching(
        /^kernelbus backtest: typo: stopped at \S+Z onBar at \w+ bar 0: 4 callback errors, more than the 3 allowed \(--max-errors\)$/,
      ),
    ]);
    await expect(backtest('--strategy', typo, '--max-errors=-1')).rejects.toThrow(/--max-errors: expected .*, got "-1"/);
    await expect(backtest('--strategy', typo, '--max-errors', '1.5')).rejects.toThrow(/--max-errors/);
  });

  it('an onBar that fails at some bars: counted, exit 0; --max-errors not reached changes nothing', async () => {
    const some = strategy('some', "    if (bar.index % 100 === 7) throw new Error('only now and then');");
    const { code, err } = await backtest('--strategy', some, '--max-errors', '1000', '--json');
    expect(code).toBe(0);
    const lines = err.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('onBar threw'))).toHaveLength(1);
    expect(lines.at(-2)).toMatch(/^some: \d+ callback errors \(onBar \d+ of 3,510 calls\), by kind:$/);
    expect(lines.at(-1)).toMatch(new RegExp(`^ +\\d+ x onBar: ${regexOf(some)}:5:\\d+: only now and then \\(first: `));
  });

  it('--json carries the counts by kind (callbackErrors)', async () => {
    const { code, out } = await backtest('--strategy', typo, '--json');
    expect(code).toBe(1);
    const json = JSON.parse(out.join('\n'));
    expect(json.callbackErrors).toEqual([
      expect.objectContaining({ callback: 'onBar', count: 3510, place: expect.stringMatching(new RegExp(`^${regexOf(typo)}:5:\\d+$`)) }),
    ]);
  });

  it("an unknown indicator output ('bb.lowr') is refused when the strategy loads: exit 2, did you mean", async () => {
    const bad = strategy(
      'bb-typo',
      "    if (bar.close < ctx.value('bb.lowr', bar.symbol)) ctx.order(bar.symbol, 1);",
      "\n  indicators: { bb: { name: 'bbands', timePeriod: 20 } },",
    );
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await main(['backtest', '--file', TAPE, '--strategy', bad])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([
      `kernelbus backtest: ${bad}:6:32: strategy.onBar: ctx.value: expected one of open, high, low, close, volume, buyVolume, ticks, dollarValue, bb.upper, bb.middle, bb.lower, got "bb.lowr" (did you mean "bb.lower"?)`,
    ]);
  });
});
