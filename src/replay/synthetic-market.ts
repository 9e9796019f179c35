/**
 * A seeded synthetic market for demos and benchmarks: per symbol a geometric random walk, volume bursts,
 * and toxic episodes in which informed traders push the price one way with heavy volume (what VPIN is
 * built to detect). Each trade comes with the quote prevailing at it: a bid and ask a spread apart
 * (1 cent and up, about 4 bp of the price), the trade at the ask when buyer-initiated, at the bid when
 * seller-initiated, or inside the spread now and then (what the quote-based classifiers read). Same
 * seed, same trades and quotes; the quotes come from a generator of their own, so the trades are those
 * of a market without quotes. publishMarket() sends its trades onto a bus at a rate (`kernelbus demo`
 * and `feed` without a file, the replay bench): the live counterpart of replay() over a recorded tape.
 */
import type { Bus } from '../bus/bus.js';
import { nowMs } from '../bus/messages.js';
import { KernelInputError, describeValue } from '../errors.js';
import { mulberry32 } from '../math/mulberry32.js';

/** Options of SyntheticMarket. */
export interface MarketOptions {
  /** Number of symbols (>= 1). */
  symbols: number;
  /** Seed of the generator (any integer). */
  seed: number;
  /** Mean trade volume. Default 100. */
  meanVolume?: number;
  /** Chance per trade that its symbol starts a toxic episode. Default 1 / 20000. */
  toxicRate?: number;
}

interface SymbolState {
  price: number;
  /** Trades left in the current burst, and its volume multiplier. */
  burst: number;
  burstScale: number;
  /** Trades left in the current toxic episode, and its direction (+1 buy, -1 sell). */
  toxic: number;
  direction: number;
}

/** Receives one generated trade and the quote prevailing at it. */
export type TradeSink = (key: string, price: number, volume: number, bid: number, ask: number) => void;

/** Generates trades across symbols; see the module comment. */
export class SyntheticMarket {
  /** Symbol names: `SYM000`, `SYM001`, ... */
  readonly symbols: readonly string[];
  /** Toxic episodes started so far. */
  episodes = 0;
  private readonly random: () => number;
  /** The quotes' generator (apart, so that the trades do not depend on them). */
  private readonly quoteRandom: () => number;
  private readonly states: SymbolState[];
  private readonly meanVolume: number;
  private readonly toxicRate: number;

  /** Validates the options (KernelInputError naming the option). */
  constructor(options: MarketOptions) {
    const { symbols, seed, meanVolume = 100, toxicRate = 1 / 20000 } = options;
    if (!Number.isInteger(symbols) || symbols < 1 || symbols > 1_000_000) {
      throw new KernelInputError('options.symbols', 'an integer in [1, 1000000]', describeValue(symbols));
    }
    if (!Number.isInteger(seed)) throw new KernelInputError('options.seed', 'an integer', describeValue(seed));
    if (!(meanVolume > 0)) throw new KernelInputError('options.meanVolume', 'a number > 0', describeValue(meanVolume));
    if (!(toxicRate >= 0 && toxicRate <= 1))
      throw new KernelInputError('options.toxicRate', 'a number in [0, 1]', describeValue(toxicRate));
    this.random = mulberry32(seed);
    this.quoteRandom = mulberry32(seed ^ 0x51554f54);
    this.meanVolume = meanVolume;
    this.toxicRate = toxicRate;
    const width = String(symbols - 1).length;
    this.symbols = Array.from({ length: symbols }, (_, i) => `SYM${String(i).padStart(Math.max(3, width), '0')}`);
    this.states = this.symbols.map(() => ({ price: 20 + 480 * this.random(), burst: 0, burstScale: 1, toxic: 0, direction: 1 }));
  }

  /** Symbols in a toxic episode now. */
  get toxicNow(): number {
    return this.states.reduce((n, s) => n + (s.toxic > 0 ? 1 : 0), 0);
  }

  /** Each symbol's current price, rounded to cents as its trades are (its last trade's price once it traded), in `symbols` order. */
  prices(): Float64Array {
    return Float64Array.from(this.states, (s) => Math.round(s.price * 100) / 100);
  }

