/**
 * The two simulations, vectorbt 1.1.0's loops (vectorbt/portfolio/nb.py: simulate_from_orders_nb and
 * simulate_from_signals_nb with their helpers: signals_to_size_nb, resolve_opposite_entry_nb,
 * get_stop_price_nb, generate_stop_signal_nb), cash group by cash group, bar by bar. Their order
 * records go to `OrderLog`. The reference: native/kernels/backtest/loops.cpp is its twin.
 */
import { SIM_FAULTS, SIM_ORDERS, simulationFault, type Flex, type SimSignals, type Simulation } from '../kernels/backtest/backtest.js';
import {
  AMOUNT,
  BOTH,
  executeOrder,
  isLess,
  LONG,
  PERCENT,
  SHORT,
  TARGET_AMOUNT,
  TARGET_PERCENT,
  TARGET_VALUE,
  VALUE,
  type Account,
  type Fill,
  type Order,
} from './orders.js';

/** Order records as they are made, growing. */
export class OrderLog {
  length = 0;
  col = new Float64Array(16);
  idx = new Float64Array(16);
  size = new Float64Array(16);
  price = new Float64Array(16);
  fees = new Float64Array(16);
  side = new Float64Array(16);

  push(i: number, col: number, fill: Fill): void {
    if (this.length === this.col.length) {
      for (const key of ['col', 'idx', 'size', 'price', 'fees', 'side'] as const) {
        const grown = new Float64Array(2 * this.length);
        grown.set(this[key]);
        this[key] = grown;
      }
    }
    const n = this.length++;
    this.col[n] = col;
    this.idx[n] = i;
    this.size[n] = fill.size;
    this.price[n] = fill.price;
    this.fees[n] = fill.fees;
    this.side[n] = fill.side;
  }
}

/** vectorbt's flex_select_auto_nb: the index of row i, column col of `f`. */
const flexIndex = (f: Flex<SimSignals>, i: number, col: number) => (f.rows === 1 ? 0 : i) * f.cols + (f.cols === 1 ? 0 : col);

/** vectorbt's flex_select_auto_nb. */
export function at(f: Flex<Float64Array | Uint8Array>, i: number, col: number): number {
  return f.data[flexIndex(f, i, col)];
}

/** Python's (and numba's) min and max of two: the first unless the second compares below (above) it, so NaN only from the first. */
const pyMin = (a: number, b: number) => (b < a ? b : a);
const pyMax = (a: number, b: number) => (b > a ? b : a);

/** A signal: non-zero and not NaN. */
const on = (f: Flex<SimSignals>, i: number, col: number) => {
  const v = f.data[flexIndex(f, i, col)];
  return v > 0 || v < 0;
};

/** vectorbt's insert_argsort_nb: sorts `a` ascending (NaN last), carrying `idx`; stable. */
function insertArgsort(a: Float64Array, idx: Int32Array, n: number): void {
  for (let j = 1; j < n; j++) {
    const aj = a[j];
    const ij = idx[j];
    let i = j - 1;
    while (i >= 0 && (a[i] > aj || Number.isNaN(a[i]))) {
      a[i + 1] = a[i];
      idx[i + 1] = idx[i];
      i--;
    }
    a[i + 1] = aj;
    idx[i + 1] = ij;
  }
}

/** vectorbt's approx_order_value_nb (call_seq 'auto'). */
function approxOrderValue(
  size: number,
  sizeType: number,
  direction: number,
  cash: number,
  position: number,
  freeCash: number,
  valPrice: number,
  value: number,
): number {
  if (direction === SHORT) size *= -1;
  const assetValue = position * valPrice;
  switch (sizeType) {
    case AMOUNT:
      return size * valPrice;
    case VALUE:
      return size;
    case PERCENT:
      if (size >= 0) return size * cash;
      if (direction === LONG) return size * assetValue;
      return size * (2 * Math.max(assetValue, 0) + Math.max(freeCash, 0));
    case TARGET_AMOUNT:
      return size * valPrice - assetValue;
    case TARGET_VALUE:
      return size - assetValue;
    case TARGET_PERCENT:
      return size * value - assetValue;
  }
  return NaN;
}

