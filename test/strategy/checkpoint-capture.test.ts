/**
 * Checkpoints taken in parts over several turns of the event loop (StrategyRunner.capture(),
 * StrategyState.capture()): the bytes hold the state at the moment of the capture even when trades of
 * the captured symbols come before their parts are taken, restore as snapshot()'s and delta()'s do
 * (mixed with them in one chain), leave the bytes asked for free at the front, and bad bytes are
 * refused with KernelInputError naming `bytes`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentFrames, type TradeKeyFrames } from '../../src/engines/recent-frames.js';
import { decodeState, StrategyState } from '../../src/engines/strategy-state.js';
import { KernelInputError } from '../../src/errors.js';
import type { Strategy, Tape } from '../../src/strategy/index.js';
import { TradeMerge } from '../../src/strategy/merge.js';
import { runnerFromParts } from '../../src/strategy/runner-capture.js';
import type { RunnerDelta } from '../../src/strategy/runner-delta.js';
import { decodeRunner, type RunnerState } from '../../src/strategy/runner-state.js';
import { type RunnerOptions, StrategyRunner } from '../../src/strategy/runner.js';
import { maCross, randomTape } from './helpers.js';

const SYMBOLS = Array.from({ length: 30 }, (_, i) => `S${String(i).padStart(2, '0')}`);
const options: RunnerOptions = { fees: 0.001, slippage: 0.0005, initCash: 100_000, latencyMs: 1_500, participation: 0.05 };
const strategy = () => maCross(5, 20, 60_000, 'capture-cross') as Strategy<object>;
const tape = randomTape(1_000, SYMBOLS, 3_000, 5);

/** Rows [from, to) of the tape into `runners` alike. */
function feed(runners: StrategyRunner<object>[], t: Tape, from: number, to: number): void {
  const { codes, values } = t.symbols!;
  for (let i = from; i < to; i++) {
    for (const r of runners) r.trade(r.symbolIndex(values[codes[i]]), t.ts[i], t.price[i], t.volume[i]);
  }
}

/** A run's snapshot() bytes as its parts, the time spent in onBar left out (it differs between twin runs). */
function parts(bytes: Uint8Array): RunnerState {
  const s = decodeRunner(bytes, 'capture-cross');
  s.metrics.onBarMs = s.metrics.slowestOnBarMs = 0;
  return s;
}

/** A fresh run restored from `base` and `deltas`, as its parts (equal parts: equal runs). */
function restored(base: Uint8Array | RunnerState, deltas: (Uint8Array | RunnerDelta)[] = []): RunnerState {
  const r = new StrategyRunner(strategy(), options);
  r.restore(base, deltas);
  return parts(r.snapshot());
}

describe('StrategyRunner.capture', () => {
  it('a delta capture holds the run at its moment, though the captured symbols trade before their parts are taken', () => {
    const a = new StrategyRunner(strategy(), options);
    const b = new StrategyRunner(strategy(), options);
    feed([a, b], tape, 0, 10_000);
    const base = a.snapshot();
    b.snapshot();
    feed([a, b], tape, 10_000, 14_000);
    const capture = a.capture('delta');
    const delta = b.delta(); // the same moment, at once
    expect(capture.done).toBe(false);
    expect(capture.parts.length).toBeGreaterThan(20); // the symbols touched since
    // one part taken, then trades of every symbol (their parts taken before they change), then the rest
    expect(capture.step(0)).toBe(false);
    feed([a], tape, 14_000, 16_000);
    while (!capture.step(0));
    const taken = runnerFromParts('delta', capture.head, capture.parts) as RunnerDelta;
    expect(restored(base, [taken])).toEqual(restored(base, [delta]));
    // and the next delta follows the capture: the run at the end
    const next = a.delta();
    feed([b], tape, 14_000, 16_000);
    expect(restored(base, [runnerFromParts('delta', capture.head, capture.parts) as RunnerDelta, next])).toEqual(parts(b.snapshot()));
  });

  it('a whole capture is snapshot() at its moment; a later snapshot() first takes what is left of it', () => {
    const a = new StrategyRunner(strategy(), options);
    feed([a], tape, 0, 8_000);
    const at = a.snapshot();
    const capture = a.capture('whole');
    expect(capture.parts.length).toBe(SYMBOLS.length);
    capture.step(0);
    feed([a], tape, 8_000, 9_000);
    const later = a.snapshot(); // takes the capture's parts still to take, as they were
    expect(capture.done).toBe(true);
    expect(restored(runnerFromParts('whole', capture.head, capture.parts) as RunnerState)).toEqual(restored(at));
    expect(restored(later)).not.toEqual(restored(at));
  });
});

