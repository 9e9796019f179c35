/**
 * Message vocabulary of the bus: the envelope, the known message types, the three buses and the
 * default table that routes each type to its bus.
 */
import type { Trades } from '../kernels/trades.js';

/**
 * The message types the original platform used, RETURNS_UPDATE (rows of asset returns per universe,
 * RiskEngine's input), FACTOR_INPUT (one date's cross-section of a universe, FactorEngine's input),
 * FeaturesEngine's BAR (a symbol's bar, market data) and FEATURES_UPDATE (what the bar adds), and
 * StrategyEngine's ORDER_FILL, POSITION_UPDATE and ORDER_REJECTED (beside STRATEGY_SIGNAL, its
 * orders), and CollateralEngine's MARGIN_UPDATE and MARGIN_CALL; any other string is a valid user type.
 */
export const MESSAGE_TYPES = [
  'MARKET_DATA',
  'PRICE_UPDATE',
  'TRADE_EXECUTION',
  'RETURNS_UPDATE',
  'FACTOR_INPUT',
  'STRATEGY_SIGNAL',
  'RISK_ALERT',
  'ENGINE_HEALTH',
  'PORTFOLIO_UPDATE',
  'ML_PREDICTION',
  'VPIN_CALCULATION',
  'ANALYTICS_RESULT',
  'FACTOR_CALCULATION',
  'BAR',
  'FEATURES_UPDATE',
  'ORDER_FILL',
  'POSITION_UPDATE',
  'ORDER_REJECTED',
  'MARGIN_UPDATE',
  'MARGIN_CALL',
] as const;

/** One of MESSAGE_TYPES. */
export type KnownMessageType = (typeof MESSAGE_TYPES)[number];
/** A known type or a user type (any non-empty string of at most 255 UTF-8 bytes). */
export type MessageType = KnownMessageType | (string & {});

/** The three default buses; a bus system may be configured with other names. */
export const BUS_NAMES = ['marketdata', 'logic', 'compute'] as const;
/** A bus name. */
export type BusName = (typeof BUS_NAMES)[number] | (string & {});

/** The default type -> bus table: market data in, engine-to-engine logic, compute results. */
export const DEFAULT_ROUTES: Readonly<Record<KnownMessageType, BusName>> = Object.freeze({
  MARKET_DATA: 'marketdata',
  PRICE_UPDATE: 'marketdata',
  TRADE_EXECUTION: 'marketdata',
  RETURNS_UPDATE: 'marketdata',
  FACTOR_INPUT: 'marketdata',
  STRATEGY_SIGNAL: 'logic',
  RISK_ALERT: 'logic',
  ENGINE_HEALTH: 'logic',
  PORTFOLIO_UPDATE: 'logic',
  ML_PREDICTION: 'compute',
  VPIN_CALCULATION: 'compute',
  ANALYTICS_RESULT: 'compute',
  FACTOR_CALCULATION: 'compute',
  BAR: 'marketdata',
  FEATURES_UPDATE: 'compute',
  ORDER_FILL: 'logic',
  POSITION_UPDATE: 'logic',
  ORDER_REJECTED: 'logic',
  MARGIN_UPDATE: 'logic',
  MARGIN_CALL: 'logic',
});

/**
 * The stream that carries `type` on `bus` for shard `shard`: `"<bus>:<type>:<shard>"` (a transport may
 * name it otherwise: the Redis transport's key is `kb:{<bus>:<shard>}:<type>` by default, hash-tagged). One function for the
 * bus, the transports' documentation and tools: docs/wire-format.md is tested against it.
 */
export function streamName(bus: BusName, type: string, shard: number): string {
  return `${bus}:${type}:${shard}`;
}

/** The shard of `key` among `shards`: FNV-1a 32-bit over its UTF-16 code units, modulo `shards`. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

/** `'high'` flushes the batcher at once; `'normal'` (default) waits for the end of the turn. */
export type Priority = 'normal' | 'high';

/** A message as published: `key` is usually the symbol; `ts` epoch ms (default: now). */
export interface Envelope<P = unknown> {
  key: string;
  ts?: number;
  payload: P;
  priority?: Priority;
}

/** One trade, published on a columnar type (TRADE_EXECUTION by default). */
export interface Trade {
  key: string;
  /** Epoch ms. */
  ts: number;
  price: number;
  volume: number;
  /** The quote prevailing at the trade (both or neither; NaN: none): the frame then carries bid and ask columns. */
  bid?: number;
  ask?: number;
  priority?: Priority;
}

/** Many trades of one key at once, as columns of equal length (`bid` and `ask` optional, both or neither). */
export interface TradeBatch extends Trades {
  key: string;
  priority?: Priority;
}

/** What a subscriber receives. */
export interface BusMessage<P = unknown> {
  /** Transport entry id (`"<ms>-<seq>"`), increasing per stream: use it for idempotence. */
  id: string;
  /** The bus it travelled on. */
  bus: BusName;
  /** The transport stream: `"<bus>:<type>:<shard>"`. */
  stream: string;
  type: string;
  key: string;
  /** Epoch ms: the envelope's ts; for a trade batch, the ts of its last trade. */
  ts: number;
  /** The payload; for a columnar type, `Trades` columns that view the received frame. */
  payload: P;
  priority: Priority;
  /** Messages in this delivery: the rows of a trade batch, else 1. */
  count: number;
  /** Epoch ms at which the first (oldest) message in this frame was published. */
  sentAt: number;
  /** 1 on first delivery, more when redelivered. */
  deliveries: number;
  /**
   * A trade batch's watermark, where its publisher gives one (a bus with `watermarks: true`, e.g.
   * `kernelbus feed --file`): no later trade of this type on this stream has a ts below it. NaN (or
   * absent) when none.
   */
  watermark?: number;
}

/** performance.timeOrigin, read once (a getter, on the hot path twice a delivery otherwise). */
const TIME_ORIGIN = performance.timeOrigin;

/** Current time as epoch ms with sub-millisecond resolution (performance clock). */
export function nowMs(): number {
  return TIME_ORIGIN + performance.now();
}
