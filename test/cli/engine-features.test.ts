/** `kernelbus engine features`' flags: each becomes its FeaturesEngine option; a bad one a KernelInputError naming the flag before anything connects. */
import { describe, expect, it } from 'vitest';
import { featuresEngineOptions, runEngine } from '../../src/cli/engine.js';
import { FEATURE_ESTIMATORS } from '../../src/engines/index.js';

describe('kernelbus engine features flags', () => {
  it('maps the flags to the options, the defaults to the engine defaults', () => {
    expect(featuresEngineOptions({})).toMatchObject({
      bars: { by: 'time', threshold: 60_000 },
      window: 20,
      estimators: [...FEATURE_ESTIMATORS],
      indicators: [],
      maxFutureMs: 5000,
    });
    const o = featuresEngineOptions({
      by: 'dollar',
      threshold: '1e6',
      window: '30',
      estimators: 'rollMeasure,yangZhang',
      ind: 'rsi,macd(fastPeriod=8)',
    });
    expect(o).toMatchObject({ bars: { by: 'dollar', threshold: 1e6 }, window: 30, estimators: ['rollMeasure', 'yangZhang'] });
    expect(o.indicators).toEqual([
      { name: 'rsi', options: {}, columns: [['value', 'rsi']] },
      {
        name: 'macd',
        options: { fastPeriod: 8 },
        columns: [
          ['macd', 'macd_8'],
          ['signal', 'macd_8_signal'],
          ['hist', 'macd_8_hist'],
        ],
      },
    ]);
  });

  it('refuses a bad flag by name before connecting', async () => {
    const run = (...flags: string[]) => runEngine(['features', '--redis', 'redis://127.0.0.1:1', ...flags]);
    await expect(run('--by', 'week')).rejects.toThrow('--by: expected time, tick, volume or dollar, got "week"');
    await expect(run('--window', '1')).rejects.toThrow('--window');
    await expect(run('--estimators', 'roll')).rejects.toThrow('--estimators');
    await expect(run('--ind', 'rsi(timePeriod)')).rejects.toThrow('--ind');
    await expect(run('--classifier', 'bvc')).rejects.toThrow('--classifier: expected an option of engine vpin, got engine features');
  });
});
