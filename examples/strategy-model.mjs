// An example strategy that trades on a model's probability (docs/ml.md, "Models in strategies"):
// examples/model.txt is a LightGBM classifier trained by examples/train_lightgbm.py on `kernelbus
// dataset` rows (ten-trade bars, rsi and macd, triple-barrier labels: 1 when the upper barrier is hit
// first). At each bar the strategy runs it on the bar's values and holds 10% of the equity long while
// the probability of an up label is above 0.6, flat once it falls under 0.4:
//   kernelbus backtest --file examples/tape.csv --strategy examples/strategy-model.mjs
import { defineStrategy } from 'kernelbus/strategy';

export default defineStrategy({
  name: 'model',
  bars: { by: 'tick', threshold: 10 },
  history: 1, // ctx.value reads the bar's own values only
  indicators: {
    rsi: { name: 'rsi', timePeriod: 14 },
    macd: { name: 'macd' },
  },
  models: {
    // the model's features in its order; the dataset's macd_signal and macd_hist are macd.signal and macd.hist here
    up: {
      file: 'model.txt',
      features: [
        'open',
        'high',
        'low',
        'close',
        'volume',
        'buyVolume',
        'ticks',
        'dollarValue',
        'rsi',
        'macd.macd',
        'macd.signal',
        'macd.hist',
      ],
    },
  },
  onBar(ctx, bar) {
    const p = ctx.value('up', bar.symbol);
    if (p > 0.6 && ctx.position(bar.symbol) === 0) ctx.targetPercent(bar.symbol, 0.1);
    else if (p < 0.4 && ctx.position(bar.symbol) > 0) ctx.close(bar.symbol);
  },
});
