/**
 * One order against an account, vectorbt 1.1.0's rules (vectorbt/portfolio/nb.py: buy_nb, sell_nb,
 * execute_order_nb; utils/math_.py: is_close_nb, add_nb), with the options kernelbus offers (no lock_cash,
 * max_size, size_granularity, reject_prob, allow_partial: vectorbt's defaults). The reference, the
 * oracle: native/kernels/backtest/execute.hpp is its twin, operation for operation.
 */
import { SIM_FAULTS, simulationFault } from '../kernels/backtest/backtest.js';

const REL_TOL = 1e-9;
const ABS_TOL = 1e-12;

/** vectorbt's is_close_nb: false for NaN or an infinity. */
export function isClose(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  if (a === b) return true;
  return Math.abs(a - b) <= Math.max(REL_TOL * Math.max(Math.abs(a), Math.abs(b)), ABS_TOL);
}

export const isCloseOrLess = (a: number, b: number) => isClose(a, b) || a < b;
export const isLess = (a: number, b: number) => !isClose(a, b) && a < b;

/** vectorbt's add_nb: a sum that cancels to within is_close is exactly 0. */
export function add(a: number, b: number): number {
  const zero = Math.sign(a) !== Math.sign(b) ? isClose(Math.abs(a), Math.abs(b)) : isClose(a + b, 0);
  return zero ? 0 : a + b;
}

export const LONG = 0;
export const SHORT = 1;
export const BOTH = 2;
export const BUY = 0;
export const SELL = 1;
export const AMOUNT = 0;
export const VALUE = 1;
export const PERCENT = 2;
export const TARGET_AMOUNT = 3;
export const TARGET_VALUE = 4;
export const TARGET_PERCENT = 5;

/** An account's state in one column (cash is the cash group's). */
export interface Account {
  cash: number;
  position: number;
  debt: number;
  freeCash: number;
}

/** An order as the simulations make it. */
export interface Order {
  size: number;
  price: number;
  sizeType: number;
  direction: number;
  fees: number;
  fixedFees: number;
  slippage: number;
  minSize: number;
}

/** A fill: its size (> 0), price after slippage, fees and side; size NaN when nothing filled. */
export interface Fill {
  size: number;
  price: number;
  fees: number;
  side: number;
}

const NO_FILL = (fill: Fill) => {
  fill.size = NaN;
  return false;
};

function buy(s: Account, size: number, price: number, o: Order, percent: number, fill: Fill, i: number, col: number): boolean {
  const adjPrice = price * (1 + o.slippage);
  let cashLimit = s.cash;
  if (!Number.isNaN(percent)) cashLimit = Math.min(cashLimit, percent * cashLimit);
  if (o.direction === LONG || o.direction === BOTH) {
    if (cashLimit === 0) return NO_FILL(fill);
    if (size === Infinity && cashLimit === Infinity) throw simulationFault('size', SIM_FAULTS.infiniteLong, i, col, size);
  } else if (s.position === 0) return NO_FILL(fill);
  const adjSize = o.direction === SHORT ? Math.min(-s.position, size) : size;
  if (adjSize === 0) return NO_FILL(fill);
  const reqCash = adjSize * adjPrice;
  const reqFees = reqCash * o.fees + o.fixedFees;
  const totalReqCash = reqCash + reqFees;
  let finalSize: number;
  let feesPaid: number;
  let finalReqCash: number;
  if (isCloseOrLess(totalReqCash, cashLimit)) {
    finalSize = adjSize;
    feesPaid = reqFees;
    finalReqCash = totalReqCash;
  } else {
    const maxReqCash = add(cashLimit, -o.fixedFees) / (1 + o.fees);
    if (maxReqCash <= 0) return NO_FILL(fill);
    finalSize = maxReqCash / adjPrice;
    feesPaid = cashLimit - maxReqCash;
    finalReqCash = cashLimit;
  }
  if (isClose(adjSize, 0)) return NO_FILL(fill);
  if (isLess(finalSize, o.minSize)) return NO_FILL(fill);
  const newCash = add(s.cash, -finalReqCash);
  const newPosition = add(s.position, finalSize);
  if (s.position < 0) {
    const shortSize = newPosition < 0 ? finalSize : Math.abs(s.position);
    const debtDiff = shortSize * (s.debt / Math.abs(s.position));
    s.debt = add(s.debt, -debtDiff);
    s.freeCash = add(s.freeCash + 2 * debtDiff, -finalReqCash);
  } else {
    s.freeCash = add(s.freeCash, -finalReqCash);
  }
  s.cash = newCash;
  s.position = newPosition;
  fill.size = finalSize;
  fill.price = adjPrice;
  fill.fees = feesPaid;
  fill.side = BUY;
  return true;
}

