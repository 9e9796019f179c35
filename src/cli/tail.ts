/**
 * `kernelbus tail <TYPE> --redis URL`: prints the messages of one type as its streams hold them, every
 * bus and shard of it, one line per message (JSON with --json), decoded as a subscriber gets them
 * (frames and packed entries, msgpack payloads, trade columns). It reads with XRANGE (./tail-read.ts):
 * no consumer group, nothing acknowledged, nothing written. Without --from it follows what is appended
 * from now on until SIGINT; with --from it reads from there to the end (and on with --follow). --dedupe
 * drops repeats (./tail-format.ts): what a restarted engine publishes again after its last checkpoint.
 */
import { MESSAGE_TYPES } from '../bus/messages.js';
import { DEFAULT_PREFIX } from '../bus/transports/redis/options.js';
import type { RedisTransport } from '../bus/transports/redis/transport.js';
import { KernelbusError, KernelInputError } from '../errors.js';
import { untilSignal } from './common.js';
import { alignOptions, flag, nearest, parseCommand } from './options.js';
import { withRedis } from './redis-admin.js';
import { fmt } from './summary.js';
import { Dedupe, ID_TYPES, identityRule, json, recordOf, textLine } from './tail-format.js';
import { type BusStream, busStreams, decodeEntry, MergedReader } from './tail-read.js';

/** `kernelbus tail --help`. */
export const TAIL_USAGE = alignOptions(
  `Usage: kernelbus tail <TYPE> --redis URL [--from <id|time|start>] [--follow] [--count n] [--json] [--dedupe]

Prints the messages of TYPE (ORDER_FILL, TRADE_EXECUTION, ... or a type of your own) that the streams
of the bus hold, every bus and shard of it, in entry-id order, one line per message: entry id, stream,
key, ts and payload (--json: one JSON object a line, { id, stream, type, key, ts, payload }). Frames and
packed entries are decoded as a subscriber gets them: msgpack payloads as JSON, a trade frame's columns
as arrays of numbers (with count, and watermark where it has one); watermark-only frames are left out.
It reads with XRANGE, in no consumer group: it acknowledges nothing and changes nothing on the server.

Without --from it prints what is appended from now on, until SIGINT (as tail -f). With --from it
prints what the streams hold from there and exits at their end (--follow: and goes on).

Options:
  --redis URL     Redis server or cluster (as kernelbus engine's) (required)
  --from x        start (the oldest entry the streams still hold), end (the default: what comes next),
                  an entry id <ms>-<seq> (that entry on), or a time: epoch ms or ISO 8601 (entries
                  appended at or after it: an entry id's time, as kernelbus replay --from's, not the ts
                  in the payload)
  --follow        after the end, go on printing what is appended, until SIGINT (the default without --from)
  --count n       stop after n messages
  --bus b         only the streams of this bus (default: every bus with streams of TYPE)
  --prefix p      key prefix (default ${DEFAULT_PREFIX})
  --json          one JSON object per line
  --dedupe        print each message once, by its identity: ORDER_FILL by ${ID_TYPES.ORDER_FILL},
                  STRATEGY_SIGNAL by ${ID_TYPES.STRATEGY_SIGNAL} (payload.id), any other type by its
                  content (key, ts and payload); at the end, on stderr, how many repeats were dropped,
                  and how many of them differed from the first under the same id (none should: a
                  restarted engine publishes again, identical, what it published after its last
                  checkpoint; docs/strategy.md)
`,
  18,
);

const FLAGS = {
  redis: flag.redis(true),
  from: flag.string(),
  follow: flag.boolean(),
  count: flag.optionalNumber(1, Number.MAX_SAFE_INTEGER, true),
  bus: flag.name(),
  prefix: flag.name(DEFAULT_PREFIX),
  json: flag.boolean(),
  dedupe: flag.boolean(),
};

/** How often a followed stream is read again when it had nothing new, ms. */
const POLL_MS = 50;
/** How often a follow looks for new streams of the type (a shard's first entry), ms. */
const RESCAN_MS = 1000;

/** Where --from starts: an XRANGE start (`-`, an id or a time), or 'end' (after each stream's last entry now). */
export function parseFrom(raw: string | undefined): string | 'end' {
  if (raw === undefined || raw === 'end' || raw === '$') return 'end';
  if (raw === 'start' || raw === '-') return '-';
  if (/^\d+-\d+$/.test(raw)) return raw;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new KernelInputError(
      '--from',
      'start, end, an entry id <ms>-<seq>, epoch ms or an ISO 8601 time (2026-11-20T14:30:00Z)',
      JSON.stringify(raw),
    );
  return String(ms);
}

/**
 * Checks TYPE: a known message type, or one with streams here. Otherwise KernelInputError naming TYPE,
 * with the nearest type (any case) as "did you mean".
 */
function checkType(type: string, streams: readonly BusStream[], prefix: string): void {
  const here = new Set(streams.map((s) => s.type));
  if ((MESSAGE_TYPES as readonly string[]).includes(type) || here.has(type)) return;
  const known = [...new Set<string>([...MESSAGE_TYPES, ...here])];
  const guess = known.find((k) => k.toUpperCase() === type.toUpperCase()) ?? nearest(type.toUpperCase(), known);
  throw new KernelInputError(
    'TYPE',
    `a message type (kernelbus tail --help) or a type with streams under ${prefix}`,
    `${JSON.stringify(type)}${guess ? ` (did you mean ${guess}?)` : ''}`,
  );
}

