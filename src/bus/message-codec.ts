/**
 * The msgpack bodies of message frames, in two forms:
 * - **plain** (what every frame on a wire carries): msgpack maps, decodable anywhere;
 * - **process-local** (frames.ts FLAG_LOCAL; only on a bus whose every transport keeps its entries in this
 *   process): msgpackr's records, each object's keys written once per shape rather than in every message,
 *   the shapes kept per message type in this process. For a FEATURES_UPDATE payload (3 shapes, 17
 *   values): 0.98 us to write against 1.25-1.71 us, 0.25-0.40 us to read against 1.27-1.41 us; decodable only
 *   by this process: such a frame is never published as bytes (Bus.publishFrame refuses it) nor handed to
 *   a transport whose entries leave the process.
 * A type's shapes are kept for as long as the process lives (a frame written with them may be read at
 * any later time): a type whose messages bring more than LOCAL_SHAPES shapes (objects keyed by symbol,
 * say) is written plain from then on, as are the types past the first LOCAL_TYPES; either way the
 * decoded payload is the same. They are kept once per process, not per copy of this module: two copies
 * of kernelbus in one process (an application's and a dependency's) whose buses share an in-process
 * transport read each other's process-local frames (the codecs live on `globalThis` under
 * LOCAL_CODECS_KEY).
 * msgpackr (and its native string extractor) loads with the first message frame, not with the bus:
 * importing `kernelbus` stays quick.
 */
import { createRequire } from 'node:module';
import type { Packr } from 'msgpackr';

/** Shapes (objects' key lists) one type's process-local codec keeps: msgpackr's one-byte record ids. */
export const LOCAL_SHAPES = 32;
/** Types with a process-local codec of their own; later types are written plain. */
export const LOCAL_TYPES = 1024;

type Msgpackr = typeof import('msgpackr');
let msgpackr: Msgpackr | undefined;
let plain: Packr | undefined;

/**
 * A type's process-local codec; once its shapes fill it the type is written plain (the codec still reads
 * what it wrote). Its layout is shared by every copy of this module that uses LOCAL_CODECS_KEY: a change
 * to it takes a new key.
 */
interface LocalCodec {
  packr: Packr;
  /** The shapes it keeps (msgpackr's shared structures; `sharedLength` counts them and only grows). */
  shapes: { sharedLength?: number };
}

/** Where the process keeps its process-local codecs, by type: one Map for every copy of kernelbus loaded. */
const LOCAL_CODECS_KEY = Symbol.for('kernelbus.bus.localCodecs.v1');
const shared = globalThis as unknown as Record<symbol, Map<string, LocalCodec> | undefined>;
const local = (shared[LOCAL_CODECS_KEY] ??= new Map<string, LocalCodec>());

function library(): Msgpackr {
  msgpackr ??= createRequire(import.meta.url)('msgpackr') as Msgpackr;
  return msgpackr;
}

/**
 * msgpack with `moreTypes` (typed arrays keep their type and contents; without it a Float64Array is
 * silently corrupted) and without msgpackr's record extension (plain msgpack maps, decodable anywhere).
 */
function plainCodec(): Packr {
  plain ??= new (library().Packr)({ moreTypes: true, useRecords: false });
  return plain;
}

/** `type`'s process-local codec to write with (made at its first message); undefined when the type is written plain. */
function writingCodec(type: string): Packr | undefined {
  let codec = local.get(type);
  if (!codec) {
    if (local.size >= LOCAL_TYPES) return undefined;
    const shapes: object[] & { sharedLength?: number } = [];
    const packr = new (library().Packr)({
      moreTypes: true,
      mapsAsObjects: true, // a Map arrives as a plain object, as from a plain body
      structures: shapes,
      maxSharedStructures: LOCAL_SHAPES,
      maxOwnStructures: LOCAL_SHAPES,
    });
    codec = { packr, shapes };
    local.set(type, codec);
  }
  // full: a further shape would be defined inside each message that carries it, slower than plain maps
  return (codec.shapes.sharedLength ?? 0) < LOCAL_SHAPES ? codec.packr : undefined;
}

/**
 * Loads msgpackr now instead of with the first message frame: a process that will publish messages (an
 * engine on Redis) calls it before it reads, so that its first output does not wait for the load
 * (13 to 18 ms on the development machine).
 */
export function loadMessageCodec(): void {
  plainCodec();
}

/**
 * `value` as msgpack: process-local when `wantLocal` and `type` still has room for its shapes (then
 * `local` is true), else plain. Throws what msgpackr throws for a value it cannot encode.
 */
export function packBody(type: string, value: unknown, wantLocal: boolean): { body: Uint8Array; local: boolean } {
  const codec = wantLocal ? writingCodec(type) : undefined;
  return codec ? { body: codec.pack(value), local: true } : { body: plainCodec().pack(value), local: false };
}

/**
 * The value of a body written by packBody(), a process-local one read with `type`'s codec. Throws an
 * Error for bytes that are not msgpack, and for a local body of a type this process wrote none of.
 */
export function unpackBody(type: string, bytes: Uint8Array, isLocal: boolean): unknown {
  if (!isLocal) return plainCodec().unpack(bytes);
  const codec = local.get(type);
  if (!codec) throw new Error(`a process-local body of type ${type}, of which this process wrote none`);
  return codec.packr.unpack(bytes);
}
