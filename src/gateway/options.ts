/**
 * createGateway()'s options: their documentation, defaults and checks (KernelInputError naming the
 * option), resolved once into the numbers the gateway runs on.
 */
import type { GroupLag, Readiness } from '../ops/prometheus.js';
import { KernelInputError, describeValue } from '../errors.js';
import type { ClientLimits } from './client.js';
import type { HistoryLimits } from './history.js';

/** The message types a gateway serves unless told otherwise: every result and event type (not the input trades). */
export const GATEWAY_TYPES = [
  'VPIN_CALCULATION',
  'RISK_ALERT',
  'ANALYTICS_RESULT',
  'PORTFOLIO_UPDATE',
  'FACTOR_CALCULATION',
  'BAR',
  'FEATURES_UPDATE',
  'ENGINE_HEALTH',
  'STRATEGY_SIGNAL',
  'ORDER_FILL',
  'POSITION_UPDATE',
  'ORDER_REJECTED',
  'MARGIN_UPDATE',
  'MARGIN_CALL',
  'ML_PREDICTION',
] as const;

/** Options of createGateway(). */
export interface GatewayOptions {
  /** TCP port; 0 picks a free one. Default 8600. */
  port?: number;
  /** Address to bind. Default 127.0.0.1 (0.0.0.0 for every interface). */
  host?: string;
  /**
   * A token clients must present (`?token=` in the WebSocket URL, or `Authorization: Bearer <token>`);
   * a connection without it is refused with HTTP 401. Default: none.
   */
  token?: string;
  /**
   * Origins (`https://host:port`) whose pages may connect, or `'*'` for any. A connection whose Origin
   * header is neither listed nor the gateway's own host is refused with HTTP 403; clients that send no
   * Origin (not browsers) are let in. Default: the gateway's own page only.
   */
  origins?: readonly string[] | '*';
  /** The message types served (not columnar ones). Default GATEWAY_TYPES. */
  types?: readonly string[];
  /** Last values kept per type for `snapshot` requests (the oldest-updated key is forgotten first). Default 10,000. */
  lastValues?: number;
  /**
   * What is kept for `history` requests (a page opened late draws the past it missed): the last
   * `points` messages of each (type, key) for the `keys` most recently updated keys of each type, and
   * the last `stats` stats frames. Default { points: 120, keys: 500, stats: 300 }.
   */
  history?: { points?: number; keys?: number; stats?: number };
  /** How often queued messages are sent, in ms. Default 10. */
  flushMs?: number;
  /** Unsent bytes on a client's socket from which it is congested and coalesced. Default 256 KiB. */
  highWaterBytes?: number;
  /** Distinct (type, key) pairs a client's queue may hold; past it the client is disconnected (4000). Default 10,000. */
  maxQueue?: number;
  /** A client congested this long is disconnected (4000). Default 30,000. */
  maxStallMs?: number;
  /** Most WebSocket clients at once (more are refused with HTTP 503). Default 1,000. */
  maxClients?: number;
  /** Stats frame period in ms. Default 1000. */
  statsMs?: number;
  /** Consumer groups' lag for the stats frame and /metrics (the CLI gives Redis's). */
  lag?: () => Promise<readonly GroupLag[]>;
  /** `kernelbus_build_info` in /metrics. */
  build?: { version: string; backend: string };
  /** `/readyz` (the CLI's: every bus's Redis reachable). Default: ready while listening. */
  ready?: Readiness;
}

/** A number > 0 (an integer unless `integer` is false), `fallback` when absent, else KernelInputError naming `options.<name>`. */
function positive(value: unknown, name: string, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw new KernelInputError(`options.${name}`, integer ? 'an integer > 0' : 'a number > 0', describeValue(value));
  return value;
}

/** The history's bounds, checked, with their defaults. */
function resolveHistory(history: GatewayOptions['history']): HistoryLimits {
  if (history !== undefined && (typeof history !== 'object' || history === null))
    throw new KernelInputError('options.history', '{ points, keys, stats }', describeValue(history));
  return {
    points: positive(history?.points, 'history.points', 120),
    keys: positive(history?.keys, 'history.keys', 500),
    stats: positive(history?.stats, 'history.stats', 300),
  };
}

/** The options checked, with their defaults. */
export function resolveOptions(options: GatewayOptions) {
  if (typeof options !== 'object' || options === null) throw new KernelInputError('options', 'an object', describeValue(options));
  const port = options.port ?? 8600;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new KernelInputError('options.port', 'an integer in [0, 65535]', describeValue(port));
  const token = options.token;
  if (token !== undefined && (typeof token !== 'string' || token.length === 0))
    throw new KernelInputError('options.token', 'a non-empty string', 'another value (not shown)');
  const origins = options.origins;
  if (origins !== undefined && origins !== '*' && !(Array.isArray(origins) && origins.every((o) => typeof o === 'string')))
    throw new KernelInputError('options.origins', "a list of origins or '*'", describeValue(origins));
  const types = [...(options.types ?? GATEWAY_TYPES)];
  if (types.length === 0 || !types.every((t) => typeof t === 'string' && t.length > 0))
    throw new KernelInputError('options.types', 'a non-empty list of message types', describeValue(options.types));
  const limits: ClientLimits = {
    highWaterBytes: positive(options.highWaterBytes, 'highWaterBytes', 256 * 1024),
    maxQueue: positive(options.maxQueue, 'maxQueue', 10_000),
    maxStallMs: positive(options.maxStallMs, 'maxStallMs', 30_000, false),
  };
  return {
    port,
    host: options.host ?? '127.0.0.1',
    token,
    origins,
    types,
    lastValues: positive(options.lastValues, 'lastValues', 10_000),
    history: resolveHistory(options.history),
    flushMs: positive(options.flushMs, 'flushMs', 10, false),
    statsMs: positive(options.statsMs, 'statsMs', 1000, false),
    maxClients: positive(options.maxClients, 'maxClients', 1000),
    limits,
  };
}