/** Per-column state kept across bars. */
interface Columns {
  position: Float64Array;
  debt: Float64Array;
  valPrice: Float64Array;
  price: Float64Array;
}

function columns(k: number): Columns {
  return {
    position: new Float64Array(k),
    debt: new Float64Array(k),
    valPrice: new Float64Array(k).fill(NaN),
    price: new Float64Array(k).fill(NaN),
  };
}

/**
 * Bar i's order price of column `col` (Infinity: the close; -Infinity: from signals the bar's open,
 * else the previous close) into `c.price`, and the valuation price: the last that was a number.
 */
function resolvePrice(sim: Simulation, i: number, col: number, c: Columns): void {
  let price = at(sim.price, i, col);
  if (price === Infinity) price = at(sim.close, i, col);
  else if (price === -Infinity) {
    const open = sim.kind !== SIM_ORDERS && sim.open.data.length > 0 ? at(sim.open, i, col) : NaN;
    price = !Number.isNaN(open) ? open : i > 0 ? at(sim.close, i - 1, col) : NaN;
  }
  c.price[col] = price;
  if (!Number.isNaN(price)) c.valPrice[col] = price;
}

/** Runs the simulation: order records into `log`. */
export function simulate(sim: Simulation, log: OrderLog): void {
  if (sim.kind === SIM_ORDERS) fromOrders(sim, log);
  else fromSignals(sim, log);
}

function fromOrders(sim: Simulation, log: OrderLog): void {
  const K = sim.cols;
  const c = columns(K);
  const order: Order = { size: 0, price: 0, sizeType: 0, direction: 0, fees: 0, fixedFees: 0, slippage: 0, minSize: 0 };
  const fill: Fill = { size: NaN, price: NaN, fees: NaN, side: 0 };
  const s: Account = { cash: 0, position: 0, debt: 0, freeCash: 0 };
  const orderValue = new Float64Array(K);
  const seq = new Int32Array(K);
  let from = 0;
  for (let g = 0; g < sim.groupLens.length; g++) {
    const n = sim.groupLens[g];
    const sharing = n > 1;
    let cash = sim.initCash[g];
    let freeCash = cash;
    for (let i = 0; i < sim.rows; i++) {
      for (let col = from; col < from + n; col++) resolvePrice(sim, i, col, c);
      let value = cash;
      for (let k = 0; k < n; k++) seq[k] = k;
      if (sharing) {
        for (let col = from; col < from + n; col++) if (c.position[col] !== 0) value += c.position[col] * c.valPrice[col];
        if (sim.autoCallSeq) {
          for (let k = 0; k < n; k++) {
            const col = from + k;
            orderValue[k] = approxOrderValue(
              at(sim.size, i, col),
              at(sim.sizeType, i, col),
              at(sim.direction, i, col),
              cash,
              c.position[col],
              freeCash,
              c.valPrice[col],
              value,
            );
          }
          insertArgsort(orderValue, seq, n);
        }
      }
      for (let k = 0; k < n; k++) {
        const col = from + seq[k];
        if (!sharing) value = c.position[col] !== 0 ? cash + c.position[col] * c.valPrice[col] : cash;
        order.size = at(sim.size, i, col);
        order.price = c.price[col];
        order.sizeType = at(sim.sizeType, i, col);
        order.direction = at(sim.direction, i, col);
        order.fees = at(sim.fees, i, col);
        order.fixedFees = at(sim.fixedFees, i, col);
        order.slippage = at(sim.slippage, i, col);
        order.minSize = at(sim.minSize, i, col);
        s.cash = cash;
        s.position = c.position[col];
        s.debt = c.debt[col];
        s.freeCash = freeCash;
        if (executeOrder(s, order, c.valPrice[col], value, i, col, fill)) log.push(i, col, fill);
        cash = s.cash;
        freeCash = s.freeCash;
        c.position[col] = s.position;
        c.debt[col] = s.debt;
      }
    }
    from += n;
  }
}

/** Stops of one column: vectorbt's sl_* and tp_* arrays. */
interface Stops {
  slPrice: Float64Array;
  slStop: Float64Array;
  slTrail: Uint8Array;
  tpPrice: Float64Array;
  tpStop: Float64Array;
}

