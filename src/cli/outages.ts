/**
 * What a long-running command (engine, feed) knows of its Redis servers, from local state only: per
 * server, whether it answers (the transport's PING watch) and takes writes (a small SET every probeMs,
 * which sees a server refusing writes under maxmemory), for /readyz; one log line when a server stops
 * answering and one when it is back, with what happened between (publish errors, reconnects, failed
 * checkpoints), rate-limited; and the transport's own messages, rate-limited too.
 */
import type { Bus } from '../bus/bus.js';
import type { Transport } from '../bus/transports/types.js';
import type { Log } from './observe.js';

/** Options of OutageWatch. */
export interface OutageWatchOptions {
  /** The command's log (text or JSON lines). */
  log: Log;
  /**
   * Counters of the process's own that an outage moves (e.g. `{ failedCheckpoints }`), read at each
   * transition; the back line reports how much each moved. The bus's publish errors and the transports'
   * reconnects are counted without it.
   */
  counters?: () => Record<string, number>;
  /** Period of the state check and of the write probe's turn, ms. Default 250. */
  pollMs?: number;
  /** A write probe every this many ms. Default 1000. */
  probeMs?: number;
  /**
   * How long a write probe waits for its reply. Default 2000 ms: longer than the PING watch takes to see
   * a server that stopped answering altogether (a PING late by healthTimeoutMs, 1 s for the commands, found
   * at a 250 ms tick), so such an outage is named by its PINGs; the probe names a server that answers
   * PINGs but not writes (one refusing them under maxmemory, or blocked on its disk).
   */
  probeTimeoutMs?: number;
  /** At most one line per server per this many ms (outages meanwhile are summed into the next line). Default 10,000. */
  quietMs?: number;
}

/** One Redis server (a target) and the buses on it. */
interface Server {
  target: string;
  buses: string[];
  transports: Transport[];
  /** The last write probe's answer (true, or why not), undefined before the first. */
  probed: true | string | undefined;
  probing: boolean;
  /** Why it is down now; undefined while it answers. */
  down: string | undefined;
  /** Checks in a row that found it not answering (DEBOUNCE of them make an outage). */
  failing: number;
  downAt: number;
  /** A down line was written and its back line is due. */
  reported: boolean;
  /** Outages not yet reported (suppressed by quietMs), and the counters when the first of them began. */
  unreported: number;
  base: Record<string, number> | undefined;
  /** When the last line about this server was written (performance.now), -Infinity before any. */
  lineAt: number;
}

/**
 * Checks in a row (pollMs apart) that must find a server not answering before it counts as down: a
 * connection still being opened at start, or one PING late, is not an outage.
 */
const DEBOUNCE = 2;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Watches every bus's Redis (grouped by server) until close(): see the module's comment. `ready()`
 * answers /readyz from what it last saw, without waiting on Redis.
 */
export class OutageWatch {
  private readonly servers: Server[] = [];
  private readonly unwatch: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly pollMs: number;
  private readonly probeMs: number;
  private readonly probeTimeoutMs: number;
  private readonly quietMs: number;
  private lastProbe = -Infinity;

  constructor(
    private readonly bus: Pick<Bus, 'buses' | 'transport' | 'metrics'>,
    private readonly options: OutageWatchOptions,
  ) {
    this.pollMs = options.pollMs ?? 250;
    this.probeMs = options.probeMs ?? 1000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 2000;
    this.quietMs = options.quietMs ?? 10_000;
    const byTarget = new Map<string, Server>();
    for (const name of bus.buses) {
      const t = bus.transport(name);
      const target = t.target ?? t.name;
      let server = byTarget.get(target);
      if (!server) {
        server = {
          target,
          buses: [],
          transports: [],
          probed: undefined,
          probing: false,
          down: undefined,
          failing: 0,
          downAt: 0,
          reported: false,
          unreported: 0,
          base: undefined,
          lineAt: -Infinity,
        };
        byTarget.set(target, server);
        this.servers.push(server);
      }
      server.buses.push(name);
      if (!server.transports.includes(t)) {
        server.transports.push(t);
        const stop = t.watchHealth?.();
        if (stop) this.unwatch.push(stop);
      }
    }
    this.timer = setInterval(() => this.check(), this.pollMs);
    this.timer.unref();
    this.check();
  }

  /** Ready (true) while every server answers PINGs and took the last write probe; else which does not and why. */
  ready(): true | string {
    const down = this.servers.flatMap((s) => (s.down === undefined ? [] : [`${s.buses.join(', ')}: ${s.down}`]));
    return down.length === 0 ? true : `Redis not answering (${down.join('; ')})`;
  }

  /** Stops watching (no more lines). */
  close(): void {
    clearInterval(this.timer);
    for (const stop of this.unwatch) stop();
  }

