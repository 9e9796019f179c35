/**
 * A strategy run's incremental checkpoints (StrategyRunner.delta(), restore(bytes, deltas)): a delta
 * holds only the symbols touched since the last checkpoint (their bars' new history entries, not the
 * history), and a run restored from a snapshot plus its deltas goes on with the same orders, fills,
 * positions, account, days and ctx.state as the run never cut; deltas out of order are refused.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import { decodeRunnerDelta } from '../../src/strategy/runner-delta.js';
import { StrategyRunner, type RunnerOptions } from '../../src/strategy/runner.js';
import type { Strategy, Tape } from '../../src/strategy/index.js';
import { maCross, randomTape } from './helpers.js';

type Record = { kind: string; value: unknown };

function runner(strategy: Strategy<object>, options: RunnerOptions, out: Record[]): StrategyRunner<object> {
  return new StrategyRunner(strategy, options, {
    order: (o) => out.push({ kind: 'order', value: o }),
    fill: (f) => out.push({ kind: 'fill', value: f }),
    position: (p) => out.push({ kind: 'position', value: p }),
  });
}

/** Rows [from, to) of the tape, only those of `only` when given. */
function feed(r: StrategyRunner<object>, tape: Tape, from: number, to: number, only?: Set<string>): void {
  const { codes, values } = tape.symbols!;
  for (let i = from; i < to; i++) {
    if (only && !only.has(values[codes[i]])) continue;
    const k = r.symbolIndex(values[codes[i]]);
    if (k >= 0) r.trade(k, tape.ts[i], tape.price[i], tape.volume[i]);
  }
}

const SYMBOLS = Array.from({ length: 40 }, (_, i) => `S${String(i).padStart(2, '0')}`);
const options: RunnerOptions = { fees: 0.001, slippage: 0.0005, initCash: 100_000, latencyMs: 1_500, participation: 0.05 };
const strategy = () => maCross(5, 20, 60_000, 'delta-cross') as Strategy<object>;

describe('StrategyRunner incremental checkpoints', () => {
  const tape = randomTape(1_500, SYMBOLS, 3_000, 11);

  it('a delta after trades of a few of many symbols holds only those, and is a small part of the whole', () => {
    const r = runner(strategy(), options, []);
    feed(r, tape, 0, 30_000);
    const whole = r.snapshot();
    const few = new Set(['S03', 'S17', 'S31']);
    feed(r, tape, 30_000, 32_000, few); // ~50 trades each, a bar or so
    const bytes = r.delta();
    const d = decodeRunnerDelta(bytes, 'delta-cross');
    const named = (ks: number[]) => ks.map((k) => r.symbols[k]).sort();
    expect(named(d.bars.map(([k]) => k))).toEqual([...few].sort());
    expect(named(d.account.at)).toEqual([...few].sort());
    expect(d.symbols).toEqual([]);
    for (const [, change] of d.bars) expect(change.slots).toBeLessThanOrEqual(2);
    expect(bytes.byteLength).toBeLessThan(whole.byteLength / 10);
    // nothing since: only the shared part
    const empty = decodeRunnerDelta(r.delta(), 'delta-cross');
    expect(empty.bars).toEqual([]);
    expect(empty.account.at).toEqual([]);
  });

  it('snapshot + deltas restores the run exactly: it goes on as the run never cut', () => {
    const all: Record[] = [];
    const full = runner(strategy(), options, all);
    feed(full, tape, 0, tape.ts.length);
    full.stop();
    expect(all.filter((x) => x.kind === 'fill').length).toBeGreaterThan(50);

    // a base before any trade: every symbol comes in a delta
    const early = runner(strategy(), options, []);
    const empty = early.snapshot();
    feed(early, tape, 0, 4_000);
    const late = runner(strategy(), options, []);
    late.restore(empty, [early.delta()]);
    expect(late.snapshot()).toEqual(early.snapshot());

    const out: Record[] = [];
    const first = runner(strategy(), options, out);
    feed(first, tape, 0, 4_000);
    const base = first.snapshot();
    const deltas: Uint8Array[] = [];
    // cuts of every size: a few trades (some symbols), many (every symbol, bars closed), more than the history
    let at = 4_000;
    for (const to of [4_003, 4_100, 9_000, 9_001, 20_000, 41_000]) {
      feed(first, tape, at, to);
      at = to;
      first.observe('VPIN_CALCULATION', 'S01', { cdf: to });
      deltas.push(first.delta());
    }
    const second = runner(strategy(), options, out);
    second.restore(base, deltas);
    expect(second.snapshot()).toEqual(first.snapshot());
    expect(second.ctx.latest('VPIN_CALCULATION', 'S01')).toEqual({ cdf: 41_000 });
    feed(second, tape, 41_000, tape.ts.length);
    second.stop();
    expect(out).toEqual(all);
    expect(second.account.values()).toEqual(full.account.values());
    expect(second.daily).toEqual(full.daily);
    expect(second.ctx.state).toEqual(full.ctx.state);
  });

  it('refuses deltas that do not follow the snapshot, the run unchanged', () => {
    const r = runner(strategy(), options, []);
    feed(r, tape, 0, 2_000);
    const base = r.snapshot();
    feed(r, tape, 2_000, 3_000);
    const d1 = r.delta();
    feed(r, tape, 3_000, 8_000);
    const d2 = r.delta();
    const other = runner(strategy(), options, []);
    feed(other, tape, 0, 500);
    const before = other.snapshot();
    for (const deltas of [[d2], [d1, d1], [new Uint8Array(12)], [base]]) {
      const error = (() => {
        try {
          other.restore(base, deltas);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(KernelInputError);
      expect((error as KernelInputError).argument).toBe('bytes');
    }
    expect(other.snapshot()).toEqual(before);
    expect(() => runner(maCross(5, 20, 60_000, 'another') as Strategy<object>, options, []).restore(base, [d1])).toThrow(
      /a checkpoint of strategy 'another'/,
    );
  });
});
