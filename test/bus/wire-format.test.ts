/**
 * docs/wire-format.md held to the code: its example frames (hex dumps) decode with decodeFrame to what
 * the text says and are what the encoders write, and its stream names, shard example and entry fields
 * are those the bus and the Redis transport use.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { decodeFrame, encodeMessageFrame, encodeTradesFrame, type MessageFrame, type TradesFrame } from '../../src/bus/frames.js';
import { DEFAULT_ROUTES, MESSAGE_TYPES, shardOf, streamName } from '../../src/bus/messages.js';
import { DEFAULT_PREFIX, ENTRY_FIELDS, entryFrames, RedisTransport, streamTag } from '../../src/bus/transports/redis/index.js';
import { encodePack } from '../../src/bus/transports/redis/pack.js';
import { DEAD_LETTER_SUFFIX } from '../../src/bus/transports/types.js';

const DOC = readFileSync(new URL('../../docs/wire-format.md', import.meta.url), 'utf8');

/** The bytes of the hex dump in the first code block after `heading` (lines `0000  4b 42 ...   comment`). */
function dump(heading: string): Uint8Array {
  const at = DOC.indexOf(heading);
  expect(at, heading).toBeGreaterThanOrEqual(0);
  const block = /```\n([\s\S]*?)```/.exec(DOC.slice(at))![1];
  const bytes: number[] = [];
  for (const line of block.split('\n')) {
    const m = /^([0-9a-f]{4}) {2}((?:[0-9a-f]{2} ?){1,16})/.exec(line);
    if (!m) continue;
    expect(parseInt(m[1], 16), `offset of "${line}"`).toBe(bytes.length);
    bytes.push(
      ...m[2]
        .trim()
        .split(' ')
        .map((h) => parseInt(h, 16)),
    );
  }
  return Uint8Array.from(bytes);
}

/** The section of the document under a `## ` heading. */
function section(title: string): string {
  const at = DOC.indexOf(`## ${title}\n`);
  expect(at, title).toBeGreaterThanOrEqual(0);
  const end = DOC.indexOf('\n## ', at + 1);
  return DOC.slice(at, end < 0 ? undefined : end);
}

