#!/usr/bin/env node
/**
 * Soak test of long-running engines: `npm run soak -- --minutes N [options]` starts a redis-server of
 * its own (127.0.0.1, a free port, no persistence), two `kernelbus engine vpin` processes of one group
 * and a `kernelbus feed` at a fixed rate, samples every --sample-seconds each engine's RSS
 * (/proc/<pid>/status), its event-loop p99 (nodejs_eventloop_lag_p99_seconds of its /metrics, which
 * prom-client resets at every scrape: the p99 of the last interval), its symbols
 * (kernelbus_engine_keys) and the group's checkpoint hashes (MEMORY USAGE of the records and delta
 * hashes, the largest record by HSTRLEN), prints them as a table, and fails (exit 1) when one trends
 * upward over the last half of the run.
 *
 * The trend: a least-squares line through the last half's samples; its rise across that half, relative
 * to the half's median, must stay within the tolerance: RSS 15% (V8 and glibc keep some freed memory
 * for a while: a flat engine wanders by a few %; the growth this guards against, issue 41, was +60%
 * over the second half of 45 minutes), checkpoint bytes 10% (bounded state gives a flat line once
 * every CDF window is full; a growing history rises linearly), event-loop p99 50% (a single slow
 * interval on a shared machine moves a percentile a lot; the regression guarded against went 13 ->
 * 100 ms). Checkpoint and RSS figures only flatten once the engines' CDF windows are full: the soak's
 * --cdf-window (default 2000 VPIN values, about 100 s at 40,000 trades/s over 100 symbols) keeps that
 * well inside the first half of a 5-minute run; pass the engines' default (50000) for a run of hours.
 *
 * Needs dist/ (npm run build:ts) and redis-server on PATH. Nothing but its own processes is stopped.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'kernelbus');
const TOLERANCE = { rssMb: 0.15, ckptBytes: 0.1, maxRecord: 0.1, p99Ms: 0.5 };

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    rate: { type: 'string', default: '40000' },
    symbols: { type: 'string', default: '100' },
    shards: { type: 'string', default: '4' },
    'cdf-window': { type: 'string', default: '2000' },
    'sample-seconds': { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(
    'Usage: npm run soak -- [--minutes 5] [--rate 40000] [--symbols 100] [--shards 4] [--cdf-window 2000] [--sample-seconds 10]\n',
  );
  process.exit(0);
}
const num = (name, min) => {
  const x = Number(values[name]);
  if (!(x >= min) || !Number.isFinite(x)) {
    process.stderr.write(`soak: --${name}: expected a number >= ${min}, got ${values[name]}\n`);
    process.exit(2);
  }
  return x;
};
const minutes = num('minutes', 0.5);
const sampleMs = num('sample-seconds', 1) * 1000;
const shards = num('shards', 1);

/** A free TCP port on 127.0.0.1. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const children = [];
/** Starts a process of ours, its output to a log kept for the report. */
function start(name, command, args) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { name, child, log: '', exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal))) };
  child.stdout.on('data', (d) => (proc.log += d));
  child.stderr.on('data', (d) => (proc.log += d));
  children.push(proc);
  return proc;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function stopAll() {
  for (const p of [...children].reverse()) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.race([p.exited, sleep(15_000)]);
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }
}
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

/** Least-squares slope of ys over xs. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 0;
}
const median = (ys) => [...ys].sort((a, b) => a - b)[Math.floor(ys.length / 2)];

/** A sample of every figure in an engine's /metrics text. */
function metric(text, name) {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      found = true;
    }
  }
  return found ? sum : NaN;
}
const rssMb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
};

