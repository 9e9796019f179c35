// The subscriber of the strategy section's floor rows (./strategy-floor.ts): reads TRADE_EXECUTION from
// the Redis at argv[2] (argv[4] shards, group `floor`) and does nothing with it; per frame it records
// when the feed sent it (the frame's sentAt) and how long after that it was in hand. On SIGTERM it
// prints one line, `floor: <JSON>` (the percentiles over every frame and over those sent after the
// first `afterMs` = argv[3]), and exits. argv[5] says how it reads:
// - `bus` (the default): the built package's bus (dist/), as `kernelbus engine` reads, to its handler;
// - `ioredis`: ioredis alone, no kernelbus: one connection, one loop of XREADGROUP BLOCK over the shard
//   streams, in the same write the previous read's XACK before it and the same read without BLOCK
//   behind it (Redis < 7.2 answers a blocked read with the one stream that woke it: the bus's reader
//   does the same, src/bus/transports/redis/reader.ts), the frames of each packed entry
//   (docs/wire-format.md) found by their lengths and only their sentAt read (the float64 at byte 16 of
//   each). The least a Node process does to read these streams: what the bus's reading adds above it.
const [url, afterMs = '2000', shards = '4', mode = 'bus'] = process.argv.slice(2);
let sent = new Float64Array(1 << 20);
let waited = new Float64Array(1 << 20);
let n = 0;
const grown = (a) => {
  const b = new Float64Array(2 * a.length);
  b.set(a);
  return b;
};
/** Records a frame sent at `sentAt` and in hand at `now` (ms since the epoch). */
function record(sentAt, now) {
  if (n === sent.length) {
    sent = grown(sent);
    waited = grown(waited);
  }
  sent[n] = sentAt;
  waited[n++] = now - sentAt;
}

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

if (mode === 'bus') {
  const { createBus } = await import('../dist/index.js');
  const bus = createBus({ shards: Number(shards), redis: { url } });
  bus.subscribe('TRADE_EXECUTION', (m) => record(m.sentAt, performance.timeOrigin + performance.now()), {
    group: 'floor',
    consumer: 'floor-1',
  });
  await Promise.all(bus.buses.map((b) => bus.transport(b).reading?.()));
  console.log('ready: floor');
} else if (mode === 'ioredis') {
  const { default: Redis } = await import('ioredis');
  // the bus's keys (src/bus/transports/redis/keys.ts): prefix kb, bus marketdata
  const streams = Array.from({ length: Number(shards) }, (_, i) => `kb:{marketdata:${i}}:TRADE_EXECUTION`);
  const redis = new Redis(url);
  for (const s of streams) {
    await redis.xgroup('CREATE', s, 'floor', '$', 'MKSTREAM').catch((e) => {
      if (!/BUSYGROUP/.test(String(e))) throw e;
    });
  }
  console.log('ready: floor');
  const PACK = 0x4b50424b;
  const group = ['GROUP', 'floor', 'floor-1', 'COUNT', 512];
  const from = ['STREAMS', ...streams, ...streams.map(() => '>')];
  let acks = [];
  for (;;) {
    const pipe = redis.pipeline();
    for (const [stream, ids] of acks) pipe.xack(stream, 'floor', ...ids);
    pipe.xreadgroupBuffer(...group, 'BLOCK', 1000, ...from);
    pipe.xreadgroupBuffer(...group, ...from);
    const results = await pipe.exec();
    const now = performance.timeOrigin + performance.now();
    acks = [];
    for (const [error, reply] of results.slice(-2)) {
      if (error) throw error;
      for (const [stream, entries] of reply ?? []) {
        const ids = [];
        for (const [id, fields] of entries) {
          ids.push(id);
          for (let i = 0; i + 1 < fields.length; i += 2) {
            if (fields[i].length !== 1 || fields[i][0] !== 0x64) continue; // 'd'
            const d = fields[i + 1];
            if (d.readUInt32LE(0) !== PACK) {
              record(d.readDoubleLE(16), now);
              continue;
            }
            const count = d.readUInt32LE(8);
            let at = (16 + 4 * count + 7) & ~7;
            for (let f = 0; f < count; f++) {
              record(d.readDoubleLE(at + 16), now);
              at += (d.readUInt32LE(16 + 4 * f) + 7) & ~7;
            }
          }
        }
        acks.push([stream, ids]);
      }
    }
  }
} else throw new Error(`strategy floor: unknown mode ${mode}`);
