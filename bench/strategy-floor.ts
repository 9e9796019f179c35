/**
 * The floor under the live rows' order latency (issue 93): `kernelbus feed --file` at the live rows'
 * rates through the same redis-server setup to a subscriber that does nothing with its trades
 * (./strategy-floor-child.mjs, the built package as `kernelbus engine` runs it): per frame, the time from
 * the feed's sentAt to the subscriber's handler. An order's latency is that delivery for the frame that
 * closed its bar, plus the engine's work on the read up to the order (the merge's other shards, the bars,
 * onBar): a p99 of the frames alone above an order target says the target is below what the bus
 * delivers on this machine. Median run of `repeats` by its p99 over every frame.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RedisServer, findRedisServer } from '../tools/redis-server.js';
import { ROOT } from './io-child.js';
import { cpuSeconds, feedCommand, MAX_LATENESS_MS, SHARDS, start } from './strategy-live.js';
import type { BenchRow } from './lib.js';

interface Percentiles {
  frames: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** The do-nothing subscriber's percentiles over every frame and over those after the first 2 x maxLatenessMs. */
type FloorResult = { all: Percentiles; later: Percentiles };

/**
 * How the do-nothing subscriber reads (./strategy-floor-child.mjs): through the package's bus, or with
 * ioredis alone in a loop of the same reads (no kernelbus: what the bus's reading adds above it).
 */
export type FloorReader = 'bus' | 'ioredis';

/** The do-nothing subscriber on `url`, started and reading; stop() ends it and gives its percentiles. */
async function startFloor(
  url: string,
  reader: FloorReader,
): Promise<{ pid: number | undefined; stop: () => Promise<FloorResult>; kill: () => void }> {
  const args = [join(ROOT, 'bench/strategy-floor-child.mjs'), url, String(2 * MAX_LATENESS_MS), String(SHARDS), reader];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const t0 = performance.now();
  while (!/^ready: floor/m.test(out)) {
    if (child.exitCode !== null || performance.now() - t0 > 60_000) {
      kill();
      throw new Error(`strategy floor: the subscriber did not start: ${out.slice(0, 800)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    const line = /^floor: (.*)$/m.exec(out);
    if (!line) throw new Error(`strategy floor: no summary from the subscriber: ${out.slice(-800)}`);
    return JSON.parse(line[1]) as FloorResult;
  };
  return { pid: child.pid, stop, kill };
}

/**
 * One run: the feed at `rate` trades/s to the do-nothing subscriber reading as `reader` says, with
 * `engine` (the arguments of `kernelbus engine`, its --redis added) reading the same feed in its own
 * group when given; the subscriber's percentiles and CPU (cores).
 */
async function floorRun(
  file: string,
  rows: number,
  spanMs: number,
  rate: number,
  engine: string[] | undefined,
  reader: FloorReader,
): Promise<FloorResult & { cpu: string }> {
  const server = await RedisServer.start({});
  let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
  let beside: ReturnType<typeof start> | undefined;
  try {
    const url = server.url();
    if (engine) {
      beside = start([...engine, '--redis', url]);
      await beside.ready(/^ready: engine/m);
    }
    floor = await startFloor(url, reader);
    const speed = rate / (rows / (spanMs / 1000));
    const feed = start(feedCommand(file, url, speed));
    const cpu0 = { at: performance.now(), sub: cpuSeconds(floor.pid) };
    const code = await feed.exited;
    const cpu = ((cpuSeconds(floor.pid) - cpu0.sub) / ((performance.now() - cpu0.at) / 1000)).toFixed(2);
    if (code !== 0) throw new Error(`kernelbus feed exited ${code}: ${feed.out().slice(-800)}`);
    // the feed exits once its readers' groups have consumed its last trade
    await new Promise((r) => setTimeout(r, 200));
    return { ...(await floor.stop()), cpu };
  } finally {
    floor?.kill();
    beside?.stop();
    await beside?.exited;
    await server.stop();
  }
}

/**
 * The floor rows: for each [rate, the engine beside it (`kernelbus engine` arguments) or none, the
 * subscriber's reader (default 'bus')], the delivery latency p99 over every frame (the run of median
 * p99 of `repeats`), after the first 2 x maxLatenessMs and the other runs in its note; none without
 * redis-server.
 */
export async function floorRows(
  section: string,
  file: string,
  rows: number,
  spanMs: number,
  label: string,
  runs: readonly [number, (string[] | undefined)?, FloorReader?][],
  repeats = 3,
): Promise<BenchRow[]> {
  if (!findRedisServer()) {
    console.log('strategy: the floor rows skipped (no redis-server on PATH)');
    return [];
  }
  const out: BenchRow[] = [];
  const f = (x: number) => `${x.toFixed(2)} ms`;
  for (const [rate, engine, reader = 'bus'] of runs) {
    const results = [];
    for (let i = 0; i < repeats; i++) results.push(await floorRun(file, rows, spanMs, rate, engine, reader));
    const plain = reader === 'ioredis' ? ', read with ioredis alone (no kernelbus)' : '';
    const { all, later, cpu } = [...results].sort((a, b) => a.all.p99 - b.all.p99)[Math.floor(repeats / 2)];
    out.push({
      section,
      case: `feed --file at ${rate.toLocaleString('en-US')} trades/s, ${label}, to a subscriber that does nothing${plain}${engine ? ', the engine reading the same feed beside it' : ''}`,
      subject: `frame delivery p99 (feed sentAt to ${plain ? 'the reply in hand' : 'the handler'})`,
      value: all.p99,
      unit: 'ms',
      note: `the floor under the order latency (an order waits for its closing trade's frame, then for the engine's work on that read up to its bar): p50 ${f(all.p50)}, p99.9 ${f(all.p999)}, max ${f(all.max)} over ${all.frames.toLocaleString('en-US')} frames; after the first ${2 * MAX_LATENESS_MS} ms p50 ${f(later.p50)}, p99 ${f(later.p99)}; the subscriber ${cpu} of a core; the run of median p99 of ${repeats} (p99 ${results.map((r) => r.all.p99.toFixed(2)).join(', ')} ms; after the first ${2 * MAX_LATENESS_MS} ms ${results.map((r) => r.later.p99.toFixed(2)).join(', ')} ms)`,
    });
  }
  return out;
}
