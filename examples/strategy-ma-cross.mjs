// An example strategy for `kernelbus backtest --file examples/tape.csv --strategy examples/strategy-ma-cross.mjs`
// (docs/strategy.md): on one-minute bars of each symbol, 10% of the equity long while the 5-bar SMA is
// above the 20-bar SMA, flat when it crosses below; at most one entry per cross.
import { defineStrategy } from 'kernelbus/strategy';

export default defineStrategy({
  name: 'ma-cross',
  bars: { by: 'time', threshold: 60_000 },
  // ctx.value reaches one bar back: a history of 2 bars (the default keeps 256, which the live engine's
  // checkpoints carry)
  history: 2,
  indicators: {
    fast: { name: 'sma', timePeriod: 5 },
    slow: { name: 'sma', timePeriod: 20 },
  },
  onBar(ctx, bar) {
    const { symbol } = bar;
    const above = ctx.value('fast', symbol) > ctx.value('slow', symbol);
    const wasAbove = ctx.value('fast', symbol, 1) > ctx.value('slow', symbol, 1);
    if (above && !wasAbove && ctx.position(symbol) === 0) ctx.targetPercent(symbol, 0.1);
    if (!above && wasAbove && ctx.position(symbol) > 0) ctx.close(symbol);
  },
});
