/**
 * The backtest family's records as the addon reads them (src/kernels/record.ts), in the order it reads
 * their fields: the Simulation every simulation takes, the SeriesInput a result's series are made of
 * and the StatsInput of backtestStats. scripts/gen-records.ts writes their readers
 * (native/binding/generated/backtest_records.h) into backtest::Simulation, backtest::SeriesInput and
 * backtest::StatsInput (native/kernels/backtest/backtest.hpp).
 */
import { code, count, flag, flex, float64, group, int32, objectRecord } from '../record.js';
import type { SeriesInput, Simulation, StatsInput } from './backtest.js';

/** The Simulation: its counts and codes, then the prices, signals and per-element arguments, then the cash groups. */
export const SIMULATION = objectRecord<Simulation>()('Simulation', 'backtest::Simulation', {
  kind: code(),
  rows: count(),
  cols: count(),
  autoCallSeq: flag(),
  lsMode: flag(),
  useStops: flag(),
  close: flex(),
  open: flex(),
  high: flex(),
  low: flex(),
  entries: flex('uint8'),
  exits: flex('uint8'),
  shortEntries: flex('uint8'),
  shortExits: flex('uint8'),
  direction: flex(),
  size: flex(),
  sizeType: flex(),
  price: flex(),
  fees: flex(),
  fixedFees: flex(),
  slippage: flex(),
  minSize: flex(),
  accumulate: flex(),
  uponOppositeEntry: flex(),
  slStop: flex(),
  slTrail: flex(),
  tpStop: flex(),
  groupLens: int32({ lengthTo: 'groups' }),
  initCash: float64({ length: ['groups', 'one value per cash group'] }),
});

/** An order or trade record column after the first: as many values as the first. */
const sameAs = (first: string, member?: string) => float64({ member, length: [first, "the records' length"] });

/** The order records' columns the series and the statistics read (`lengthTo` the first's length). */
const orderColumns = () =>
  group({
    col: float64({ lengthTo: 'orderCount' }),
    idx: sameAs('orderCount'),
    size: sameAs('orderCount'),
    price: sameAs('orderCount'),
    fees: sameAs('orderCount'),
    side: sameAs('orderCount'),
  });

/** What a result's series are made of: the close, the value groups and their initial cash, the orders. */
export const SERIES_INPUT = objectRecord<SeriesInput>()('SeriesInput', 'backtest::SeriesInput', {
  rows: count(),
  cols: count(),
  close: flex(),
  groupLens: int32({ lengthTo: 'groups' }),
  initCash: float64({ length: ['groups', 'one value per group'] }),
  orders: orderColumns(),
});

/** What the statistics read of a result: the close, the value (empty when not read), and the columns of the records they use. */
export const STATS_INPUT = objectRecord<StatsInput>()('StatsInput', 'backtest::StatsInput', {
  rows: count(),
  cols: count(),
  close: flex(),
  groupLens: int32({ lengthTo: 'groups' }),
  initCash: float64({ length: ['groups', 'one value per group'] }),
  value: float64({ lengthTo: 'valueLength' }),
  orders: orderColumns(),
  trades: group({
    col: float64({ member: 'tradeCol', lengthTo: 'tradeCount' }),
    entryIdx: sameAs('tradeCount'),
    exitIdx: sameAs('tradeCount'),
    pnl: sameAs('tradeCount'),
    return: sameAs('tradeCount', 'ret'),
    status: sameAs('tradeCount'),
  }),
});
