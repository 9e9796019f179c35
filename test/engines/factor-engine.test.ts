import { describe, expect, it } from 'vitest';
import { createBus, type BusMessage } from '../../src/bus/index.js';
import { FactorEngine, type FactorResult } from '../../src/engines/index.js';
import { encodeFactorUniverse } from '../../src/engines/factor-messages.js';
import { KernelInputError } from '../../src/errors.js';
import { kernels } from '../../src/index.js';
import { TestTransport } from '../bus/helpers.js';
import { collect, direct, feedPanel, inputOf, seededPanel, sectorNamesOf } from './factor-helpers.js';
import { completeBackends } from '../helpers/backends.js';

const available = completeBackends('factor');
const MOMENTUM = { window: 12, halfLife: 6, lag: 3 };
const WARM = MOMENTUM.window + MOMENTUM.lag; // dates before the first momentum score: WARM - 1

describe.each(available)('FactorEngine on the %s backend', (backend) => {
  const k = kernels({ backend });

  it('publishes per date exactly what the kernels compute over the whole panel', async () => {
    const p = seededPanel(40, 24);
    const bus = createBus();
    const engine = new FactorEngine(bus, { backend, momentum: MOMENTUM, heartbeatMs: 0 }).start();
    const results = collect<FactorResult>(bus, 'FACTOR_CALCULATION');
    await feedPanel(bus, p, 0, p.T);
    await engine.close();
    await bus.close();
    const { styles, fit, r2 } = direct(k, p, MOMENTUM);
    expect(results).toHaveLength(p.T - (WARM - 1));
    expect(engine.metrics().extra).toMatchObject({ dates: 40, results: 40 - (WARM - 1), unfit: WARM - 1, republished: 0, universes: 1 });
    const K = fit.factorReturns.cols;
    results.forEach((m, j) => {
      const t = WARM - 1 + j;
      const r = m.payload;
      expect(m.key).toBe('us');
      expect(m.bus).toBe('compute');
      expect(m.ts).toBe(1_700_000_000_000 + t);
      expect(r).toMatchObject({ source: 'factor', engine: 'factor', universe: 'us', date: p.dates[t], assets: 24 });
      expect(r.names).toEqual(fit.names);
      expect(r.names).toEqual(['market', ...sectorNamesOf(p), 'momentum', 'size', 'value']);
      expect(r.factorReturns).toEqual(Array.from(fit.factorReturns.data.subarray(t * K, (t + 1) * K)));
      expect(r.r2).toBeCloseTo(r2[t], 12);
      expect(r.r2).toBeGreaterThan(0);
      expect(r.r2).toBeLessThan(1);
      const e = Array.from(fit.residuals.data.subarray(t * 24, (t + 1) * 24)).filter(Number.isFinite);
      const mean = e.reduce((a, b) => a + b, 0) / e.length;
      expect(r.residuals.count).toBe(e.length);
      expect(r.residuals.mean).toBeCloseTo(mean, 14);
      expect(r.residuals.sd).toBeCloseTo(Math.sqrt(e.reduce((a, b) => a + (b - mean) ** 2, 0) / (e.length - 1)), 14);
      const present = (x: Float64Array) => Array.from(x.subarray(t * 24, (t + 1) * 24)).filter(Number.isFinite).length;
      expect(r.coverage).toEqual({
        momentum: present(styles.momentum.data),
        size: present(styles.size.data),
        value: present(styles.value.data),
      });
      expect(r.perAsset).toBeUndefined();
    });
  });

  it("perAsset adds the date's style scores and residuals, equal to the kernels over the panel", async () => {
    const p = seededPanel(20, 12, 3);
    const momentum = { window: 5, halfLife: 3, lag: 1 };
    const bus = createBus();
    const engine = new FactorEngine(bus, { backend, momentum, perAsset: true, winsorize: null, heartbeatMs: 0 }).start();
    const results = collect<FactorResult>(bus, 'FACTOR_CALCULATION');
    await feedPanel(bus, p, 0, p.T);
    await engine.close();
    await bus.close();
    const { styles, fit } = direct(k, p, momentum, null as unknown as number);
    const last = results.at(-1)!.payload;
    const t = p.T - 1;
    const rowOf = (x: Float64Array) => x.slice(t * 12, (t + 1) * 12);
    expect(last.perAsset!.assets).toEqual(p.assets);
    expect(last.perAsset!.exposures).toEqual({
      momentum: rowOf(styles.momentum.data),
      size: rowOf(styles.size.data),
      value: rowOf(styles.value.data),
    });
    expect(last.perAsset!.residuals).toEqual(rowOf(fit.residuals.data));
  });
});

