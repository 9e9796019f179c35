/**
 * The Redis keys of the transport, one layout on a single Redis and on a Redis Cluster (see
 * docs/redis.md#keys). Each key starts with the prefix and a hash tag, `{...}`: Redis Cluster places a
 * key by the hash of its tag alone, so the keys that one script, MULTI or multi-key command touches
 * share a tag, hence a slot, hence a node.
 *
 * - A bus stream `<bus>:<type>:<shard>` (streamName()) is tagged per bus and shard: the stream
 *   `<prefix>{<bus>:<shard>}:<type>`, its dead letters `...:<type>:dlq` and its leases
 *   `...:<type>:lease:<group>` share a slot, and so do all the types of one bus and shard and their
 *   publishers' deduplication records `<prefix>{<bus>:<shard>}:dedup:<producer>` (one append script
 *   per shard, producer and tick). The shards of a bus spread over the cluster's primaries: consumers
 *   scale out by shard.
 * - A stream of another name `s` (a user's own) is `<prefix>{s}`, with the same suffixes, and its
 *   deduplication records `<prefix>{s}:dedup:<producer>`.
 * - A consumer group's keys are tagged per group: `<prefix>{group:<group>}:members` and `:streams`
 *   (its live instances and the streams they read: one script) and its engine's checkpoints,
 *   `:ckpt` (per stream, the replay start) and `:ckpt:<stream>` (per key, the state) in one MULTI.
 *
 * Tags are harmless on a single Redis: every deployment uses the same keys.
 */
import { DEAD_LETTER_SUFFIX } from '../types.js';

/** The keys of one stream (all in its tag's slot). */
export interface StreamKeys {
  /** The hash tag's text (between the braces): `<bus>:<shard>`, or the stream's name. */
  readonly tag: string;
  /** The stream. */
  readonly stream: string;
  /** Its lease for a group is this plus the group's name. */
  readonly leasePrefix: string;
  /** The deduplication record of a producer on the tag's streams is this plus the producer's id (a hash, a field per stream). */
  readonly dedupPrefix: string;
}

/** A bus stream's name: `<bus>:<type>:<shard>`, the bus without ':' (createBus refuses one), the shard decimal. */
const BUS_STREAM = /^([^:]+):(.+):(\d+)$/;

/** The hash tag's text of stream `stream`: `<bus>:<shard>` for a bus stream, else the name (its dead letters: the stream's). */
export function streamTag(stream: string): string {
  if (stream.endsWith(DEAD_LETTER_SUFFIX)) return streamTag(stream.slice(0, -DEAD_LETTER_SUFFIX.length));
  const m = BUS_STREAM.exec(stream);
  return m ? `${m[1]}:${m[3]}` : stream;
}

/** `{text}`, and never `{}`: Redis hashes a whole key whose first braces are empty, so a text that starts with '}' gets a leading '_'. */
function tag(text: string): string {
  return text.startsWith('}') ? `{_${text}}` : `{${text}}`;
}

/** The key names of one transport (one prefix). */
export class RedisKeys {
  private readonly streams = new Map<string, StreamKeys>();

  constructor(
    /** Prefix of every key; without braces (they would move the hash tag: resolveOptions refuses them). */
    readonly prefix: string,
  ) {}

  /** The keys of stream `stream` (kept: a publisher asks for them at every publish). */
  of(stream: string): StreamKeys {
    let keys = this.streams.get(stream);
    if (keys) return keys;
    let key: string;
    if (stream.endsWith(DEAD_LETTER_SUFFIX)) {
      key = this.of(stream.slice(0, -DEAD_LETTER_SUFFIX.length)).stream + DEAD_LETTER_SUFFIX;
    } else {
      const m = BUS_STREAM.exec(stream);
      key = m ? `${this.prefix}${tag(`${m[1]}:${m[3]}`)}:${m[2]}` : `${this.prefix}${tag(stream)}`;
    }
    const tagText = streamTag(stream);
    keys = { tag: tagText, stream: key, leasePrefix: `${key}:lease:`, dedupPrefix: `${this.prefix}${tag(tagText)}:dedup:` };
    if (this.streams.size < 65_536) this.streams.set(stream, keys);
    return keys;
  }

  /**
   * The stream a Redis key names (the inverse of stream()): `{ bus, stream }` for a bus stream
   * (`kb:{marketdata:0}:TRADE_EXECUTION` -> marketdata, `marketdata:TRADE_EXECUTION:0`), `{ bus: '',
   * stream: name }` for a stream of another name, undefined for a key outside the prefix or a
   * dead-letter stream.
   */
  parseStream(key: string): { bus: string; stream: string } | undefined {
    if (!key.startsWith(`${this.prefix}{`) || key.endsWith(DEAD_LETTER_SUFFIX)) return undefined;
    const rest = key.slice(this.prefix.length + 1);
    const close = rest.indexOf('}');
    if (close < 0) return undefined;
    const inner = rest.slice(0, close);
    const tail = rest.slice(close + 1);
    const m = /^([^:]+):(\d+)$/.exec(inner);
    if (m && tail.startsWith(':') && tail.length > 1) return { bus: m[1], stream: `${m[1]}:${tail.slice(1)}:${m[2]}` };
    if (tail === '') return { bus: '', stream: inner.startsWith('_}') ? inner.slice(1) : inner };
    return undefined;
  }

  /** The Redis key of stream `stream`: `kb:{marketdata:0}:TRADE_EXECUTION` for `marketdata:TRADE_EXECUTION:0` by default. */
  stream(stream: string): string {
    return this.of(stream).stream;
  }

  /** The lease of `stream` for `group`: which consumer of the group reads it. */
  lease(stream: string, group: string): string {
    return this.of(stream).leasePrefix + group;
  }

  /**
   * The deduplication record of `producer` on the streams of `stream`'s hash tag: a hash whose field
   * per stream (its key) holds the seqs and entry ids of the producer's last append to it.
   */
  dedup(stream: string, producer: string): string {
    return this.of(stream).dedupPrefix + producer;
  }

  /** The sorted set of a group's live instances (by expiry). */
  members(group: string): string {
    return `${this.prefix}${tag(`group:${group}`)}:members`;
  }

  /** The set of the streams a group's instances read. */
  groupStreams(group: string): string {
    return `${this.prefix}${tag(`group:${group}`)}:streams`;
  }

  /** The checkpoint index of a group (an engine): per stream, where a replay starts. */
  checkpointIndex(group: string): string {
    return `${this.prefix}${tag(`group:${group}`)}:ckpt`;
  }

  /** The checkpoint records of a group on `stream`: per key, the last entry applied and the state. */
  checkpointRecords(group: string, stream: string): string {
    return `${this.prefix}${tag(`group:${group}`)}:ckpt:${stream}`;
  }

  /**
   * The incremental checkpoint records of a group on `stream`: per key, the changes written since its
   * record in checkpointRecords(), one field `<key>\u0000<n>` per change (n = 1, 2, ...).
   */
  checkpointDeltas(group: string, stream: string): string {
    return `${this.prefix}${tag(`group:${group}`)}:ckpt-delta:${stream}`;
  }

  /** The configuration that shapes a group's checkpointed state (JSON), written with its checkpoints. */
  checkpointConfig(group: string): string {
    return `${this.prefix}${tag(`group:${group}`)}:ckpt-config`;
  }
}
