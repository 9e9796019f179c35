/**
 * What makes a long-running command (engine, feed, demo) operable: `--metrics-port` (/metrics,
 * /healthz, /readyz, bound to 127.0.0.1 unless `--metrics-host`), `--log-format text|json` (one JSON
 * object a line through pino, or the plain lines), and the build info every exposition carries.
 */
import { readFileSync } from 'node:fs';
import type { Bus } from '../bus/bus.js';
import type { MetricsServer, MetricsSources, Readiness } from '../ops/prometheus.js';
import type { RedisTransport } from '../bus/transports/redis/index.js';
import { KernelInputError } from '../errors.js';
import { type Flag, flag, text } from './options.js';

/** `--metrics-port`, `--metrics-host`. */
export const METRICS_FLAGS = {
  'metrics-port': flag.optionalNumber(0, 65535, true),
  'metrics-host': flag.name('127.0.0.1'),
};

/** `--log-format text|json`. */
export const LOG_FLAGS = {
  'log-format': {
    type: 'string',
    parse: (raw, name) => {
      const value = text(raw) ?? 'text';
      if (value !== 'text' && value !== 'json') throw new KernelInputError(name, "'text' or 'json'", JSON.stringify(raw));
      return value;
    },
  } as Flag<'text' | 'json'>,
};

/** The usage lines of METRICS_FLAGS and LOG_FLAGS. */
export const METRICS_USAGE = `  --metrics-port p     serve /metrics (Prometheus), /healthz and /readyz on this port (0: any free port)
  --metrics-host h     address to bind them to (default 127.0.0.1; 0.0.0.0 for every interface)
`;
export const LOG_USAGE = `  --log-format f       text (default) or json: one JSON object a line (pino), for a log shipper
`;

/**
 * /readyz's "not stalled" for an engine: stalled when entries wait for its group (not delivered, or
 * delivered and not acknowledged) and it has processed none for `stallMs`. Redis is asked (`waiting`)
 * only once nothing was processed for that long; `now` is the clock (ms).
 */
export function stallCheck(
  processed: () => number,
  waiting: () => Promise<number>,
  stallMs: number,
  now: () => number = Date.now,
): () => Promise<true | string> {
  let last = processed();
  let since = now();
  return async () => {
    const count = processed();
    const at = now();
    if (count !== last) {
      last = count;
      since = at;
      return true;
    }
    if (at - since < stallMs) return true;
    const entries = await waiting();
    if (entries === 0) return true;
    return `stalled: ${entries} entries wait for the group and none was processed for ${Math.round((at - since) / 1000)} s`;
  };
}

/**
 * Calls `attempt` until it resolves (true), `pauseMs` after each rejection, or until `stopped()`
 * (false). /readyz's "streams leased" for an engine: one wait for the leases gives up after the publish
 * timeout (on a loaded machine, or while Redis does not answer), and readiness must not stay 503 for it.
 */
export async function retryUntil(attempt: () => Promise<unknown>, stopped: () => boolean, pauseMs = 100): Promise<boolean> {
  while (!stopped()) {
    const done = await attempt().then(
      () => true,
      () => false,
    );
    if (done) return true;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return false;
}

/** The package's version (package.json), read once. */
let version: string | undefined;
export function packageVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

/** The kernel backend a choice resolves to here ('auto': native when it loads, else reference). */
export async function resolvedBackend(choice: string): Promise<string> {
  if (choice !== 'auto') return choice;
  const { importBackends, loadBackend } = await import('../backends/registry.js');
  await importBackends(['native']);
  return loadBackend('native').backend ? 'native' : 'reference';
}

/**
 * The backend a kernels() choice ran on, for people: the name, or for 'auto' the backend it prefers
 * here, 'auto (native)' where the addon loads, else 'auto (reference)' (as the demo's banner says).
 */
export async function backendUsed(choice: string): Promise<string> {
  return choice === 'auto' ? `auto (${await resolvedBackend('auto')})` : choice;
}

/** A command's log: lines for people (text) or JSON objects (pino); errors go to stderr either way. */
export interface Log {
  readonly format: 'text' | 'json';
  /** An event: `message` as a line (text), or `{ msg, ...fields }` (json). */
  info(message: string, fields?: Record<string, unknown>): void;
  /** An error: `kernelbus <command>: message` on stderr (text), or a JSON object with level error on stderr (json). */
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A Log for `command` writing events to `out` and errors to `err`. */
export async function createLog(
  command: string,
  format: 'text' | 'json',
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<Log> {
  if (format === 'text') {
    return {
      format,
      info: (message) => void out.write(`${message}\n`),
      error: (message) => void err.write(`kernelbus ${command}: ${message}\n`),
    };
  }
  const { pino } = await import('pino');
  const options = { base: { cmd: `kernelbus ${command}`, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  const events = pino(options, out as NodeJS.WritableStream & { write(chunk: string): boolean });
  const errors = pino(options, err as NodeJS.WritableStream & { write(chunk: string): boolean });
  return {
    format,
    info: (message, fields = {}) => events.info(fields, message),
    error: (message, fields = {}) => errors.error(fields, message),
  };
}

/** What startMetrics() serves. */
export interface Observed {
  port: number | undefined;
  host: string;
  bus: Bus;
  engines?: MetricsSources['engines'];
  backend: string;
  /** Readiness (/readyz); default: ready once listening. */
  ready?: Readiness;
  /** Report consumer-group lag of the streams under this transport's prefix (Redis). */
  lagOf?: RedisTransport;
  /** Watched figures (VPIN of some symbols, VaR of portfolios). */
  watched?: MetricsSources['watched'];
}

/**
 * Serves /metrics, /healthz and /readyz when a port is given (prom-client is loaded only then);
 * undefined otherwise.
 */
export async function startMetrics(o: Observed): Promise<MetricsServer | undefined> {
  if (o.port === undefined) return undefined;
  const { prometheusRegistry, serveMetrics } = await import('../ops/prometheus.js');
  let lag: MetricsSources['lag'];
  const source = o.lagOf;
  if (source) {
    const { streamStatus } = await import('../bus/transports/redis/status.js');
    lag = lastKnown(
      async () => (await streamStatus(source)).filter((g) => g.group !== ''),
      () => source.healthy,
    );
  }
  const registry = prometheusRegistry({
    bus: o.bus,
    engines: o.engines,
    lag,
    watched: o.watched,
    build: { version: packageVersion(), backend: o.backend },
  });
  return serveMetrics(registry, { port: o.port, host: o.host, ready: o.ready });
}

/**
 * A read of Redis for /metrics that never holds a scrape up: the last answer, refreshed by at most one
 * read at a time, started only while `healthy()`, and waited for at most `waitMs` (a paused server's
 * read goes on in the background). Errors keep the last answer.
 */
export function lastKnown<T>(read: () => Promise<readonly T[]>, healthy: () => boolean, waitMs = 200): () => Promise<readonly T[]> {
  let last: readonly T[] = [];
  let reading: Promise<void> | undefined;
  return async () => {
    if (!reading && healthy()) {
      reading = read().then(
        (value) => {
          last = value;
        },
        () => undefined,
      );
      void reading.finally(() => (reading = undefined));
    }
    if (reading) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([reading, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    return last;
  };
}