describe('FactorEngine', () => {
  const ref = kernels({ backend: 'reference' });

  it('keeps window + lag dates of returns per asset; momentum scores appear once an asset has them', async () => {
    const p = seededPanel(30, 10);
    const bus = createBus();
    const engine = new FactorEngine(bus, {
      backend: 'reference',
      momentum: MOMENTUM,
      styles: ['momentum', 'size'],
      heartbeatMs: 0,
    }).start();
    const results = collect<FactorResult>(bus, 'FACTOR_CALCULATION');
    await feedPanel(bus, p, 0, p.T);
    await engine.close();
    await bus.close();
    const h = engine.universes().get('us')!.history;
    expect([h.total, h.rows, h.capacity]).toEqual([30, WARM, WARM]);
    expect(h.column('A03')).toEqual(Float64Array.from({ length: WARM }, (_, r) => p.returns[(30 - WARM + r) * 10 + 3]));
    expect(results[0].payload.date).toBe(p.dates[WARM - 1]);
    expect(results[0].payload.names).toEqual(['market', ...sectorNamesOf(p), 'momentum', 'size']);
    // An asset with a missing return in its momentum window has no score that date.
    const { styles } = direct(ref, p, MOMENTUM);
    for (const m of results) {
      const t = p.dates.indexOf(m.payload.date as string);
      expect(m.payload.coverage.momentum).toBe(
        Array.from(styles.momentum.data.subarray(t * 10, (t + 1) * 10)).filter(Number.isFinite).length,
      );
    }
    expect(Math.min(...results.map((m) => m.payload.coverage.momentum))).toBeLessThan(10);
  });

  it('follows changing asset lists: a newcomer waits for its momentum history, a leaver drops out of the history', async () => {
    const p = seededPanel(36, 16, 11);
    const momentum = { window: 6, halfLife: 3, lag: 2 };
    const all = [...Array(16).keys()];
    // A15 joins at date 10, A00 leaves after date 19, the rest come in another order from date 5 on.
    const colsAt = (t: number) => {
      const cols = all.filter((j) => (j !== 15 || t >= 10) && (j !== 0 || t < 20));
      return t >= 5 ? cols.reverse() : cols;
    };
    const bus = createBus();
    const engine = new FactorEngine(bus, { backend: 'reference', momentum, perAsset: true, heartbeatMs: 0 }).start();
    const results = collect<FactorResult>(bus, 'FACTOR_CALCULATION');
    for (let t = 0; t < p.T; t++) await bus.publish('FACTOR_INPUT', { key: 'us', payload: inputOf(p, t, colsAt(t)) });
    await engine.close();
    await bus.close();
    // Directly: the panel with each date's absent assets missing (NaN everywhere); a date's momentum is
    // the kernel's last row over the last window + lag dates of that date's assets (an absent asset has
    // no score that date, however full its history), the rest over the whole panel.
    const q = {
      ...p,
      returns: p.returns.slice(),
      marketCap: p.marketCap.slice(),
      bookPrice: p.bookPrice.slice(),
      salesPrice: p.salesPrice.slice(),
      cashFlowPrice: p.cashFlowPrice.slice(),
    };
    for (let t = 0; t < p.T; t++) {
      for (const j of all.filter((c) => !colsAt(t).includes(c)))
        for (const x of [q.returns, q.marketCap, q.bookPrice, q.salesPrice, q.cashFlowPrice]) x[t * 16 + j] = NaN;
    }
    const mom = new Float64Array(p.T * 16).fill(NaN);
    for (let t = 7; t < p.T; t++) {
      const cols = colsAt(t);
      const n = cols.length;
      const hist = {
        data: Float64Array.from({ length: 8 * n }, (_, i) => q.returns[(t - 7 + Math.floor(i / n)) * 16 + cols[i % n]]),
        rows: 8,
        cols: n,
      };
      const last = ref.momentum(hist, momentum).data.slice(7 * n);
      cols.forEach((j, a) => (mom[t * 16 + j] = last[a]));
    }
    const M = (data: Float64Array) => ({ data, rows: p.T, cols: 16 });
    const names = sectorNamesOf(p);
    const fit = ref.factorReturns({
      returns: M(q.returns),
      marketCap: M(q.marketCap),
      sectors: Int32Array.from(p.sectorOf, (x) => names.indexOf(x)),
      sectorNames: names,
      styles: { momentum: M(mom), size: ref.size(M(q.marketCap)), value: ref.value(M(q.bookPrice), M(q.salesPrice), M(q.cashFlowPrice)) },
    });
    expect(results.length).toBe(p.T - 7);
    for (const m of results) {
      const t = p.dates.indexOf(m.payload.date as string);
      const cols = colsAt(t);
      const K = fit.factorReturns.cols;
      // The momentum scores exactly (the same columns in the same order), the factor returns to 1e-12
      // (size and value standardize over another column order: other rounding).
      expect(m.payload.perAsset!.exposures.momentum).toEqual(Float64Array.from(cols, (j) => mom[t * 16 + j]));
      m.payload.factorReturns.forEach((f, i) => expect(f).toBeCloseTo(fit.factorReturns.data[t * K + i], 12));
      // The newcomer has no momentum score before date 10 + window + lag - 1.
      if (cols.includes(15) && t < 10 + 7) expect(m.payload.perAsset!.exposures.momentum[cols.indexOf(15)]).toBeNaN();
    }
    expect(results.filter((m) => Number.isFinite(m.payload.perAsset!.exposures.momentum[0])).length).toBeGreaterThan(10); // A15, first from date 5 on
    const h = engine.universes().get('us')!.history;
    expect(h.assets()).not.toContain('A00'); // absent for more than window + lag dates
    expect(h.assets()).toContain('A15');
    expect(h.lastSeen('A15')).toBe(35);
  });

  it('codes sectors in the order first seen (names or numeric codes); a sector without assets on a date gets NaN and leaves the others as without it', async () => {
    const p = seededPanel(16, 12, 5);
    const momentum = { window: 3, halfLife: 2, lag: 0 };
    const bus = createBus();
    const engine = new FactorEngine(bus, { backend: 'reference', momentum, heartbeatMs: 0 }).start();
    const results = collect<FactorResult>(bus, 'FACTOR_CALCULATION');
    // Numeric codes: sector 2 for the first 4 assets, 0 for the rest; from date 8 the first 4 are gone
    // (sector 2 has no assets), from date 11 they are back in sector 'new'.
    const sectorsAt = (t: number, cols: number[]) => cols.map((j) => (j < 4 ? (t >= 11 ? 'new' : 2) : 0));
    const colsAt = (t: number) => (t >= 8 && t < 11 ? [...Array(12).keys()].slice(4) : [...Array(12).keys()]);
    for (let t = 0; t < p.T; t++) {
      const cols = colsAt(t);
      await bus.publish('FACTOR_INPUT', { key: 'eu', payload: { ...inputOf(p, t, cols), sectors: sectorsAt(t, cols) } });
    }
    await engine.close();
    await bus.close();
    expect(engine.universes().get('eu')!.sectors).toEqual(['sector 2', 'sector 0', 'new']);
    const at = (t: number) => results.find((m) => m.payload.date === p.dates[t])!.payload;
    expect(at(5).names).toEqual(['market', 'sector 2', 'sector 0', 'momentum', 'size', 'value']);
    expect(at(12).names).toEqual(['market', 'sector 2', 'sector 0', 'new', 'momentum', 'size', 'value']);
    // Date 9: only 'sector 0' has assets; its factor returns equal the kernels on the 8 assets with one sector.
    const d9 = at(9);
    expect(d9.factorReturns[1]).toBeNaN();
    const cols = colsAt(9);
    const hist = {
      data: Float64Array.from({ length: 4 * 8 }, (_, i) => p.returns[(6 + Math.floor(i / 8)) * 12 + cols[i % 8]]),
      rows: 4,
      cols: 8,
    };
    const row = (x: Float64Array) => ({ data: Float64Array.from(cols, (j) => x[9 * 12 + j]), rows: 1, cols: 8 });
    const styles = {
      momentum: { data: ref.momentum(hist, momentum).data.slice(3 * 8), rows: 1, cols: 8 },
      size: ref.size(row(p.marketCap)),
      value: ref.value(row(p.bookPrice), row(p.salesPrice), row(p.cashFlowPrice)),
    };
    const one = ref.factorReturns({
      returns: row(p.returns),
      marketCap: row(p.marketCap),
      sectors: new Int32Array(8),
      styles,
      sectorNames: ['sector 0'],
    });
    expect([d9.factorReturns[0], d9.factorReturns[2], ...d9.factorReturns.slice(3)]).toEqual(Array.from(one.factorReturns.data));
    // Date 12: 'sector 2' is empty again; 'new' holds the first 4, who have no momentum yet (absent on
    // date 10, within the window): it has no usable asset either. From date 13 on it has.
    expect(at(12).factorReturns.filter(Number.isFinite)).toHaveLength(5);
    expect(at(12).factorReturns[3]).toBeNaN();
    expect(at(14).factorReturns[1]).toBeNaN();
    expect(at(14).factorReturns.filter(Number.isFinite)).toHaveLength(6);
    const sum = at(5).factorReturns[1] + at(5).factorReturns[2];
    expect(Math.abs(sum)).toBeLessThan(1e-15); // the sector returns sum to 0
  });

  it('a bad input fails (counted, dead-lettered at once: no retry cures it) without changing state; the engine goes on', async () => {
    const errors: Error[] = [];
    const bus = createBus({ onError: (e) => void errors.push(e as Error) });
    const engine = new FactorEngine(bus, { backend: 'reference', momentum: { window: 2, halfLife: 1, lag: 0 }, heartbeatMs: 0 }).start();
    const dead: BusMessage[] = [];
    bus.subscribe('FACTOR_INPUT', (m) => void dead.push(m), { deadLetters: true, group: 'ops' });
    const results = collect<FactorResult>(bus, 'FACTOR_CALCULATION');
    const p = seededPanel(4, 12);
    await feedPanel(bus, p, 0, 2);
    await bus.drain();
    const good = inputOf(p, 2);
    const bad: [string, unknown, string][] = [
      ['us', 'rows', 'payload: expected a FACTOR_INPUT { date, assets, returns, marketCap, sectors, ... }, got "rows"'],
      ['us', { ...good, date: undefined }, 'payload.date: expected a non-empty string or a finite number, got undefined'],
      [
        'us',
        { ...good, date: p.dates[1] },
        `payload.date: expected a date after universe 'us''s last ("${p.dates[1]}"), got "${p.dates[1]}"`,
      ],
      ['us', { ...good, date: 20240103 }, "payload.date: expected a string like the universe's earlier dates, got 20240103"],
      ['us', { ...good, assets: [...good.assets.slice(1), 'A01'] }, 'payload.assets[11]: expected a name not given before, got "A01"'],
      ['us', { ...good, returns: [1, 2] }, 'payload.returns: expected 12 values (one per asset), got length 2'],
      [
        'us',
        { ...good, returns: Float64Array.from(good.returns, (r, i) => (i === 3 ? Infinity : r)) },
        'payload.returns: expected finite numbers (NaN for a missing one), got returns[3] = Infinity',
      ],
      [
        'us',
        { ...good, marketCap: Float64Array.from(good.marketCap, (c, i) => (i === 5 ? -1 : c)) },
        'payload.marketCap: expected numbers > 0 (NaN for a missing one), got marketCap[5] = -1',
      ],
      ['us', { ...good, bookPrice: undefined }, 'payload.bookPrice: expected a Float64Array or an array of numbers, got undefined'],
      [
        'us',
        { ...good, sectors: good.sectors.map((s, i) => (i === 2 ? 1.5 : s)) },
        'payload.sectors[2]: expected a sector name, an integer code >= 0 or null, got 1.5',
      ],
      ['other', { ...good, sectors: ['x'] }, 'payload.sectors: expected 12 sectors (one per asset), got length 1'],
    ];
    for (const [key, payload] of bad) await bus.publish('FACTOR_INPUT', { key, payload });
    await bus.drain();
    await feedPanel(bus, p, 2, 4);
    await engine.close();
    await bus.close();
    expect(engine.metrics()).toMatchObject({ errors: bad.length, processed: 4 });
    expect(dead).toHaveLength(bad.length);
    for (const [, , message] of bad) expect(errors.map((e) => e.message)).toContain(message);
    expect(errors.every((e) => e instanceof KernelInputError)).toBe(true);
    expect([...engine.universes().keys()]).toEqual(['us']);
    expect(engine.universes().get('us')!.history.total).toBe(4);
    expect(results.map((m) => m.payload.date)).toEqual(p.dates.slice(1));
  });

  it('never applies a redelivered entry twice; skips a FACTOR_INPUT stored twice as republished', async () => {
    const p = seededPanel(10, 10);
    const md = new TestTransport();
    md.duplicate = true;
    md.storeThenFail.add(3); // the third date is stored, then reported failed: the bus sends it again
    const bus = createBus({ transports: { marketdata: md }, retryMs: 1 });
    const engine = new FactorEngine(bus, { backend: 'reference', momentum: { window: 2, halfLife: 1, lag: 1 }, heartbeatMs: 0 }).start();
    const results = collect<FactorResult>(bus, 'FACTOR_CALCULATION');
    for (let t = 0; t < p.T; t++) {
      await feedPanel(bus, p, t, t + 1);
      await bus.drain();
    }
    await engine.close();
    await bus.close();
    expect(engine.metrics()).toMatchObject({ processed: 11, duplicates: 11 });
    expect(engine.metrics().extra).toMatchObject({ dates: 10, republished: 1, results: 8, unfit: 2 });
    expect(results.map((m) => m.payload.date)).toEqual(p.dates.slice(2));
    await md.close();
  });

  it('snapshots and restores a universe (magic and version checked): the same results follow', async () => {
    const p = seededPanel(24, 12);
    const options = { backend: 'reference' as const, momentum: { window: 6, halfLife: 3, lag: 2 }, heartbeatMs: 0 };
    type Hooks = { snapshotKey(key: string): Uint8Array; restoreKey(key: string, bytes: Uint8Array): void };
    const hooks = (e: FactorEngine) => e as unknown as Hooks;
    const run = async (engine: FactorEngine, from: number, to: number) => {
      const bus = engine.bus;
      const results = collect<FactorResult>(bus, 'FACTOR_CALCULATION');
      engine.start();
      await feedPanel(bus, p, from, to);
      await engine.close();
      await bus.close();
      return results.map((m) => m.payload);
    };
    const whole = await run(new FactorEngine(createBus(), options), 0, 24);
    const a = new FactorEngine(createBus(), options);
    await run(a, 0, 13);
    const b = new FactorEngine(createBus(), options);
    hooks(b).restoreKey('us', hooks(a).snapshotKey('us'));
    expect(b.universes().get('us')!.history.export()).toEqual(a.universes().get('us')!.history.export());
    expect(b.universes().get('us')).toMatchObject({ sectors: sectorNamesOf(p), lastDate: p.dates[12], latest: undefined });
    const rest = await run(b, 13, 24);
    expect(rest).toEqual(whole.slice(whole.length - 11));
    // A longer history than the snapshot's: the older dates missing; a shorter one: the last dates kept.
    const c = new FactorEngine(createBus(), { ...options, momentum: { window: 3, halfLife: 3, lag: 0 } });
    hooks(c).restoreKey('us', hooks(a).snapshotKey('us'));
    expect(c.universes().get('us')!.history.column('A05')).toEqual(a.universes().get('us')!.history.column('A05').slice(5));
    expect(() => hooks(b).restoreKey('us', new Uint8Array(16))).toThrow(
      /^bytes: expected a FactorEngine universe state \(version 1\), got 16 bytes$/,
    );
    await c.bus.close();
  });

  it('checks its options: KernelInputError naming the option', async () => {
    const bus = createBus();
    const bad: [object, RegExp][] = [
      [
        { styles: [] },
        /^options.styles: expected a non-empty list of distinct styles of 'momentum', 'size', 'value', got an Array of length 0$/,
      ],
      [{ styles: ['size', 'size'] }, /^options.styles: expected a non-empty list of distinct styles/],
      [{ styles: ['quality'] }, /^options.styles: expected a non-empty list of distinct styles/],
      [{ momentum: { window: 0 } }, /^options.momentum.window: expected an integer >= 1, got 0$/],
      [{ momentum: { halfLife: -1 } }, /^options.momentum.halfLife: expected a finite number > 0, got -1$/],
      [{ momentum: { lag: 1.5 } }, /^options.momentum.lag: expected an integer >= 0, got 1.5$/],
      [{ momentum: 5 }, /^options.momentum: expected an object of options, got 5$/],
      [{ size: { lower: 0.9, upper: 0.1 } }, /^options.size.upper: expected a number >= options.lower \(0.9\), got 0.1$/],
      [{ value: { winsorize: 0.7 } }, /^options.value.winsorize: expected a number in \[0, 0.5\], got 0.7$/],
      [{ winsorize: -0.1 }, /^options.winsorize: expected a number in \[0, 0.5\], got -0.1$/],
      [{ residualizeStyles: 'yes' }, /^options.residualizeStyles: expected a boolean, got "yes"$/],
      [{ perAsset: 1 }, /^options.perAsset: expected a boolean, got 1$/],
      [{ input: '' }, /^options.input: expected a non-empty message type, got ""$/],
      [{ backend: 'gpu' }, /^options.backend: expected 'auto' or one of/],
    ];
    for (const [options, message] of bad) {
      expect(() => new FactorEngine(bus, options)).toThrow(KernelInputError);
      expect(() => new FactorEngine(bus, options)).toThrow(message);
    }
    expect(new FactorEngine(bus, { winsorize: null, styles: ['size'] }).start().checkpoints).toBe(false);
    expect(() => new FactorEngine(bus, { name: 'f2', checkpointMs: 100 }).start()).toThrow(
      /^options.checkpointMs: expected an engine and bus that can checkpoint \(or 0\), got bus marketdata on a memory transport \(checkpoints need Redis\)$/,
    );
    await bus.close();
  });

  it('without the value style the ratios are optional', async () => {
    const p = seededPanel(3, 8);
    const bus = createBus();
    const engine = new FactorEngine(bus, { backend: 'reference', styles: ['size'], heartbeatMs: 0 }).start();
    const results = collect<FactorResult>(bus, 'FACTOR_CALCULATION');
    for (let t = 0; t < 3; t++) {
      const { bookPrice, salesPrice, cashFlowPrice, ...rest } = inputOf(p, t);
      void bookPrice, void salesPrice, void cashFlowPrice;
      await bus.publish('FACTOR_INPUT', {
        key: 'us',
        payload: { ...rest, returns: Array.from(rest.returns), marketCap: Array.from(rest.marketCap) },
      });
    }
    await engine.close();
    await bus.close();
    expect(engine.metrics().errors).toBe(0);
    expect(results).toHaveLength(3);
    expect(results[0].payload.names).toEqual(['market', ...sectorNamesOf(p), 'size']);
    expect(results.every((m) => m.payload.factorReturns.every(Number.isFinite))).toBe(true);
  });
});

