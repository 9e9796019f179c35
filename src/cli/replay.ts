/**
 * `kernelbus replay --redis URL --type TRADE_EXECUTION --from <time> [--to <time>] --engine vpin`: runs a
 * fresh engine, in this process, over the trades Redis still holds from a point in time (a fix
 * deployed to an engine, checked against yesterday's trades). It reads in a consumer group of its own
 * that starts at `--from` (SubscribeOptions.from), skips what was appended after `--to` or after it
 * started, ends the data once the group has read each stream's last entry as it started, prints the
 * engine's results and deletes its group. Its outputs stay in this process: nothing is published.
 */
import { randomBytes } from 'node:crypto';
import { createBus } from '../bus/bus.js';
import type { BusMessage } from '../bus/messages.js';
import { VpinEngine, type VpinCalculation } from '../engines/vpin.js';
import { KernelInputError } from '../errors.js';
import { DEFAULT_SHARDS } from './common.js';
import { badTradesFlag, badTradesUsage } from './bad-trades.js';
import { flag, parseCommand, parseNumber } from './options.js';
import { withRedis } from './redis-admin.js';
import type { RedisTransport } from '../bus/transports/redis/transport.js';
import { idMs, record } from '../bus/transports/redis/status.js';
import { compareEntryIds } from '../bus/transports/types.js';
import { DEFAULT_PREFIX } from '../bus/transports/redis/options.js';
import { fixed, fmt, table } from './summary.js';

/** `kernelbus replay --help`. */
export const REPLAY_USAGE = `Usage: kernelbus replay --redis URL --type TRADE_EXECUTION --from <time> [--to <time>] --engine vpin [options]

Runs a fresh engine over what the streams of --type still hold from --from on (to --to), in this
process, in a consumer group of its own (deleted at the end), up to the streams' last entries as it
starts (what a live feed appends meanwhile is skipped), and prints its results: per symbol the
buckets and the last VPIN; with --json every bucket. Nothing is published to Redis. The streams must
still hold the entries (MAXLEN trims them).

Options:
  --redis URL          Redis server or cluster (required)
  --type t             the input type (TRADE_EXECUTION for the vpin engine) (required)
  --from time          ISO 8601 (2026-11-20T14:30:00Z), epoch ms, or an entry id <ms>-<seq> (required)
  --to time            the last entries replayed: appended at or before this time (default: all)
  --engine e           vpin (required)
  --shards n           streams per type, as the publishers' (default ${DEFAULT_SHARDS})
  --prefix p           key prefix (default ${DEFAULT_PREFIX})
  --backend b          auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --bucket-volume v    volume per VPIN bucket (default 2400, as kernelbus engine vpin's)
  --window n           buckets per VPIN value (default 50)
  --bar-ms ms          time bar length (default 10)
${badTradesUsage('skip', 23)}  --json               every bucket as JSON: { from, to, trades, badTrades, symbols: { <key>: [buckets] } }
`;

const FLAGS = {
  redis: flag.redis(true),
  type: flag.string(),
  from: flag.string(),
  to: flag.string(),
  engine: flag.string(),
  shards: flag.number(DEFAULT_SHARDS, 1, 1024, true),
  prefix: flag.name(DEFAULT_PREFIX),
  backend: flag.backend(),
  'bucket-volume': flag.string(),
  window: flag.string(),
  'bar-ms': flag.string(),
  'bad-trades': badTradesFlag('skip'),
  json: flag.boolean(),
};

/** A time: an entry id, epoch ms, or ISO 8601. */
function parseTime(value: string | undefined, name: string): { id: string } | { ts: number } | undefined {
  if (value === undefined) return undefined;
  if (/^\d+-\d+$/.test(value)) return { id: value };
  const ts = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ts)) throw new KernelInputError(name, 'an ISO 8601 time, epoch ms or an entry id <ms>-<seq>', JSON.stringify(value));
  return { ts };
}

