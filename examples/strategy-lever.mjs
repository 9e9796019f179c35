// An example of a strategy the pre-trade checks hold back (docs/strategy.md, "Pre-trade checks"): on
// one-minute bars it shorts two or three times its equity in the bar's symbol, buys a third back every
// third bar, and would lever up without end. Its limits refuse an order past 250,000 of notional or 5
// orders a second; with an accounts file (examples/accounts.json) its margin refuses what its
// collateral cannot carry, and a margin call puts it in REDUCING (--on-margin-call reduce):
//   kernelbus backtest --file examples/tape.csv --strategy examples/strategy-lever.mjs --init-cash 100000 \
//     --allow-short --accounts examples/accounts.json --on-margin-call reduce
import { defineStrategy } from 'kernelbus/strategy';

export default defineStrategy({
  name: 'lever',
  bars: { by: 'time', threshold: 60_000 },
  limits: { maxOrderNotional: 250_000, maxOrdersPerSecond: 5 },
  onBar(ctx, bar) {
    const units = Math.floor(((bar.index % 2 === 0 ? 2 : 3) * ctx.equity()) / bar.close);
    if (bar.index % 3 === 2) ctx.order(bar.symbol, Math.floor(units / 3));
    else if (units > 0) ctx.order(bar.symbol, -units);
  },
  onReject(ctx, rejection) {
    if (rejection.reason === 'margin' && ctx.tradingState() === 'ACTIVE') ctx.log(`held back: ${rejection.message}`);
  },
});
