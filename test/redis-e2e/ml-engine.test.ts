/**
 * `kernelbus engine ml` over Redis (issue 91): `kernelbus engine features` (tick bars, rsi and macd) and
 * `kernelbus engine ml --model examples/model.txt` as processes, fed a tape of several symbols. Its
 * ML_PREDICTION messages equal the in-process run's (FeaturesEngine -> MlEngine on the same tape), and
 * stay so through a SIGKILL of the ml process after a checkpoint (and after more input it acknowledged):
 * restarted, it restores the checkpoint and replays, and every (symbol, bar) holds exactly the values of
 * the uninterrupted run (published twice only with the same values); its `/metrics` shows the batches'
 * histograms and the model's version. Its flags' errors name the flag before it connects.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '../../src/bus/index.js';
import { runEngine } from '../../src/cli/engine.js';
import type { MlPrediction } from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown, until } from '../helpers/redis.js';
import { idOf, inProcessRun, publishRound, roundsTape, THRESHOLD } from '../engines/ml-helpers.js';
import { Command, consumed, killAll, redisBus, storedMessages } from './helpers.js';

const MODEL = 'examples/model.txt';
const key = (stream: string) => keysOf().stream(stream);
const TRADES = [key('marketdata:TRADE_EXECUTION:0')];
const INPUTS = ['compute:FEATURES_UPDATE:0', 'marketdata:BAR:0'];

describeRedis('MlEngine over Redis: the in-process predictions, through a SIGKILL', () => {
  let server: RedisServer;
  let url: string;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  const features = () =>
    new Command(
      ['engine', 'features', '--redis', url, '--shards', '1', '--backend', 'reference', '--by', 'tick'].concat([
        '--threshold',
        String(THRESHOLD),
        '--ind',
        'rsi,macd',
        '--checkpoint-ms',
        '200',
      ]),
    );

  async function ml(...extra: string[]): Promise<Command> {
    const c = new Command(
      ['engine', 'ml', '--model', MODEL, '--redis', url, '--shards', '1', '--consumer', 'c', '--checkpoint-ms', '1000'].concat([
        '--claim-idle-ms',
        '500',
        ...extra,
      ]),
    );
    await c.waitFor(/^ready: engine ml, group model, consumer c, 2 streams on \S+, checkpoints every 1000 ms$/m, 60_000);
    await c.waitFor(
      /^model: model \(lightgbm, version [0-9a-f]{12}\) from examples\/model\.txt; features open=BAR\.open,.*rsi=FEATURES_UPDATE\.indicators\.rsi,/m,
    );
    return c;
  }

  async function feed(bus: Bus, rounds: Parameters<typeof publishRound>[1][]): Promise<void> {
    for (const frames of rounds) await publishRound(bus, frames);
    await bus.flush();
  }

  it('killed after a checkpoint and after input it acknowledged since: every (symbol, bar) has the values of the uninterrupted run', async () => {
    const redis = client(url);
    await redis.flushall();
    const tape = roundsTape(6, 150, 17);
    const whole = await inProcessRun(tape, { model: MODEL });
    expect(whole.predictions.size).toBeGreaterThan(500);

    const f = features();
    await f.waitFor(/^ready: engine features/m, 60_000);
    const first = await ml();
    const bus = await redisBus(url);
    const thirds = [0, 50, 100, 150].map((r) => tape.rounds.slice(r, r + 50));
    await feed(bus, thirds[0]);
    await consumed(redis, TRADES, 'features');
    await consumed(redis, INPUTS.map(key), 'model');
    // a checkpoint of all of it: the group's index holds each input stream at its last entry
    await until(
      async () => {
        for (const stream of INPUTS) {
          const last = (await redis.xrevrange(key(stream), '+', '-', 'COUNT', 1))[0]?.[0];
          if (last === undefined || (await redis.hget(keysOf().checkpointIndex('model'), stream)) !== `(${last}`) return false;
        }
        return true;
      },
      'a checkpoint of the first third',
      30_000,
      20,
    );
    // more input, acknowledged and (within its 1,000 ms) not checkpointed yet: replayed after the kill
    await feed(bus, thirds[1]);
    await consumed(redis, TRADES, 'features');
    await consumed(redis, INPUTS.map(key), 'model');
    first.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    // the last third while it is down: waiting for its successor
    await feed(bus, thirds[2]);
    await consumed(redis, TRADES, 'features');
    const second = await ml('--metrics-port', '0');
    await consumed(redis, INPUTS.map(key), 'model');
    // /metrics: the batches' histograms and the model's version
    const metrics = await (await fetch((await second.waitFor(/^metrics: (http:\S+)$/m))[1])).text();
    expect(metrics).toContain(
      `kernelbus_ml_model_info{engine="model",model="model",version="${whole.predictions.values().next().value!.version}"} 1`,
    );
    expect(metrics).toMatch(/^kernelbus_engine_ml_batch_rows_count\{engine="model"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^kernelbus_engine_ml_inference_seconds_count\{engine="model"\} [1-9]\d*$/m);
    expect(await second.stop()).toBe(0);
    expect(await f.stop()).toBe(0);
    await bus.close();
    expect(second.out).toMatch(/^resumed .*: [\d,]+ keys restored from the checkpoint, [\d,]+ messages acknowledged since replayed/m);
    expect(second.out).toMatch(
      /stopped \(SIGTERM\): processed [\d,]+ messages .*; [\d,]+ predictions in [\d,]+ batches, 0 model swaps \(0 failed loads\), 6 symbols;/,
    );

    // every (symbol, bar) once or more, always with the uninterrupted run's values
    const stored = await storedMessages<MlPrediction>(redis, 'ML_PREDICTION', 1);
    const byId = new Map<string, MlPrediction>();
    let repeats = 0;
    for (const { key: symbol, ts, payload } of stored) {
      const id = idOf(payload.symbol, payload.bar);
      expect(symbol).toBe(payload.symbol);
      expect(ts).toBe(payload.ts);
      const seen = byId.get(id);
      if (seen) {
        repeats++;
        expect(payload, id).toEqual(seen);
      }
      byId.set(id, payload);
    }
    expect(byId).toEqual(whole.predictions);
    expect(stored.length - repeats).toBe(whole.predictions.size);
  }, 180_000);
});

describe('kernelbus engine ml: flag errors name the flag, before connecting', () => {
  it('refuses a missing or unreadable model, a bad map, a value to --watch, a flag of another engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-ml-flags-'));
    const map = join(dir, 'map.json');
    writeFileSync(map, JSON.stringify({ open: 'BAR.open', rsi: 'FEATURES_UPDATE.indicators.rsi' }));
    const cut = join(dir, 'cut.txt');
    writeFileSync(cut, readFileSync(MODEL, 'utf8').slice(0, 4000));
    // nothing listens there: an error after the flags would be the connection's
    const url = 'redis://127.0.0.1:1';
    const cases: [string[], RegExp][] = [
      [['ml', '--redis', url], /^--model: expected a model file, got none$/],
      [['ml', '--redis', url, '--model', join(dir, 'none.txt')], /^--model: expected a readable model file, got .*none\.txt \(ENOENT\)$/],
      [['ml', '--redis', url, '--model', cut], new RegExp(`^--model ${cut}:\\d+: expected `)],
      [
        ['ml', '--redis', url, '--model', MODEL, '--features', 'rsi=FOO.rsi'],
        /^--features\.rsi: expected a source of a message type with fields: .*, got "FOO\.rsi"$/,
      ],
      [
        ['ml', '--redis', url, '--model', MODEL, '--features', 'close=BAR.closing'],
        /^--features\.close: expected a field of BAR \(.*\), got "closing"$/,
      ],
      [
        ['ml', '--redis', url, '--model', MODEL, '--features', 'rsi'],
        /^--features: expected a JSON file or feature=TYPE\.field pairs, got rsi \(ENOENT\)$/,
      ],
      [
        ['ml', '--redis', url, '--model', MODEL, '--features', 'rsi=BAR.close,rsi=BAR.open'],
        /^--features: expected feature=TYPE\.field pairs, comma-separated, each feature once, got "rsi=BAR\.open"$/,
      ],
      [
        ['ml', '--redis', url, '--model', MODEL, '--features', map],
        /^--features\.high: expected an entry for this feature of the model .*, got none$/,
      ],
      [['ml', '--redis', url, '--model', MODEL, '--watch', 'yes'], /^--watch: expected no value \(engine ml\), got "yes"$/],
      [['ml', '--redis', url, '--model', MODEL, '--name', ''], /^--name: expected a non-empty name, got ""$/],
      [['ml', '--redis', url, '--model', MODEL, '--ind', 'rsi'], /^--ind: expected an option of engine features, got engine ml$/],
      [['features', '--redis', url, '--model', MODEL], /^--model: expected an option of engine ml, got engine features$/],
      [['vpin', '--redis', url, '--watch'], /^--watch: expected symbols, comma-separated, got none$/],
    ];
    try {
      for (const [argv, message] of cases) {
        const error = await runEngine(argv).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, String(message)).toBeInstanceOf(KernelInputError);
        expect((error as Error).message).toMatch(message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
