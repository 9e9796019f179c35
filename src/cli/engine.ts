/**
 * `kernelbus engine vpin|risk --redis URL`: an engine process on Redis Streams. VPIN processes started
 * with the same group share the input's shards; a risk engine runs alone in its group (it joins
 * portfolios with their universe's returns). Each checkpoints its state, so a process that stops or
 * dies is taken over (by the others, or by the next one started) without losing or double counting an
 * input. Runs until SIGINT/SIGTERM.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { BackendChoice } from '../api/kernels.js';
import type { Bus } from '../bus/bus.js';
import { TransportError } from '../bus/transports/redis-errors.js';
import type { RedisTransport } from '../bus/transports/redis.js';
import type { Engine } from '../engines/engine.js';
import { RiskEngine } from '../engines/risk.js';
import { VpinEngine } from '../engines/vpin.js';
import { KernelInputError } from '../errors.js';
import { connectRedisBus, DEFAULT_SHARDS, fmt, ms, parseNumber, parseRedisUrl, untilSignal } from './common.js';

/** `kernelbus engine --help`. */
export const ENGINE_USAGE = `Usage: kernelbus engine vpin|risk --redis URL [options]

Runs an engine process on Redis Streams until SIGINT or SIGTERM, in a consumer group, checkpointing
its state in Redis (kb:ckpt:<group>). On a signal it finishes the entries in hand, writes a checkpoint
and leaves the group; another process of the group (or this one, restarted) resumes from there.

vpin reads TRADE_EXECUTION from kb:marketdata:TRADE_EXECUTION:<shard> (processes of one group share
the shards), keeps a streaming VPIN per symbol, publishes VPIN_CALCULATION per bucket and RISK_ALERT
when the VPIN CDF crosses the threshold. The defaults match kernelbus feed's defaults.

risk reads RETURNS_UPDATE (kb:marketdata:RETURNS_UPDATE:<shard>: rows of asset returns per universe)
and PORTFOLIO_UPDATE (kb:logic:PORTFOLIO_UPDATE:<shard>: weights and VaR limit per portfolio), and
publishes per portfolio its historical and Gaussian VaR/ES and volatility over the universe's rolling
window as ANALYTICS_RESULT, and RISK_ALERT when the historical VaR reaches the limit. Run one risk
process per group (a second live one would take some of the streams); one started after it died or
stopped takes over.

Options:
  --redis URL          Redis server: redis://[user:password@]host[:port][/db], rediss:// for TLS (required)
  --group g            consumer group (default: the engine's name)
  --consumer c         consumer name in the group (default <hostname>-<pid>)
  --shards n           streams per type, as the publishers' (default ${DEFAULT_SHARDS})
  --checkpoint-ms ms   checkpoint period; 0 disables checkpoints (default 1000)
  --claim-idle-ms ms   a process silent this long loses its streams to the others (default 5000)
  --backend b          auto | native | reference (default auto)
vpin:
  --bucket-volume v    volume per VPIN bucket (default 2400)
  --window n           buckets per VPIN value (default 50)
  --bar-ms ms          time bar length (default 10)
  --threshold x        alert when the VPIN CDF reaches x (default 0.99)
risk:
  --window n           rows of returns per universe (default 250)
  --min-rows n         rows a universe needs before its portfolios get figures (default 20)
  --confidence c       VaR/ES confidence (default 0.95)
  --universe u         the universe of a portfolio that names none (default 'default')
`;

/**
 * Runs an engine with command-line arguments (without `engine`) until SIGINT/SIGTERM (or `signal`
 * aborts) and returns the exit code: 0, or 1 when Redis cannot be reached; throws KernelInputError for
 * a bad option. Prints `ready: ...` once reading, and a summary when it stops.
 */