/** vectorbt's get_stop_price_nb: the open when the bar opens past the level, the level when the bar reaches it, else NaN. */
function stopPrice(position: number, entry: number, stop: number, open: number, low: number, high: number, hitBelow: boolean): number {
  if ((position > 0 && hitBelow) || (position < 0 && !hitBelow)) {
    const level = entry * (1 - stop);
    if (open <= level) return open;
    if (low <= level && level <= high) return level;
    return NaN;
  }
  if ((position < 0 && hitBelow) || (position > 0 && !hitBelow)) {
    const level = entry * (1 + stop);
    if (level <= open) return open;
    if (low <= level && level <= high) return level;
    return NaN;
  }
  return NaN;
}

/** Accumulation modes (vectorbt's AccumulationMode). */
const ACC_DISABLED = 0;
const ACC_BOTH = 1;
const ACC_ADD = 2;
const ACC_REMOVE = 3;
/** Opposite entry modes (vectorbt's OppositeEntryMode). */
const OPP_IGNORE = 0;
const OPP_CLOSE = 1;
const OPP_CLOSE_REDUCE = 2;
const OPP_REVERSE = 3;

/** The order a bar's signals make: vectorbt's signals_to_size_nb (after the conflicts are resolved). */
interface SignalOrder {
  size: number;
  sizeType: number;
  direction: number;
}

function signalsToSize(
  position: number,
  longEntry: boolean,
  longExit: boolean,
  shortEntry: boolean,
  shortExit: boolean,
  size: number,
  sizeType: number,
  accumulate: number,
  valPrice: number,
  i: number,
  col: number,
  out: SignalOrder,
): void {
  if (sizeType !== AMOUNT && sizeType !== VALUE && sizeType !== PERCENT)
    throw simulationFault('sizeType', SIM_FAULTS.signalsSizeType, i, col, sizeType);
  if (isLess(size, 0)) throw simulationFault('size', SIM_FAULTS.negativeSize, i, col, size);
  let orderSize = 0;
  let direction = BOTH;
  const abs = Math.abs(position);
  const removes = accumulate === ACC_BOTH || accumulate === ACC_REMOVE;
  const adds = accumulate === ACC_BOTH || accumulate === ACC_ADD;
  if (position > 0) {
    if (shortEntry) {
      if (removes) orderSize = -size;
      else {
        orderSize = -abs;
        if (!Number.isNaN(size)) {
          if (sizeType === PERCENT) throw simulationFault('sizeType', SIM_FAULTS.percentReversal, i, col, size);
          orderSize -= sizeType === VALUE ? size / valPrice : size;
        }
        sizeType = AMOUNT;
      }
    } else if (longExit) {
      direction = LONG;
      if (removes) orderSize = -size;
      else {
        orderSize = -abs;
        sizeType = AMOUNT;
      }
    } else if (longEntry) {
      direction = LONG;
      if (adds) orderSize = size;
    }
  } else if (position < 0) {
    if (longEntry) {
      if (removes) orderSize = size;
      else {
        orderSize = abs;
        if (!Number.isNaN(size)) {
          if (sizeType === PERCENT) throw simulationFault('sizeType', SIM_FAULTS.percentReversal, i, col, size);
          orderSize += sizeType === VALUE ? size / valPrice : size;
        }
        sizeType = AMOUNT;
      }
    } else if (shortExit) {
      direction = SHORT;
      if (removes) orderSize = size;
      else {
        orderSize = abs;
        sizeType = AMOUNT;
      }
    } else if (shortEntry) {
      direction = SHORT;
      if (adds) orderSize = -size;
    }
  } else if (longEntry) orderSize = size;
  else if (shortEntry) orderSize = -size;
  out.size = orderSize;
  out.sizeType = sizeType;
  out.direction = direction;
}

