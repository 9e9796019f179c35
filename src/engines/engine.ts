/**
 * The Engine base: subscribes to its input types in a consumer group, skips entries it already
 * processed (at-least-once delivery made idempotent by entry id), measures throughput and latency,
 * publishes ENGINE_HEALTH heartbeats, and flushes its per-key state on close.
 *
 * Over Redis, engines that can snapshot their per-key state (VpinEngine, RiskEngine) checkpoint it
 * with the last entry id per key (the transport's checkpointStore(), docs/redis.md): an engine that starts reading a
 * stream, because it (re)started or took the stream over from another process of its group, restores
 * the checkpoint and replays what the group acknowledged since, so its state is exactly the
 * acknowledged entries, each applied once. With several input types, each input stream has its own
 * checkpoint and a key's snapshot belongs to the stream (so the input type) its entries come from; an
 * engine whose keys of one input are read together with those of another (RiskEngine: portfolios and
 * their universe's returns) resumes every input stream together (see `joinsInputs`).
 */
import type { Bus, Subscription } from '../bus/bus.js';
import { isPermanentFailure } from '../bus/errors.js';
import { decodeFrame } from '../bus/frames.js';
import type { BusMessage, BusName, Envelope } from '../bus/messages.js';
import { nowMs } from '../bus/messages.js';
import { Histogram, type EngineMetrics } from '../bus/metrics.js';
import { capabilitiesOf, compareEntryIds, replayGap, type CheckpointStore, type ReplayEntry, type StreamCheckpoint, type Transport } from '../bus/transports/types.js';
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';

/** Options every engine takes. */
export interface EngineOptions {
  /** Engine name: the heartbeat key and the default consumer group. */
  name: string;
  /** Consumer group. Default: the name. Engines sharing a group share the input (each key stays with one of them). */
  group?: string;
  /** Consumer name in the group. Default: `<name>-1`. */
  consumer?: string;
  /** ENGINE_HEALTH period in ms; 0 disables heartbeats. Default 1000. */
  heartbeatMs?: number;
  /**
   * Checkpoint period in ms over Redis (state per key and last entry ids, see docs/redis.md); 0 disables
   * checkpoints. Default 1000. They need an engine that snapshots its state (VpinEngine and RiskEngine
   * do), 'static' routing and Redis transports for every input: without these the default turns
   * checkpoints off, and an explicit period is refused with KernelInputError.
   */
  checkpointMs?: number;
}

/** Per input stream, what checkpoints need. */
interface StreamCheckpointState {
  store: CheckpointStore;
  bus: BusName;
  /** The input type the stream carries: snapshotKey() and restoreKey() get it. */
  type: string;
  /** The transport's lease counter when the stream was last resumed (undefined: never). */
  epoch: number | undefined;
  resuming: Promise<void> | undefined;
  /** Keys changed since the last checkpoint. */
  dirty: Set<string>;
  /** Highest entry id applied on the stream. */
  maxId: string | undefined;
  /** key -> the id of its entry that failed and has not been applied since. */
  failures: Map<string, string>;
}

/** The payload of an ENGINE_HEALTH heartbeat. */
export interface EngineHealth {
  engine: string;
  /** Messages processed since start. */
  processed: number;
  /** Messages per second since the previous heartbeat. */
  throughput: number;
  /** Publish-to-processed latency, ms. */
  latencyMs: { p50: number; p99: number; max: number };
  /** Messages waiting for this engine. */
  backlog: number;
  keys: number;
  uptimeMs: number;
  /**
   * True once a bus of the engine's bus system may have lost entries (e.g. Redis restarted empty):
   * results may miss messages. Which bus: `bus.metrics().buses`.
   */
  possibleLoss: boolean;
}

/**
 * Base class of engines. Subclasses name their input types, process one delivery at a time (throwing
 * leaves it for redelivery, so processing must not half-apply), keep per-key state and publish results
 * with `emit()`. Call `start()` to subscribe, `close()` before closing the bus.
 */
