import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type BusMessage, createBus, decodeFrame, encodeMessageFrame, FrameError, validateFrame } from '../../src/bus/index.js';
import { encodeMessageWithLabel, FLAG_LOCAL, frameLabel } from '../../src/bus/frames.js';
import { LOCAL_SHAPES } from '../../src/bus/message-codec.js';
import type { TransportCapabilities } from '../../src/bus/transports/types.js';
import { TestTransport } from './helpers.js';

/** A message frame of `type`, its body process-local when `local` (and the type still takes local bodies). */
const frameOf = (type: string, payload: unknown, local: boolean) =>
  encodeMessageWithLabel(frameLabel(type, 'k'), type, undefined, 5, 9, payload, local);

const payloadOf = (frame: Uint8Array) => {
  const decoded = decodeFrame(frame);
  if (decoded.kind !== 'message') throw new Error('expected a message frame');
  return decoded.payload;
};

/** A TestTransport that says its entries stay in the process, as the in-process transport does. */
class LocalTestTransport extends TestTransport {
  readonly capabilities: TransportCapabilities = {
    serialPublish: false,
    durableOffsets: false,
    leases: false,
    checkpoints: false,
    processLocal: true,
  };
}

describe('process-local message bodies', () => {
  it('decode to what plain bodies decode to, for any value msgpack takes', () => {
    // a type per value: random objects bring random keys, and a type past its shapes goes plain
    let runs = 0;
    let local = 0;
    fc.assert(
      fc.property(
        fc.anything({
          maxDepth: 3,
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withNullPrototype: true,
          withBoxedValues: true,
        }),
        (value) => {
          const type = `PARITY_${runs++}`;
          let plainFrame: Uint8Array;
          try {
            plainFrame = frameOf(type, value, false);
          } catch {
            // what a plain body cannot encode, a local one cannot either (publish() refuses both alike)
            expect(() => frameOf(type, value, true)).toThrow();
            return;
          }
          const frame = frameOf(type, value, true);
          if (frame[6] & FLAG_LOCAL) local++;
          let plain: unknown;
          try {
            plain = payloadOf(plainFrame);
          } catch {
            return; // not decodable plain (an object as a map key): nothing to compare
          }
          expect(payloadOf(frame)).toStrictEqual(plain);
        },
      ),
      { numRuns: 800 },
    );
    expect(runs).toBe(800);
    expect(local).toBeGreaterThan(0.9 * runs);
  });

  it('keep the same payloads, keys named like those of Object.prototype included', () => {
    const tricky = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 2, "toString": "x", "hasOwnProperty": null}');
    for (const payload of [tricky, { a: tricky }, [tricky, tricky], new Map([['__proto__', 1]])]) {
      const local = payloadOf(frameOf('TRICKY', payload, true));
      expect(local).toStrictEqual(payloadOf(frameOf('TRICKY', payload, false)));
      expect(Object.getPrototypeOf(local)).toBe(Object.getPrototypeOf(payloadOf(frameOf('TRICKY', payload, false))));
    }
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });

  it('keep class instances, toJSON, inherited and undefined properties as plain bodies do', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      get norm(): number {
        return Math.hypot(this.x, this.y);
      }
    }
    class WithJson {
      a = 1;
      toJSON() {
        return { j: 2 };
      }
    }
    const child = Object.assign(Object.create({ inherited: 5 }), { own: 1 });
    const values = [new Point(3, 4), [new Point(1, 2)], new WithJson(), child, { a: undefined, b: 1 }, Object.freeze({ f: 1 })];
    for (const value of values) {
      const local = payloadOf(frameOf('INSTANCES', value, true));
      expect(local).toStrictEqual(payloadOf(frameOf('INSTANCES', value, false)));
      expect(Object.keys(local as object)).toEqual(Object.keys(payloadOf(frameOf('INSTANCES', value, false)) as object));
    }
    expect(payloadOf(frameOf('INSTANCES', new Point(3, 4), true))).toStrictEqual({ x: 3, y: 4 });
  });

  it('keep the integers 64-127, whose one-byte form is a record id in msgpackr', () => {
    const ints = Array.from({ length: 64 }, (_, i) => 64 + i);
    const payload = { ints, nested: ints.map((n) => ({ n, m: -n })), typed: Int8Array.from(ints) };
    expect(payloadOf(frameOf('INTS', payload, true))).toStrictEqual(payload);
    expect(payloadOf(frameOf('INTS', payload, true))).toStrictEqual(payloadOf(frameOf('INTS', payload, false)));
  });

  it(`a type whose messages bring more than ${LOCAL_SHAPES} shapes is written plain from then on; its earlier frames still decode`, () => {
    const frames: Uint8Array[] = [];
    const payloads: Record<string, number>[] = [];
    for (let i = 0; i < 3 * LOCAL_SHAPES; i++) {
      const payload = { [`w${i}`]: i, [`v${i}`]: -i - 1 }; // keys by symbol: a new shape in each message
      payloads.push(payload);
      frames.push(frameOf('BY_SYMBOL', payload, true));
    }
    const local = frames.map((f) => (f[6] & FLAG_LOCAL) !== 0);
    expect(local.slice(0, LOCAL_SHAPES).every(Boolean)).toBe(true);
    expect(local.slice(LOCAL_SHAPES + 1).some(Boolean)).toBe(false);
    // decoded after the type went plain, each to its own payload
    frames.forEach((f, i) => expect(payloadOf(f)).toStrictEqual(payloads[i]));
    // another type keeps its own shapes
    expect(frameOf('OTHER_TYPE', { a: 1 }, true)[6] & FLAG_LOCAL).toBe(FLAG_LOCAL);
  });

  it('are refused as bytes to publish, and by a process that wrote none of their type', async () => {
    const frame = frameOf('REFUSED', { x: 1 }, true);
    expect(() => validateFrame(frame)).toThrow(/^frame: a process-local frame \(flags bit 2\)/);
    const bus = createBus();
    await expect(bus.publishFrame(frame)).rejects.toThrow(FrameError);
    await bus.close();
    // a plain frame with the local bit set, of a type this process never wrote locally
    const forged = encodeMessageFrame({ type: 'NEVER_LOCAL', key: 'k', ts: 1, payload: { x: 1 } });
    forged[6] |= FLAG_LOCAL;
    expect(() => decodeFrame(forged)).toThrow(FrameError);
    expect(() => decodeFrame(forged)).toThrow(/of type NEVER_LOCAL, of which this process wrote none/);
    // the flag on a trade frame is malformed
    const trades = frameOf('X', 1, false);
    trades[5] = 1;
    trades[6] = FLAG_LOCAL;
    expect(() => decodeFrame(trades)).toThrow(/process-local flag on kind 1|columns/);
  });
});