function sell(s: Account, size: number, price: number, o: Order, percent: number, fill: Fill, i: number, col: number): boolean {
  const adjPrice = price * (1 - o.slippage);
  let sizeLimit: number;
  if (o.direction === LONG) {
    sizeLimit = Math.min(s.position, size);
  } else if (size === Infinity && !Number.isNaN(percent)) {
    // the most that can be sold: the long position and a short the free cash covers
    const longSize = Math.max(s.position, 0);
    const longCash = longSize * adjPrice * (1 - o.fees);
    const totalFreeCash = add(s.freeCash, longCash);
    let maxSizeLimit: number;
    if (totalFreeCash <= 0) {
      if (s.position <= 0) return NO_FILL(fill);
      maxSizeLimit = longSize;
    } else {
      const maxShortSize = add(totalFreeCash, -o.fixedFees) / (adjPrice * (1 + o.fees));
      maxSizeLimit = add(longSize, maxShortSize);
      if (maxSizeLimit <= 0) return NO_FILL(fill);
    }
    sizeLimit = maxSizeLimit;
  } else {
    sizeLimit = size;
  }
  if (!Number.isNaN(percent)) sizeLimit = percent * sizeLimit;
  if (o.direction !== LONG && sizeLimit === Infinity) throw simulationFault('size', SIM_FAULTS.infiniteShort, i, col, -sizeLimit);
  if (o.direction === LONG && s.position === 0) return NO_FILL(fill);
  if (isClose(sizeLimit, 0)) return NO_FILL(fill);
  if (isLess(sizeLimit, o.minSize)) return NO_FILL(fill);
  const acqCash = sizeLimit * adjPrice;
  const feesPaid = acqCash * o.fees + o.fixedFees;
  const finalAcqCash = add(acqCash, -feesPaid);
  if (finalAcqCash < 0) return NO_FILL(fill);
  const newCash = s.cash + finalAcqCash;
  const newPosition = add(s.position, -sizeLimit);
  if (newPosition < 0) {
    const shortSize = s.position < 0 ? sizeLimit : Math.abs(newPosition);
    const shortValue = shortSize * adjPrice;
    s.debt = s.debt + shortValue;
    s.freeCash = add(s.freeCash, add(finalAcqCash, -2 * shortValue));
  } else {
    s.freeCash = s.freeCash + finalAcqCash;
  }
  s.cash = newCash;
  s.position = newPosition;
  fill.size = sizeLimit;
  fill.price = adjPrice;
  fill.fees = feesPaid;
  fill.side = SELL;
  return true;
}

/**
 * Executes `o` on `s` (updated in place on a fill) with `valPrice` and `value` the column's (or its
 * cash group's) valuation: vectorbt's execute_order_nb. Returns whether it filled (`fill` then holds
 * it). Throws on what vectorbt raises for (a price that is not finite and > 0, a long-only order on
 * a short position), naming bar `i` of column `col`.
 */
export function executeOrder(s: Account, o: Order, valPrice: number, value: number, i: number, col: number, fill: Fill): boolean {
  if (isClose(s.cash, 0)) s.cash = 0;
  if (isClose(s.position, 0)) s.position = 0;
  if (isClose(s.debt, 0)) s.debt = 0;
  if (isClose(s.freeCash, 0)) s.freeCash = 0;
  if (isClose(valPrice, 0)) valPrice = 0;
  if (isClose(value, 0)) value = 0;
  if (Number.isNaN(o.size) || Number.isNaN(o.price)) return NO_FILL(fill);
  // the account an earlier order left (vectorbt checks it before each order)
  if (Number.isNaN(s.cash) || s.cash < 0) throw simulationFault('simulation', SIM_FAULTS.account, i, col, s.cash);
  if (!Number.isFinite(s.position)) throw simulationFault('simulation', SIM_FAULTS.account, i, col, s.position);
  if (!Number.isFinite(s.debt) || s.debt < 0) throw simulationFault('simulation', SIM_FAULTS.account, i, col, s.debt);
  if (Number.isNaN(s.freeCash)) throw simulationFault('simulation', SIM_FAULTS.account, i, col, s.freeCash);
  if (!Number.isFinite(o.price) || o.price <= 0) throw simulationFault('prices', SIM_FAULTS.price, i, col, o.price);
  if (o.direction === LONG && s.position < 0) throw simulationFault('direction', SIM_FAULTS.longOnly, i, col, s.position);
  if (o.direction === SHORT && s.position > 0) throw simulationFault('direction', SIM_FAULTS.shortOnly, i, col, s.position);

  let size = o.direction === SHORT ? -o.size : o.size;
  let sizeType = o.sizeType;
  if (sizeType === TARGET_PERCENT) {
    if (Number.isNaN(value)) return NO_FILL(fill);
    if (value <= 0) return NO_FILL(fill);
    size *= value;
    sizeType = TARGET_VALUE;
  }
  if (sizeType === VALUE || sizeType === TARGET_VALUE) {
    if (valPrice === Infinity || valPrice <= 0) throw simulationFault('simulation', SIM_FAULTS.valPrice, i, col, valPrice);
    if (Number.isNaN(valPrice)) return NO_FILL(fill);
    size /= valPrice;
    sizeType = sizeType === VALUE ? AMOUNT : TARGET_AMOUNT;
  }
  if (sizeType === TARGET_AMOUNT) {
    size -= s.position;
    sizeType = AMOUNT;
  }
  if (sizeType === AMOUNT && o.direction !== LONG && size === -Infinity) {
    // an infinite short has vectorbt's meaning: 100% of what can be shorted
    size = -1;
    sizeType = PERCENT;
  }
  if (size === 0) return NO_FILL(fill); // vectorbt ignores it in buy_nb or sell_nb
  let percent = NaN;
  if (sizeType === PERCENT) {
    percent = Math.abs(size);
    size = Math.sign(size) * Infinity;
  }
  const filled = size > 0 ? buy(s, size, o.price, o, percent, fill, i, col) : sell(s, -size, o.price, o, percent, fill, i, col);
  if (filled && !(fill.size > 0 && fill.size < Infinity && fill.price > 0 && fill.price < Infinity && Number.isFinite(fill.fees))) {
    const bad = !(fill.size > 0 && fill.size < Infinity) ? fill.size : !(fill.price > 0 && fill.price < Infinity) ? fill.price : fill.fees;
    throw simulationFault('simulation', SIM_FAULTS.fill, i, col, bad);
  }
  return filled;
}