describe('FactorEngine checkpoint deltas and republishes', () => {
  const options = { backend: 'reference' as const, momentum: { window: 6, halfLife: 3, lag: 2 }, heartbeatMs: 0 };
  type Hooks = {
    snapshotKey(key: string): Uint8Array;
    deltaKey(key: string): Uint8Array | undefined;
    restoreKey(key: string, bytes: Uint8Array, type: string, deltas: readonly Uint8Array[]): void;
    process(message: BusMessage): void;
  };
  const hooks = (e: FactorEngine) => e as unknown as Hooks;
  /** Date t as a delivered message: ts and sentAt as given, the assets `only` (default all). */
  const message = (p: ReturnType<typeof seededPanel>, t: number, sentAt: number, only?: number[]): BusMessage =>
    ({
      id: `${t}-0`,
      bus: 'marketdata',
      stream: 'marketdata:FACTOR_INPUT:0',
      type: 'FACTOR_INPUT',
      key: 'us',
      ts: 1_700_000_000_000 + t,
      payload: inputOf(p, t, only),
      priority: 'normal',
      count: 1,
      sentAt,
      deliveries: 1,
    }) as BusMessage;
  const stateOf = (e: FactorEngine) => {
    const u = e.universes().get('us')!;
    return {
      history: u.history.export(),
      total: u.history.total,
      sectors: u.sectors,
      lastDate: u.lastDate,
      lastTs: u.lastTs,
      lastSentAt: u.lastSentAt,
    };
  };

  it('a whole record then the dates appended as deltas (assets changing): restored, the state equals the engine', () => {
    const p = seededPanel(30, 12);
    const a = new FactorEngine(createBus(), options);
    // dates 8-11 lack the first four assets: each date's own assets travel in the delta
    const only = (t: number) => (t >= 8 && t < 12 ? [...Array(12).keys()].slice(4) : undefined);
    let t = 0;
    const apply = (to: number) => {
      for (; t < to; t++) hooks(a).process(message(p, t, 1_000 + t, only(t)));
    };
    expect(hooks(a).deltaKey('us')).toBeUndefined(); // no universe yet
    apply(5);
    expect(hooks(a).deltaKey('us')).toBeUndefined(); // no record taken yet: the first is whole
    const whole = hooks(a).snapshotKey('us');
    const deltas: Uint8Array[] = [];
    for (const to of [10, 13, 13, 20]) {
      apply(to);
      const u = a.universes().get('us')!;
      deltas.push(hooks(a).deltaKey('us')!);
      // a delta holds the dates since the last record; the whole state holds all 8 the history keeps
      expect(deltas.at(-1)!.byteLength).toBeLessThan(encodeFactorUniverse(u).byteLength);
    }
    expect(deltas[2].byteLength).toBeLessThan(200); // no dates: the head and the JSON
    const b = new FactorEngine(createBus(), options);
    hooks(b).restoreKey('us', whole, 'FACTOR_INPUT', deltas);
    expect(stateOf(b)).toEqual(stateOf(a));
    // a delta out of its order is refused, naming what it follows
    const c = new FactorEngine(createBus(), options);
    expect(() => hooks(c).restoreKey('us', whole, 'FACTOR_INPUT', [deltas[1]])).toThrow(
      /^bytes: expected a FactorEngine universe delta following its 5 dates, got one from date 10$/,
    );
    expect(() => hooks(c).restoreKey('us', whole, 'FACTOR_INPUT', [new Uint8Array(40)])).toThrow(
      /^bytes: expected a FactorEngine universe delta state/,
    );
    // more dates than the history holds (window + lag = 8) since the last record: the next record is whole
    apply(29);
    expect(hooks(a).deltaKey('us')).toBeUndefined();
    hooks(a).snapshotKey('us');
    apply(30);
    expect(hooks(a).deltaKey('us')).toBeInstanceOf(Uint8Array);
  });

  it('skips only a date it applied as republished; an older date never applied is refused, not dropped', () => {
    const p = seededPanel(6, 8);
    const e = new FactorEngine(createBus(), options);
    hooks(e).process(message(p, 0, 100));
    hooks(e).process(message(p, 2, 300));
    hooks(e).process(message(p, 0, 100)); // stored twice: the same publish time and ts
    expect(e.metrics().extra).toMatchObject({ dates: 2, republished: 1 });
    // date 1, published before date 2 but delivered after it (never applied): refused, counted by the bus
    expect(() => hooks(e).process(message(p, 1, 200))).toThrow(KernelInputError);
    expect(e.metrics().extra).toMatchObject({ dates: 2, republished: 1 });
  });
});