/** A StrategyState over one run of `strategy()`, with the merge and each symbol's last frame. */
function engineState() {
  const runner = new StrategyRunner(strategy(), options);
  const symbols = new Map<string, TradeKeyFrames>();
  const newSymbol = (): TradeKeyFrames => ({ lastTs: -Infinity, lastSentAt: -Infinity, recent: new RecentFrames() });
  const state = new StrategyState({
    runners: [runner],
    merge: new TradeMerge(1000),
    symbols,
    newSymbol,
    freshRunner: () => new StrategyRunner(strategy(), options),
    freshMerge: () => new TradeMerge(1000),
  });
  const push = (from: number, to: number) => {
    const { codes, values } = tape.symbols!;
    for (let i = from; i < to; i++) {
      const s = values[codes[i]];
      runner.trade(runner.symbolIndex(s), tape.ts[i], tape.price[i], tape.volume[i]);
      let frame = symbols.get(s);
      if (!frame) symbols.set(s, (frame = newSymbol()));
      frame.lastTs = tape.ts[i];
      frame.lastSentAt = tape.ts[i] + 1;
      state.push(s);
    }
  };
  return { runner, state, push };
}

describe('StrategyState.capture', () => {
  it('a whole capture and delta captures, mixed with snapshot() and delta(), restore the state at each capture; trades between its turns are not in it', async () => {
    const e = engineState();
    e.push(0, 6_000);
    const whole = await e.state.capture('whole', 8);
    const twin = engineState();
    twin.push(0, 6_000);
    expect(restoredState(whole.subarray(8))).toEqual(stateParts(twin.state.snapshot()));
    expect(new TextDecoder().decode(whole.subarray(8, 12))).toBe('KBEC');

    e.push(6_000, 9_000);
    const d1 = e.state.delta(); // version 1 in the same chain
    e.push(9_000, 12_000);
    const pending = e.state.capture('delta', 8, 0); // a part a turn
    twin.push(6_000, 12_000);
    const at = twin.state.snapshot();
    // trades of every symbol on the turns the capture yields
    let next = 12_000;
    const interleave = () => {
      if (next >= 16_000) return;
      e.push(next, (next += 400));
      setImmediate(interleave);
    };
    setImmediate(interleave);
    const d2 = await pending;
    expect(next).toBeGreaterThan(12_400); // trades came between its turns
    expect(restoredState(whole.subarray(8), [d1, d2.subarray(8)])).toEqual(stateParts(at));
  });

  it('refuses bytes cut short, parts that do not add up and another kind, naming `bytes`', async () => {
    const e = engineState();
    e.push(0, 3_000);
    const whole = await e.state.capture('whole');
    e.push(3_000, 4_000);
    const delta = await e.state.capture('delta');
    const refused = (base: Uint8Array, deltas: Uint8Array[] = []) => {
      const fresh = engineState();
      const before = fresh.state.snapshot();
      try {
        fresh.state.restore(base, deltas);
      } catch (error) {
        expect(error).toBeInstanceOf(KernelInputError);
        expect((error as KernelInputError).argument).toBe('bytes');
        expect(stateParts(fresh.state.snapshot())).toEqual(stateParts(before)); // nothing changed
        return true;
      }
      return false;
    };
    expect(refused(whole.subarray(0, whole.byteLength - 5))).toBe(true);
    expect(refused(whole.subarray(0, 14))).toBe(true);
    const fewer = whole.slice();
    new DataView(fewer.buffer).setUint32(8, 2, true); // two parts said: the run's symbol parts missing
    expect(refused(fewer)).toBe(true);
    expect(refused(delta)).toBe(true); // a delta where the whole is expected
    expect(refused(whole, [whole])).toBe(true);
    expect(refused(whole, [delta])).toBe(false);
  });
});