async function main() {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redisProc = start('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  let redis;
  for (let i = 0; ; i++) {
    // a client per attempt: refused until redis-server listens, and a refused client keeps reconnecting
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
      break;
    } catch (error) {
      redis.disconnect();
      if (i > 50) throw new Error(`redis-server did not start: ${error}\n${redisProc.log}`);
      await sleep(100);
    }
  }
  const metricsPorts = [await freePort(), await freePort()];
  const engines = metricsPorts.map((mport, i) =>
    start(`engine ${i + 1}`, process.execPath, [
      BIN,
      'engine',
      'vpin',
      '--redis',
      url,
      '--shards',
      String(shards),
      '--consumer',
      `soak-${i + 1}`,
      '--metrics-port',
      String(mport),
      '--cdf-window',
      values['cdf-window'],
    ]),
  );
  for (const e of engines) {
    for (let i = 0; !/^ready:/m.test(e.log); i++) {
      if (i > 600 || e.child.exitCode !== null) throw new Error(`${e.name} did not start:\n${e.log}`);
      await sleep(100);
    }
  }
  const seconds = minutes * 60;
  const feed = start('feed', process.execPath, [
    BIN,
    'feed',
    '--redis',
    url,
    '--symbols',
    values.symbols,
    '--rate',
    values.rate,
    '--shards',
    String(shards),
    '--seconds',
    String(seconds + 30),
  ]);
  const streams = Array.from({ length: shards }, (_, s) => `marketdata:TRADE_EXECUTION:${s}`);
  const samples = [];
  const t0 = performance.now();
  console.log(
    `soak: ${minutes} min, feed ${values.rate} trades/s over ${values.symbols} symbols, ${shards} shards, 2 engines (cdf window ${values['cdf-window']}), Redis ${url}`,
  );
  console.log('   min  rss1 MB  rss2 MB  p99_1 ms  p99_2 ms  keys  ckpt KB  max rec B  processed/s');
  let lastProcessed = 0;
  let lastAt = t0;
  while (performance.now() - t0 < seconds * 1000) {
    await sleep(sampleMs);
    if (feed.child.exitCode !== null) throw new Error(`feed exited early:\n${feed.log}`);
    const texts = await Promise.all(metricsPorts.map((p) => fetch(`http://127.0.0.1:${p}/metrics`).then((r) => r.text())));
    let ckptBytes = 0;
    let maxRecord = 0;
    for (const s of streams) {
      for (const key of [`kb:{group:vpin}:ckpt:${s}`, `kb:{group:vpin}:ckpt-delta:${s}`]) ckptBytes += (await redis.memory('USAGE', key)) ?? 0;
      const hash = `kb:{group:vpin}:ckpt:${s}`;
      const fields = await redis.hkeys(hash);
      const pipeline = redis.pipeline();
      for (const f of fields) pipeline.hstrlen(hash, f);
      for (const [, n] of (await pipeline.exec()) ?? []) maxRecord = Math.max(maxRecord, Number(n));
    }
    const now = performance.now();
    const processed = texts.reduce((n, t) => n + metric(t, 'kernelbus_engine_processed_total'), 0);
    const sample = {
      min: (now - t0) / 60_000,
      rss: engines.map((e) => rssMb(e.child.pid)),
      p99: texts.map((t) => metric(t, 'nodejs_eventloop_lag_p99_seconds') * 1000),
      keys: texts.reduce((n, t) => n + metric(t, 'kernelbus_engine_keys'), 0),
      ckptBytes,
      maxRecord,
      rate: ((processed - lastProcessed) * 1000) / (now - lastAt),
    };
    lastProcessed = processed;
    lastAt = now;
    samples.push(sample);
    console.log(
      `${sample.min.toFixed(2).padStart(6)} ${sample.rss.map((x) => x.toFixed(1).padStart(8)).join(' ')} ${sample.p99.map((x) => x.toFixed(1).padStart(9)).join(' ')} ${String(sample.keys).padStart(5)} ${(ckptBytes / 1024).toFixed(0).padStart(8)} ${String(maxRecord).padStart(10)} ${sample.rate.toFixed(0).padStart(12)}`,
    );
  }
  await stopAll();
  await redis.quit().catch(() => undefined);
  // The trend of each series over the last half of the run.
  const half = samples.filter((s) => s.min >= minutes / 2);
  const xs = half.map((s) => s.min);
  const series = {
    'engine 1 RSS (MB)': [half.map((s) => s.rss[0]), TOLERANCE.rssMb],
    'engine 2 RSS (MB)': [half.map((s) => s.rss[1]), TOLERANCE.rssMb],
    'checkpoint hashes (bytes)': [half.map((s) => s.ckptBytes), TOLERANCE.ckptBytes],
    'largest checkpoint record (bytes)': [half.map((s) => s.maxRecord), TOLERANCE.maxRecord],
    'engine 1 event-loop p99 (ms)': [half.map((s) => s.p99[0]), TOLERANCE.p99Ms],
    'engine 2 event-loop p99 (ms)': [half.map((s) => s.p99[1]), TOLERANCE.p99Ms],
  };
  let failed = false;
  console.log(`\ntrend over the last half (${half.length} samples, ${xs[0]?.toFixed(1)}-${xs.at(-1)?.toFixed(1)} min):`);
  for (const [name, [ys, tolerance]] of Object.entries(series)) {
    if (ys.length < 3 || ys.some((y) => !Number.isFinite(y))) {
      console.log(`  ${name}: not enough samples`);
      failed = true;
      continue;
    }
    const rise = slope(xs, ys) * (xs.at(-1) - xs[0]);
    const relative = rise / Math.max(median(ys), 1e-9);
    const ok = relative <= tolerance;
    failed ||= !ok;
    console.log(
      `  ${ok ? 'flat' : 'RISING'}  ${name}: median ${median(ys).toFixed(1)}, fitted rise ${rise.toFixed(1)} (${(relative * 100).toFixed(1)}%, tolerance ${tolerance * 100}%)`,
    );
  }
  const rates = half.map((s) => s.rate);
  console.log(`  engines processed ${median(rates).toFixed(0)} trades/s (median of the last half; the feed's rate ${values.rate})`);
  console.log(failed ? '\nsoak: FAILED (a figure trends upward)' : '\nsoak: passed (every figure flat)');
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll();
    process.exit(1);
  },
);
