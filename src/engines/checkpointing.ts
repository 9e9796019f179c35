/**
 * An engine's checkpoints over a transport that keeps them (capabilities.checkpoints; docs/redis.md):
 * per input stream, the keys changed since the last checkpoint, the highest entry id applied and the
 * entries that failed; written every checkpointMs through the transport's CheckpointStore once the
 * outputs they cover are stored; and, when the engine starts reading a stream (it started, or took the
 * stream over: the transport's leaseCount moved), the restore of the checkpoint and the replay of what
 * the group acknowledged since, so that a key's state is exactly its acknowledged entries, each applied
 * once.
 *
 * Checkpoints are incremental where the engine can say what changed (CheckpointHost.deltaKey): a key's
 * whole state is written once, then only its changes (deltas), until they add up to the whole state's
 * size (or MAX_DELTAS of them), when the whole state is written again and the deltas deleted in the
 * same MULTI (compaction). So a checkpoint costs O(changes), not O(state). The configuration that
 * shapes the state is stored with the checkpoints and checked before any is restored (./checkpoint-config.ts).
 */
import type { Bus } from '../bus/bus.js';
import { messageOf } from '../bus/delivery.js';
import { isPermanentFailure } from '../bus/errors.js';
import { decodeFrame, watermarkOnly } from '../bus/frames.js';
import type { BusMessage, BusName } from '../bus/messages.js';
import { CheckpointConfigError } from './checkpoint-config.js';
import {
  capabilitiesOf,
  compareEntryIds,
  replayGap,
  type CheckpointStore,
  type RecordWrite,
  type ReplayEntry,
  type StreamCheckpoint,
  type Transport,
} from '../bus/transports/types.js';

/** Per input stream, what checkpoints need. */
export interface StreamCheckpointState {
  store: CheckpointStore;
  bus: BusName;
  /** The input type the stream carries: snapshotKey() and restoreKey() get it. */
  type: string;
  /** Times this engine took the stream's lease (its subscription's onLease). */
  leases: number;
  /** `leases` when the stream was last resumed (undefined: never, or its keys were dropped). */
  epoch: number | undefined;
  resuming: Promise<void> | undefined;
  /** Keys changed since the last checkpoint. */
  dirty: Set<string>;
  /** Highest entry id applied on the stream. */
  maxId: string | undefined;
  /** key -> the id of its entry that failed and has not been applied since. */
  failures: Map<string, string>;
  /** key -> its incremental checkpoint chain (keys written whole only: none). */
  chains: Map<string, DeltaChain>;
  /** When the engine was first seen not holding the stream's lease since it last did (performance.now()). */
  releasedAt: number | undefined;
}

/**
 * How long a stream must stay with another engine before its keys are dropped: a lease lost for a
 * moment (a stalled event loop) and taken back keeps the state, which is then current.
 */
export const RELEASE_GRACE_MS = 3000;

/** What the store holds of a key's incremental checkpoint. */
interface DeltaChain {
  /** The highest delta number that may be stored (the next delta is n + 1; a whole record drops 1..n). */
  n: number;
  /** Bytes of the deltas since the whole record. */
  bytes: number;
  /** Bytes of the whole record. */
  base: number;
  /** The next record must be whole (a write failed, or the stored record is not this engine's state). */
  whole: boolean;
}

/**
 * The record key of a whole-state engine's state (Engine.wholeState), beside its streams' key records:
 * 8 bytes of the checkpoint's round (f64 LE, rising) then the engine's snapshot. No bus key starts with NUL.
 */
export const STATE_KEY = '\u0000state';

const NO_BYTES = new Uint8Array(0);

/** Most deltas on one whole record before it is written again. */
export const MAX_DELTAS = 1000;

