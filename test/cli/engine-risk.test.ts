/**
 * `kernelbus engine risk`'s flags: each becomes the RiskEngine option of its name (the backtest and the
 * benchmark's rolling figures included), defaults as the engine's, a bad one a KernelInputError naming
 * the flag before anything connects.
 */
import { describe, expect, it } from 'vitest';
import { riskEngineOptions, runEngine } from '../../src/cli/engine.js';
import { createBus } from '../../src/bus/index.js';
import { RiskEngine } from '../../src/engines/index.js';

describe('kernelbus engine risk flags', () => {
  it('maps every flag to its option, the defaults to the engine defaults', () => {
    expect(riskEngineOptions({})).toEqual({
      window: 250,
      minRows: 20,
      confidence: 0.95,
      universe: 'default',
      backtestWindow: 250,
      benchmark: undefined,
      rollingWindow: 63,
      periodsPerYear: 252,
    });
    const options = riskEngineOptions({
      window: '60',
      'min-rows': '10',
      confidence: '0.99',
      universe: 'us',
      'backtest-window': '0',
      benchmark: 'SPY',
      'rolling-window': '21',
      'periods-per-year': '52',
    });
    expect(options).toEqual({
      window: 60,
      minRows: 10,
      confidence: 0.99,
      universe: 'us',
      backtestWindow: 0,
      benchmark: 'SPY',
      rollingWindow: 21,
      periodsPerYear: 52,
    });
    // the engine takes them (its own checks agree with the flags' ranges)
    const bus = createBus();
    expect(() => new RiskEngine(bus, { ...options, heartbeatMs: 0 })).not.toThrow();
    // a short window without a backtest: the rolling window's default shrinks to what the engine keeps
    expect(riskEngineOptions({ window: '10', 'backtest-window': '0' }).rollingWindow).toBe(10);
  });

  it("--positions and --position-limit: the strategies' books, measured on a universe", () => {
    const books = riskEngineOptions({ positions: 'us', 'position-limit': '0.02' });
    expect(books).toMatchObject({ positionInput: 'POSITION_UPDATE', positionUniverse: 'us', positionLimit: 0.02 });
    expect(riskEngineOptions({ positions: 'us' })).toMatchObject({ positionInput: 'POSITION_UPDATE', positionUniverse: 'us' });
    expect(riskEngineOptions({ positions: 'us' }).positionLimit).toBeUndefined();
    expect(riskEngineOptions({}).positionInput).toBeUndefined();
    const bus = createBus();
    const engine = new RiskEngine(bus, { ...books, heartbeatMs: 0 });
    // the books' input is one subscription more
    expect(engine).toBeInstanceOf(RiskEngine);
  });

  it('--garch, --dist and --garch-refit: the GARCH VaR (var: { method: garch }), parsed as kernelbus risk --garch parses them', () => {
    expect(riskEngineOptions({ garch: 'gjr', dist: 't', 'garch-refit': '5' }).var).toEqual({
      method: 'garch',
      vol: 'gjr',
      dist: 't',
      refit: 5,
    });
    expect(riskEngineOptions({ garch: 'garch' }).var).toEqual({ method: 'garch', vol: 'garch' });
    expect(riskEngineOptions({}).var).toBeUndefined();
    const engine = new RiskEngine(createBus(), { ...riskEngineOptions({ garch: 'egarch', dist: 'skewt' }), heartbeatMs: 0 });
    expect(engine).toBeInstanceOf(RiskEngine);
  });

  it('refuses a bad flag, naming it, before connecting', async () => {
    const url = 'redis://127.0.0.1:1';
    const cases: [string[], string][] = [
      [['--backtest-window', '1.5'], '--backtest-window: expected an integer in [0, 1000000], got "1.5"'],
      [
        ['--window', '10', '--backtest-window', '5', '--rolling-window', '16'],
        '--rolling-window: expected an integer in [2, 15], got "16"',
      ],
      [['--benchmark', ''], '--benchmark: expected an asset name, got ""'],
      [['--periods-per-year', '0'], '--periods-per-year: expected a number in [1e-9, 1000000000], got "0"'],
      [['--positions', ''], '--positions: expected a universe name, got ""'],
      [['--position-limit', '0.02'], '--position-limit: expected nothing without --positions, got "0.02"'],
      [['--positions', 'us', '--position-limit', '0'], '--position-limit: expected a number in [5e-324, 1000000000], got "0"'],
      [['--garch', 'figarch'], '--garch: expected garch | gjr | egarch | aparch, got "figarch"'],
      [['--garch', 'gjr', '--dist', 'cauchy'], '--dist: expected normal | t | skewt | ged, got "cauchy"'],
      [['--dist', 't'], '--dist: expected nothing without --garch, got t'],
      [['--garch', 'garch', '--garch-refit', '0'], '--garch-refit: expected an integer in [1, 1000000000], got "0"'],
    ];
    for (const [flags, message] of cases) await expect(runEngine(['risk', '--redis', url, ...flags])).rejects.toThrow(message);
    await expect(runEngine(['vpin', '--redis', url, '--benchmark', 'SPY'])).rejects.toThrow(
      '--benchmark: expected an option of engine risk, got engine vpin',
    );
  });
});