export abstract class Engine {
  readonly name: string;
  readonly bus: Bus;
  private readonly group: string;
  private readonly consumer: string;
  private readonly heartbeatMs: number;
  private subscriptions: Subscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** stream -> key -> id of the last processed entry. */
  private readonly lastIds = new Map<string, Map<string, string>>();
  private readonly latency = new Histogram(0.001);
  private startedAt = 0;
  private lastBeat = { at: 0, processed: 0 };
  private closing: Promise<void> | undefined;
  private readonly counts = { processed: 0, batches: 0, duplicates: 0, errors: 0, publishErrors: 0, heartbeats: 0 };
  private readonly checkpointMs: number;
  private readonly checkpointExplicit: boolean;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointing: Promise<void> | undefined;
  /** stream -> checkpoint state (only while checkpoints are on). */
  private readonly ckpt = new Map<string, StreamCheckpointState>();
  private readonly stores: CheckpointStore[] = [];
  private readonly ckptCounts = { checkpoints: 0, checkpointErrors: 0, resumes: 0, restoredKeys: 0, replayed: 0, replayErrors: 0, replayGaps: 0 };
  /** The resume of every input stream in progress (engines that join their inputs). */
  private resumingAll: Promise<void> | undefined;

  /** The types this engine consumes. */
  protected abstract readonly inputs: readonly string[];

  /** Processes one delivery (synchronously or not); throwing asks for redelivery. */
  protected abstract process(message: BusMessage): void | Promise<void>;

  /** Keys with state. */
  protected abstract get keyCount(): number;

  /** Emits what per-key state still holds (end of data). Called by close() after the input drained. */
  protected flushState(): void {}

  /** Engine-specific counters for metrics(). */
  protected extraMetrics(): Record<string, number> {
    return {};
  }

  /** Whether the engine implements snapshotKey() and restoreKey() (checkpoints need both). Default false. */
  protected get checkpointable(): boolean {
    return false;
  }

  /**
   * Whether the engine reads keys of one input together with keys of another (RiskEngine: a portfolio
   * with its universe's returns). Then, before the first delivery after any input stream changed hands,
   * it restores the checkpoint of every input stream that did and only then replays what their groups
   * acknowledged since, merged in entry-id order, so that no replayed entry meets state that is not yet
   * restored. Such an engine's state must live in one process: run one engine per group (a second live
   * one would take some of the streams). Default false: each stream resumes on its own.
   */
  protected get joinsInputs(): boolean {
    return false;
  }

  /**
   * The state of `key` as bytes, for the checkpoint of a stream of input `type` (engines that are
   * checkpointable override it). The bytes must depend only on that input's entries of the key.
   */
  protected snapshotKey(key: string, type: string): Uint8Array {
    void type;
    throw new KernelInputError('key', 'a key of a checkpointable engine', JSON.stringify(key));
  }

  /** Replaces the state of `key` of input `type` with bytes from snapshotKey() (checkpointable engines override it). */
  protected restoreKey(key: string, bytes: Uint8Array, type: string): void {
    void bytes;
    void type;
    throw new KernelInputError('key', 'a key of a checkpointable engine', JSON.stringify(key));
  }

  /** Validates the common options. */
  constructor(bus: Bus, options: EngineOptions) {
    if (typeof options?.name !== 'string' || options.name.length === 0) {
      throw new KernelInputError('options.name', 'a non-empty string', describeValue(options?.name));
    }
    const heartbeatMs = options.heartbeatMs ?? 1000;
    if (typeof heartbeatMs !== 'number' || !(heartbeatMs >= 0)) {
      throw new KernelInputError('options.heartbeatMs', 'a number >= 0', describeValue(heartbeatMs));
    }
    this.bus = bus;
    this.name = options.name;
    this.group = options.group ?? options.name;
    this.consumer = options.consumer ?? `${options.name}-1`;
    this.heartbeatMs = heartbeatMs;
    const checkpointMs = options.checkpointMs ?? 1000;
    if (typeof checkpointMs !== 'number' || !(checkpointMs >= 0) || !Number.isFinite(checkpointMs)) {
      throw new KernelInputError('options.checkpointMs', 'a number >= 0', describeValue(checkpointMs));
    }
    this.checkpointMs = checkpointMs;
    this.checkpointExplicit = options.checkpointMs !== undefined && checkpointMs > 0;
  }

  /** Whether this engine checkpoints its state (decided by start(); see EngineOptions.checkpointMs). */
  get checkpoints(): boolean {
    return this.ckpt.size > 0;
  }

