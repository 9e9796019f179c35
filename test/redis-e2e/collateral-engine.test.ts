/**
 * `kernelbus engine collateral` over Redis (issue 92): fed a tape by `kernelbus feed` and a strategy's
 * fills (examples/strategy-lever.mjs's backtest), killed with SIGKILL once a checkpoint holds the first
 * half of the fills, restarted, and handed every fill again (as a restarted strategy engine republishes
 * them): each fill counts once, so its last MARGIN_UPDATE holds the collateral and open P&L of the
 * backtest's account, and it says how many fills it had seen before.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Bus } from '../../src/bus/index.js';
import type { MarginUpdate } from '../../src/engines/index.js';
import { loadAccounts, type PositionUpdate, type StrategyFill } from '../../src/strategy/index.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown, until } from '../helpers/redis.js';
import { Command, consumed, killAll, redisBus, runCommand, storedMessages } from './helpers.js';

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const TAPE = example('tape.csv');
const ACCOUNTS = example('accounts.json');
const SHARDS = 4;
const streams = (bus: string, type: string) => Array.from({ length: SHARDS }, (_, s) => keysOf().stream(`${bus}:${type}:${s}`));

describeRedis('CollateralEngine over Redis: every fill once, through a SIGKILL', () => {
  let server: RedisServer;
  let url: string;
  let run: { fills: StrategyFill[]; positions: PositionUpdate[]; cash: number };

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
    const args = ['--init-cash', '100000', '--allow-short', '--accounts', ACCOUNTS, '--on-margin-call', 'reduce', '--json'];
    const { code, stdout, stderr } = await runCommand(['backtest', '--file', TAPE, '--strategy', example('strategy-lever.mjs'), ...args]);
    expect(code, stderr).toBe(0);
    run = JSON.parse(stdout);
  }, 120_000);
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  async function engine(): Promise<Command> {
    const c = new Command([
      'engine',
      'collateral',
      '--accounts',
      ACCOUNTS,
      '--redis',
      url,
      '--consumer',
      'c',
      '--checkpoint-ms',
      '200',
      '--claim-idle-ms',
      '500',
    ]);
    await c.waitFor(/^ready: engine collateral, group collateral, consumer c, 8 streams on \S+/m, 60_000);
    return c;
  }

  async function publish(bus: Bus, fills: StrategyFill[]): Promise<void> {
    for (const f of fills) await bus.publish('ORDER_FILL', { key: f.symbol, ts: f.ts, payload: f });
    await bus.flush();
  }

  it('killed after a checkpoint and handed every fill again: the account of the backtest, each fill once', async () => {
    const redis = client(url);
    await redis.flushall();
    expect(run.fills.length).toBeGreaterThan(500);
    const first = await engine();
    const feed = await runCommand(['feed', '--file', TAPE, '--redis', url]);
    expect(feed.code, feed.stderr).toBe(0);
    await consumed(redis, streams('marketdata', 'TRADE_EXECUTION'), 'collateral');
    const bus = await redisBus(url, SHARDS);
    const half = Math.floor(run.fills.length / 2);
    await publish(bus, run.fills.slice(0, half));
    await consumed(redis, streams('logic', 'ORDER_FILL'), 'collateral');
    // a checkpoint after the last of them: the group's index holds every fill stream at its last entry
    await until(
      async () => {
        for (const stream of streams('logic', 'ORDER_FILL')) {
          const last = (await redis.xrevrange(stream, '+', '-', 'COUNT', 1))[0]?.[0];
          const name = stream.replace(/^kb:\{(\w+):(\d+)\}:(\w+)$/, '$1:$3:$2');
          if (last !== undefined && (await redis.hget(keysOf().checkpointIndex('collateral'), name)) !== `(${last}`) return false;
        }
        return true;
      },
      'a checkpoint of the first half of the fills',
      30_000,
      20,
    );
    first.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    const second = await engine();
    await publish(bus, run.fills);
    await consumed(redis, streams('logic', 'ORDER_FILL'), 'collateral');
    expect(await second.stop()).toBe(0);
    expect(second.out).toMatch(new RegExp(`, ${half.toLocaleString('en-US')} fills seen before, 8 symbols;`));
    await bus.close();

    // the last fill's update: the account's cash, positions and marks after every fill once
    const updates = (await storedMessages<MarginUpdate>(redis, 'MARGIN_UPDATE', SHARDS, 'logic')).map((m) => m.payload);
    const lastFill = run.fills[run.fills.length - 1].ts;
    const last = updates.filter((u) => u.ts === lastFill).pop()!;
    const account = loadAccounts(ACCOUNTS).accounts[0];
    const haircut = (s: string) =>
      (account.margin.haircuts as Record<string, number>)[s] ?? (account.margin.haircuts as Record<string, number>)['*'];
    const cash = account.cash - 100_000 + run.cash;
    let equity = cash;
    let haircuts = 0;
    let open = 0;
    // each symbol's last price of the tape (ts first, the file's order among equal times)
    const marks = new Map<string, number>();
    const rows = readFileSync(TAPE, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    rows.sort((a, b) => Number(a[0]) - Number(b[0]));
    for (const [, symbol, price] of rows) marks.set(symbol, Number(price));
    for (const p of run.positions) {
      const mark = marks.get(p.symbol)!;
      equity += p.units * mark;
      haircuts += haircut(p.symbol) * Math.abs(p.units * mark);
      open += p.unrealizedPnl;
    }
    expect(last.account).toBe('desk');
    expect(last.variationMargin).toBeCloseTo(open, 4);
    expect(last.collateral).toBeCloseTo(equity - haircuts, 4);
    expect(last.excess).toBe(last.collateral - last.initialMargin);
  });
});