  /** Why server `s` counts as down now (undefined: it answers). */
  private why(s: Server): string | undefined {
    if (!s.transports.every((t) => t.healthy)) return 'no reply to PING in time (or not connected)';
    if (typeof s.probed === 'string') return `write refused: ${s.probed}`;
    return undefined;
  }

  /** What an outage moves: the buses' publish errors, the transports' reconnects, the caller's counters. */
  private counters(s: Server): Record<string, number> {
    const m = this.bus.metrics();
    const transport = (field: string) =>
      sum(s.transports.map((t) => Number((t.metrics() as unknown as Record<string, unknown>)[field] ?? 0)));
    return {
      failedPublishes: sum(s.buses.map((b) => m.buses[b]?.publishErrors ?? 0)),
      reconnects: transport('reconnects'),
      ...this.options.counters?.(),
    };
  }

  private check(): void {
    const now = performance.now();
    if (now - this.lastProbe >= this.probeMs) {
      this.lastProbe = now;
      for (const s of this.servers) this.probe(s);
    }
    for (const s of this.servers) this.update(s, now);
  }

  private probe(s: Server): void {
    const t = s.transports[0];
    if (s.probing || !t.probe) return;
    s.probing = true;
    void t.probe(this.probeTimeoutMs).then((answer) => {
      s.probing = false;
      s.probed = answer;
    });
  }

  private update(s: Server, now: number): void {
    const why = this.why(s);
    const { log } = this.options;
    s.failing = why === undefined ? 0 : s.failing + 1;
    if (why !== undefined && s.down === undefined && s.failing >= DEBOUNCE) {
      s.down = why;
      s.downAt = now;
      s.base ??= this.counters(s);
      if (now - s.lineAt >= this.quietMs) {
        s.reported = true;
        s.lineAt = now;
        log.error(`Redis ${s.target} (${s.buses.join(', ')}) stopped answering: ${why}`, {
          event: 'redis-down',
          target: s.target,
          buses: s.buses,
          reason: why,
        });
      } else {
        s.unreported++;
      }
    } else if (why === undefined && s.down !== undefined) {
      s.down = undefined;
      if (s.reported) this.summary(s, now, `answers again after ${((now - s.downAt) / 1000).toFixed(1)} s`, 'redis-up');
    } else if (why === undefined && s.unreported > 0 && now - s.lineAt >= this.quietMs) {
      this.summary(s, now, `had ${s.unreported} short outage${s.unreported === 1 ? '' : 's'}`, 'redis-flaps');
    }
  }

  /** Writes the line that closes an outage (or sums the unreported ones) with what the counters moved. */
  private summary(s: Server, now: number, what: string, event: string): void {
    const counters = this.counters(s);
    const base = s.base ?? counters;
    const moved = Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, v - (base[k] ?? 0)]));
    const more = s.reported && s.unreported > 0 ? ` (and ${s.unreported} more outage${s.unreported === 1 ? '' : 's'} meanwhile)` : '';
    const words = Object.entries(moved)
      .map(([k, v]) => `${v} ${k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}`)
      .join(', ');
    this.options.log.info(`Redis ${s.target} (${s.buses.join(', ')}) ${what}${more}: ${words}`, {
      event,
      target: s.target,
      buses: s.buses,
      downMs: event === 'redis-up' ? Math.round(now - s.downAt) : undefined,
      outages: (s.reported ? 1 : 0) + s.unreported,
      ...moved,
    });
    s.reported = false;
    s.unreported = 0;
    s.base = undefined;
    s.lineAt = now;
  }
}

/**
 * A log sink for a transport's own messages (connection lost, reconnecting, dead letters): at most
 * `burst` lines per `windowMs`; the next line written says how many were left out meanwhile.
 */
export function rateLimited(write: (line: string) => void, burst = 5, windowMs = 10_000): (line: string) => void {
  let windowStart = -Infinity;
  let written = 0;
  let dropped = 0;
  return (line) => {
    const now = performance.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      written = 0;
    }
    if (written >= burst) {
      dropped++;
      return;
    }
    written++;
    write(dropped > 0 ? `${line} (${dropped} earlier transport message${dropped === 1 ? '' : 's'} left out)` : line);
    dropped = 0;
  };
}

/**
 * A transport's lines about its connection: health (`<target>: healthy`, `<target>: unhealthy (...)`),
 * `connection lost (...), reconnecting in N ms` and `reconnected`. OutageWatch says it once per outage
 * (its back line counts the reconnects).
 */
const CONNECTION_LINE = /^\S+: ((un)?healthy( \(.*\))?|connection lost \(.*\), reconnecting in \d+ ms|reconnected)$/;

/**
 * The transport messages of a command's log: on stderr (errors, as `transport` events), rateLimited(),
 * without the lines about the connection (OutageWatch's lines say it, once per outage).
 */
export function transportLog(log: Log): (line: string) => void {
  const write = rateLimited((line) => log.error(line, { event: 'transport' }));
  return (line) => {
    if (!CONNECTION_LINE.test(line)) write(line);
  };
}
