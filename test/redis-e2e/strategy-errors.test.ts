/**
 * Issue 88, points 3 and 4, live: `kernelbus engine strategy` over Redis with a strategy file in a folder
 * of os.tmpdir() (it imports 'kernelbus/strategy' from the running package) whose onBar has a typo. The
 * engine goes on through its errors (no delivery fails, nothing dead-lettered), logs the first once and
 * the counts when it stops, and exits 1 since every onBar threw; with `--max-errors 3` it stops by itself
 * at the fourth error, saying so, and exits 1.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown } from '../helpers/redis.js';
import { Command, consumed, killAll } from './helpers.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const TAPE = fileURLToPath(new URL('../../examples/tape.csv', import.meta.url));
const SHARDS = 4;
const TRADE_STREAMS = Array.from({ length: SHARDS }, (_, s) => keysOf().stream(`marketdata:TRADE_EXECUTION:${s}`));
const dir = mkdtempSync(join(tmpdir(), 'kb-live-errors-'));
const TYPO = join(dir, 'typo.mjs');
writeFileSync(
  TYPO,
  `import { defineStrategy } from 'kernelbus/strategy';

export default defineStrategy({
  name: 'typo',
  bars: { by: 'time', threshold: 60_000 },
  onBar(ctx, bar) {
    if (ctx.positon.x > 0) ctx.close(bar.symbol);
  },
});
`,
);

/** `kernelbus <args>` to its end. */
function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { maxBuffer: 1 << 26 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

/** `kernelbus engine strategy --strategy <typo> [flags]`, ready. */
async function engine(url: string, ...flags: string[]): Promise<Command> {
  const c = new Command([
    'engine',
    'strategy',
    '--strategy',
    TYPO,
    '--redis',
    url,
    '--max-lateness-ms',
    '0',
    '--metrics-port',
    '0',
    ...flags,
  ]);
  await c.waitFor(/^ready: engine strategy/m, 60_000);
  return c;
}

/** The engine's counters from its /metrics: `name{labels}` -> value. */
async function metrics(c: Command): Promise<Record<string, number>> {
  const url = /metrics: (\S+)/.exec(c.out)?.[1];
  const text = await (await fetch(url!)).text();
  return Object.fromEntries([...text.matchAll(/^(kernelbus_\w+(?:\{[^}]*\})?) (\S+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

describeRedis('kernelbus engine strategy with a strategy that fails', () => {
  let server: RedisServer;
  let url: string;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  }, 120_000);
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await tearDown(server);
  });

  it('goes on through the errors (none dead-lettered), logs the first once and the counts at its stop, exits 1', async () => {
    const redis = client(url);
    await redis.flushall();
    const live = await engine(url);
    const fed = await run(['feed', '--file', TAPE, '--redis', url]);
    expect(fed.code, fed.out).toBe(0);
    await consumed(redis, TRADE_STREAMS, 'strategy');
    const m = await metrics(live);
    expect(m['kernelbus_engine_events_total{engine="strategy",event="strategyErrors"}']).toBeGreaterThan(1000);
    expect(m['kernelbus_engine_errors_total{engine="strategy"}']).toBe(0);
    expect(m.kernelbus_bus_dead_lettered_total).toBe(0);
    const errors = m['kernelbus_engine_events_total{engine="strategy",event="strategyErrors"}'];
    const bars = m['kernelbus_engine_events_total{engine="strategy",event="bars"}'];
    expect(errors).toBe(bars);
    expect(await live.stop()).toBe(1);
    expect(live.out.match(/onBar threw at/g)).toHaveLength(1);
    expect(live.out).toContain(`${TYPO}:7:21: TypeError: Cannot read properties of undefined (reading 'x')`);
    const n = errors.toLocaleString('en-US');
    expect(live.out).toContain(`typo: ${n} callback errors (onBar ${n} of ${n} calls), by kind:`);
    expect(live.out).toContain(`the strategy fails: typo: every call of onBar threw (${errors} calls)`);
  });

  it('--max-errors 3: stops by itself at the fourth error, saying so, exit 1', async () => {
    const redis = client(url);
    await redis.flushall();
    const live = await engine(url, '--max-errors', '3');
    const fed = await run(['feed', '--file', TAPE, '--redis', url]);
    expect(fed.code, fed.out).toBe(0);
    expect(await live.exited).toBe(1);
    expect(live.out.match(/onBar threw at/g)).toHaveLength(1);
    expect(live.out).toMatch(/typo: stopped at \S+Z onBar at \w+ bar \d+: 4 callback errors, more than the 3 allowed \(--max-errors\)/);
    expect(live.out).toContain('typo: 4 callback errors (onBar 4 of 4 calls), by kind:');
    expect(live.out).toMatch(/the strategy fails: typo: stopped at .*\(--max-errors\)/);
  });
});
