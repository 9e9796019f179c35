/**
 * `kernelbus dlq list|show|redrive|drop --redis URL`: the dead letters of a bus. `list` shows every
 * dead-letter stream with entries; `show <stream>` its entries (error, source, group, consumer,
 * deliveries); `redrive <stream> [id...]` re-appends the original entries to their stream and removes
 * the dead letters (after a fix: the engines apply them once); `drop <stream> [id...]` removes them.
 */
import { KernelInputError } from '../errors.js';
import { DEFAULT_PREFIX } from '../bus/transports/redis/options.js';
import { withRedis } from './redis-admin.js';
import { flag, parseCommand } from './options.js';
import { fmt, table } from './summary.js';

/** `kernelbus dlq --help`. */
export const DLQ_USAGE = `Usage: kernelbus dlq list|show|redrive|drop [stream] [id...] --redis URL [options]

The dead letters of a bus: entries that failed maxDeliveries times, were malformed or held data a
kernel rejected, kept in <stream>:dlq with the error, the source entry, the group and consumer.

  list                      every dead-letter stream with entries: stream, count, first and last id
  show <stream> [id...]     its dead letters (or those ids): error, source, group, consumer, deliveries
  redrive <stream> [id...]  re-append the original entries (all, or those ids) to <stream> and remove
                            the dead letters: do it once the cause is fixed; engines apply them once
  drop <stream> [id...]     remove the dead letters (all, or those ids)

<stream> is the bus's name of a stream, as list shows it: marketdata:TRADE_EXECUTION:0.

Options:
  --redis URL     Redis server or cluster (required)
  --prefix p      key prefix (default ${DEFAULT_PREFIX})
  --limit n       show at most n entries (default 100)
  --json          JSON on stdout
`;

const ACTIONS = ['list', 'show', 'redrive', 'drop'] as const;
type Action = (typeof ACTIONS)[number];

const FLAGS = {
  redis: flag.redis(true),
  prefix: flag.name(DEFAULT_PREFIX),
  limit: flag.number(100, 1, 1_000_000, true),
  json: flag.boolean(),
};

/** Runs `kernelbus dlq` (without `dlq`). */
export async function runDlq(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, {
    help: () => out.write(DLQ_USAGE),
    positionals: (p) => {
      if (!ACTIONS.includes(p[0] as Action))
        throw new KernelInputError('dlq', "an action: 'list', 'show', 'redrive' or 'drop'", p.length === 0 ? 'none' : JSON.stringify(p[0]));
      if (p[0] === 'list' && p.length > 1) throw new KernelInputError('dlq list', 'no stream', JSON.stringify(p[1]));
      if (p[0] !== 'list' && p.length < 2) throw new KernelInputError(`dlq ${p[0]}`, 'a stream (as dlq list names it)', 'none');
    },
  });
  if (!parsed) return 0;
  const [action, stream, ...ids] = parsed.positionals as [Action, string, ...string[]];
  for (const id of ids) if (!/^\d+-\d+$/.test(id)) throw new KernelInputError(`dlq ${action}`, 'entry ids <ms>-<seq>', JSON.stringify(id));
  const { json, limit } = parsed.values;
  const write = (value: unknown, lines: () => string[]) =>
    out.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${lines().join('\n')}\n`);
  return withRedis('dlq', parsed.values.redis!, parsed.values.prefix!, err, async (t) => {
    const dl = await import('../bus/transports/redis/dead-letters.js');
    if (action === 'list') {
      const streams = await dl.deadLetterStreams(t);
      write({ streams }, () =>
        streams.length === 0
          ? ['no dead letters']
          : table(
              ['stream', 'dead letters', 'first', 'last'],
              streams.map((s) => [s.stream, fmt(s.length), s.firstId ?? '-', s.lastId ?? '-']),
            ),
      );
      return 0;
    }
    if (action === 'show') {
      const entries = ids.length
        ? (await Promise.all(ids.map((id) => dl.readDeadLetters(t, stream, id, id, 1)))).flat()
        : await dl.readDeadLetters(t, stream, '-', '+', limit);
      write({ stream, entries }, () =>
        entries.length === 0
          ? [`no dead letters on ${stream}`]
          : entries.map(
              (e) =>
                `${e.id}  key ${e.key}  ${e.count === undefined ? `malformed frame (field n says ${e.claimed})` : `${fmt(e.count)} messages`}  ${e.frameBytes} bytes${e.type ? ` ${e.type}` : ''}  from ${e.source}  group ${e.group} consumer ${e.consumer}  deliveries ${e.deliveries}\n  ${e.error}`,
            ),
      );
      return 0;
    }
    if (action === 'redrive') {
      const done = await dl.redrive(t, stream, ids.length ? ids : undefined);
      const missing = ids.filter((id) => !done.has(id));
      write({ stream, redriven: Object.fromEntries(done), missing }, () => [
        `redrove ${fmt(done.size)} dead letters to ${stream}${missing.length ? `; not found: ${missing.join(' ')}` : ''}`,
      ]);
      return missing.length ? 1 : 0;
    }
    const dropped = await dl.dropDeadLetters(t, stream, ids.length ? ids : undefined);
    write({ stream, dropped }, () => [`dropped ${fmt(dropped)} dead letters of ${stream}`]);
    return 0;
  });
}
