/**
 * `kernelbus status --redis URL [--json]`: every stream under the prefix, any process's, with each
 * consumer group's lag (entries not yet delivered), pending entries, the oldest one's age, dead
 * letters and consumers: a table per bus, stream, group and consumer, or JSON.
 */
import type { GroupStatus } from '../bus/transports/redis/status.js';
import { TransportError } from '../bus/transports/redis/index.js';
import { DEFAULT_PREFIX } from '../bus/transports/redis/options.js';
import { flag, parseCommand } from './options.js';
import { fmt, table } from './summary.js';

/** `kernelbus status --help`. */
export const STATUS_USAGE = `Usage: kernelbus status --redis URL [options]

Shows every stream of the bus under the prefix (whichever process publishes or reads it) and, per
consumer group: lag (entries not yet delivered to the group: XINFO GROUPS on Redis >= 7, counted from
the group's last-delivered id before), pending (delivered, not acknowledged), the oldest pending
entry's age, the stream's dead letters, and each consumer's pending entries and idle time.

Options:
  --redis URL     Redis server or cluster (as kernelbus engine's) (required)
  --prefix p      key prefix (default ${DEFAULT_PREFIX})
  --json          one JSON document on stdout: { streams: [...] } with every figure
`;

const FLAGS = {
  redis: flag.redis(true),
  prefix: flag.name(DEFAULT_PREFIX),
  json: flag.boolean(),
};

/** The lines of the status table. */
export function statusTable(groups: readonly GroupStatus[]): string[] {
  if (groups.length === 0) return ['no streams'];
  const rows: string[][] = [];
  for (const g of groups) {
    const base = [
      g.bus || '-',
      g.stream,
      g.group || '(no group)',
      fmt(g.length),
      fmt(g.lag),
      fmt(g.pending),
      g.oldestPendingSeconds > 0 ? `${g.oldestPendingSeconds.toFixed(1)} s` : '-',
      fmt(g.deadLetters),
    ];
    if (g.consumers.length === 0) rows.push([...base, '-', '-', '-']);
    for (const c of g.consumers) rows.push([...base, c.name, fmt(c.pending), `${(c.idleMs / 1000).toFixed(1)} s`]);
  }
  return table(['bus', 'stream', 'group', 'length', 'lag', 'pending', 'oldest', 'dead letters', 'consumer', 'its pending', 'idle'], rows);
}

/** Runs `kernelbus status` (without `status`): 0, or 1 when Redis cannot be reached. */
export async function runStatus(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => out.write(STATUS_USAGE) });
  if (!parsed) return 0;
  const { redis, prefix, json } = parsed.values;
  const { RedisTransport } = await import('../bus/transports/redis/index.js');
  const { streamStatus } = await import('../bus/transports/redis/status.js');
  const t = new RedisTransport({ url: redis!, prefix: prefix! });
  try {
    await t.ready();
    const groups = await streamStatus(t);
    if (json) {
      out.write(`${JSON.stringify({ target: t.target, prefix: t.prefix, streams: groups }, null, 2)}\n`);
    } else {
      out.write(`${t.target}, keys under ${t.prefix}\n`);
      out.write(`${statusTable(groups).join('\n')}\n`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    err.write(`kernelbus status: ${error.message}\n`);
    return 1;
  } finally {
    await t.close();
  }
}
