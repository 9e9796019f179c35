/**
 * The feed does not busy-wait a core (issue 41, item 11): `feed --rate 1000` paces its publishes with
 * timers, so its CPU time (utime + stime from /proc/<pid>/stat) over a few seconds is a small fraction of
 * the wall time, where the setImmediate loop it replaces used a whole core.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { client, closeAll, describeRedis, RedisServer, sleep, tearDown } from '../helpers/redis.js';
import { runFeed } from '../../src/cli/feed.js';
import { Command, capture, heapGrowthsOf, killAll, logEvent } from './helpers.js';

/** CPU seconds (user + system) of a process so far, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describeRedis('feed pacing', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  it.runIf(process.platform === 'linux')(
    'feed --rate 1000 uses a small fraction of a core, and publishes at its rate',
    async () => {
      await client(server.url()).flushall();
      const feed = new Command(['feed', '--redis', server.url(), '--rate', '1000', '--seconds', '9', '--symbols', '10']);
      await feed.waitFor(/^kernelbus feed: 10 symbols, 1,000 msg\/s for 9 s/m);
      await sleep(3000); // past start-up (loading and compiling the sources through tsx)
      const pid = feed.child.pid!;
      const before = cpuSeconds(pid);
      const started = performance.now();
      await sleep(4000);
      const cores = (cpuSeconds(pid) - before) / ((performance.now() - started) / 1000);
      // A setImmediate loop took a whole core (1.01 on an idle machine, 0.42 here on two cores shared by
      // several jobs); timers took 0.15-0.21 of it here (the main thread about 0.05, --cpu-prof).
      expect(cores).toBeLessThan(0.3);
      expect(await feed.exited, feed.out).toBe(0);
      const [, sent, seconds] = /published ([\d,]+) trades and [\d,]+ returns and panel messages of 10 symbols in ([\d.]+) s/.exec(
        feed.out,
      )!;
      const rate = Number(sent.replace(/,/g, '')) / Number(seconds);
      expect(rate).toBeGreaterThan(950);
      expect(rate).toBeLessThan(1010);
      console.log(`[feed] --rate 1000: ${cores.toFixed(3)} cores, ${rate.toFixed(0)} trades/s`);
    },
    30_000,
  );

  /** The nice value of each thread of process `pid` (/proc/<pid>/task/<tid>/stat, field 19). */
  const threadNices = (pid: number): number[] =>
    readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });

  it.runIf(process.platform === 'linux')(
    'the feed yields the cores: every thread at nice 10 by default, as started with --nice 0',
    async () => {
      const own = getPriority();
      const lowered = new Command(['feed', '--redis', server.url(), '--rate', '1000', '--seconds', '20', '--symbols', '5']);
      const kept = new Command(['feed', '--redis', server.url(), '--rate', '1000', '--seconds', '20', '--symbols', '5', '--nice', '0']);
      await lowered.waitFor(/^kernelbus feed: 5 symbols/m);
      await kept.waitFor(/^kernelbus feed: 5 symbols/m);
      const nices = threadNices(lowered.child.pid!);
      expect(nices.length).toBeGreaterThan(4); // the main thread, V8's and libuv's workers
      expect(new Set(nices)).toEqual(new Set([Math.max(own, 10)]));
      expect(new Set(threadNices(kept.child.pid!))).toEqual(new Set([own]));
      await Promise.all([lowered.stop(), kept.stop()]);
    },
    30_000,
  );

  it('the feed as its own process sets V8 heap growth (--heap-growth, default 300, said in its start event); run here it does not', async () => {
    const feed = ['feed', '--redis', server.url(), '--rate', '1000', '--seconds', '20', '--symbols', '2'];
    expect(await heapGrowthsOf(feed, 'start')).toEqual([150, 300, 0]);
    const args = ['--redis', server.url(), '--rate', '1000', '--seconds', '0.2', '--symbols', '2', '--log-format', 'json'];
    const { code, text } = await capture((out) => runFeed(args, out, undefined, out));
    expect(code).toBe(0);
    const start = logEvent(text, 'start');
    expect(start.shards).toBeGreaterThan(0);
    expect(start).not.toHaveProperty('heapGrowth');
    await expect(capture((out) => runFeed([...args, '--heap-growth', '1001'], out, undefined, out))).rejects.toThrow(/--heap-growth/);
  }, 60_000);
});