  /** Subscribes to the inputs and starts heartbeats. Returns this. */
  start(): this {
    if (this.subscriptions.length > 0 || this.closing) return this;
    this.setUpCheckpoints();
    this.startedAt = performance.now();
    this.lastBeat = { at: this.startedAt, processed: 0 };
    const options = { group: this.group, consumer: this.consumer };
    this.subscriptions = this.inputs.map((type) => this.bus.subscribe(type, (m) => this.handle(m), options));
    if (this.heartbeatMs > 0) {
      this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
      this.timer.unref();
    }
    if (this.ckpt.size > 0) {
      this.checkpointTimer = setInterval(() => {
        this.checkpoint().catch(() => {
          this.ckptCounts.checkpointErrors++;
        });
      }, this.checkpointMs);
      this.checkpointTimer.unref();
    }
    return this;
  }

  /** Turns checkpoints on when the engine, the routing and the input's transports allow it. */
  private setUpCheckpoints(): void {
    if (this.checkpointMs === 0) return;
    const why = this.noCheckpointsBecause();
    if (why) {
      if (this.checkpointExplicit) throw new KernelInputError('options.checkpointMs', 'an engine and bus that can checkpoint (or 0)', why);
      return;
    }
    const stores = new Map<Transport, CheckpointStore>();
    for (const type of this.inputs) {
      for (const bus of this.bus.router.candidates(type)) {
        const transport = this.bus.transport(bus);
        let store = stores.get(transport);
        if (!store) {
          store = transport.checkpointStore!(this.group); // noCheckpointsBecause() checked it is there
          stores.set(transport, store);
          this.stores.push(store);
        }
        for (const stream of this.bus.streams(bus, type)) {
          this.ckpt.set(stream, { store, bus, type, epoch: undefined, resuming: undefined, dirty: new Set(), maxId: undefined, failures: new Map() });
        }
      }
    }
  }

  private noCheckpointsBecause(): string | undefined {
    if (!this.checkpointable) return `${this.constructor.name}, which does not snapshot its state`;
    if (this.bus.router.strategy !== 'static') return `routing '${this.bus.router.strategy}' (checkpoints need 'static': a key's state must come from one stream)`;
    for (const type of this.inputs) {
      for (const bus of this.bus.router.candidates(type)) {
        const transport = this.bus.transport(bus);
        if (!capabilitiesOf(transport).checkpoints || !transport.checkpointStore || transport.leaseCount === undefined) {
          return `bus ${bus} on a ${transport.name} transport (checkpoints need Redis)`;
        }
      }
    }
    return undefined;
  }

  /**
   * Resolves once the engine reads its inputs: over Redis, its subscriptions hold their streams' leases
   * (or other engines of its group do), and the streams it holds are resumed from their checkpoints. Its
   * first deliveries then wait for neither: start a burst of input (a market) after it. In process it
   * resolves at once. Rejects with TransportError when the streams are not read within `timeoutMs`.
   */
  async ready(timeoutMs?: number): Promise<void> {
    const transports = new Set<Transport>();
    for (const type of this.inputs) for (const bus of this.bus.router.candidates(type)) transports.add(this.bus.transport(bus));
    await Promise.all([...transports].map((t) => t.reading?.(timeoutMs)));
    if (this.ckpt.size === 0) return;
    if (this.joinsInputs) {
      await this.resumeAll();
      return;
    }
    await Promise.all(
      [...this.ckpt].filter(([stream, state]) => this.bus.transport(state.bus).holds?.(stream, this.group)).map(([stream, state]) => this.resume(stream, state)),
    );
  }

  private handle(message: BusMessage): void | Promise<void> {
    const state = this.ckpt.get(message.stream);
    if (state) {
      const resuming = this.joinsInputs ? this.resumeAll() : this.resume(message.stream, state);
      if (resuming) return resuming.then(() => this.apply(message, state));
    }
    return this.apply(message, state);
  }

  private apply(message: BusMessage, state: StreamCheckpointState | undefined): void | Promise<void> {
    const last = this.lastIds.get(message.stream)?.get(message.key);
    if (last !== undefined && compareEntryIds(message.id, last) <= 0) {
      this.counts.duplicates++;
      return;
    }
    let result: void | Promise<void>;
    try {
      result = this.process(message);
    } catch (error) {
      return this.failed(error, message, state);
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      return (result as Promise<void>).then(
        () => this.processed(message, state),
        (error: unknown) => this.failed(error, message, state),
      );
    }
    this.processed(message, state);
  }