function fromSignals(sim: Simulation, log: OrderLog): void {
  const K = sim.cols;
  const c = columns(K);
  const stops: Stops = {
    slPrice: new Float64Array(K).fill(NaN),
    slStop: new Float64Array(K).fill(NaN),
    slTrail: new Uint8Array(K),
    tpPrice: new Float64Array(K).fill(NaN),
    tpStop: new Float64Array(K).fill(NaN),
  };
  const sizes = new Float64Array(K);
  const sizeTypes = new Float64Array(K);
  const directions = new Float64Array(K);
  const slippages = new Float64Array(K);
  const orderValue = new Float64Array(K);
  const seq = new Int32Array(K);
  const signal: SignalOrder = { size: 0, sizeType: 0, direction: 0 };
  const order: Order = { size: 0, price: 0, sizeType: 0, direction: 0, fees: 0, fixedFees: 0, slippage: 0, minSize: 0 };
  const fill: Fill = { size: NaN, price: NaN, fees: NaN, side: 0 };
  const s: Account = { cash: 0, position: 0, debt: 0, freeCash: 0 };
  const hasOpen = sim.open.data.length > 0;
  const hasHigh = sim.high.data.length > 0;
  const hasLow = sim.low.data.length > 0;
  let from = 0;
  for (let g = 0; g < sim.groupLens.length; g++) {
    const n = sim.groupLens[g];
    const sharing = n > 1;
    let cash = sim.initCash[g];
    let freeCash = cash;
    for (let i = 0; i < sim.rows; i++) {
      for (let col = from; col < from + n; col++) resolvePrice(sim, i, col, c);
      for (let k = 0; k < n; k++) {
        const col = from + k;
        const position = c.position[col];
        let price = c.price[col];
        let slippage = at(sim.slippage, i, col);
        let stopHit = NaN;
        if (sim.useStops && (!Number.isNaN(stops.slStop[col]) || !Number.isNaN(stops.tpStop[col]))) {
          const close = at(sim.close, i, col);
          let open = hasOpen ? at(sim.open, i, col) : NaN;
          let high = hasHigh ? at(sim.high, i, col) : NaN;
          let low = hasLow ? at(sim.low, i, col) : NaN;
          if (Number.isNaN(open)) open = close;
          if (Number.isNaN(low)) low = pyMin(open, close);
          if (Number.isNaN(high)) high = pyMax(open, close);
          if (!Number.isNaN(stops.slStop[col])) stopHit = stopPrice(position, stops.slPrice[col], stops.slStop[col], open, low, high, true);
          if (Number.isNaN(stopHit) && !Number.isNaN(stops.tpStop[col])) {
            stopHit = stopPrice(position, stops.tpPrice[col], stops.tpStop[col], open, low, high, false);
          }
          if (!Number.isNaN(stops.slStop[col]) && stops.slTrail[col]) {
            if (position > 0) {
              if (high > stops.slPrice[col]) stops.slPrice[col] = high;
            } else if (position < 0) {
              if (low < stops.slPrice[col]) stops.slPrice[col] = low;
            }
          }
        }
        let accumulate = at(sim.accumulate, i, col);
        let longEntry = false;
        let longExit = false;
        let shortEntry = false;
        let shortExit = false;
        if (sim.useStops && !Number.isNaN(stopHit)) {
          // the stop's exit (vectorbt's defaults: upon_stop_exit Close, stop_exit_price StopLimit)
          if (position > 0) longExit = true;
          else if (position < 0) shortExit = true;
          accumulate = ACC_DISABLED;
          price = stopHit;
          slippage = 0;
        } else {
          const entry = on(sim.entries, i, col);
          const exit = on(sim.exits, i, col);
          if (sim.lsMode) {
            longEntry = entry;
            longExit = exit;
            shortEntry = on(sim.shortEntries, i, col);
            shortExit = on(sim.shortExits, i, col);
          } else if (entry || exit) {
            const dir = at(sim.direction, i, col);
            if (dir === LONG) {
              longEntry = entry;
              longExit = exit;
            } else if (dir === SHORT) {
              shortEntry = entry;
              shortExit = exit;
            } else {
              longEntry = entry;
              shortEntry = exit;
            }
          }
          if (longEntry || shortEntry) {
            // conflicts: vectorbt's defaults ignore both signals of an entry and an exit on one bar,
            // and both entries of a long and a short entry on one bar
            if (longEntry && longExit) longEntry = longExit = false;
            if (shortEntry && shortExit) shortEntry = shortExit = false;
            if (longEntry && shortEntry) longEntry = shortEntry = false;
            const mode = at(sim.uponOppositeEntry, i, col);
            if (position > 0 && shortEntry) {
              if (mode === OPP_IGNORE) shortEntry = false;
              else if (mode === OPP_CLOSE || mode === OPP_CLOSE_REDUCE) {
                shortEntry = false;
                longExit = true;
                if (mode === OPP_CLOSE) accumulate = ACC_DISABLED;
              } else if (mode === OPP_REVERSE) accumulate = ACC_DISABLED;
            }
            if (position < 0 && longEntry) {
              if (mode === OPP_IGNORE) longEntry = false;
              else if (mode === OPP_CLOSE || mode === OPP_CLOSE_REDUCE) {
                longEntry = false;
                shortExit = true;
                if (mode === OPP_CLOSE) accumulate = ACC_DISABLED;
              } else if (mode === OPP_REVERSE) accumulate = ACC_DISABLED;
            }
          }
        }
        signalsToSize(
          position,
          longEntry,
          longExit,
          shortEntry,
          shortExit,
          at(sim.size, i, col),
          at(sim.sizeType, i, col),
          accumulate,
          c.valPrice[col],
          i,
          col,
          signal,
        );
        c.price[col] = price;
        slippages[col] = slippage;
        sizes[col] = signal.size;
        sizeTypes[col] = signal.sizeType;
        directions[col] = signal.direction;
        if (sharing) {
          let v = 0;
          if (signal.size !== 0) {
            if (signal.sizeType === AMOUNT) v = signal.size * c.valPrice[col];
            else if (signal.sizeType === VALUE) v = signal.size;
            else if (signal.size >= 0) v = signal.size * cash;
            else {
              const assetValue = c.position[col] * c.valPrice[col];
              v =
                signal.direction === LONG ? signal.size * assetValue : signal.size * (2 * Math.max(assetValue, 0) + Math.max(freeCash, 0));
            }
          }
          orderValue[k] = v;
        }
      }
      for (let k = 0; k < n; k++) seq[k] = k;
      let value = cash;
      if (sharing) {
        if (sim.autoCallSeq) insertArgsort(orderValue, seq, n);
        for (let col = from; col < from + n; col++) if (c.position[col] !== 0) value += c.position[col] * c.valPrice[col];
      }
      for (let k = 0; k < n; k++) {
        const col = from + seq[k];
        const position = c.position[col];
        if (!sharing) value = position !== 0 ? cash + position * c.valPrice[col] : cash;
        let size = sizes[col];
        if (size === 0) continue;
        if (directions[col] === SHORT) size = -size;
        order.size = size;
        order.price = c.price[col];
        order.sizeType = sizeTypes[col];
        order.direction = directions[col];
        order.fees = at(sim.fees, i, col);
        order.fixedFees = at(sim.fixedFees, i, col);
        order.slippage = slippages[col];
        order.minSize = at(sim.minSize, i, col);
        s.cash = cash;
        s.position = position;
        s.debt = c.debt[col];
        s.freeCash = freeCash;
        const filled = executeOrder(s, order, c.valPrice[col], value, i, col, fill);
        if (filled) log.push(i, col, fill);
        cash = s.cash;
        freeCash = s.freeCash;
        c.position[col] = s.position;
        c.debt[col] = s.debt;
        if (sim.useStops && filled) {
          if (s.position === 0) {
            stops.slPrice[col] = stops.slStop[col] = stops.tpPrice[col] = stops.tpStop[col] = NaN;
            stops.slTrail[col] = 0;
          } else {
            // stop levels from the bar's close (vectorbt's stop_entry_price Close)
            const entryPrice = at(sim.close, i, col);
            const sl = at(sim.slStop, i, col);
            const tp = at(sim.tpStop, i, col);
            const opened = position === 0 || Math.sign(s.position) !== Math.sign(position);
            const increased = Math.abs(s.position) > Math.abs(position);
            // vectorbt's upon_stop_update Override: a position added to takes the new stops unless NaN
            if (opened || (increased && !Number.isNaN(sl))) {
              stops.slPrice[col] = entryPrice;
              stops.slStop[col] = sl;
              stops.slTrail[col] = at(sim.slTrail, i, col) !== 0 ? 1 : 0;
            }
            if (opened || (increased && !Number.isNaN(tp))) {
              stops.tpPrice[col] = entryPrice;
              stops.tpStop[col] = tp;
            }
          }
        }
      }
    }
    from += n;
  }
}