/** The id of the last entry of stream `key` (undefined when it holds none). */
async function lastEntryId(t: RedisTransport, key: string): Promise<string | undefined> {
  const [last] = (await t.cmd.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
  return last?.[0];
}

/**
 * Whether `group` has been delivered the entry `end` of stream `key` and acknowledged every entry up to
 * it (true for a stream that held none). Two small commands (XINFO GROUPS, XPENDING's summary): the
 * group's lag is not counted, which on a group made at a time Redis can only do entry by entry.
 */
async function readTo(t: RedisTransport, key: string, group: string, end: string | undefined): Promise<boolean> {
  if (end === undefined) return true;
  const groups = (await t.cmd.xinfo('GROUPS', key)) as unknown[];
  const mine = groups.map(record).find((g) => g.name === group);
  if (!mine || compareEntryIds(end, String(mine['last-delivered-id'])) > 0) return false;
  if (Number(mine.pending) === 0) return true;
  const [, oldest] = (await t.cmd.xpending(key, group)) as [number, string | null];
  return oldest === null || compareEntryIds(oldest, end) > 0;
}

/** Runs `kernelbus replay` (without `replay`). */
export async function runReplay(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => out.write(REPLAY_USAGE) });
  if (!parsed) return 0;
  const v = parsed.values;
  if (v.engine !== 'vpin')
    throw new KernelInputError(
      '--engine',
      "'vpin' (the engine replay runs today)",
      v.engine === undefined ? 'nothing' : JSON.stringify(v.engine),
    );
  if (v.type !== 'TRADE_EXECUTION')
    throw new KernelInputError(
      '--type',
      "'TRADE_EXECUTION' (the vpin engine's input)",
      v.type === undefined ? 'nothing' : JSON.stringify(v.type),
    );
  const from = parseTime(v.from, '--from');
  if (from === undefined) throw new KernelInputError('--from', 'a time to replay from', 'nothing');
  const toTime = parseTime(v.to, '--to');
  const bucketVolume = parseNumber(v['bucket-volume'], 2400, '--bucket-volume', Number.MIN_VALUE, 1e15, false);
  const window = parseNumber(v.window, 50, '--window', 1, 1_000_000, true);
  const barMs = parseNumber(v['bar-ms'], 10, '--bar-ms', Number.MIN_VALUE, 86_400_000, false);

  return withRedis('replay', v.redis!, v.prefix!, err, async (t) => {
    const streams = Array.from({ length: v.shards }, (_, s) => t.keys.stream(`marketdata:TRADE_EXECUTION:${s}`));
    // The replay ends at each stream's last entry as it starts: what a live feed appends meanwhile is
    // left out (as after --to), so that a replay on a live bus ends.
    const ends = await Promise.all(streams.map((key) => lastEntryId(t, key)));
    const endMs = Math.max(0, ...ends.map((id) => (id === undefined ? 0 : idMs(id))));
    const until = toTime === undefined ? endMs : Math.min(endMs, 'ts' in toTime ? toTime.ts : idMs(toTime.id));
    // The trades come from Redis; the engine's outputs stay on in-process buses.
    const bus = createBus({ shards: v.shards, transports: { marketdata: t } });
    const group = `replay-${randomBytes(4).toString('hex')}`;
    const results = new Map<string, VpinCalculation[]>();
    bus.subscribe('VPIN_CALCULATION', (m: BusMessage<VpinCalculation>) => {
      let list = results.get(m.key);
      if (!list) results.set(m.key, (list = []));
      list.push(m.payload);
    });
    const engine = new VpinEngine(bus, {
      group,
      consumer: 'replay',
      checkpointMs: 0,
      heartbeatMs: 0,
      from,
      until,
      backend: v.backend,
      vpin: { bucketVolume, window, barMs, sigma: { ewma: 0.94 } },
      badTrades: v['bad-trades'],
      onBadTrade: (bad) => err.write(`rejected: ${bad.message}\n`),
    });
    const started = performance.now();
    try {
      engine.start();
      await t.reading();
      // Done once the group has been delivered every stream's end and acknowledged all up to it.
      for (let s = 0; s < streams.length; s++) {
        while (!(await readTo(t, streams[s], group, ends[s]))) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await engine.close();
      await bus.drain();
    } finally {
      await engine.stop();
      for (const key of streams) await t.cmd.xgroup('DESTROY', key, group).catch(() => 0);
      await bus.close();
    }
    const m = engine.metrics();
    const keys = [...results.keys()].sort();
    const bad = Object.values(m.badTrades).reduce((a, b) => a + b, 0);
    const seconds = (performance.now() - started) / 1000;
    if (v.json) {
      const symbols = Object.fromEntries(keys.map((k) => [k, results.get(k)!.sort((a, b) => a.bucket - b.bucket)]));
      out.write(
        `${JSON.stringify({ from, to: toTime ?? null, trades: m.processed, skippedAfterTo: m.extra.skippedAfterUntil ?? 0, badTrades: m.badTrades, buckets: m.extra.buckets, symbols })}\n`,
      );
      return 0;
    }
    out.write(
      `replayed ${fmt(m.processed)} trades of ${fmt(keys.length)} symbols in ${fixed(seconds, 2)} s from ${v.from}${v.to ? ` to ${v.to}` : ''}: ${fmt(m.extra.buckets)} buckets${bad > 0 ? `; ${fmt(bad)} bad trade${bad === 1 ? '' : 's'} left out (--bad-trades)` : ''}\n`,
    );
    const rows = keys.map((k) => {
      const list = results.get(k)!;
      const last = list.reduce((a, b) => (b.bucket > a.bucket ? b : a));
      return [k, fmt(list.length), fixed(last.vpin, 4), fixed(last.cdf, 3)];
    });
    if (rows.length) out.write(`${table(['symbol', 'buckets', 'last vpin', 'cdf'], rows).join('\n')}\n`);
    return 0;
  });
}