describe('docs/wire-format.md', () => {
  it('the table of message types is the default route table', () => {
    const rows = [...section('Message types and their buses').matchAll(/^\| `(\w+)` \| (\w+) \|/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(DEFAULT_ROUTES);
    expect(rows).toHaveLength(MESSAGE_TYPES.length);
  });

  it('the TRADES example decodes to what the text says, and is what encodeTradesFrame writes', () => {
    const bytes = dump('Two trades of AAPL, `sentAt` = 1700000000300.5 (96 bytes):');
    expect(bytes.length).toBe(96);
    const frame = decodeFrame(bytes) as TradesFrame;
    expect(frame).toMatchObject({
      kind: 'trades',
      type: 'TRADE_EXECUTION',
      key: 'AAPL',
      priority: 'normal',
      sentAt: 1700000000300.5,
      count: 2,
    });
    expect([...frame.columns.ts]).toEqual([1700000000000, 1700000000250]);
    expect([...frame.columns.price]).toEqual([189.5, 189.52]);
    expect([...frame.columns.volume]).toEqual([100, 300]);
    const encoded = encodeTradesFrame({
      type: 'TRADE_EXECUTION',
      key: 'AAPL',
      sentAt: 1700000000300.5,
      ts: frame.columns.ts,
      price: frame.columns.price,
      volume: frame.columns.volume,
    });
    expect([...encoded]).toEqual([...bytes]);
  });

  it('the TRADES example with quotes (5 columns) decodes to what the text says, and is what encodeTradesFrame writes', () => {
    const bytes = dump(
      'The same two trades with their quotes: 189.49 / 189.5 at the first (the trade at the ask), none at\nthe second (128 bytes):',
    );
    expect(bytes.length).toBe(128);
    const frame = decodeFrame(bytes) as TradesFrame;
    expect(frame).toMatchObject({ kind: 'trades', key: 'AAPL', count: 2 });
    expect([...frame.columns.price]).toEqual([189.5, 189.52]);
    expect([...frame.columns.bid!]).toEqual([189.49, NaN]);
    expect([...frame.columns.ask!]).toEqual([189.5, NaN]);
    const { ts, price, volume, bid, ask } = frame.columns;
    const encoded = encodeTradesFrame({ type: 'TRADE_EXECUTION', key: 'AAPL', sentAt: 1700000000300.5, ts, price, volume, bid, ask });
    expect([...encoded]).toEqual([...bytes]);
    // the first 24*count body bytes are the 3-column frame's
    const plain = dump('Two trades of AAPL, `sentAt` = 1700000000300.5 (96 bytes):');
    expect([...bytes.subarray(8, 96)]).toEqual([...plain.subarray(8)]);
  });

  it('the MESSAGE example decodes to what the text says, and is what encodeMessageFrame writes', () => {
    const bytes = dump(
      'A high-priority RISK_ALERT for AAPL with payload `{ cdf: 0.995 }`, ts 1700000000250 and the same\n`sentAt` (66 bytes):',
    );
    expect(bytes.length).toBe(66);
    const frame = decodeFrame(bytes) as MessageFrame;
    expect(frame).toMatchObject({
      kind: 'message',
      type: 'RISK_ALERT',
      key: 'AAPL',
      priority: 'high',
      sentAt: 1700000000300.5,
      count: 1,
      ts: 1700000000250,
      payload: { cdf: 0.995 },
    });
    const encoded = encodeMessageFrame({
      type: 'RISK_ALERT',
      key: 'AAPL',
      ts: 1700000000250,
      payload: { cdf: 0.995 },
      priority: 'high',
      sentAt: 1700000000300.5,
    });
    expect([...encoded]).toEqual([...bytes]);
  });

  it('the stream names, the shard example and the entry fields are those of the bus and the Redis transport', async () => {
    const text = section('Streams, entries and ids');
    // Names as the document writes them, each made by the functions the bus and the transport use.
    const stream = streamName('marketdata', 'TRADE_EXECUTION', 0);
    expect(text).toContain('`<bus>:<type>:<shard>`');
    expect(text).toContain(`\`${stream}\``);
    const bus = createBus({ shards: 4 });
    expect(bus.streams('marketdata', 'TRADE_EXECUTION')[0]).toBe(stream);
    await bus.close();
    // The Redis keys: the transport's default prefix and its streamKey(); the dead letters' suffix.
    const t = new RedisTransport({ redis: { lazyConnect: true } });
    try {
      expect(t.prefix).toBe(DEFAULT_PREFIX);
      expect(text).toContain(`prefix, \`${DEFAULT_PREFIX}\` by default`);
      expect(text).toContain(`the Redis stream \`${t.streamKey(stream)}\``);
      expect(text).toContain(`\`${t.streamKey(stream + DEAD_LETTER_SUFFIX)}\``);
      expect(text).toContain(`\`<stream>${DEAD_LETTER_SUFFIX}\``);
      // The table of tagged keys, row by row, as the transport names them (keys.ts).
      const table = text.slice(text.indexOf('| what | Redis key |'), text.indexOf('\n\n', text.indexOf('| what | Redis key |')));
      const rows = [...table.matchAll(/^\| (.+?) \| (.*) \|$/gm)]
        .slice(1)
        .map((m) => ({ what: m[1], keys: [...m[2].matchAll(/`([^`]+)`/g)].map((x) => x[1]) }));
      const k = t.keys;
      expect(rows.map((r) => r.keys)).toEqual([
        [k.stream(stream)],
        [k.stream(stream + DEAD_LETTER_SUFFIX)],
        [k.lease(stream, 'vpin')],
        [k.dedup(stream, 'p1')],
        [k.members('vpin'), k.groupStreams('vpin')],
        [k.checkpointIndex('vpin'), k.checkpointRecords('vpin', stream)],
        [k.stream('s'), k.stream('s' + DEAD_LETTER_SUFFIX)],
      ]);
      expect(rows[0].what).toBe(`the stream \`${stream}\``);
      expect(rows[1].what).toBe(`its dead letters, \`${stream}${DEAD_LETTER_SUFFIX}\``);
      // Everything of one stream shares its hash tag (its bus and shard); a group's keys share theirs.
      const tagOf = (key: string) => /\{([^}]*)\}/.exec(key)![1];
      expect(new Set(rows.slice(0, 4).flatMap((r) => r.keys.map(tagOf)))).toEqual(new Set([streamTag(stream)]));
      expect(streamTag(stream)).toBe('marketdata:0');
      expect(text).toContain('`{<bus>:<shard>}`');
      expect(new Set(rows.slice(4, 6).flatMap((r) => r.keys.map(tagOf)))).toEqual(new Set(['group:vpin']));
    } finally {
      await t.close();
    }
    const [, key, shards, shard] = /`(\w+)` among (\d+) shards is\s+shard (\d+)/.exec(text)!;
    expect(shardOf(key, Number(shards))).toBe(Number(shard));
    // The fields table: the names the append script writes and consumers read, in order.
    const fields = [...text.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(fields).toEqual([ENTRY_FIELDS.frame, ENTRY_FIELDS.key, ENTRY_FIELDS.count]);
    // No other name for the frame's field anywhere in the document.
    expect(DOC).toContain(`the \`${ENTRY_FIELDS.frame}\` field of one Redis Streams entry`);
    expect(DOC).not.toMatch(/`f` field/);
  });

  it('the packed entry layout is what encodePack writes and entryFrames reads', () => {
    const text = section('Streams, entries and ids');
    const layout = text.slice(text.indexOf('### Packed entries'));
    const rows = [...layout.matchAll(/^(\d+|16\+4F|\.\.\.)\s+(\d+|4F|P|\.\.\.)\s+(\w+)/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual([
      ['0', '4', 'magic'],
      ['4', '1', 'version'],
      ['5', '3', 'reserved'],
      ['8', '4', 'frames'],
      ['12', '4', 'reserved'],
      ['16', '4F', 'lengths'],
      ['16+4F', 'P', 'padding'],
      ['...', '...', 'frames'],
    ]);
    const a = encodeTradesFrame({
      type: 'TRADE_EXECUTION',
      key: 'A',
      ts: new Float64Array([1]),
      price: new Float64Array([2]),
      volume: new Float64Array([3]),
    });
    const b = encodeMessageFrame({ type: 'NOTE', key: 'BB', ts: 1, payload: 'odd' });
    const pack = encodePack([a, b, a]);
    expect(layout).toContain('"KBPK" = 4b 42 50 4b');
    expect([...pack.subarray(0, 16)]).toEqual([0x4b, 0x42, 0x50, 0x4b, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    // lengths at 16, padding to 32 (16 + 12 = 28), then each frame padded to 8
    expect([pack.readUInt32LE(16), pack.readUInt32LE(20), pack.readUInt32LE(24), pack.readUInt32LE(28)]).toEqual([
      a.length,
      b.length,
      a.length,
      0,
    ]);
    const pad = (n: number) => Math.ceil(n / 8) * 8;
    expect(pack.length).toBe(32 + pad(a.length) + pad(b.length) + pad(a.length));
    expect(Buffer.from(pack.subarray(32 + pad(a.length), 32 + pad(a.length) + b.length))).toEqual(Buffer.from(b));
    expect(entryFrames(pack).map((f) => decodeFrame(f).key)).toEqual(['A', 'BB', 'A']);
  });
});
