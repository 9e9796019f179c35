/**
 * Pre-trade checks and the Collateral engine (issue 92, docs/strategy.md "Pre-trade checks",
 * docs/margin.md "The Collateral engine"), on a book of SYMBOLS symbols margined over WINDOW returns:
 *
 * - The checks an order passes in the Strategy engine (target: <= 50 µs p99 added to an order): a
 *   StrategyRunner fed a tape until every symbol has the margin's history and a position, then per order
 *   what commit() adds to it: the projection of the positions and the margin book at the last prices
 *   (PreTrade.begin(), once per callback's orders) and the rules (check()): limits and the margin's
 *   marginal. Each order on another symbol of either side, one order a callback (the dearest case: the
 *   book set for each). p50 and p99 over ORDERS orders, after WARM orders.
 * - The margin of a book recomputed on every fill (target: 1,000 fills/s without lag): a CollateralEngine
 *   on the in-process bus, its account margined on the same history, fills published as fast as it takes
 *   them (the capacity: fills/s) and then paced at 1,000 a second for PACED_S seconds (the engine's
 *   delivery latency p50 and p99 over them: flat when it keeps up).
 */
import { createBus } from '../src/bus/index.js';
import { CollateralEngine } from '../src/engines/collateral.js';
import { defineStrategy, StrategyRunner } from '../src/strategy/index.js';
import type { Accounts } from '../src/strategy/accounts.js';
import { type BenchRow, type BenchSection, prng } from './lib.js';

const SECTION = 'pretrade';
const SYMBOLS = 100;
/** Returns kept by the margin (its scenarios). */
const WINDOW = 250;
const ORDERS = 20_000;
const WARM = 2_000;
const FILLS = 20_000;
const PACED_S = 3;
const MARGIN = { every: 60_000, seed: 20, horizon: 1, window: WINDOW, fallbackRate: 0.25, haircuts: 0.05 } as const;
const T0 = Date.UTC(2026, 0, 5);

const fmt = (n: number) => n.toLocaleString('en-US');
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** A runner whose account holds a position in each symbol, its margin over WINDOW + 1 minutes of returns. */
function preparedRunner(rnd: () => number): StrategyRunner<object> {
  const strategy = defineStrategy({
    name: 'bench',
    bars: { by: 'tick', threshold: 1_000_000_000 },
    limits: { maxOrderNotional: 1e9, maxPositionUnits: 1e9, maxGrossExposure: 1e12, maxOrdersPerSecond: 1e9 },
    onBar() {},
  });
  const runner = new StrategyRunner(strategy, { initCash: 1e9, allowShort: true, fillAt: 'close', margin: MARGIN });
  const price = Array.from({ length: SYMBOLS }, () => 50 + 100 * rnd());
  const k = Array.from({ length: SYMBOLS }, (_, s) => runner.symbolIndex(`S${s}`));
  for (let m = 0; m <= WINDOW + 2; m++) {
    for (let s = 0; s < SYMBOLS; s++) {
      price[s] *= 1 + 0.01 * (rnd() - 0.5);
      runner.trade(k[s], T0 + m * 60_000 + s, price[s], 100);
    }
  }
  // a position in each symbol: the account's positions set as fills would (the fill model is not what is timed)
  for (let s = 0; s < SYMBOLS; s++) runner.account.position[k[s]] = Math.round((rnd() - 0.5) * 2000);
  return runner;
}

/** A fixed loop of `n` multiply-adds (the machine's jitter yardstick). */
function fixedWork(x: Float64Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += x[j % x.length] * 1.0001;
  return s;
}

/**
 * µs per order of the pre-trade checks (begin() and check() as commit() runs them), each order after a
 * bar's close moved its symbol's price (the margin book set again, as in the engine); and, interleaved
 * with them, the µs of a fixed loop whose median is the checks' (the machine's jitter at that length).
 */
function checkTimes(runner: StrategyRunner<object>, rnd: () => number): { checks: number[]; yardstick: number[] } {
  const p = runner.pretrade;
  const a = runner.account;
  const ts = T0 + (WINDOW + 3) * 60_000;
  let refused = 0;
  let n = 0;
  const order = (): number => {
    const k = n % SYMBOLS;
    a.lastPrice[k] *= 1 + 0.001 * (rnd() - 0.5);
    const units = Math.round((rnd() - 0.5) * 200) || 1;
    const t = performance.now();
    p.begin();
    if (p.check(k, units, undefined, ts + n++) !== undefined) refused++;
    return (performance.now() - t) * 1000;
  };
  const x = new Float64Array(4096).map(() => rnd());
  let sink = 0;
  const fixed = (work: number): number => {
    const t = performance.now();
    sink += fixedWork(x, work);
    return (performance.now() - t) * 1000;
  };
  // the warm-up, the yardstick's length brought to the checks' median as they alternate
  let work = 10_000;
  for (let round = 0; round < 4; round++) {
    const pairs = Array.from({ length: WARM / 4 }, () => [order(), fixed(work)]);
    const ratio =
      quantile(
        pairs.map(([c]) => c),
        0.5,
      ) /
      Math.max(
        quantile(
          pairs.map(([, f]) => f),
          0.5,
        ),
        1e-3,
      );
    work = Math.max(100, Math.round(work * ratio));
  }
  const checks: number[] = [];
  const yardstick: number[] = [];
  for (let i = 0; i < ORDERS; i++) {
    checks.push(order());
    yardstick.push(fixed(work));
  }
  if (refused === n || !Number.isFinite(sink)) throw new Error('bench pretrade: every order refused: the book is not what the bench means');
  return { checks, yardstick };
}