  /** Generates `n` trades, each of a uniformly drawn symbol, calling `sink` for each. */
  next(n: number, sink: TradeSink): void {
    const random = this.random;
    for (let i = 0; i < n; i++) {
      const index = Math.floor(random() * this.states.length);
      const s = this.states[index];
      if (s.toxic === 0 && random() < this.toxicRate) {
        s.toxic = 300 + Math.floor(700 * random());
        s.direction = random() < 0.5 ? -1 : 1;
        this.episodes++;
      }
      if (s.burst === 0 && random() < 1 / 5000) {
        s.burst = 50 + Math.floor(200 * random());
        s.burstScale = 3 + 5 * random();
      }
      // Box-Muller normal for the price step: 5 bp per trade, plus a 2 bp drift per trade when toxic.
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const drift = s.toxic > 0 ? 0.0002 * s.direction : 0;
      s.price *= Math.exp(0.0005 * z + drift);
      let volume = this.meanVolume * -Math.log(1 - random());
      if (s.burst > 0) {
        volume *= s.burstScale;
        s.burst--;
      }
      if (s.toxic > 0) {
        volume *= 3;
        s.toxic--;
      }
      // the aggressor: the step's side, or the informed side 80% of a toxic episode's trades
      const q = this.quoteRandom;
      const side = s.toxic > 0 && q() < 0.8 ? s.direction : z >= 0 ? 1 : -1;
      const cents = Math.round(s.price * 100);
      const spread = Math.max(1, Math.round(cents * 0.0004));
      // at the aggressor's quote 85% of the time, else inside the spread (its midpoint included)
      const fromBid = q() < 0.85 ? (side > 0 ? spread : 0) : Math.round(q() * spread);
      const bid = cents - fromBid;
      sink(this.symbols[index], cents / 100, Math.max(1, Math.round(volume)), bid / 100, (bid + spread) / 100);
    }
  }
}

/** publishMarket()'s shortest sleep between turns, ms: at 1,000 trades/s, 100 turns of 10 trades a second. */
const TICK_MS = 10;

/** Options of publishMarket(). */
export interface MarketLoop {
  /** Trade messages per second. */
  rate: number;
  /** Stop after this long. */
  seconds: number;
  /** Stop after this many trades (default: no limit). */
  count?: number;
  /** Stop early when this returns true (e.g. after SIGINT). */
  stopped: () => boolean;
  /**
   * Settles when the loop must stop even while it waits for room in the bus (a signal during an outage:
   * the queue is full and Redis does not answer); without it, such a wait lasts until there is room.
   */
  stop?: Promise<unknown>;
  /** Called every loop turn with the ms since the start (live status lines). */
  onTurn?: (elapsedMs: number) => void;
  /** Publish each trade's bid and ask too (5-column trade frames), for a quote-based classifier. */
  quotes?: boolean;
}

/**
 * Publishes the market's trades at `rate` (each loop turn publishes what is due, at most 10 ms worth,
 * stamped now, then sleeps on a timer until the next trade is due, at least TICK_MS) until `seconds`,
 * `count` or `stopped()`. Returns the trades sent and the ms it took.
 */
export async function publishMarket(bus: Bus, market: SyntheticMarket, loop: MarketLoop): Promise<{ sent: number; ms: number }> {
  const limit = loop.count ?? Infinity;
  const perTick = Math.max(1, Math.ceil(loop.rate / 100));
  const keys: string[] = new Array(perTick);
  const prices = new Float64Array(perTick);
  const volumes = new Float64Array(perTick);
  const bids = new Float64Array(perTick);
  const asks = new Float64Array(perTick);
  const quotes = loop.quotes === true;
  const start = performance.now();
  let sent = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= loop.seconds * 1000 || sent >= limit || loop.stopped()) break;
    const due = Math.min(Math.floor((loop.rate * elapsed) / 1000) - sent, perTick, limit - sent);
    if (due > 0) {
      let n = 0;
      market.next(due, (key, price, volume, bid, ask) => {
        keys[n] = key;
        prices[n] = price;
        bids[n] = bid;
        asks[n] = ask;
        volumes[n++] = volume;
      });
      const ts = nowMs();
      for (let i = 0; i < due; i++) {
        const trade = quotes
          ? { key: keys[i], ts, price: prices[i], volume: volumes[i], bid: bids[i], ask: asks[i] }
          : { key: keys[i], ts, price: prices[i], volume: volumes[i] };
        sent++;
        if (!bus.publishSync('TRADE_EXECUTION', trade) && !(await roomOrStop(bus, loop.stop)))
          return { sent, ms: performance.now() - start };
      }
    }
    const now = performance.now() - start;
    loop.onTurn?.(now);
    // Behind (a turn publishes at most perTick): go on at once; else sleep on a timer (never a busy
    // loop) until the next trade is due, at least TICK_MS (what is due meanwhile goes out together, in
    // one frame per symbol) and at most 100 ms (stop() is seen), or until the end.
    const next = ((sent + 1) * 1000) / loop.rate - now;
    const rest = loop.seconds * 1000 - now;
    if (next <= 0) await new Promise((resolve) => setImmediate(resolve));
    else await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(Math.max(next, TICK_MS), 100, rest))));
  }
  return { sent, ms: performance.now() - start };
}

/** Waits for room in the bus: true once there is, false when `stop` settles first. */
async function roomOrStop(bus: Bus, stop: Promise<unknown> | undefined): Promise<boolean> {
  if (!stop) {
    await bus.room();
    return true;
  }
  return Promise.race([bus.room().then(() => true), stop.then(() => false)]);
}