/** A fresh engine state restored from `bytes` and `deltas`, as its parts (its run's as parts()). */
function restoredState(bytes: Uint8Array, deltas: Uint8Array[] = []): unknown {
  const fresh = engineState();
  fresh.state.restore(bytes, deltas);
  return stateParts(fresh.state.snapshot());
}

/** A StrategyState.snapshot() as its parts. */
function stateParts(bytes: Uint8Array): unknown {
  const s = decodeState(bytes, 'whole', 1);
  return { ...s, runners: s.runners.map((r) => parts(r as Uint8Array)) };
}

describe('StrategyState.restore of damaged checkpoint bytes (fast-check)', () => {
  it('restores them or refuses them with KernelInputError naming `bytes`, the state left as it was (versions 1 and 2)', async () => {
    const e = engineState();
    e.push(0, 2_000);
    const whole = await e.state.capture('whole');
    e.push(2_000, 2_600);
    const delta = await e.state.capture('delta');
    // the same as version 1 (snapshot(), delta()): their decoders share the checks
    const v1 = engineState();
    v1.push(0, 2_000);
    const whole1 = v1.state.snapshot();
    v1.push(2_000, 2_600);
    const delta1 = v1.state.delta();
    const fresh = engineState();
    const before = stateParts(fresh.state.snapshot());
    const outcomes = { restored: 0, refused: 0 };
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('length' as const), part: fc.nat(), value: fc.nat() }),
    );
    const damaged = (bytes: Uint8Array, d: { kind: string; at?: number; bits?: number; part?: number; value?: number }) => {
      const out = bytes.slice();
      const view = new DataView(out.buffer);
      if (d.kind === 'cut') return out.subarray(0, d.at! % out.byteLength);
      if (d.kind === 'flip') {
        out[d.at! % out.byteLength] ^= d.bits!;
        return out;
      }
      const parts = Math.max(1, Math.min(view.getUint32(8, true), (out.byteLength - 16) >> 2));
      view.setUint32(12 + 4 * (d.part! % parts), d.value! % (2 * out.byteLength), true);
      return out;
    };
    fc.assert(
      fc.property(fc.boolean(), damage, fc.boolean(), (inDelta, d, version1) => {
        const target = engineState();
        const [w, dl] = version1 ? [whole1, delta1] : [whole, delta];
        try {
          if (inDelta) target.state.restore(w, [damaged(dl, d)]);
          else target.state.restore(damaged(w, d), []);
          outcomes.restored++;
        } catch (error) {
          expect(error).toBeInstanceOf(KernelInputError);
          expect((error as KernelInputError).argument).toBe('bytes');
          expect(stateParts(target.state.snapshot())).toEqual(before);
          outcomes.refused++;
        }
      }),
      {
        numRuns: 300,
        // finds of this property that threw a TypeError before the delta's fields were checked in depth
        // (seeds 20261127, 33, 55: a change without rows, days without fills, account values missing)
        examples: [
          [true, { kind: 'flip', at: 2147483639, bits: 1 }, false],
          [true, { kind: 'flip', at: 933358169, bits: 71 }, false],
          [true, { kind: 'flip', at: 94739418, bits: 137 }, false],
        ],
      },
    );
    expect(outcomes.refused).toBeGreaterThan(100);
  });
});
