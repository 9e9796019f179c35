/**
 * Bad input to the backtest family: a KernelInputError naming the option, the same text on every
 * backend, before any native code runs; faults the simulation meets (a price <= 0 where an order
 * fills) name the bar and column. The native layer's own check of the record (never trusting the
 * caller) is tested by calling the addon directly.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, type Matrix } from '../../src/index.js';
import { loadNative } from '../../src/backends/native/binding.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import type { Kernels } from '../../src/index.js';

const close = Float64Array.of(10, 11, 12, 11, 13);
const on = (...at: number[]) => Uint8Array.from({ length: 5 }, (_, i) => (at.includes(i) ? 1 : 0));
const m = (rows: number, cols: number, value = 1): Matrix => ({ data: new Float64Array(rows * cols).fill(value), rows, cols });

/** [what, call, message] of each bad input. */
const CASES: [string, (k: Kernels) => unknown, string][] = [
  ['prices not an object', (k) => k.backtestSignals(close as never, {}), 'prices: expected an object { close, open?, high?, low? }'],
  ['close of another kind', (k) => k.backtestSignals({ close: [1, 2] as never }, {}), 'prices.close: expected a Float64Array or a Matrix'],
  ['empty close', (k) => k.backtestSignals({ close: new Float64Array(0) }, {}), 'prices.close: expected at least 1 row, got 0 rows'],
  [
    'entries of another length',
    (k) => k.backtestSignals({ close }, { entries: new Uint8Array(4) }),
    'options.entries: expected 5 rows and 1 or 1 columns, got 4 x 1',
  ],
  ['close not broadcastable', (k) => k.backtestSignals({ close: m(5, 2) }, { entries: m(5, 3) }), 'prices.close: expected 1 or 3 columns'],
  [
    'high without low',
    (k) => k.backtestSignals({ close, high: close }, { slStop: 0.1 }),
    'prices.low: expected given with the other of high and low',
  ],
  [
    'open of another shape',
    (k) => k.backtestSignals({ close, open: new Float64Array(3) }, {}),
    'prices.open: expected 5 rows and 1 or 1 columns, got 3 x 1',
  ],
  ['negative fees', (k) => k.backtestSignals({ close }, { fees: -0.01 }), 'options.fees: expected a finite fraction >= 0, got -0.01'],
  [
    'NaN slippage in a matrix',
    (k) => k.backtestOrders({ close }, { slippage: Float64Array.of(0, 0, NaN, 0, 0) }),
    'options.slippage: expected a finite fraction >= 0 at every element, got NaN at element 2',
  ],
  [
    'negative size from signals',
    (k) => k.backtestSignals({ close }, { size: -1 }),
    'options.size: expected a size >= 0 (or NaN: no order), got -1',
  ],
  [
    'a target size type from signals',
    (k) => k.backtestSignals({ close }, { sizeType: 'targetPercent' as never }),
    "options.sizeType: expected one of 'amount', 'value', 'percent'",
  ],
  [
    'unknown direction',
    (k) => k.backtestSignals({ close }, { direction: 'up' as never }),
    "options.direction: expected one of 'long', 'short', 'both'",
  ],
  [
    'unknown opposite entry mode',
    (k) => k.backtestSignals({ close }, { uponOppositeEntry: 'flip' as never }),
    'options.uponOppositeEntry: expected one of',
  ],
  [
    'negative stop',
    (k) => k.backtestSignals({ close }, { slStop: -0.1 }),
    'options.slStop: expected a fraction >= 0, or NaN for none, got -0.1',
  ],
  [
    'groups decreasing',
    (k) => k.backtestSignals({ close: m(5, 3) }, { groups: Int32Array.of(0, 1, 0), cashSharing: true }),
    'options.groups: expected ids from 0, non-decreasing',
  ],
  [
    'groups of another length',
    (k) => k.backtestSignals({ close: m(5, 3) }, { groups: Int32Array.of(0, 0) }),
    'options.groups: expected an Int32Array of 3 group ids',
  ],
  [
    'initCash per group of another length',
    (k) => k.backtestSignals({ close: m(5, 3) }, { groups: Int32Array.of(0, 0, 1), cashSharing: true, initCash: Float64Array.of(1, 2, 3) }),
    'options.initCash: expected a number or a Float64Array of 2 (one per group)',
  ],
  [
    'infinite initial cash',
    (k) => k.backtestOrders({ close }, { initCash: Infinity }),
    'options.initCash: expected a finite amount >= 0, got Infinity',
  ],
  ['unknown option', (k) => k.backtestSignals({ close }, { stopLoss: 0.1 } as never), 'options: expected only the options'],
  [
    'out not a result',
    (k) => k.backtestSignals({ close }, { out: 3 as never }),
    'options.out: expected a result of backtestSignals or backtestOrders',
  ],
  [
    'out of another shape',
    (k) => k.backtestSignals({ close }, { out: { value: new Float64Array(4), cash: new Float64Array(5), assets: new Float64Array(5) } }),
    'options.out.value: expected a Float64Array of length 5, got length 4',
  ],
  [
    'out over the close',
    (k) => k.backtestSignals({ close }, { out: { value: close, cash: new Float64Array(5), assets: new Float64Array(5) } }),
    'options.out.value: expected a Float64Array of length 5 sharing no memory with the inputs, got an array over an input',
  ],
  [
    'out whose cash is its value',
    (k) => {
      const value = new Float64Array(5);
      return k.backtestOrders({ close }, { out: { value, cash: value, assets: new Float64Array(5) } });
    },
    'options.out.cash: expected a Float64Array of length 5 sharing no memory with the inputs, got an array over an input',
  ],
  [
    'out over an option',
    (k) => {
      const fees = new Float64Array(5);
      return k.backtestOrders({ close }, { fees, out: { value: new Float64Array(5), cash: new Float64Array(5), assets: fees } });
    },
    'options.out.assets: expected a Float64Array of length 5 sharing no memory with the inputs, got an array over an input',
  ],
  [
    'out missing a series',
    (k) => k.backtestSignals({ close }, { out: { value: new Float64Array(5) } as never }),
    'options.out: expected a result',
  ],
  [
    'out missing its value',
    (k) => k.backtestSignals({ close }, { out: { cash: new Float64Array(5), assets: new Float64Array(5) } as never }),
    'options.out: expected a result',
  ],
  ['callSeq unknown', (k) => k.backtestOrders({ close }, { callSeq: 'random' as never }), "options.callSeq: expected 'default' or 'auto'"],
  [
    'a negative close where an order fills',
    (k) => k.backtestSignals({ close: Float64Array.of(10, -1, 12, 11, 13) }, { entries: on(1) }),
    'prices: expected a finite price > 0 where an order fills, got -1 at row 1, column 0',
  ],
  [
    'a zero price option where an order fills',
    (k) => k.backtestOrders({ close }, { size: Float64Array.of(NaN, NaN, 1, NaN, NaN), price: Float64Array.of(1, 1, 0, 1, 1) }),
    'got 0 at element 2',
  ],
  [
    'percent reversal by signals',
    (k) =>
      k.backtestSignals(
        { close },
        { entries: on(0), exits: on(2), direction: 'both', sizeType: 'percent', size: 1, uponOppositeEntry: 'reverse' },
      ),
    "sizeType: expected sizeType 'percent' with a position reversal by signals, got 1 at row 2, column 0",
  ],
  // vectorbt raises where an order overflows or divides by a valuation price of 0 (fuzz_backtest's finds)
  [
    'a buy of Infinity units (cash over a subnormal close)',
    (k) => k.backtestOrders({ close: Float64Array.of(5e-324, 103.4) }, { size: Infinity, sizeType: 'targetAmount' }),
    'simulation: expected a fill of a finite size > 0 at a finite price > 0 with finite fees (vectorbt raises when it builds the trades), got Infinity at row 0, column 0',
  ],
  [
    'a value size at a valuation price within 1e-12 of 0',
    (k) => k.backtestOrders({ close: Float64Array.of(100, 1e-13) }, { size: Float64Array.of(1, 0), sizeType: 'value', direction: 'long' }),
    'simulation: expected a valuation price finite and > 0 for a value or target size (vectorbt raises), got 0 at row 1, column 0',
  ],
  [
    'a target value at a valuation price of 0',
    (k) => k.backtestOrders({ close: Float64Array.of(1e-13) }, { size: 0, sizeType: 'targetValue' }),
    'simulation: expected a valuation price finite and > 0',
  ],
  [
    'stats fields that are not stats',
    (k) => k.backtestStats(k.backtestSignals({ close }, { entries: on(0), exits: on(2) }), { fields: ['sharpe' as never] }),
    'options.fields: expected a non-empty list of stat fields (startValue, endValue, totalReturn',
  ],
  [
    'an empty list of stats fields',
    (k) => k.backtestStats(k.backtestSignals({ close }, { entries: on(0), exits: on(2) }), { fields: [] }),
    'options.fields: expected a non-empty list of stat fields',
  ],
  [
    'a sell at a slippage of 1 (a fill price of 0)',
    (k) => k.backtestSignals({ close }, { entries: on(0), exits: on(2), slippage: 1 }),
    'simulation: expected a fill of a finite size > 0 at a finite price > 0 with finite fees (vectorbt raises when it builds the trades), got 0 at row 2, column 0',
  ],
];