/** What an engine's checkpoints need from the engine. */
export interface CheckpointHost {
  readonly bus: Bus;
  readonly group: string;
  readonly inputs: readonly string[];
  /** See Engine.joinsInputs: every input stream resumes together. */
  readonly joinsInputs: boolean;
  /** stream -> key -> id of the last entry applied. */
  readonly lastIds: Map<string, Map<string, string>>;
  snapshotKey(key: string, type: string): Uint8Array;
  /**
   * What changed in the state of `key` since its last snapshotKey() or deltaKey() (an incremental
   * checkpoint), or undefined when the engine writes whole states only.
   */
  deltaKey?(key: string, type: string): Uint8Array | undefined;
  /** Restores a key from its whole record and the deltas written since (oldest first). */
  restoreKey(key: string, bytes: Uint8Array, type: string, deltas: readonly Uint8Array[]): void;
  /** Forgets the state of `key` (its stream went to another engine of the group). */
  dropKey?(key: string, type: string): void;
  /**
   * An engine whose state is one whole across its keys and streams (Engine.wholeState): its snapshot,
   * what changed since the last snapshot or delta (undefined: whole snapshots only), and its restore from a
   * snapshot and the deltas written after it. Its key records then carry ids only, the whole state rides
   * with them (STATE_KEY, a delta chain as a key's: see writeWhole()), and the streams of one store are
   * written in one writeMany() (joinsInputs must be true).
   */
  readonly whole?: {
    snapshot(): Uint8Array;
    delta?(): Uint8Array | undefined;
    /**
     * snapshot() (kind 'whole') or delta() taken now and encoded over later turns of the event loop, in
     * one buffer whose first `reserve` bytes are left to the caller; undefined: snapshot() and delta()
     * are used.
     */
    capture?(kind: 'whole' | 'delta', reserve: number): Promise<Uint8Array> | undefined;
    restore(bytes: Uint8Array, deltas: readonly Uint8Array[]): void;
  };
  /** The configuration that shapes the state (configText()), stored with the checkpoints; undefined: none checked. */
  readonly config: string | undefined;
  /** On a configuration other than the stored one, forget the group's checkpoints instead of refusing. */
  readonly resetCheckpoints: boolean;
  /** Applies a message to the engine's state (a replayed entry goes through it as a delivery does). */
  process(message: BusMessage): void | Promise<void>;
  /** Whether process() takes the publishers' watermark-only frames (Engine.readsWatermarks); a replay skips them otherwise, as the delivery does. */
  readonly watermarks: boolean;
  /** Records `key`'s last applied entry on `stream`. */
  progress(stream: string, key: string, id: string): void;
  /** Whether the engine is closing or stopping. */
  closing(): boolean;
  /** Called once input streams were resumed: their checkpoint's keys restored, the entries since replayed. */
  resumed?(resume: EngineResume): void;
}

/** What one resume restored and replayed (resumes of several streams run at once: each counts its own). */
interface ResumeTally {
  restoredKeys: number;
  replayed: number;
  /** When it began (performance.now()). */
  at: number;
}

const newTally = (): ResumeTally => ({ restoredKeys: 0, replayed: 0, at: performance.now() });

/** A resume of input streams (EngineOptions.onResume): what was restored and replayed, and how long it took. */
export interface EngineResume {
  streams: string[];
  /** Keys whose state came from the checkpoint. */
  restoredKeys: number;
  /** Messages of the entries acknowledged after the checkpoint, applied again. */
  replayed: number;
  ms: number;
}

/** The checkpoints of one engine: a store per transport, a state per input stream. */
export class Checkpointing {
  /** stream -> its checkpoint state. */
  private readonly ckpt = new Map<string, StreamCheckpointState>();
  /** The same streams and states in an array: resumeAll()'s check before every delivery, with no iterator. */
  private readonly streams: [string, StreamCheckpointState][] = [];
  private readonly stores: CheckpointStore[] = [];
  readonly counts = {
    checkpoints: 0,
    checkpointErrors: 0,
    resumes: 0,
    restoredKeys: 0,
    replayed: 0,
    replayErrors: 0,
    replayGaps: 0,
    /** Records written whole and as deltas. */
    wholeRecords: 0,
    deltaRecords: 0,
    /** Keys dropped because their stream went to another engine of the group. */
    droppedKeys: 0,
    /** The bytes of the records stored (the state's, as the engine gave them). */
    checkpointBytes: 0,
    /** Milliseconds from the start of each checkpoint that stored something to its last write stored (capture, outputs' flush and writes). */
    checkpointMs: 0,
  };
  /** The configuration check (once, before the first restore). */
  private configChecked: Promise<void> | undefined;
  private checkpointing: Promise<void> | undefined;
  /** The resume of every input stream in progress (engines that join their inputs). */
  private resumingAll: Promise<void> | undefined;
  /** A whole-state engine's last checkpoint round (restored ones included). */
  private round = 0;
  /** A whole-state engine's STATE_KEY chain: the stream it rides on, its deltas (undefined: the next one is whole). */
  private stateChain: (DeltaChain & { stream: string }) | undefined;
  /** stream -> the highest STATE_KEY delta number that may be stored there (a whole record written there drops them). */
  private readonly stateStored = new Map<string, number>();

