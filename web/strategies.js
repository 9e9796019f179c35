// What the dashboard (web/dashboard.html) keeps and shows of each strategy: its STRATEGY_SIGNAL,
// ORDER_FILL, POSITION_UPDATE and ORDER_REJECTED messages (StrategyEngine's, docs/strategy.md) folded into an equity
// curve, its drawdown, the positions and P&L per symbol and the last fills. Pure functions of the
// payloads as the gateway sends them (JSON: NaN arrives as null), no DOM. The gateway inlines this file
// into the page (src/gateway/page.ts); test/gateway/strategies.test.ts folds a StrategyEngine's
// messages read through the gateway. Types: web/strategies.d.ts.

/** Caps: the equity points and the fills kept per strategy, the fill ids remembered to count a fill once. */
export const STRATEGY_CAPS = { equity: 600, fills: 12, ids: 10000 };

/** A strategy as the page keeps it. */
function newStrategy() {
  return { orders: 0, fills: 0, rejected: 0, fees: 0, equity: [], lastFills: [], positions: new Map(), seen: new Set() };
}

/**
 * Folds one message into `strategies` (name -> state): an order counts; a fill, and an order the
 * pre-trade checks refused, count once by their id (the bus is at-least-once: a fill published again
 * after a restart has the same id), a fill kept among the last fills; a position replaces its symbol's and adds a point to the equity curve.
 * Returns the strategy's name, or undefined for a message of another type or without a strategy.
 */
export function onStrategyMessage(strategies, m, caps = STRATEGY_CAPS) {
  const p = m.payload;
  if (p === null || typeof p !== 'object' || typeof p.strategy !== 'string') return undefined;
  if (!['STRATEGY_SIGNAL', 'ORDER_FILL', 'POSITION_UPDATE', 'ORDER_REJECTED'].includes(m.type)) return undefined;
  let s = strategies.get(p.strategy);
  if (!s) strategies.set(p.strategy, (s = newStrategy()));
  if (m.type === 'STRATEGY_SIGNAL') s.orders++;
  else if (m.type === 'ORDER_FILL' || m.type === 'ORDER_REJECTED') {
    if (s.seen.has(p.id)) return p.strategy;
    s.seen.add(p.id);
    if (s.seen.size > caps.ids) s.seen.delete(s.seen.values().next().value);
    if (m.type === 'ORDER_REJECTED') {
      s.rejected++;
      return p.strategy;
    }
    s.fills++;
    s.fees += p.fees ?? 0;
    s.lastFills.push(p);
    if (s.lastFills.length > caps.fills) s.lastFills.shift();
  } else {
    s.positions.set(p.symbol, {
      units: p.units,
      avgPrice: p.avgPrice ?? NaN,
      realizedPnl: p.realizedPnl,
      unrealizedPnl: p.unrealizedPnl,
    });
    s.equity.push({ t: p.ts, equity: p.equity });
    if (s.equity.length > caps.equity) s.equity.shift();
  }
  return p.strategy;
}

/** The drawdown after each equity point: equity over its running peak, less 1 (0 at a new high, -0.1 10% below). */
export function drawdowns(equity) {
  let peak = -Infinity;
  return equity.map(({ equity: e }) => {
    if (e > peak) peak = e;
    return peak > 0 ? e / peak - 1 : 0;
  });
}

/**
 * The positions table: per symbol its units, entry price, realized and unrealized P&L and their sum,
 * the largest P&L first; and the total of the P&L column. The unrealized P&L is the last fill's, or,
 * when `markOf(symbol)` gives a price (the page: the symbol's last bar close), (price - avgPrice) x units.
 */
export function pnlRows(s, markOf = () => NaN) {
  const rows = [...s.positions].map(([symbol, p]) => {
    const mark = markOf(symbol);
    const unrealizedPnl = p.units !== 0 && Number.isFinite(mark) ? (mark - p.avgPrice) * p.units : p.unrealizedPnl;
    return { symbol, ...p, unrealizedPnl, marked: p.units !== 0 && Number.isFinite(mark), pnl: p.realizedPnl + unrealizedPnl };
  });
  rows.sort((a, b) => b.pnl - a.pnl || a.symbol.localeCompare(b.symbol));
  return { rows, total: rows.reduce((sum, r) => sum + r.pnl, 0) };
}

/** A fill as one line: `<id>: bought 12 AAPL at 101.25 (fees 0.10)`. */
export function fillText(f) {
  const units = Math.abs(f.units).toLocaleString('en-US', { maximumFractionDigits: 4 });
  return `${f.id}: ${f.units > 0 ? 'bought' : 'sold'} ${units} ${f.symbol} at ${Number(f.price).toFixed(2)} (fees ${Number(f.fees).toFixed(2)})`;
}