export async function runEngine(argv: string[], out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      redis: { type: 'string' },
      group: { type: 'string' },
      consumer: { type: 'string' },
      shards: { type: 'string' },
      'bucket-volume': { type: 'string' },
      window: { type: 'string' },
      'bar-ms': { type: 'string' },
      threshold: { type: 'string' },
      'min-rows': { type: 'string' },
      confidence: { type: 'string' },
      universe: { type: 'string' },
      'checkpoint-ms': { type: 'string' },
      'claim-idle-ms': { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(ENGINE_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || !['vpin', 'risk'].includes(positionals[0])) {
    throw new KernelInputError('engine', "one engine name: 'vpin' or 'risk'", positionals.length === 0 ? 'none' : JSON.stringify(positionals.join(' ')));
  }
  const kind = positionals[0] as 'vpin' | 'risk';
  const url = parseRedisUrl(values.redis, true)!;
  const group = values.group ?? kind;
  const consumer = values.consumer ?? `${hostname()}-${process.pid}`;
  for (const [flag, value] of [['--group', group], ['--consumer', consumer]] as const) {
    if (value.length === 0) throw new KernelInputError(flag, 'a non-empty name', '""');
  }
  const only = kind === 'vpin' ? ['min-rows', 'confidence', 'universe'] : ['bucket-volume', 'bar-ms', 'threshold'];
  for (const flag of only) {
    if (values[flag as keyof typeof values] !== undefined) throw new KernelInputError(`--${flag}`, `an option of engine ${kind === 'vpin' ? 'risk' : 'vpin'}`, `engine ${kind}`);
  }
  const shards = parseNumber(values.shards, DEFAULT_SHARDS, '--shards', 1, 1024, true);
  const checkpointMs = parseNumber(values['checkpoint-ms'], 1000, '--checkpoint-ms', 0, 3_600_000, false);
  const claimIdleMs = parseNumber(values['claim-idle-ms'], 5000, '--claim-idle-ms', 30, 3_600_000, true);
  const backend = (values.backend ?? 'auto') as BackendChoice;
  if (!['auto', 'native', 'reference'].includes(backend)) {
    throw new KernelInputError('--backend', "'auto', 'native' or 'reference'", JSON.stringify(values.backend));
  }
  const common = { name: kind, group, consumer, checkpointMs, backend };
  let make: (bus: Bus) => Engine;
  if (kind === 'vpin') {
    const bucketVolume = parseNumber(values['bucket-volume'], 2400, '--bucket-volume', Number.MIN_VALUE, 1e15, false);
    const window = parseNumber(values.window, 50, '--window', 1, 1_000_000, true);
    const barMs = parseNumber(values['bar-ms'], 10, '--bar-ms', Number.MIN_VALUE, 86_400_000, false);
    const threshold = parseNumber(values.threshold, 0.99, '--threshold', 0, 1, false);
    make = (bus) => new VpinEngine(bus, { ...common, threshold, vpin: { bucketVolume, window, barMs, sigma: { ewma: 0.94 } } });
  } else {
    const window = parseNumber(values.window, 250, '--window', 2, 1_000_000, true);
    const minRows = parseNumber(values['min-rows'], Math.min(20, window), '--min-rows', 2, window, true);
    const confidence = parseNumber(values.confidence, 0.95, '--confidence', Number.EPSILON, 1 - Number.EPSILON, false);
    const universe = values.universe ?? 'default';
    if (universe.length === 0) throw new KernelInputError('--universe', 'a non-empty name', '""');
    make = (bus) => new RiskEngine(bus, { ...common, window, minRows, confidence, universe });
  }

  const stop = untilSignal(signal);
  let bus: Bus;
  try {
    bus = await connectRedisBus(url, shards, { claimIdleMs });
  } catch (error) {
    stop.dispose();
    if (!(error instanceof TransportError)) throw error;
    out.write(`kernelbus engine: ${error.message}\n`);
    return 1;
  }
  const transport = bus.transport('marketdata') as RedisTransport;
  let status: NodeJS.Timeout | undefined;
  const engine = make(bus);
  const streams = shards * (kind === 'vpin' ? 1 : 2);
  const unit = kind === 'vpin' ? 'trades' : 'updates';
  try {
    engine.start();
    await Promise.all(bus.buses.map((b) => (bus.transport(b) as RedisTransport).ready()));
    out.write(`ready: engine ${kind}, group ${group}, consumer ${consumer}, ${streams} streams on ${transport.target}${engine.checkpoints ? `, checkpoints every ${checkpointMs} ms` : ''}\n`);
    if (out.isTTY) {
      let last = { at: performance.now(), processed: 0 };
      status = setInterval(() => {
        const m = engine.metrics();
        const now = performance.now();
        const rate = ((m.processed - last.processed) * 1000) / (now - last.at);
        last = { at: now, processed: m.processed };
        const made = kind === 'vpin' ? `buckets ${fmt(m.extra.buckets)}  symbols ${fmt(m.keys)}` : `results ${fmt(m.extra.results)}  alerts ${fmt(m.extra.alerts)}`;
        out.write(`\r${fmt(m.processed).padStart(12)} ${unit}  ${fmt(rate).padStart(10)} msg/s  p50 ${ms(m.latencyMs.p50)} ms  p99 ${ms(m.latencyMs.p99)} ms  ${made}\x1b[K`);
      }, 500);
    }
    await stop.promise;
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    out.write(`kernelbus engine: ${error.message}\n`);
    return 1;
  } finally {
    stop.dispose();
    if (status) clearInterval(status);
    await engine.stop();
    await bus.close();
  }
  if (out.isTTY) out.write('\n');
  const m = engine.metrics();
  const x = m.extra;
  const made = kind === 'vpin'
    ? `${fmt(x.buckets)} buckets, ${fmt(x.alerts)} alerts, ${fmt(m.keys)} symbols`
    : `${fmt(x.results)} results, ${fmt(x.alerts)} alerts, ${fmt(x.universes)} universes, ${fmt(x.portfolios)} portfolios`;
  out.write(
    `stopped (${stop.received}): processed ${fmt(m.processed)} ${unit} in ${fmt(m.batches)} deliveries, ${fmt(m.duplicates)} duplicates skipped, ` +
      `${fmt(x.replayed ?? 0)} ${unit} replayed after takeovers, ${fmt(x.restoredKeys ?? 0)} ${kind === 'vpin' ? 'symbols' : 'keys'} restored; ${made}; ` +
      `${fmt(x.checkpoints ?? 0)} checkpoints (${fmt(x.checkpointErrors ?? 0)} failed); ` +
      `${fmt(x.republished)} republished ${unit} skipped; ` +
      `latency p50 ${ms(m.latencyMs.p50)} ms, p99 ${ms(m.latencyMs.p99)} ms\n`,
  );
  return 0;
}
