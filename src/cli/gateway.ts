/**
 * `kernelbus gateway --redis URL`: the WebSocket gateway and the live dashboard page over the engines'
 * Redis streams (src/gateway/, docs/gateway.md), until SIGINT/SIGTERM. The demo serves the same page
 * in-process with `kernelbus demo --dashboard [port]` (dashboardArgs() reads that flag).
 */
import type { Bus } from '../bus/bus.js';
import { type RedisTransport, TransportError } from '../bus/transports/redis/index.js';
import { KernelInputError } from '../errors.js';
import type { Gateway, GatewayOptions } from '../gateway/gateway.js';
import { connectRedisBus, DEFAULT_SHARDS, untilSignal } from './common.js';
import { createLog, LOG_FLAGS, LOG_USAGE, packageVersion, resolvedBackend } from './observe.js';
import { alignOptions, flag, parseCommand } from './options.js';

/** The gateway's default port. */
export const GATEWAY_PORT = 8600;

/** `kernelbus gateway --help`. */
export const GATEWAY_USAGE = alignOptions(
  `Usage: kernelbus gateway --redis URL [options]

Serves the engines' results on Redis Streams to WebSocket clients (ws://host:port/ws: subscribe to
message types and keys, JSON frames; the protocol is docs/gateway.md) and the live dashboard page at
http://host:port/ (bus throughput and latency, engine health and consumer-group lag, VPIN per symbol,
portfolio VaR against its limit, factor returns), with /metrics, /healthz and /readyz, until SIGINT
or SIGTERM. It reads every served type in consumer groups of its own (deleted when it stops), from
the messages appended after it starts.

Options:
  --redis URL        Redis server: redis://[user:password@]host[:port][/db], rediss:// for TLS, unix:///path
                     for its Unix socket on this machine (?db=N), or a Redis Cluster:
                     redis+cluster://[user:password@]host:port,host:port,... (required)
  --port p           port (default ${GATEWAY_PORT}; 0: any free port)
  --host h           address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  --token t          a token WebSocket clients must present (?token=t, or Authorization: Bearer t);
                     default: $KERNELBUS_GATEWAY_TOKEN, else none. The page passes on its own ?token=
  --origin list      other origins whose pages may connect, comma-separated (https://ops.example:443),
                     or '*' for any (default: the gateway's own page only)
  --shards n         streams per type, as the engines' (default ${DEFAULT_SHARDS})
${LOG_USAGE}`,
  23,
);

const FLAGS = {
  redis: flag.redis(true),
  port: flag.number(GATEWAY_PORT, 0, 65535, true),
  host: flag.name('127.0.0.1'),
  token: flag.name(),
  origin: flag.name(),
  shards: flag.number(DEFAULT_SHARDS, 1, 1024, true),
  ...LOG_FLAGS,
};

/** `--origin a,b` or '*' as GatewayOptions.origins. */
function originsOf(raw: string | undefined): GatewayOptions['origins'] {
  if (raw === undefined) return undefined;
  if (raw.trim() === '*') return '*';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      let url: URL;
      try {
        url = new URL(s);
      } catch {
        throw new KernelInputError('--origin', "origins such as https://host:port, comma-separated, or '*'", JSON.stringify(s));
      }
      return url.origin;
    });
}

/**
 * `kernelbus demo --dashboard [port]`: the flag may come without its port (parseArgs wants a value):
 * `--dashboard` followed by nothing or another flag becomes `--dashboard=8600`.
 */
export function dashboardArgs(argv: readonly string[]): string[] {
  return argv.map((a, i) =>
    a === '--dashboard' && (i + 1 === argv.length || argv[i + 1].startsWith('-')) ? `--dashboard=${GATEWAY_PORT}` : a,
  );
}

/** Starts a gateway on `bus` with the page, logging where it listens. */
export async function startGateway(bus: Bus, options: GatewayOptions, info: (line: string) => void): Promise<Gateway> {
  const { createGateway } = await import('../gateway/gateway.js');
  const gateway = await createGateway(bus, { build: { version: packageVersion(), backend: await resolvedBackend('auto') }, ...options });
  info(`dashboard: ${gateway.url} (WebSocket ${gateway.wsUrl}, metrics ${gateway.url}metrics)`);
  return gateway;
}

/**
 * Runs the gateway with command-line arguments (without `gateway`) until SIGINT/SIGTERM (or `signal`
 * aborts); returns the exit code: 0, or 1 when Redis cannot be reached. KernelInputError for a bad option.
 */
export async function runGateway(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  signal?: AbortSignal,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => out.write(GATEWAY_USAGE) });
  if (!parsed) return 0;
  const { port, host, shards } = parsed.values;
  const token = parsed.values.token ?? (process.env.KERNELBUS_GATEWAY_TOKEN || undefined);
  const origins = originsOf(parsed.values.origin);
  const log = await createLog('gateway', parsed.values['log-format'], out, err);
  let bus: Bus;
  try {
    bus = await connectRedisBus(parsed.values.redis!, shards);
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    log.error(error.message, { event: 'unreachable' });
    return 1;
  }
  const stop = untilSignal(signal);
  const { streamStatus } = await import('../bus/transports/redis/status.js');
  const source = bus.transport('compute') as RedisTransport;
  let gateway: Gateway | undefined;
  try {
    gateway = await startGateway(
      bus,
      {
        port,
        host: host ?? '127.0.0.1',
        token,
        origins,
        lag: async () => (await streamStatus(source)).filter((g) => g.group !== '' && !g.group.startsWith('gateway.')),
        ready: () => {
          const down = bus.buses.filter((b) => !bus.transport(b).healthy);
          return down.length === 0 ? true : `Redis not reachable (${down.join(', ')})`;
        },
      },
      (line) => log.info(line, { event: 'listening' }),
    );
    log.info(`ready: gateway on ${source.target}, ${shards} shards${token ? ', token required' : ''}`, { event: 'ready', shards });
    await stop.promise;
    const m = gateway.metrics();
    log.info(
      `stopped (${stop.received}): ${m.received} messages received, ${m.sent} sent, ${m.coalesced} coalesced, ${m.dropped} dropped`,
      {
        event: 'stopped',
        ...m,
      },
    );
    return 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    log.error(`port ${port} on ${host} is in use (--port 0 picks a free one)`, { event: 'port-in-use' });
    return 1;
  } finally {
    stop.dispose();
    await gateway?.close();
    await bus.close();
  }
}