describe('a bus writes process-local bodies only where every transport keeps its entries in the process', () => {
  const publishAll = async (transports: Record<string, TestTransport>, localBodies?: boolean) => {
    const bus = createBus({ transports, localBodies });
    const got: BusMessage[] = [];
    bus.subscribe('RISK_ALERT', (m) => {
      got.push(m);
    });
    bus.subscribe('ENGINE_HEALTH', (m) => {
      got.push(m);
    });
    for (let i = 0; i < 5; i++) {
      await bus.publish('RISK_ALERT', { key: `S${i}`, ts: i, payload: { vpin: i / 10, cdf: 0.99, tags: new Set([i]) } });
      await bus.publish('ENGINE_HEALTH', { key: 'e', ts: i, payload: { engine: 'x', latencyMs: { p50: i } } });
    }
    await bus.drain();
    await bus.close();
    const flags = Object.values(transports).flatMap((t) => t.calls.flatMap((c) => c.entries.map((e) => e.data[6] & FLAG_LOCAL)));
    return { flags, payloads: got.map((m) => [m.type, m.key, m.ts, m.payload]) };
  };

  it('the in-process transports: local; one that does not say so among them: plain; the same messages either way', async () => {
    const local = await publishAll({
      marketdata: new LocalTestTransport(),
      logic: new LocalTestTransport(),
      compute: new LocalTestTransport(),
    });
    const mixed = await publishAll({ marketdata: new LocalTestTransport(), logic: new TestTransport(), compute: new LocalTestTransport() });
    expect(local.flags).toHaveLength(10);
    expect(local.flags.every((f) => f === FLAG_LOCAL)).toBe(true);
    expect(mixed.flags).toHaveLength(10);
    expect(mixed.flags.every((f) => f === 0)).toBe(true);
    expect(local.payloads).toHaveLength(10);
    expect(local.payloads).toStrictEqual(mixed.payloads);
    // turned off: plain on in-process transports too
    const off = await publishAll(
      { marketdata: new LocalTestTransport(), logic: new LocalTestTransport(), compute: new LocalTestTransport() },
      false,
    );
    expect(off.flags).toEqual(Array(10).fill(0));
    expect(off.payloads).toStrictEqual(local.payloads);
  });

  it('refuses a localBodies that is not a boolean, naming it', () => {
    expect(() => createBus({ localBodies: 'yes' as unknown as boolean })).toThrow(/^options.localBodies: expected a boolean, got/);
  });
});