  /**
   * Why an engine of class `engine` (checkpointable or not) cannot checkpoint its inputs on `bus`, or
   * undefined when it can: it must snapshot its state, route statically and read every input from a
   * transport that keeps checkpoints.
   */
  static whyNot(bus: Bus, inputs: readonly string[], checkpointable: boolean, engine: string): string | undefined {
    if (!checkpointable) return `${engine}, which does not snapshot its state`;
    if (bus.router.strategy !== 'static')
      return `routing '${bus.router.strategy}' (checkpoints need 'static': a key's state must come from one stream)`;
    for (const type of inputs) {
      for (const name of bus.router.candidates(type)) {
        const transport = bus.transport(name);
        if (!capabilitiesOf(transport).checkpoints || !transport.checkpointStore || transport.leaseCount === undefined) {
          return `bus ${name} on a ${transport.name} transport (checkpoints need Redis)`;
        }
      }
    }
    return undefined;
  }

  /** Opens a store per transport of the engine's inputs (whyNot() must have said it can). */
  constructor(private readonly host: CheckpointHost) {
    const { bus } = host;
    const stores = new Map<Transport, CheckpointStore>();
    for (const type of host.inputs) {
      for (const name of bus.router.candidates(type)) {
        const transport = bus.transport(name);
        let store = stores.get(transport);
        if (!store) {
          store = transport.checkpointStore!(host.group); // whyNot() checked it is there
          if (host.whole && !store.writeMany)
            throw new Error(`a whole-state engine's checkpoints need writeMany() of the ${transport.name} store`);
          stores.set(transport, store);
          this.stores.push(store);
        }
        for (const stream of bus.streams(name, type)) {
          const state: StreamCheckpointState = {
            store,
            bus: name,
            type,
            leases: 0,
            epoch: undefined,
            resuming: undefined,
            dirty: new Set(),
            maxId: undefined,
            failures: new Map(),
            chains: new Map(),
            releasedAt: undefined,
          };
          this.ckpt.set(stream, state);
          this.streams.push([stream, state]);
        }
      }
    }
  }

  /** The checkpoint state of an input stream (undefined for another stream). */
  stateOf(stream: string): StreamCheckpointState | undefined {
    return this.ckpt.get(stream);
  }

  /**
   * The engine started reading `stream` (its subscription took the lease): resumes it now, so that a
   * stream taken over while idle has its keys' state before any entry comes (an engine that joins its
   * inputs: once it reads every input stream, all together). A failure (Redis unreachable) leaves it
   * due: the stream's next delivery resumes it.
   */
  leased(stream: string): void {
    const state = this.ckpt.get(stream);
    if (!state) return;
    state.leases++;
    const { bus, group, joinsInputs } = this.host;
    if (this.host.closing()) return;
    if (!joinsInputs) this.resume(stream, state)?.catch(() => undefined);
    else if ([...this.ckpt].every(([s, st]) => bus.transport(st.bus).holds?.(s, group))) this.resumeAll()?.catch(() => undefined);
  }

  /**
   * Before a delivery on `stream`: the resume in progress or due (see resume() and resumeAll()), or
   * undefined when the stream is current.
   */
  before(stream: string, state: StreamCheckpointState): Promise<void> | undefined {
    return this.host.joinsInputs ? this.resumeAll() : this.resume(stream, state);
  }

  /**
   * Compares the configuration stored with the group's checkpoints with the engine's (once): equal, or
   * none stored (then the engine's is stored), resolves; else, with resetCheckpoints, forgets the
   * group's checkpoints of its input streams (a fresh state from the group's position) and stores the
   * engine's; else rejects with CheckpointConfigError, before any checkpoint is restored.
   */
  checkConfig(): Promise<void> {
    this.configChecked ??= (async () => {
      const given = this.host.config;
      if (given === undefined) return;
      for (const store of this.stores) {
        const { loadConfig, writeConfig, reset } = store;
        if (!loadConfig || !writeConfig) continue;
        const stored = await this.retrying(() => loadConfig.call(store));
        if (stored === given) continue;
        if (stored !== undefined && !this.host.resetCheckpoints) throw new CheckpointConfigError(this.host.group, stored, given);
        if (stored !== undefined && reset) {
          for (const [stream, state] of this.ckpt) if (state.store === store) await this.retrying(() => reset.call(store, stream));
        }
        await this.retrying(() => writeConfig.call(store, given));
      }
    })();
    // Redis unreachable: the next call checks again (another configuration stays refused)
    this.configChecked.catch((error: unknown) => {
      if (!(error instanceof CheckpointConfigError)) this.configChecked = undefined;
    });
    return this.configChecked;
  }