/** The Collateral engine's capacity (fills/s) and its latency at 1,000 fills/s. */
async function collateral(rnd: () => number): Promise<{ perSecond: number; p50: number; p99: number; fills: number }> {
  const accounts: Accounts = {
    source: 'bench',
    accounts: [{ name: 'bench', strategies: ['bench'], cash: 1e9, margin: MARGIN }],
  };
  const bus = createBus();
  const engine = new CollateralEngine(bus, { accounts, heartbeatMs: 0 }).start();
  await engine.ready();
  const price = Array.from({ length: SYMBOLS }, () => 50 + 100 * rnd());
  for (let m = 0; m <= WINDOW + 2; m++) {
    for (let s = 0; s < SYMBOLS; s++) {
      price[s] *= 1 + 0.01 * (rnd() - 0.5);
      await bus.publish('TRADE_EXECUTION', {
        key: `S${s}`,
        ts: Float64Array.of(T0 + m * 60_000 + s),
        price: Float64Array.of(price[s]),
        volume: Float64Array.of(100),
      });
    }
    await bus.drain();
  }
  let n = 0;
  const ts0 = T0 + (WINDOW + 3) * 60_000;
  /** Wall-clock ms each fill was published at, by its event time. */
  const published = new Map<number, number>();
  const fill = () => {
    published.set(ts0 + n, performance.now());
    const s = n % SYMBOLS;
    const id = `bench:S${s}:${n}:0#0`;
    const f = {
      id,
      orderId: id.slice(0, -2),
      strategy: 'bench',
      symbol: `S${s}`,
      ts: ts0 + n,
      units: Math.round((rnd() - 0.5) * 200) || 1,
      price: price[s],
      fees: 0,
    };
    n++;
    return bus.publish('ORDER_FILL', { key: f.symbol, ts: f.ts, payload: f });
  };
  const latencies: number[] = [];
  let pacing = false;
  bus.subscribe('MARGIN_UPDATE', (m) => {
    const at = published.get((m.payload as { ts: number }).ts);
    if (pacing && at !== undefined) latencies.push(performance.now() - at);
  });
  // capacity: FILLS as fast as the engine takes them
  const before = engine.metrics().processed;
  const t = performance.now();
  for (let i = 0; i < FILLS; i++) {
    await fill();
    if (i % 256 === 255) await bus.drain();
  }
  await bus.drain();
  const perSecond = ((engine.metrics().processed - before) * 1000) / (performance.now() - t);
  // paced: 1,000 a second (a fill a ms), the engine's delivery latency over them
  pacing = true;
  const start = performance.now();
  const paced = 1000 * PACED_S;
  for (let i = 0; i < paced; i++) {
    while (performance.now() - start < i) await new Promise((resolve) => setImmediate(resolve));
    await fill();
  }
  await bus.drain();
  await engine.close();
  await bus.close();
  const ok = latencies.filter(Number.isFinite);
  return { perSecond, p50: quantile(ok, 0.5), p99: quantile(ok, 0.99), fills: ok.length };
}

export const pretradeSection: BenchSection = {
  name: SECTION,
  async run() {
    const rows: BenchRow[] = [];
    const rnd = prng(92);
    const runner = preparedRunner(rnd);
    const { checks, yardstick } = checkTimes(runner, rnd);
    const book = `${SYMBOLS} symbols, a position each, margin over ${WINDOW} returns (ES 0.99), the five limits`;
    const y50 = quantile(yardstick, 0.5);
    const y99 = quantile(yardstick, 0.99);
    for (const [q, label] of [
      [0.5, 'p50'],
      [0.99, 'p99'],
    ] as const) {
      const us = quantile(checks, q);
      rows.push({
        section: SECTION,
        case: `pre-trade checks of an order, ${label}: ${book}`,
        subject: 'native',
        value: us,
        unit: 'µs',
        note:
          `begin() and check() as commit() runs them, one order a callback after its symbol's price moved (the book set for each), ${fmt(ORDERS)} orders` +
          (label === 'p99'
            ? `; target <= 50 µs: ${us <= 50 ? 'met' : 'not met'}; the machine's jitter: a fixed loop of the same median (${y50.toFixed(1)} µs), timed between the orders, has p99 ${y99.toFixed(1)} µs (${(y99 / y50).toFixed(2)}x its median; the checks' ${(us / quantile(checks, 0.5)).toFixed(2)}x)`
            : ''),
      });
    }
    const c = await collateral(rnd);
    rows.push({
      section: SECTION,
      case: `CollateralEngine, a fill margined (${book.replace(', the five limits', '')}): capacity`,
      subject: 'native',
      value: c.perSecond,
      unit: 'fills/s',
      note: `${fmt(FILLS)} fills on the in-process bus as fast as it takes them, a MARGIN_UPDATE each; target 1,000 fills/s: ${c.perSecond >= 1000 ? 'met' : 'not met'} (${(c.perSecond / 1000).toFixed(1)}x)`,
    });
    rows.push({
      section: SECTION,
      case: 'CollateralEngine at 1,000 fills/s: fill published to its MARGIN_UPDATE, p99',
      subject: 'native',
      value: c.p99,
      unit: 'ms',
      note: `${fmt(c.fills)} fills over ${PACED_S} s paced at 1,000/s; p50 ${c.p50.toFixed(3)} ms (no lag: the p99 stays within a few ms)`,
    });
    return rows;
  },
};