/** Writes lines to `out`, waiting while it is full (a pipe to a slower reader); false once it failed (EPIPE: `| head`). */
function lineWriter(out: NodeJS.WritableStream): { write(line: string): Promise<boolean> } {
  let failed = false;
  let wake: (() => void) | undefined;
  out.on('error', () => {
    failed = true;
    wake?.();
  });
  return {
    async write(line) {
      if (failed) return false;
      if (!out.write(`${line}\n`)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          out.once('drain', resolve);
        });
        out.off('drain', wake!);
        wake = undefined;
      }
      return !failed;
    },
  };
}

/** `n things`, `1 thing`. */
const plural = (n: number, what: string) => `${fmt(n)} ${what}${n === 1 ? '' : 's'}`;

/** What one run of tail needs: the options and where the lines go. */
interface TailRun {
  type: string;
  bus: string | undefined;
  prefix: string;
  from: string | 'end';
  follow: boolean;
  count: number;
  json: boolean;
  dedupe: Dedupe | undefined;
  out: { write(line: string): Promise<boolean> };
  err: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** The streams of the run's type (and bus). */
async function streamsOf(t: RedisTransport, run: TailRun): Promise<{ all: BusStream[]; mine: BusStream[] }> {
  const all = await busStreams(t);
  return { all, mine: all.filter((s) => s.type === run.type && (run.bus === undefined || s.bus === run.bus)) };
}

/** Reads and prints (see the file's header); returns the messages printed. */
async function tail(t: RedisTransport, run: TailRun): Promise<number> {
  const { all, mine } = await streamsOf(t, run);
  checkType(run.type, all, run.prefix);
  const reader = new MergedReader(t);
  const ends = run.from === 'end' ? await MergedReader.ends(t, mine) : new Map<string, string>();
  // a stream found later is read whole when following from the end (all of it came after the start)
  const startOf = (s: BusStream) => ends.get(s.key) ?? (run.from === 'end' ? '-' : run.from);
  for (const s of mine) reader.add(s, startOf(s));
  const stop = untilSignal(run.signal);
  if (run.follow) {
    const buses = [...new Set(mine.map((s) => s.bus))].join(', ');
    run.err.write(
      `kernelbus tail: following ${run.type} (${plural(mine.length, 'stream')}${buses ? ` of ${buses}` : ''} under ${run.prefix}) until SIGINT\n`,
    );
  }
  let printed = 0;
  try {
    let scanned = performance.now();
    for (;;) {
      for await (const entry of reader.entries()) {
        const decoded = decodeEntry(entry);
        if ('error' in decoded) {
          run.err.write(`kernelbus tail: entry ${entry.id} of ${entry.from.stream} skipped: ${decoded.error}\n`);
          continue;
        }
        for (const { message, trades } of decoded.messages) {
          const record = recordOf(message, trades);
          const payload = json(record.payload);
          if (run.dedupe?.repeat(record, payload)) continue;
          const line = run.json ? json(record) : textLine(record, payload);
          if (!(await run.out.write(line)) || ++printed >= run.count) return printed;
        }
        if (stop.received) return printed;
      }
      if (!run.follow || stop.received) return printed;
      await Promise.race([new Promise((resolve) => setTimeout(resolve, POLL_MS)), stop.promise]);
      if (stop.received) return printed;
      if (performance.now() - scanned >= RESCAN_MS) {
        scanned = performance.now();
        for (const s of (await streamsOf(t, run)).mine) if (!reader.has(s.key)) reader.add(s, startOf(s));
      }
    }
  } finally {
    stop.dispose();
  }
}

/** Runs `kernelbus tail` (without `tail`): 0, 1 when Redis cannot be reached; `signal` ends a follow as SIGINT does. */
export async function runTail(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  signal?: AbortSignal,
): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, {
    help: () => out.write(TAIL_USAGE),
    positionals: (p) => {
      if (p.length !== 1 || p[0] === '')
        throw new KernelInputError('TYPE', 'one message type (kernelbus tail ORDER_FILL)', p.length === 1 ? '""' : `${p.length} arguments`);
    },
  });
  if (!parsed) return 0;
  const v = parsed.values;
  const from = parseFrom(v.from);
  const run: TailRun = {
    type: parsed.positionals[0],
    bus: v.bus,
    prefix: v.prefix!,
    from,
    follow: v.follow || v.from === undefined,
    count: v.count ?? Infinity,
    json: v.json,
    dedupe: v.dedupe ? new Dedupe() : undefined,
    out: lineWriter(out),
    err,
    signal,
  };
  return withRedis('tail', v.redis!, v.prefix!, err, async (t) => {
    let printed: number;
    try {
      printed = await tail(t, run);
    } catch (error) {
      // Redis lost while reading (a restart, a failover): one line, exit 1
      if (error instanceof KernelbusError) throw error;
      err.write(`kernelbus tail: reading ${t.target}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    if (run.dedupe) {
      const { dropped, differing } = run.dedupe;
      const apart = differing > 0 ? `; ${fmt(differing)} of them differed from the first (the first kept)` : '';
      err.write(
        `kernelbus tail: ${plural(printed, `${run.type} message`)} printed, ${plural(dropped, 'repeat')} dropped (${identityRule(run.type)})${apart}\n`,
      );
    }
    return 0;
  });
}
