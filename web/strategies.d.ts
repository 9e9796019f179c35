// Types of web/strategies.js (plain JavaScript: the gateway inlines it into the dashboard page).

/** A position as the page keeps it (as of its last fill). */
export interface PagePosition {
  units: number;
  /** NaN when flat. */
  avgPrice: number;
  realizedPnl: number;
  unrealizedPnl: number;
}

/** A strategy as the page keeps it. */
export interface PageStrategy {
  orders: number;
  /** Fills counted once by id, and their fees; orders the pre-trade checks refused, once by id. */
  fills: number;
  rejected: number;
  fees: number;
  /** The equity after each position update (the last STRATEGY_CAPS.equity). */
  equity: { t: number; equity: number }[];
  /** The last fills (ORDER_FILL payloads), oldest first. */
  lastFills: { id: string; symbol: string; units: number; price: number; fees: number; ts: number }[];
  positions: Map<string, PagePosition>;
  seen: Set<string>;
}

export const STRATEGY_CAPS: { equity: number; fills: number; ids: number };
export function onStrategyMessage(
  strategies: Map<string, PageStrategy>,
  m: { type: string; payload: unknown },
  caps?: { equity: number; fills: number; ids: number },
): string | undefined;
export function drawdowns(equity: readonly { equity: number }[]): number[];
export function pnlRows(
  s: PageStrategy,
  markOf?: (symbol: string) => number,
): { rows: (PagePosition & { symbol: string; marked: boolean; pnl: number })[]; total: number };
export function fillText(f: { id: string; symbol: string; units: number; price: number; fees: number }): string;
