/**
 * Run by test/backtest/result-state.test.ts (node --expose-gc, a fresh process: a worker that has run
 * other tests has a heap of their history). A caller's loop of backtests of 2,000 x 100 (60 calls, or
 * CALLS), each result's value read, each result held until the next is made; run once in the fresh
 * process, and again while 5,000 small results made before it are kept (what makes V8 pretenure a
 * literal's objects: a grid's results kept, say). Prints the bytes of one result's records and value
 * and, for each loop, the array buffers' peak over it (above where they were before it) and the
 * collector's runs in it by kind: a dropped result freed by the next scavenge keeps the peak near the
 * 32 MB at which V8 scavenges for array buffers, with no major collection.
 *
 * Whether V8 pretenures a literal also depends on how its code was optimized, which the caller's code
 * moves: this loop is the one that, with the result made by literals (e8a38843), met 3 to 4
 * mark-compacts (10 in 150 calls) after the 5,000; small changes to it (the value read inside the
 * call's function) met none there. With no literal on a result's path the answer does not depend on it.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { BackendName } from '../../src/api/index.js';
import { kernels, type Matrix } from '../../src/index.js';
import { walkPanel } from './cases.js';

const k = kernels({ backend: process.argv[2] as BackendName });
const { close, entries, exits } = walkPanel(2_000, 100, 7, { bytes: true });
const run = () => k.backtestSignals({ close }, { entries, exits, fees: 0.001 });
const CALLS = Number(process.env.CALLS ?? 60);
const turn = () => new Promise((done) => setTimeout(done, 20));
const gc = (globalThis as { gc?: () => void }).gc as () => void;

async function loop(): Promise<{ peak: number; minor: number; major: number }> {
  gc();
  await turn();
  let minor = 0;
  let major = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { kind } = (entry as unknown as { detail: { kind: number } }).detail;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  let held = run();
  for (let i = 0; i < CALLS; i++) {
    const next = run();
    if ((next.value as Matrix).data.length !== 2_000 * 100 || held.orders.id.length === 0)
      throw new Error('a result without its value or orders');
    held = next;
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  }
  await turn(); // the observer's entries are delivered on a later turn
  observer.disconnect();
  return { peak, minor, major };
}

/** 5,000 results of 60 x 4 (their values read), kept. */
function keepMany(): unknown[] {
  const kept = [];
  for (let i = 0; i < 5_000; i++) {
    const small = walkPanel(60, 4, i, { bytes: true });
    const r = k.backtestSignals({ close: small.close }, { entries: small.entries, exits: small.exits });
    r.value;
    kept.push(r);
  }
  return kept;
}

const first = run();
const bytes = first.orders.id.buffer.byteLength + (first.value as Matrix).data.buffer.byteLength;
const fresh = await loop();
const kept = keepMany();
const afterKept = await loop();
console.log(JSON.stringify({ bytes, fresh, afterKept, kept: kept.length }));