describe('backtest bad input [reference]', () => {
  for (const [what, call, message] of CASES) {
    it(what, () => {
      expect(() => call(ref)).toThrow(KernelInputError);
      expect(() => call(ref)).toThrow(message);
    });
  }
  it('a NaN close skips the bar: no order there, and the order comes at the next number', () => {
    const r = ref.backtestSignals({ close: Float64Array.of(10, NaN, 12, 11, 13) }, { entries: on(1, 2) });
    expect(Array.from(r.orders.idx)).toEqual([2]);
  });
});

describeEachBackend(
  'backtest bad input',
  (k, _name, supports) => {
    for (const [what, call] of CASES) {
      it.runIf(supports('backtestSignals'))(`${what}: the reference's error`, () => {
        let want = '';
        try {
          call(ref);
        } catch (e) {
          want = (e as Error).message;
        }
        expect(() => call(k)).toThrow(KernelInputError);
        expect(() => call(k)).toThrow(want);
      });
    }
  },
  'backtest',
);

describe('the addon checks a Simulation record itself', () => {
  const native = loadNative().binding;
  const flex = (v: number) => ({ data: Float64Array.of(v), rows: 1, cols: 1 });
  const bytes = (v: number) => ({ data: Uint8Array.of(v), rows: 1, cols: 1 });
  const good = () => ({
    kind: 0,
    rows: 5,
    cols: 1,
    autoCallSeq: 0,
    lsMode: 0,
    useStops: 0,
    close: { data: close, rows: 5, cols: 1 },
    open: { data: new Float64Array(0), rows: 0, cols: 0 },
    high: { data: new Float64Array(0), rows: 0, cols: 0 },
    low: { data: new Float64Array(0), rows: 0, cols: 0 },
    groupLens: Int32Array.of(1),
    initCash: Float64Array.of(100),
    entries: bytes(1),
    exits: bytes(0),
    shortEntries: bytes(0),
    shortExits: bytes(0),
    direction: flex(0),
    size: flex(Infinity),
    sizeType: flex(0),
    price: flex(Infinity),
    fees: flex(0),
    fixedFees: flex(0),
    slippage: flex(0),
    minSize: flex(1e-8),
    accumulate: flex(0),
    uponOppositeEntry: flex(4),
    slStop: flex(NaN),
    slTrail: flex(0),
    tpStop: flex(NaN),
  });
  it.runIf(native !== undefined)('runs a good record, and refuses each bad field with a KernelInputError', () => {
    const b = native!;
    const r = b.backtestSimulate(good() as never, Int32Array.of(1)) as { orders: { size: Float64Array } };
    expect(r.orders.size[0]).toBeCloseTo(10, 12);
    const bad: [string, (s: ReturnType<typeof good>) => void, string][] = [
      ['kind', (s) => (s.kind = 7), 'sim.kind'],
      ['close rows', (s) => (s.close = { data: close.subarray(0, 4), rows: 4, cols: 1 }), 'sim.close'],
      ['data length', (s) => (s.fees = { data: new Float64Array(2), rows: 1, cols: 1 }), 'sim.fees.data'],
      ['direction code', (s) => (s.direction = flex(3)), 'sim.direction'],
      ['size type NaN', (s) => (s.sizeType = flex(NaN)), 'sim.sizeType'],
      ['negative fees', (s) => (s.fees = flex(-1)), 'sim.fees'],
      ['signals not bytes', (s) => ((s as { entries: unknown }).entries = flex(1)), 'sim.entries.data'],
      ['group lens', (s) => (s.groupLens = Int32Array.of(2)), 'sim.groupLens'],
      ['init cash length', (s) => (s.initCash = new Float64Array(0)), 'sim.initCash'],
    ];
    for (const [what, spoil, name] of bad) {
      const s = good();
      spoil(s);
      expect(() => b.backtestSimulate(s as never, Int32Array.of(1)), what).toThrow(KernelInputError);
      expect(() => b.backtestSimulate(s as never, Int32Array.of(1)), what).toThrow(name);
    }
    expect(() => b.backtestSimulate(good() as never, Int32Array.of(2))).toThrow('valueGroups');
  });
});

