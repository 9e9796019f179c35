// The subscriber of the strategy section's floor rows (./strategy-floor.ts): reads TRADE_EXECUTION from
// the Redis at argv[2] (4 shards, group `floor`) and does nothing with it; per frame it records when the
// feed sent it (the frame's sentAt) and how long after that the handler had it. On SIGTERM it prints
// one line, `floor: <JSON>` (the percentiles over every frame and over those sent after the first
// `afterMs` = argv[3]), and exits. The built package (dist/), as `kernelbus engine` runs it.
import { createBus } from '../dist/index.js';

const [url, afterMs = '2000', shards = '4'] = process.argv.slice(2);
const bus = createBus({ shards: Number(shards), redis: { url } });
let sent = new Float64Array(1 << 20);
let waited = new Float64Array(1 << 20);
let n = 0;
const grown = (a) => {
  const b = new Float64Array(2 * a.length);
  b.set(a);
  return b;
};
bus.subscribe(
  'TRADE_EXECUTION',
  (m) => {
    if (n === sent.length) {
      sent = grown(sent);
      waited = grown(waited);
    }
    sent[n] = m.sentAt;
    waited[n++] = performance.timeOrigin + performance.now() - m.sentAt;
  },
  { group: 'floor', consumer: 'floor-1' },
);
await Promise.all(bus.buses.map((b) => bus.transport(b).reading?.()));
console.log('ready: floor');

/** p50, p99, p99.9 and max of `values` (sorted here), in ms. */
function summary(values) {
  values.sort();
  const at = (p) => values[Math.min(values.length - 1, Math.floor(p * values.length))];
  return { frames: values.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: values[values.length - 1] };
}

process.once('SIGTERM', () => {
  let first = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) first = Math.min(first, sent[i]);
  const later = [];
  for (let i = 0; i < n; i++) if (sent[i] - first >= Number(afterMs)) later.push(waited[i]);
  console.log(`floor: ${JSON.stringify({ all: summary(waited.slice(0, n)), later: summary(Float64Array.from(later)) })}`);
  process.exit(0);
});
