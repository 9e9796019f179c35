/**
 * A strategy's account: one cash balance across its symbols, a position per symbol, each fill
 * executed by the backtest family's vectorbt order rules (src/simulation/orders.ts,
 * vectorbt 1.1.0's execute_order_nb: slippage in the fill's price, fees on the slipped price, a buy
 * larger than the cash cut to what the cash covers, is_close and add_nb on cash and positions), with
 * the symbols sharing the cash as vectorbt's cash-sharing group does. Without `allowShort` a sell is
 * cut to the position held (vectorbt's direction 'long'); with it, a sell may go short ('both').
 */
import { KernelInputError } from '../errors.js';
import { type Account, BOTH, executeOrder, type Fill, LONG, type Order } from '../simulation/orders.js';

/**
 * The size-weighted entry price of a position of `before` units at `avg` after a fill of `q` at `price`
 * left `after` units (the account's rounding may snap it to 0): weighted when it grows, kept when it
 * shrinks, the fill's price when it flips, NaN when flat (the Collateral engine's books keep it by the
 * same rule).
 */
export function entryAfter(before: number, after: number, q: number, avg: number, price: number): number {
  if (before === 0 || Math.sign(before) === Math.sign(q)) {
    return before === 0 ? price : (Math.abs(before) * avg + Math.abs(q) * price) / (Math.abs(before) + Math.abs(q));
  }
  if (after === 0) return Number.NaN;
  return Math.sign(after) !== Math.sign(before) ? price : avg;
}

/** StrategyAccount's values (see values()). */
export interface AccountState {
  cash: number;
  freeCash: number;
  position: Float64Array;
  debt: Float64Array;
  lastPrice: Float64Array;
  cashFlow: Float64Array;
  avgPrice: Float64Array;
  realized: Float64Array;
}

/** Cash, positions and P&L per symbol (symbols by index, grown as they come). */
export class StrategyAccount {
  cash: number;
  private freeCash: number;
  /** Per symbol: units held, debt (vectorbt's, shorts), last trade price, cash flow of its fills, entry price, realized P&L. */
  position = new Float64Array(8);
  private debt = new Float64Array(8);
  lastPrice = new Float64Array(8).fill(Number.NaN);
  cashFlow = new Float64Array(8);
  avgPrice = new Float64Array(8).fill(Number.NaN);
  realized = new Float64Array(8);
  private readonly state: Account = { cash: 0, position: 0, debt: 0, freeCash: 0 };
  private readonly order: Order = { size: 0, price: 0, sizeType: 0, direction: LONG, fees: 0, fixedFees: 0, slippage: 0, minSize: 1e-8 };
  /** The last fill executed (reused: copy what you keep). */
  readonly fill: Fill = { size: Number.NaN, price: Number.NaN, fees: Number.NaN, side: 0 };

  constructor(
    readonly initCash: number,
    private readonly allowShort: boolean,
  ) {
    this.cash = initCash;
    this.freeCash = initCash;
  }

  /** Makes room for symbol index `k`. */
  ensure(k: number): void {
    if (k < this.position.length) return;
    const n = Math.max(2 * this.position.length, k + 1);
    const grow = (a: Float64Array, fill: number) => {
      const b = new Float64Array(n).fill(fill);
      b.set(a);
      return b;
    };
    this.position = grow(this.position, 0);
    this.debt = grow(this.debt, 0);
    this.lastPrice = grow(this.lastPrice, Number.NaN);
    this.cashFlow = grow(this.cashFlow, 0);
    this.avgPrice = grow(this.avgPrice, Number.NaN);
    this.realized = grow(this.realized, 0);
  }

  /**
   * The account's values, for a checkpoint (StrategyRunner.snapshot()): copies, or (`copy` false) the
   * arrays themselves, to read before the account next changes (a delta picks a few entries of them).
   */
  values(copy = true): AccountState {
    const own = (a: Float64Array) => (copy ? a.slice() : a);
    return {
      cash: this.cash,
      freeCash: this.freeCash,
      position: own(this.position),
      debt: own(this.debt),
      lastPrice: own(this.lastPrice),
      cashFlow: own(this.cashFlow),
      avgPrice: own(this.avgPrice),
      realized: own(this.realized),
    };
  }

  /** Replaces the account's values with values()' (their arrays of one length, else KernelInputError naming `bytes`). */
  restore(s: AccountState): void {
    const arrays = [s.position, s.debt, s.lastPrice, s.cashFlow, s.avgPrice, s.realized];
    const n = s.position?.length;
    if (typeof s.cash !== 'number' || typeof s.freeCash !== 'number' || !arrays.every((a) => a instanceof Float64Array && a.length === n)) {
      throw new KernelInputError('bytes', 'a strategy account state', 'other fields');
    }
    this.cash = s.cash;
    this.freeCash = s.freeCash;
    [this.position, this.debt, this.lastPrice, this.cashFlow, this.avgPrice, this.realized] = arrays.map((a) => a.slice());
  }

  /** Cash plus each position at its symbol's last price. */
  equity(): number {
    let value = this.cash;
    const p = this.position;
    for (let k = 0; k < p.length; k++) if (p[k] !== 0) value += p[k] * this.lastPrice[k];
    return value;
  }

  /**
   * Executes `units` (+ buy, - sell) of symbol `k` at `price` (before slippage): returns whether
   * something filled (`fill` then holds its size, slipped price, fees and side). `seq` names the
   * trade in the errors vectorbt's rules raise.
   */
  execute(k: number, units: number, price: number, slippage: number, fees: number, fixedFees: number, seq: number): boolean {
    const o = this.order;
    o.size = units;
    o.price = price;
    o.direction = this.allowShort ? BOTH : LONG;
    o.fees = fees;
    o.fixedFees = fixedFees;
    o.slippage = slippage;
    const s = this.state;
    s.cash = this.cash;
    s.freeCash = this.freeCash;
    s.position = this.position[k];
    s.debt = this.debt[k];
    const before = this.position[k];
    if (!executeOrder(s, o, price, this.cash, seq, k, this.fill)) return false;
    this.cash = s.cash;
    this.freeCash = s.freeCash;
    this.position[k] = s.position;
    this.debt[k] = s.debt;
    const f = this.fill;
    const signed = f.side === 0 ? f.size : -f.size;
    this.cashFlow[k] += -signed * f.price - f.fees;
    this.book(k, before, signed, f.price, f.fees);
    return true;
  }

  /** The entry price and realized P&L after a fill of `q` units at `price` on a position of `before`. */
  private book(k: number, before: number, q: number, price: number, fees: number): void {
    const avg = this.avgPrice[k];
    if (before !== 0 && Math.sign(before) !== Math.sign(q)) {
      const closed = Math.min(Math.abs(q), Math.abs(before));
      this.realized[k] += (price - avg) * closed * Math.sign(before);
    }
    this.avgPrice[k] = entryAfter(before, this.position[k], q, avg, price);
    this.realized[k] -= fees;
  }
}
