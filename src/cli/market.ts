/**
 * A seeded synthetic market for demos and benchmarks: per symbol a geometric random walk, volume bursts,
 * and toxic episodes in which informed traders push the price one way with heavy volume (what VPIN is
 * built to detect). Each trade comes with the quote prevailing at it: a bid and ask a spread apart
 * (1 cent and up, about 4 bp of the price), the trade at the ask when buyer-initiated, at the bid when
 * seller-initiated, or inside the spread now and then (what the quote-based classifiers read). Same
 * seed, same trades and quotes; the quotes come from a generator of their own, so the trades are those
 * of a market without quotes.
 */
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';

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

/** mulberry32: a small, fast, seeded uniform generator in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
