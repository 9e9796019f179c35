/**
 * `kernelbus engine strategy`'s flags: each becomes its StrategyEngine option, the modules of --strategy
 * loaded; a bad flag is a KernelInputError naming it, a module that is no strategy a StrategyError naming
 * the file, both before anything connects.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../src/cli/engine.js';
import { strategyEngineOptions } from '../../src/cli/engine-strategy.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/strategy-ma-cross.mjs', import.meta.url));

describe('kernelbus engine strategy flags', () => {
  it('maps the flags to the options, the strategy modules loaded', async () => {
    const o = await strategyEngineOptions({
      strategy: EXAMPLE,
      'init-cash': '100000',
      fees: '0.0005',
      'fixed-fees': '1',
      slippage: '0.0002',
      'latency-ms': '500',
      participation: '0.25',
      'fill-at': 'close',
      'max-lateness-ms': '2000',
      symbols: 'AAA, BBB',
      'allow-short': true,
      'max-future-ms': '250',
    });
    expect(o).toMatchObject({
      initCash: 100_000,
      fees: 0.0005,
      fixedFees: 1,
      slippage: 0.0002,
      latencyMs: 500,
      participation: 0.25,
      fillAt: 'close',
      maxLatenessMs: 2000,
      symbols: ['AAA', 'BBB'],
      allowShort: true,
      maxFutureMs: 250,
      sources: { 'ma-cross': EXAMPLE },
    });
    expect([o.strategies].flat().map((s) => s.name)).toEqual(['ma-cross']);
    const defaults = await strategyEngineOptions({ strategy: EXAMPLE });
    expect(Object.keys(defaults).sort()).toEqual(['sources', 'strategies']);
    expect((await strategyEngineOptions({ strategy: EXAMPLE, 'max-future-ms': 'off' })).maxFutureMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses a bad flag by name, and a module that is no strategy by its file, before connecting', async () => {
    const run = (...flags: string[]) => runEngine(['strategy', '--redis', 'redis://127.0.0.1:1', ...flags]);
    await expect(run()).rejects.toThrow('--strategy: expected strategy modules (./strategy.mjs), comma-separated, got none');
    await expect(run('--strategy', EXAMPLE, '--fees', '-1')).rejects.toThrow('--fees');
    await expect(run('--strategy', EXAMPLE, '--slippage', '1')).rejects.toThrow('--slippage');
    await expect(run('--strategy', EXAMPLE, '--participation', '0')).rejects.toThrow('--participation');
    await expect(run('--strategy', EXAMPLE, '--max-future-ms', 'soon')).rejects.toThrow('--max-future-ms: expected a number in [0, ');
    await expect(run('--strategy', EXAMPLE, '--fill-at', 'open')).rejects.toThrow("--fill-at: expected 'next' or 'close', got \"open\"");
    await expect(run('--strategy', EXAMPLE, '--symbols', 'AAA,,BBB')).rejects.toThrow(
      '--symbols: expected distinct symbols, comma-separated, got "AAA,,BBB"',
    );
    await expect(run('--strategy', `${EXAMPLE},${EXAMPLE}`)).rejects.toThrow(
      "--strategy: expected strategies of distinct names, got 'ma-cross'",
    );
    await expect(run('--strategy', EXAMPLE, '--window', '5')).rejects.toThrow('--window: expected an option of engine');
    await expect(runEngine(['vpin', '--redis', 'redis://127.0.0.1:1', '--allow-short'])).rejects.toThrow(
      '--allow-short: expected an option of engine strategy, got engine vpin',
    );
    const dir = mkdtempSync(join(tmpdir(), 'kb-engine-strategy-'));
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, 'export default { name: "x" };\n');
    await expect(run('--strategy', bad)).rejects.toThrow(new RegExp(`${bad}.*expected a default export made by defineStrategy`));
    await expect(run('--strategy', join(dir, 'missing.mjs'))).rejects.toThrow(/missing\.mjs.*no such file|no such file.*missing\.mjs/);
  });
});