  /** Records `key`'s last processed entry on `stream`. */
  private progress(stream: string, key: string, id: string): void {
    let byKey = this.lastIds.get(stream);
    if (!byKey) {
      byKey = new Map();
      this.lastIds.set(stream, byKey);
    }
    byKey.set(key, id);
  }

  /** The lease counter of the transport that carries `state`'s stream: it moves when a stream is (re)acquired. */
  private epochOf(state: StreamCheckpointState): number {
    return this.bus.transport(state.bus).leaseCount ?? 0;
  }

  /**
   * Before the first delivery of a stream after this engine (re)started reading it (its transport's
   * lease counter moved), restores the checkpoint and replays what the group acknowledged since; returns
   * undefined when the stream is current.
   */
  private resume(stream: string, state: StreamCheckpointState): Promise<void> | undefined {
    const epoch = this.epochOf(state);
    if (state.epoch === epoch) return undefined;
    state.resuming ??= (async () => {
      const checkpoint = await this.restoreStream(stream, state);
      for await (const entry of this.toReplay(stream, checkpoint)) await this.replay(stream, state, entry);
      state.epoch = epoch;
      this.ckptCounts.resumes++;
    })().finally(() => {
      state.resuming = undefined;
    });
    return state.resuming;
  }

  /**
   * joinsInputs: when any input stream's transport lease counter moved, restores the checkpoint of every
   * such stream first, then replays their acknowledged entries merged in entry-id order; returns
   * undefined when every stream is current.
   */
  private resumeAll(): Promise<void> | undefined {
    if (this.resumingAll) return this.resumingAll;
    const moved: [string, StreamCheckpointState, number][] = [];
    const epochs = new Map<BusName, number>();
    for (const [stream, state] of this.ckpt) {
      let epoch = epochs.get(state.bus);
      if (epoch === undefined) epochs.set(state.bus, (epoch = this.epochOf(state)));
      if (state.epoch !== epoch) moved.push([stream, state, epoch]);
    }
    if (moved.length === 0) return undefined;
    const all = (async () => {
      const checkpoints = await Promise.all(moved.map(([stream, state]) => this.restoreStream(stream, state)));
      const sources = moved.map(([stream], i) => this.toReplay(stream, checkpoints[i])[Symbol.asyncIterator]());
      const heads = await Promise.all(sources.map((source) => source.next()));
      for (;;) {
        let next = -1;
        heads.forEach((head, i) => {
          if (!head.done && (next < 0 || compareEntryIds(head.value.id, (heads[next].value as ReplayEntry).id) < 0)) next = i;
        });
        if (next < 0) break;
        const entry = heads[next].value as ReplayEntry;
        await this.replay(moved[next][0], moved[next][1], entry);
        heads[next] = await sources[next].next();
      }
      for (const [, state, epoch] of moved) {
        state.epoch = epoch;
        this.ckptCounts.resumes++;
      }
    })().finally(() => {
      this.resumingAll = undefined;
      for (const [, state] of moved) state.resuming = undefined;
    });
    for (const [, state] of moved) state.resuming = all;
    this.resumingAll = all;
    return all;
  }

