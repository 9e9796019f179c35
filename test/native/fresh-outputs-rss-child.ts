/**
 * Run by test/native/fresh-outputs-gc.test.ts (node --expose-gc): 3,000 fresh sma outputs of 250,000
 * bars (2 MB each) dropped at once, then 3,000 kept for 40 calls each (through two scavenges: promoted,
 * freed by full collections only); the resident set after the first 300 calls and at the end of each,
 * after a full collection.
 */
import { kernels } from '../../src/index.js';

const k = kernels({ backend: 'native' });
const close = new Float64Array(250_000).map((_, i) => 100 + Math.sin(i / 50));
const gc = (globalThis as { gc?: () => void }).gc as () => void;

function loop(keep: number): { early: number; late: number } {
  const ring: unknown[] = new Array(keep);
  let early = 0;
  for (let i = 0; i < 3000; i++) {
    ring[i % keep] = k.sma(close, { timePeriod: 20 });
    if (i === 299) {
      gc();
      early = process.memoryUsage().rss;
    }
  }
  ring.fill(undefined);
  gc();
  return { early, late: process.memoryUsage().rss };
}

console.log(JSON.stringify({ dropped: loop(1), kept: loop(40) }));