  /** `call()`, tried again every 100 ms for 10 s while Redis is briefly unreachable (or its connection not yet open). */
  private async retrying<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= 100 || this.host.closing()) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Resumes the input streams the engine reads now (engine.ready()). */
  async ready(): Promise<void> {
    await this.checkConfig();
    const { bus, group } = this.host;
    if (this.host.joinsInputs) {
      await this.resumeAll();
      return;
    }
    await Promise.all(
      [...this.ckpt]
        .filter(([stream, state]) => bus.transport(state.bus).holds?.(stream, group))
        .map(([stream, state]) => this.resume(stream, state)),
    );
  }

  /**
   * Before the first delivery of a stream after this engine (re)started reading it (took its lease
   * again: leased()), restores the checkpoint and replays what the group acknowledged since; returns
   * undefined when the stream is current.
   */
  resume(stream: string, state: StreamCheckpointState): Promise<void> | undefined {
    const epoch = state.leases;
    if (state.epoch === epoch) return undefined;
    state.resuming ??= (async () => {
      await this.checkConfig();
      const tally = newTally();
      const checkpoint = await this.restoreStream(stream, state, tally);
      for await (const entry of this.toReplay(stream, checkpoint)) await this.replay(stream, state, entry, tally);
      state.epoch = epoch;
      this.counts.resumes++;
      this.tell([stream], tally);
    })().finally(() => {
      state.resuming = undefined;
    });
    return state.resuming;
  }

  /**
   * joinsInputs: when this engine took any input stream's lease again, restores the checkpoint of every
   * such stream first, then replays their acknowledged entries merged in entry-id order; returns
   * undefined when every stream is current.
   */
  resumeAll(): Promise<void> | undefined {
    if (this.resumingAll) return this.resumingAll;
    let moved: [string, StreamCheckpointState, number][] | undefined;
    for (let i = 0; i < this.streams.length; i++) {
      const state = this.streams[i][1];
      if (state.epoch !== state.leases) (moved ??= []).push([this.streams[i][0], state, state.leases]);
    }
    if (moved === undefined) return undefined;
    const all = (async () => {
      await this.checkConfig();
      const tally = newTally();
      const fresh = [...this.host.lastIds.values()].every((byKey) => byKey.size === 0);
      const checkpoints = await Promise.all(moved.map(([stream, state]) => this.restoreStream(stream, state, tally)));
      if (this.host.whole) this.restoreWhole(moved, checkpoints, fresh, tally);
      const sources = moved.map(([stream], i) => this.toReplay(stream, checkpoints[i])[Symbol.asyncIterator]());
      const heads = await Promise.all(sources.map((source) => source.next()));
      for (;;) {
        let next = -1;
        heads.forEach((head, i) => {
          if (!head.done && (next < 0 || compareEntryIds(head.value.id, (heads[next].value as ReplayEntry).id) < 0)) next = i;
        });
        if (next < 0) break;
        const entry = heads[next].value as ReplayEntry;
        await this.replay(moved[next][0], moved[next][1], entry, tally);
        heads[next] = await sources[next].next();
      }
      for (const [, state, epoch] of moved) {
        state.epoch = epoch;
        this.counts.resumes++;
      }
      this.tell(
        moved.map(([stream]) => stream),
        tally,
      );
    })().finally(() => {
      this.resumingAll = undefined;
      for (const [, state] of moved) state.resuming = undefined;
    });
    for (const [, state] of moved) state.resuming = all;
    this.resumingAll = all;
    return all;
  }

  /** Tells the host what a resume of `streams` did (its tally). */
  private tell(streams: string[], tally: ResumeTally): void {
    this.host.resumed?.({ streams, restoredKeys: tally.restoredKeys, replayed: tally.replayed, ms: performance.now() - tally.at });
  }

  /**
   * Loads `stream`'s checkpoint (retrying while Redis is briefly unreachable) and restores each key
   * whose record is newer than this engine's state; returns the checkpoint for the replay.
   */
  private async restoreStream(stream: string, state: StreamCheckpointState, tally: ResumeTally): Promise<StreamCheckpoint> {
    // Redis may be briefly unreachable: retry for a while before failing the delivery (it is retried too).
    let checkpoint: StreamCheckpoint;
    for (let attempt = 0; ; attempt++) {
      try {
        checkpoint = await state.store.load(stream);
        break;
      } catch (error) {
        if (attempt >= 20 || this.host.closing()) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const byKey = this.host.lastIds.get(stream) ?? new Map<string, string>();
    this.host.lastIds.set(stream, byKey);
    state.chains.clear();
    // a whole-state engine's records are restored together, by restoreWhole()
    for (const [key, record] of this.host.whole ? [] : checkpoint.records) {
      const deltas = record.deltas ?? [];
      const id = deltas.length > 0 ? deltas[deltas.length - 1].id : record.id;
      const local = byKey.get(key);
      const chain: DeltaChain = { n: deltas.length, bytes: 0, base: record.bytes.byteLength, whole: false };
      for (const d of deltas) chain.bytes += d.bytes.byteLength;
      if (local === undefined || compareEntryIds(id, local) > 0) {
        this.host.restoreKey(
          key,
          record.bytes,
          state.type,
          deltas.map((d) => d.bytes),
        );
        byKey.set(key, id);
        this.counts.restoredKeys++;
        tally.restoredKeys++;
      } else if (local !== id) {
        state.dirty.add(key); // ours is newer: the next checkpoint writes it
        chain.whole = true;
      }
      state.chains.set(key, chain);
    }
    for (const key of byKey.keys()) if (!checkpoint.records.has(key) || this.host.whole) state.dirty.add(key);
    state.failures.clear();
    if (replayGap(checkpoint)) this.counts.replayGaps++;
    return checkpoint;
  }

  /**
   * A whole-state engine's restore, once the checkpoints of the `moved` streams are loaded: the state of
   * the latest round among them (its whole record and the deltas written after it: each delta's round
   * above the one before, so deltas of an older chain left behind are not applied) and every key's last
   * entry id, when the engine has applied nothing yet (`fresh`: it started, or took the group over); an
   * engine with state of its own (a lease lost for a moment and taken back) keeps it, and its next
   * checkpoint writes it whole.
   */
  private restoreWhole(
    moved: readonly [string, StreamCheckpointState, number][],
    checkpoints: StreamCheckpoint[],
    fresh: boolean,
    tally: ResumeTally,
  ): void {
    let best: { stream: string; round: number; bytes: Uint8Array; deltas: Uint8Array[]; base: number; size: number } | undefined;
    moved.forEach(([stream], i) => {
      const record = checkpoints[i].records.get(STATE_KEY);
      if (!record || record.bytes.byteLength < 8) return;
      this.stateStored.set(stream, record.deltas?.length ?? 0);
      let round = roundOf(record.bytes);
      const deltas: Uint8Array[] = [];
      let size = 0;
      for (const d of record.deltas ?? []) {
        if (d.bytes.byteLength < 8 || !(roundOf(d.bytes) > round)) break;
        round = roundOf(d.bytes);
        deltas.push(d.bytes.subarray(8));
        size += d.bytes.byteLength;
      }
      if (!best || round > best.round)
        best = { stream, round, bytes: record.bytes.subarray(8), deltas, base: record.bytes.byteLength, size };
    });
    if (best) this.round = Math.max(this.round, best.round);
    this.stateChain = undefined;
    if (!fresh || !best) return;
    this.host.whole!.restore(best.bytes, best.deltas);
    this.stateChain = { stream: best.stream, n: best.deltas.length, bytes: best.size, base: best.base, whole: false };
    moved.forEach(([stream], i) => {
      const byKey = this.host.lastIds.get(stream)!;
      for (const [key, record] of checkpoints[i].records) {
        if (key === STATE_KEY) continue;
        byKey.set(key, record.id);
        this.counts.restoredKeys++;
        tally.restoredKeys++;
      }
    });
  }

  /** The entries of `stream` to replay after `checkpoint`: acknowledged (not pending), not yet applied to their key. */
  private async *toReplay(stream: string, checkpoint: StreamCheckpoint): AsyncGenerator<ReplayEntry> {
    if (checkpoint.lastDelivered === undefined) return;
    const byKey = this.host.lastIds.get(stream)!;
    for await (const entry of (this.ckpt.get(stream) as StreamCheckpointState).store.range(
      stream,
      checkpoint.from,
      checkpoint.lastDelivered,
    )) {
      if (checkpoint.pending.has(entry.id)) continue;
      const last = byKey.get(entry.key);
      if (last !== undefined && compareEntryIds(entry.id, last) <= 0) continue;
      yield entry;
    }
  }

  /**
   * Applies an acknowledged entry read back from the stream (its outputs are published again: at least
   * once). An entry that the delivery dead-lettered as malformed (its frame's type not the stream's, its
   * key or count not the entry's) is skipped here too, counted in replayErrors; a watermark-only frame
   * too, uncounted, unless the engine reads them (as its delivery skips it).
   */
  private async replay(stream: string, state: StreamCheckpointState, entry: ReplayEntry, tally: ResumeTally): Promise<void> {
    const { id, data } = entry;
    try {
      const frame = decodeFrame(data);
      if (frame.type !== state.type || frame.key !== entry.key || frame.count !== entry.count)
        throw new Error('not an entry of this stream');
      if (!this.host.watermarks && watermarkOnly(frame)) return;
      const message = messageOf(frame, { id, stream, deliveries: 1 }, state.bus);
      await this.host.process(message);
      this.host.progress(stream, message.key, id);
      this.mark(state, message.key, id);
      this.counts.replayed += message.count;
      tally.replayed += message.count;
    } catch {
      // The group acknowledged it (or dead-lettered it) and it does not apply here: skip it, counted.
      this.counts.replayErrors++;
    }
  }

  /**
   * A whole state changed outside any entry, through `key` (StrategyEngine's release timer handing out
   * its held trades): the key is marked on the primary input's stream it came from, so the next round
   * writes the state with the ids it has.
   */
  touch(key: string): void {
    for (const [stream, state] of this.ckpt) {
      if (state.type !== this.host.inputs[0] || state.maxId === undefined || !this.host.lastIds.get(stream)?.has(key)) continue;
      state.dirty.add(key);
      return;
    }
  }

  /** Notes a key changed by entry `id` for the next checkpoint. */
  mark(state: StreamCheckpointState, key: string, id: string): void {
    state.dirty.add(key);
    if (state.maxId === undefined || compareEntryIds(id, state.maxId) > 0) state.maxId = id;
    state.failures.delete(key);
  }

  /**
   * Writes a checkpoint of every stream whose keys changed since the last one, once the outputs
   * published so far are stored (so no output of a checkpointed entry can be lost). Runs every
   * checkpointMs and when the engine stops or closes; failures are counted and retried next time.
   */
  checkpoint(): Promise<void> {
    this.checkpointing ??= this.writeCheckpoint().finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  /** One checkpoint, timed into counts.checkpointMs when it stored something. */
  private async writeCheckpoint(): Promise<void> {
    const started = performance.now();
    const before = this.counts.checkpoints;
    try {
      await this.writeRound();
    } finally {
      if (this.counts.checkpoints > before) this.counts.checkpointMs += performance.now() - started;
    }
  }

  /** Counts a stored write of `jobs`: one checkpoint, and its records' bytes. */
  private stored(jobs: readonly { records: readonly RecordWrite[] }[]): void {
    this.counts.checkpoints++;
    for (const { records } of jobs) for (const { bytes } of records) this.counts.checkpointBytes += bytes.byteLength;
  }

  private async writeRound(): Promise<void> {
    // a whole state in the middle of a replay holds entries its streams' ids do not: wait for the resume
    if (this.host.whole && [...this.ckpt.values()].some((state) => state.resuming)) return;
    const jobs: {
      stream: string;
      state: StreamCheckpointState;
      maxId: string;
      holdBack: string | undefined;
      records: RecordWrite[];
    }[] = [];
    for (const [stream, state] of this.ckpt) {
      if (state.dirty.size === 0 || state.resuming || state.maxId === undefined) continue;
      const byKey = this.host.lastIds.get(stream);
      const records: RecordWrite[] = [];
      for (const key of state.dirty) {
        const id = byKey?.get(key);
        if (id === undefined) continue;
        // a whole-state engine's key records carry the id only (the state rides with them, below)
        records.push(this.host.whole ? { key, id, bytes: NO_BYTES } : this.record(state, key, id));
      }
      let holdBack: string | undefined;
      for (const id of state.failures.values()) if (holdBack === undefined || compareEntryIds(id, holdBack) < 0) holdBack = id;
      state.dirty.clear();
      jobs.push({ stream, state, maxId: state.maxId, holdBack, records });
    }
    if (jobs.length === 0) return;
    if (this.host.whole) return this.writeWhole(jobs);
    await this.host.bus.flush();
    await Promise.all(
      jobs.map(async ({ stream, state, maxId, holdBack, records }) => {
        try {
          await state.store.write(stream, maxId, holdBack, records);
          this.stored([{ records }]);
          for (const { key, bytes, delta } of records) {
            if (delta !== undefined) continue;
            state.chains.set(key, { n: 0, bytes: 0, base: bytes.byteLength, whole: false });
          }
        } catch {
          this.counts.checkpointErrors++;
          for (const { key } of records) {
            state.dirty.add(key);
            // what the failed write held is no longer in the engine's next delta: the next record is whole
            const chain = state.chains.get(key);
            if (chain) chain.whole = true;
          }
        }
      }),
    );
  }

  /**
   * A whole-state engine's checkpoint: its state now (with the key ids collected at the same moment),
   * then, once the outputs so far are stored, one writeMany() of the changed streams of the store of
   * the first input (the primary: the trades of a StrategyEngine) with the state riding in it, and only
   * once that is stored the other stores' changed streams. So the state is always stored with the ids of
   * the primary's streams; another store's records may lag it by a round (a kill between the writes, or a
   * failed write), and then its entries since are replayed onto the state (idempotent for the inputs
   * whose last payload is what is kept: ctx.latest()). A failed write leaves its keys to the next round.
   *
   * The state is incremental where the engine gives deltas (whole.delta): STATE_KEY's whole record is
   * written once, on one primary stream, then only the state's changes as its deltas on that stream
   * (which is then written each round, its replay start as it stands), until they add up to the whole
   * record's size or MAX_DELTAS of them: then the whole state again, its deltas dropped in the same MULTI
   * (compaction), as a key's (record()). A failed write makes the next record whole. Each record and
   * delta starts with its round, so a restore applies only the deltas written after the record.
   */
  private async writeWhole(
    jobs: { stream: string; state: StreamCheckpointState; maxId: string; holdBack: string | undefined; records: RecordWrite[] }[],
  ): Promise<void> {
    const whole = this.host.whole!;
    const primary = [...this.ckpt.values()][0].store;
    const mine = jobs.filter((j) => j.state.store === primary);
    const chain = this.stateChain && !this.stateChain.whole ? this.stateChain : undefined;
    // the state rides on its chain's stream while the chain goes on, else on a changed primary stream
    let anchor = chain && mine.find((j) => j.stream === chain.stream);
    const onChain = chain && this.ckpt.get(chain.stream);
    if (!anchor && chain && onChain?.store === primary && onChain.maxId !== undefined) {
      anchor = { stream: chain.stream, state: onChain, maxId: onChain.maxId, holdBack: holdBackOf(onChain), records: [] };
      mine.push(anchor);
    }
    if (!anchor && mine.length === 0) {
      // only other stores changed: the state rides on a primary stream, its replay start as it stands
      const [stream, state] = [...this.ckpt].find(([, st]) => st.store === primary && st.maxId !== undefined) ?? [...this.ckpt][0];
      mine.push({ stream, state, maxId: state.maxId ?? '0-0', holdBack: holdBackOf(state), records: [] });
    }
    anchor ??= mine[0];
    const deltaNext = chain !== undefined && chain.stream === anchor.stream && chain.n < MAX_DELTAS && chain.bytes < chain.base;
    // the state after its round (8 bytes): taken in parts over later turns where the engine can, else now
    let bytes: Uint8Array;
    let delta = false;
    try {
      const captured = whole.capture?.(deltaNext ? 'delta' : 'whole', 8);
      if (captured) {
        bytes = await captured;
        delta = deltaNext;
      } else {
        const d = deltaNext ? whole.delta?.() : undefined;
        const body = d ?? whole.snapshot();
        bytes = new Uint8Array(8 + body.byteLength);
        bytes.set(body, 8);
        delta = d !== undefined;
      }
    } catch (error) {
      // a state that could not be taken (ctx.state msgpackr cannot pack): its keys wait for the next
      // round, and the next record is whole, as after a failed write (a run taken before another's
      // failed has moved its marks on: a delta would miss what it held)
      if (this.stateChain) this.stateChain.whole = true;
      giveBack(jobs);
      throw error;
    }
    new DataView(bytes.buffer, bytes.byteOffset, 8).setFloat64(0, ++this.round, true);
    const stored = this.stateStored.get(anchor.stream) ?? 0;
    anchor.records.push(
      delta && chain
        ? { key: STATE_KEY, id: anchor.maxId, bytes, delta: chain.n + 1 }
        : { key: STATE_KEY, id: anchor.maxId, bytes, drop: stored },
    );
    const others = new Map<CheckpointStore, typeof jobs>();
    for (const job of jobs) if (job.state.store !== primary) others.set(job.state.store, [...(others.get(job.state.store) ?? []), job]);
    const failed = (group: typeof jobs) => {
      this.counts.checkpointErrors++;
      giveBack(group);
    };
    await this.host.bus.flush();
    try {
      await primary.writeMany!(mine);
      this.stored(mine);
      if (delta && chain) {
        chain.n++;
        chain.bytes += bytes.byteLength;
        this.stateStored.set(anchor.stream, Math.max(stored, chain.n));
        this.counts.deltaRecords++;
      } else {
        this.stateChain = { stream: anchor.stream, n: 0, bytes: 0, base: bytes.byteLength, whole: false };
        this.stateStored.set(anchor.stream, 0);
        this.counts.wholeRecords++;
      }
    } catch {
      // what the failed write held is no longer in the engine's next delta: the next record is whole
      if (this.stateChain) this.stateChain.whole = true;
      if (delta && chain) this.stateStored.set(anchor.stream, Math.max(stored, chain.n + 1));
      failed(jobs);
      return;
    }
    await Promise.all(
      [...others].map(async ([store, group]) => {
        try {
          await store.writeMany!(group);
          this.stored(group);
        } catch {
          failed(group);
        }
      }),
    );
  }

  /**
   * The record of `key` for the next checkpoint: a delta when the engine gives one and its chain is
   * short (its deltas smaller than its whole record, fewer than MAX_DELTAS), else the whole state
   * (which drops the deltas the store may hold).
   */
  private record(state: StreamCheckpointState, key: string, id: string): RecordWrite {
    const chain = state.chains.get(key);
    if (chain && !chain.whole && chain.n < MAX_DELTAS && chain.bytes < chain.base) {
      const delta = this.host.deltaKey?.(key, state.type);
      if (delta) {
        chain.n++;
        chain.bytes += delta.byteLength;
        this.counts.deltaRecords++;
        return { key, id, bytes: delta, delta: chain.n };
      }
    }
    this.counts.wholeRecords++;
    return { key, id, bytes: this.host.snapshotKey(key, state.type), drop: chain?.n ?? 0 };
  }

  /**
   * Drops the state of the keys of every input stream this engine no longer reads (its lease went to
   * another engine of the group) for RELEASE_GRACE_MS and their changes are checkpointed: the engine
   * keeps only the keys it owns. Reading the stream again resumes it from the checkpoint. Engines that join their inputs keep
   * everything (they run one per group).
   */
  dropReleased(): void {
    const { host } = this;
    if (host.joinsInputs || !host.dropKey) return;
    const now = performance.now();
    for (const [stream, state] of this.ckpt) {
      if (host.bus.transport(state.bus).holds?.(stream, host.group) !== false) {
        state.releasedAt = undefined;
        continue;
      }
      state.releasedAt ??= now;
      if (state.epoch === undefined || state.resuming || state.dirty.size > 0 || now - state.releasedAt < RELEASE_GRACE_MS) continue;
      const byKey = host.lastIds.get(stream);
      for (const key of byKey?.keys() ?? []) {
        host.dropKey(key, state.type);
        this.counts.droppedKeys++;
      }
      host.lastIds.delete(stream);
      state.chains.clear();
      state.failures.clear();
      state.maxId = undefined;
      state.epoch = undefined;
    }
  }

  /**
   * A delivery failed: one that a retry may cure holds the key's replay start back (the entry stays
   * pending); one that none can (isPermanentFailure) is dead-lettered and does not.
   */
  failed(state: StreamCheckpointState, key: string, id: string, error: unknown): void {
    if (!isPermanentFailure(error) && !state.failures.has(key)) state.failures.set(key, id);
  }

  /** Marks every key the engine has state for as changed: the last checkpoint (close()) writes them all. */
  dirtyAll(): void {
    for (const [stream, state] of this.ckpt) for (const key of this.host.lastIds.get(stream)?.keys() ?? []) state.dirty.add(key);
  }

  /** Resolves once the resumes and the checkpoint in progress have ended (before the last checkpoint). */
  async settle(): Promise<void> {
    for (const state of this.ckpt.values()) await state.resuming?.catch(() => undefined);
    await this.checkpointing?.catch(() => undefined);
  }

  /** Closes the stores' connections (after the last checkpoint). */
  close(): void {
    for (const store of this.stores) store.close();
  }
}

/** The key records of rounds that were not written, back among their streams' changed keys (the next round writes them). */
function giveBack(jobs: readonly { state: StreamCheckpointState; records: readonly RecordWrite[] }[]): void {
  for (const { state, records } of jobs) for (const { key } of records) if (key !== STATE_KEY) state.dirty.add(key);
}

/** The oldest entry of `state`'s stream that failed and has not been applied since (the replay start held back). */
function holdBackOf(state: StreamCheckpointState): string | undefined {
  let holdBack: string | undefined;
  for (const id of state.failures.values()) if (holdBack === undefined || compareEntryIds(id, holdBack) < 0) holdBack = id;
  return holdBack;
}

/** The round a whole-state record or delta starts with (f64 LE). */
function roundOf(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
}