describe('two copies of kernelbus in one process', () => {
  it("read each other's process-local frames on a shared in-process transport", async () => {
    // two module instances of the bus, as an application's copy and a dependency's would be
    vi.resetModules();
    const a = await import('../../src/bus/index.js');
    vi.resetModules();
    const b = await import('../../src/bus/index.js');
    vi.resetModules();
    expect(a.createBus).not.toBe(b.createBus);
    const transports = { marketdata: new LocalTestTransport(), logic: new LocalTestTransport(), compute: new LocalTestTransport() };
    const writer = a.createBus({ transports });
    const reader = b.createBus({ transports });
    const got: unknown[] = [];
    reader.subscribe('RISK_ALERT', (m) => {
      got.push([m.key, m.ts, m.payload]);
    });
    const sent: unknown[] = [];
    for (let i = 0; i < 20; i++) {
      const payload = { i, price: 100 + i / 8, side: i % 2 ? 'buy' : 'sell', legs: [{ qty: i }, { qty: -i - 1 }] };
      sent.push([`S${i % 3}`, i, payload]);
      await writer.publish('RISK_ALERT', { key: `S${i % 3}`, ts: i, payload });
    }
    await writer.drain();
    for (let i = 0; i < 50 && got.length < sent.length; i++) await new Promise((r) => setTimeout(r, 2));
    const { deadLettered } = reader.metrics();
    await reader.close();
    await writer.close();
    expect(deadLettered).toBe(0);
    const flags = transports.logic.calls.flatMap((c) => c.entries.map((e) => e.data[6] & FLAG_LOCAL));
    expect(flags).toEqual(Array(sent.length).fill(FLAG_LOCAL));
    // every message arrived, each key's in order, the payloads equal to those published
    const byKey = (xs: unknown[]) => [...xs].sort((x, y) => String((x as unknown[])[0]).localeCompare(String((y as unknown[])[0])));
    expect(got).toHaveLength(sent.length);
    expect(byKey(got)).toStrictEqual(byKey(sent));
  });
});

describe('loadMessageCodec', () => {
  it('loads msgpackr, which the frames module otherwise loads with the first message frame', async () => {
    const { spawnSync } = await import('node:child_process');
    const code = `
      import { createRequire } from 'node:module';
      await import('./src/bus/frames.ts');
      const codec = await import('./src/bus/message-codec.ts');
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => /node_modules[\\\\/]msgpackr[\\\\/]/.test(f));
      const before = loaded();
      codec.loadMessageCodec();
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({ before: false, after: true });
  });
});