  /**
   * Loads `stream`'s checkpoint (retrying while Redis is briefly unreachable) and restores each key
   * whose record is newer than this engine's state; returns the checkpoint for the replay.
   */
  private async restoreStream(stream: string, state: StreamCheckpointState): Promise<StreamCheckpoint> {
    // Redis may be briefly unreachable: retry for a while before failing the delivery (it is retried too).
    let checkpoint: StreamCheckpoint;
    for (let attempt = 0; ; attempt++) {
      try {
        checkpoint = await state.store.load(stream);
        break;
      } catch (error) {
        if (attempt >= 20 || this.closing) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const byKey = this.lastIds.get(stream) ?? new Map<string, string>();
    this.lastIds.set(stream, byKey);
    for (const [key, record] of checkpoint.records) {
      const local = byKey.get(key);
      if (local === undefined || compareEntryIds(record.id, local) > 0) {
        this.restoreKey(key, record.bytes, state.type);
        byKey.set(key, record.id);
        this.ckptCounts.restoredKeys++;
      } else if (local !== record.id) {
        state.dirty.add(key); // ours is newer: the next checkpoint writes it
      }
    }
    for (const key of byKey.keys()) if (!checkpoint.records.has(key)) state.dirty.add(key);
    state.failures.clear();
    if (replayGap(checkpoint)) this.ckptCounts.replayGaps++;
    return checkpoint;
  }

  /** The entries of `stream` to replay after `checkpoint`: acknowledged (not pending), not yet applied to their key. */
  private async *toReplay(stream: string, checkpoint: StreamCheckpoint): AsyncGenerator<ReplayEntry> {
    if (checkpoint.lastDelivered === undefined) return;
    const byKey = this.lastIds.get(stream)!;
    for await (const entry of (this.ckpt.get(stream) as StreamCheckpointState).store.range(stream, checkpoint.from, checkpoint.lastDelivered)) {
      if (checkpoint.pending.has(entry.id)) continue;
      const last = byKey.get(entry.key);
      if (last !== undefined && compareEntryIds(entry.id, last) <= 0) continue;
      yield entry;
    }
  }

  /**
   * Applies an acknowledged entry read back from the stream (its outputs are published again: at least
   * once). An entry that the delivery dead-lettered as malformed (its frame's type not the stream's, its
   * key or count not the entry's) is skipped here too, counted in replayErrors.
   */
  private async replay(stream: string, state: StreamCheckpointState, entry: ReplayEntry): Promise<void> {
    const { id, data } = entry;
    try {
      const frame = decodeFrame(data);
      if (frame.type !== state.type || frame.key !== entry.key || frame.count !== entry.count) throw new Error('not an entry of this stream');
      const trades = frame.kind === 'trades';
      const message: BusMessage = {
        id, bus: state.bus, stream, type: frame.type, key: frame.key,
        ts: trades ? (frame.count > 0 ? frame.columns.ts[frame.count - 1] : NaN) : frame.ts,
        payload: trades ? frame.columns : frame.payload,
        priority: frame.priority, count: frame.count, sentAt: frame.sentAt, deliveries: 1,
      };
      await this.process(message);
      this.progress(stream, message.key, id);
      this.mark(state, message.key, id);
      this.ckptCounts.replayed += message.count;
    } catch {
      // The group acknowledged it (or dead-lettered it) and it does not apply here: skip it, counted.
      this.ckptCounts.replayErrors++;
    }
  }

  /** Notes a key changed by entry `id` for the next checkpoint. */
  private mark(state: StreamCheckpointState, key: string, id: string): void {
    state.dirty.add(key);
    if (state.maxId === undefined || compareEntryIds(id, state.maxId) > 0) state.maxId = id;
    state.failures.delete(key);
  }

  /** Records a processed delivery: its id (for idempotence), counts and latency. */
  private processed(message: BusMessage, state: StreamCheckpointState | undefined): void {
    if (state) this.mark(state, message.key, message.id);
    this.progress(message.stream, message.key, message.id);
    this.counts.processed += message.count;
    this.counts.batches++;
    this.latency.record(nowMs() - message.sentAt, message.count);
  }

  /**
   * Counts a failed delivery and rethrows it. One that a retry may cure holds the key's checkpoint replay
   * start back (the entry stays pending); one that none can (isPermanentFailure) is dead-lettered at once.
   */
  private failed(error: unknown, message: BusMessage, state: StreamCheckpointState | undefined): never {
    this.counts.errors++;
    if (state && !isPermanentFailure(error) && !state.failures.has(message.key)) state.failures.set(message.key, message.id);
    throw error;
  }

  /**
   * Writes a checkpoint of every stream whose keys changed since the last one, once the outputs
   * published so far are stored (so no output of a checkpointed entry can be lost). Runs every
   * checkpointMs and when the engine stops or closes; failures are counted and retried next time.
   */
  checkpoint(): Promise<void> {
    if (this.ckpt.size === 0) return Promise.resolve();
    this.checkpointing ??= this.writeCheckpoint().finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  private async writeCheckpoint(): Promise<void> {
    const jobs: { stream: string; state: StreamCheckpointState; maxId: string; holdBack: string | undefined; records: [string, string, Uint8Array][] }[] = [];
    for (const [stream, state] of this.ckpt) {
      if (state.dirty.size === 0 || state.resuming || state.maxId === undefined) continue;
      const byKey = this.lastIds.get(stream);
      const records: [string, string, Uint8Array][] = [];
      for (const key of state.dirty) {
        const id = byKey?.get(key);
        if (id !== undefined) records.push([key, id, this.snapshotKey(key, state.type)]);
      }
      let holdBack: string | undefined;
      for (const id of state.failures.values()) if (holdBack === undefined || compareEntryIds(id, holdBack) < 0) holdBack = id;
      state.dirty.clear();
      jobs.push({ stream, state, maxId: state.maxId, holdBack, records });
    }
    if (jobs.length === 0) return;
    await this.bus.flush();
    await Promise.all(jobs.map(async ({ stream, state, maxId, holdBack, records }) => {
      try {
        await state.store.write(stream, maxId, holdBack, records);
        this.ckptCounts.checkpoints++;
      } catch {
        this.ckptCounts.checkpointErrors++;
        for (const [key] of records) state.dirty.add(key);
      }
    }));
  }

  /** Publishes a result without waiting (a full queue holds it; failures are counted in publishErrors). */
  protected emit(type: string, envelope: Envelope): void {
    this.bus.publish(type, envelope).catch(() => {
      this.counts.publishErrors++;
    });
  }

  /** Messages waiting for this engine on the bus. */
  private backlog(): number {
    return this.inputs.reduce((n, type) => n + this.bus.backlog(type), 0);
  }

  /** Publishes one ENGINE_HEALTH message now (the timer calls this every heartbeatMs). */
  heartbeat(): void {
    const now = performance.now();
    const seconds = (now - this.lastBeat.at) / 1000;
    const payload: EngineHealth = {
      engine: this.name,
      processed: this.counts.processed,
      throughput: seconds > 0 ? (this.counts.processed - this.lastBeat.processed) / seconds : 0,
      latencyMs: { p50: this.latency.percentile(50), p99: this.latency.percentile(99), max: this.latency.max },
      backlog: this.backlog(),
      keys: this.keyCount,
      uptimeMs: now - this.startedAt,
      possibleLoss: this.bus.metrics().possibleLoss,
    };
    this.lastBeat = { at: now, processed: this.counts.processed };
    this.counts.heartbeats++;
    this.emit('ENGINE_HEALTH', { key: this.name, payload });
  }

  /**
   * Waits until the bus has delivered everything published so far, emits what the state still holds
   * (end of data), stops heartbeats, leaves the group and writes a last checkpoint. Call it before
   * `bus.close()`. To leave a group whose input goes on (another engine process takes over), use stop().
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopTimers();
      await this.bus.drain();
      this.flushState();
      for (const [stream, state] of this.ckpt) for (const key of this.lastIds.get(stream)?.keys() ?? []) state.dirty.add(key);
      await Promise.all(this.subscriptions.map((s) => s.close()));
      await this.finish();
    })();
    return this.closing;
  }

  /**
   * Leaves the group without ending the data: stops reading (each subscription finishes and acknowledges
   * the entry in hand; what was not handled stays with the group), stops heartbeats, writes a last
   * checkpoint and stores the outputs. Another engine of the group resumes from there. Call it before
   * `bus.close()`, e.g. on SIGTERM.
   */
  stop(): Promise<void> {
    this.closing ??= (async () => {
      this.stopTimers();
      await Promise.all(this.subscriptions.map((s) => s.close()));
      await this.finish();
    })();
    return this.closing;
  }

  private stopTimers(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.checkpointTimer = undefined;
  }

  /** Last checkpoint, outputs stored, checkpoint connections closed. */
  private async finish(): Promise<void> {
    for (const state of this.ckpt.values()) await state.resuming?.catch(() => undefined);
    await this.checkpointing?.catch(() => undefined);
    await this.checkpoint();
    await this.bus.flush();
    for (const store of this.stores) store.close();
  }

  /** Counters, throughput, latency histogram, backlog (see EngineMetrics). */
  metrics(): EngineMetrics {
    const seconds = this.startedAt > 0 ? (performance.now() - this.startedAt) / 1000 : 0;
    return {
      name: this.name,
      ...this.counts,
      throughput: seconds > 0 ? this.counts.processed / seconds : 0,
      latencyMs: this.latency.snapshot(),
      backlog: this.backlog(),
      keys: this.keyCount,
      extra: this.ckpt.size > 0 ? { ...this.ckptCounts, ...this.extraMetrics() } : this.extraMetrics(),
    };
  }
}