describe('the addon checks a SeriesInput record itself', () => {
  const native = loadNative().binding;
  // one buy of 10 at 10 on bar 0, a sell on bar 2 (a result's records)
  const good = () => ({
    rows: 5,
    cols: 1,
    close: { data: close, rows: 5, cols: 1 },
    groupLens: Int32Array.of(1),
    initCash: Float64Array.of(100),
    orders: {
      col: Float64Array.of(0, 0),
      idx: Float64Array.of(0, 2),
      size: Float64Array.of(10, 10),
      price: Float64Array.of(10, 12),
      fees: Float64Array.of(0, 0),
      side: Float64Array.of(0, 1),
    },
  });
  it.runIf(native !== undefined)('makes each series of a good record, and refuses each bad field with a KernelInputError', () => {
    const b = native!;
    const make = (name: 'assets' | 'cash' | 'value', s = good()) => {
      const out = new Float64Array(5);
      b.backtestSeries(s, { [name]: out });
      return Array.from(out);
    };
    expect(make('assets')).toEqual([10, 10, 0, 0, 0]);
    expect(make('cash')).toEqual([0, 0, 120, 120, 120]);
    expect(make('value')).toEqual([100, 10 * close[1], 120, 120, 120]);
    const all = { assets: new Float64Array(5), cash: new Float64Array(5), value: new Float64Array(5) };
    b.backtestSeries(good(), all);
    expect([Array.from(all.assets), Array.from(all.cash), Array.from(all.value)]).toEqual([make('assets'), make('cash'), make('value')]);
    const bad: [string, (s: ReturnType<typeof good>) => void, string][] = [
      ['close rows', (s) => (s.close = { data: close.subarray(0, 4), rows: 4, cols: 1 }), 'input.close'],
      ['group lens', (s) => (s.groupLens = Int32Array.of(2)), 'input.groupLens'],
      ['init cash length', (s) => (s.initCash = new Float64Array(0)), 'input.initCash'],
      ['an order column out of range', (s) => (s.orders.col = Float64Array.of(0, 1)), 'input.orders.col'],
      ['an order row out of range', (s) => (s.orders.idx = Float64Array.of(0, 5)), 'input.orders.idx'],
      ['a records field short', (s) => (s.orders.fees = Float64Array.of(0)), 'input.orders.fees'],
    ];
    for (const [what, spoil, name] of bad) {
      const s = good();
      spoil(s);
      expect(() => make('value', s), what).toThrow(KernelInputError);
      expect(() => make('value', s), what).toThrow(name);
    }
    expect(() => b.backtestSeries(good(), { value: new Float64Array(4) })).toThrow('out.value');
    expect(() => b.backtestSeries(good(), { cash: [1, 2, 3, 4, 5] as never })).toThrow('out');
    expect(() => (b.backtestSeries as (...a: unknown[]) => unknown)(good())).toThrow('arguments');
    expect(() => (b.backtestSeries as (...a: unknown[]) => unknown)(good(), 2)).toThrow('out');
  });
});
