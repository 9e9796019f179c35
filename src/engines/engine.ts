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
 * their universe's returns) resumes every input stream together (see `joinsInputs`). The checkpoints
 * themselves (writing, restoring, replaying) are ./checkpointing.ts.
 */
import type { Bus, SubscribeFrom, Subscription } from '../bus/bus.js';
import type { BusMessage, Envelope } from '../bus/messages.js';
import { nowMs } from '../bus/messages.js';
import { Histogram, type HistogramBuckets } from '../bus/histogram.js';
import type { EngineMetrics } from '../bus/metrics.js';
import { compareEntryIds, type Transport } from '../bus/transports/types.js';
import { KernelInputError, describeValue } from '../errors.js';
import { CheckpointConfigError, configText, type StateConfig } from './checkpoint-config.js';
import type { BadTradePolicy } from '../kernels/trade-check.js';
import { Checkpointing, type EngineResume, type StreamCheckpointState } from './checkpointing.js';
import { type EngineBadTrade, TradeGate } from './trade-gate.js';

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
  /**
   * When the group's checkpoints were written under another configuration of the engine (see
   * Engine.stateConfig(); e.g. another classifier or bucket volume): false (default), ready() rejects with
   * CheckpointConfigError and nothing is restored; true, the group's checkpoints are forgotten and its
   * keys start fresh from the group's position (what it acknowledged is not replayed).
   */
  resetCheckpoints?: boolean;
  /**
   * Where the engine's group starts reading when this engine creates it (SubscribeOptions.from: a
   * replay into a fresh group). Default: the streams' first entries.
   */
  from?: SubscribeFrom;
  /**
   * A trade engine's trade that breaks the trade rule (a time not finite or before the key's last
   * applied trade, a price not > 0, a volume < 0: src/engines/trade-gate.ts): 'skip' (default) leaves
   * it out, counts it (metrics().badTrades, `kernelbus_engine_bad_trades_total`) and applies the frame's
   * other trades; 'reject' also hands it to `onBadTrade`; 'fail' refuses the whole delivery.
   */
  badTrades?: BadTradePolicy;
  /** With badTrades 'reject': called with each bad trade left out. */
  onBadTrade?: (bad: EngineBadTrade) => void;
  /**
   * Over Redis with checkpoints: called each time the engine resumed input streams (it started, or took
   * them over from another process of its group): the keys restored from their checkpoints and the
   * acknowledged entries replayed since, so an operator sees a restart's restore when it happens.
   */
  onResume?: (resume: EngineResume) => void;
  /**
   * Entries appended after this time (epoch ms, by their entry id) are acknowledged without being
   * processed and counted in `extra.skippedAfterUntil`: the end of a replay. Default: none.
   */
  until?: number;
}

/** The payload of an ENGINE_HEALTH heartbeat. */
export interface EngineHealth {
  engine: string;
  /** Consumer name in its group: tells apart the processes of one engine. */
  consumer: string;
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
  private readonly subscribeFrom: SubscribeFrom | undefined;
  private readonly untilMs: number;
  private skippedAfterUntil = 0;
  private subscriptions: Subscription[] = [];
  private started = false;
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
  private readonly resetCheckpoints: boolean;
  private checkpointTimer: NodeJS.Timeout | undefined;
  /** The checkpoints, while they are on (see setUpCheckpoints()). */
  private ckpt: Checkpointing | undefined;

  private readonly onResume: ((resume: EngineResume) => void) | undefined;
  /** The trade rule at the door of a trade engine (EngineOptions.badTrades); unused by the others. */
  protected readonly tradeGate: TradeGate;

  /** The types this engine consumes. */
  protected abstract readonly inputs: readonly string[];

  /** The types this engine consumes (a process reads each one's shards). */
  get inputTypes(): readonly string[] {
    return this.inputs;
  }

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

  /** Engine-specific levels for metrics() (what it holds now, a maximum): in `extra` and `levels`. */
  protected extraLevels(): Record<string, number> {
    return {};
  }

  /** Whether process() receives the publishers' watermark-only trade frames (no rows: SubscribeOptions.watermarks). Default false. */
  protected get readsWatermarks(): boolean {
    return false;
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
   * Whether the engine's state is one whole across its keys and input streams rather than a state per
   * key (StrategyEngine: one account across symbols, their trades merged by time). Such an engine
   * snapshots it whole (snapshotState(), restoreState()) or by its changes (deltaState()), joins its inputs
   * (see joinsInputs), and each checkpoint writes its state with the last entry id of every key that
   * changed, the streams of one transport in one MULTI (Checkpointing, STATE_KEY). It runs one per group.
   * Default false.
   */
  protected get wholeState(): boolean {
    return false;
  }

  /** The whole state as bytes (engines whose wholeState is true override it). */
  protected snapshotState(): Uint8Array {
    throw new KernelInputError('engine', 'an engine whose state is one whole', this.constructor.name);
  }

  /**
   * What changed in the whole state since its last snapshotState() or deltaState(), as bytes that
   * restoreState() applies after the snapshot (an incremental checkpoint, compacted as a key's are:
   * ./checkpointing.ts), or undefined to write whole states only (the default).
   */
  protected deltaState(): Uint8Array | undefined {
    return undefined;
  }

  /**
   * snapshotState() (kind 'whole') or deltaState() taken now but encoded over later turns of the event
   * loop (so that a large state does not hold it), in one buffer whose first `reserve` bytes are left
   * free; restoreState() reads them as it reads the others. Undefined (the default): the checkpoints
   * use snapshotState() and deltaState().
   */
  protected captureState(kind: 'whole' | 'delta', reserve: number): Promise<Uint8Array> | undefined {
    void kind;
    void reserve;
    return undefined;
  }

  /**
   * Replaces the whole state with snapshotState()'s bytes and the deltaState() bytes written after them,
   * oldest first (engines whose wholeState is true override it).
   */
  protected restoreState(bytes: Uint8Array, deltas: readonly Uint8Array[] = []): void {
    void bytes;
    void deltas;
    throw new KernelInputError('engine', 'an engine whose state is one whole', this.constructor.name);
  }

  /**
   * The state of `key` as bytes, for the checkpoint of a stream of input `type` (engines that are
   * checkpointable override it). The bytes must depend only on that input's entries of the key.
   */
  protected snapshotKey(key: string, type: string): Uint8Array {
    void type;
    throw new KernelInputError('key', 'a key of a checkpointable engine', JSON.stringify(key));
  }

  /**
   * Replaces the state of `key` of input `type` with bytes from snapshotKey() and the deltaKey() bytes
   * written after them, oldest first (checkpointable engines override it).
   */
  protected restoreKey(key: string, bytes: Uint8Array, type: string, deltas: readonly Uint8Array[]): void {
    void bytes;
    void type;
    void deltas;
    throw new KernelInputError('key', 'a key of a checkpointable engine', JSON.stringify(key));
  }

  /**
   * What changed in the state of `key` since its last snapshotKey() or deltaKey(), as bytes that
   * restoreKey() applies after the snapshot (an incremental checkpoint), or undefined to write whole
   * snapshots only (the default).
   */
  protected deltaKey(key: string, type: string): Uint8Array | undefined {
    void key;
    void type;
    return undefined;
  }

  /** Forgets the state of `key` of input `type`: its stream went to another engine of the group. Default: nothing. */
  protected dropKey(key: string, type: string): void {
    void key;
    void type;
  }

  /**
   * The settings that shape the engine's state (a VPIN engine's classifier, bucket volume...), stored
   * with its checkpoints and compared when it starts (EngineOptions.resetCheckpoints); undefined: none
   * compared (the default, and an engine whose settings vary by key).
   */
  protected stateConfig(): StateConfig | undefined {
    return undefined;
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
    this.subscribeFrom = options.from;
    const until = options.until ?? Infinity;
    if (typeof until !== 'number' || Number.isNaN(until))
      throw new KernelInputError('options.until', 'a time in epoch ms', describeValue(until));
    this.untilMs = until;
    const checkpointMs = options.checkpointMs ?? 1000;
    if (typeof checkpointMs !== 'number' || !(checkpointMs >= 0) || !Number.isFinite(checkpointMs)) {
      throw new KernelInputError('options.checkpointMs', 'a number >= 0', describeValue(checkpointMs));
    }
    this.checkpointMs = checkpointMs;
    if (options.resetCheckpoints !== undefined && typeof options.resetCheckpoints !== 'boolean') {
      throw new KernelInputError('options.resetCheckpoints', 'a boolean', describeValue(options.resetCheckpoints));
    }
    this.resetCheckpoints = options.resetCheckpoints ?? false;
    this.checkpointExplicit = options.checkpointMs !== undefined && checkpointMs > 0;
    this.tradeGate = new TradeGate(options.badTrades ?? 'skip', options.onBadTrade);
    if (options.onResume !== undefined && typeof options.onResume !== 'function') {
      throw new KernelInputError('options.onResume', 'a function (resume) => void', describeValue(options.onResume));
    }
    this.onResume = options.onResume;
  }

  /** Whether this engine checkpoints its state (decided by start(); see EngineOptions.checkpointMs). */
  get checkpoints(): boolean {
    return this.ckpt !== undefined;
  }

  /**
   * Subscribes to the inputs and starts heartbeats. Returns this. With checkpoints, the subscriptions
   * wait for the configuration check (see ready()): an engine refused by it reads nothing, so that no
   * entry fails (and none is dead-lettered) because its checkpoint came from another configuration.
   */
  start(): this {
    if (this.started || this.closing) return this;
    this.started = true;
    this.setUpCheckpoints();
    this.startedAt = performance.now();
    this.lastBeat = { at: this.startedAt, processed: 0 };
    const options = {
      group: this.group,
      consumer: this.consumer,
      ...(this.subscribeFrom === undefined ? {} : { from: this.subscribeFrom }),
      // a stream taken over is restored at once, not at its next entry (which may be long in coming)
      ...(this.ckpt ? { onLease: (stream: string) => this.ckpt?.leased(stream) } : {}),
      ...(this.readsWatermarks ? { watermarks: true } : {}),
    };
    const subscribe = () => {
      if (this.closing) return;
      this.subscriptions = this.inputs.map((type) => this.bus.subscribe(type, (m) => this.handle(m), options));
    };
    const ckpt = this.ckpt;
    // Redis unreachable: check again; another configuration: read nothing (ready() rejects)
    const check = (): void => {
      ckpt!.checkConfig().then(subscribe, (error: unknown) => {
        if (!(error instanceof CheckpointConfigError) && !this.closing) setTimeout(check, 200).unref();
      });
    };
    if (ckpt) check();
    else subscribe();
    if (this.heartbeatMs > 0) {
      this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
      this.timer.unref();
    }
    if (ckpt) {
      this.checkpointTimer = setInterval(() => {
        this.checkpoint().then(
          () => ckpt.dropReleased(),
          () => {
            ckpt.counts.checkpointErrors++;
          },
        );
      }, this.checkpointMs);
      this.checkpointTimer.unref();
    }
    return this;
  }

  /** Turns checkpoints on when the engine, the routing and the input's transports allow it. */
  private setUpCheckpoints(): void {
    if (this.checkpointMs === 0) return;
    const why = Checkpointing.whyNot(this.bus, this.inputs, this.checkpointable, this.constructor.name);
    if (why) {
      if (this.checkpointExplicit) throw new KernelInputError('options.checkpointMs', 'an engine and bus that can checkpoint (or 0)', why);
      return;
    }
    const config = this.stateConfig();
    this.ckpt = new Checkpointing({
      config: config && configText(config),
      resetCheckpoints: this.resetCheckpoints,
      deltaKey: (key, type) => this.deltaKey(key, type),
      dropKey: (key, type) => this.dropKey(key, type),
      bus: this.bus,
      group: this.group,
      inputs: this.inputs,
      joinsInputs: this.joinsInputs || this.wholeState,
      ...(this.wholeState
        ? {
            whole: {
              snapshot: () => this.snapshotState(),
              delta: () => this.deltaState(),
              capture: (kind: 'whole' | 'delta', reserve: number) => this.captureState(kind, reserve),
              restore: (bytes: Uint8Array, deltas: readonly Uint8Array[]) => this.restoreState(bytes, deltas),
            },
          }
        : {}),
      lastIds: this.lastIds,
      snapshotKey: (key, type) => this.snapshotKey(key, type),
      restoreKey: (key, bytes, type, deltas) => this.restoreKey(key, bytes, type, deltas),
      process: (message) => this.process(message),
      watermarks: this.readsWatermarks,
      progress: (stream, key, id) => this.progress(stream, key, id),
      closing: () => this.closing !== undefined,
      resumed: (resume) => this.onResume?.(resume),
    });
  }

  /**
   * Resolves once the engine reads its inputs: over Redis, its subscriptions hold their streams' leases
   * (or other engines of its group do), and the streams it holds are resumed from their checkpoints. Its
   * first deliveries then wait for neither: start a burst of input (a market) after it. In process it
   * resolves at once. Rejects with TransportError when the streams are not read within `timeoutMs`, and
   * with CheckpointConfigError when the group's checkpoints come from another configuration (see
   * EngineOptions.resetCheckpoints).
   */
  async ready(timeoutMs?: number): Promise<void> {
    await this.configChecked();
    const transports = new Set<Transport>();
    for (const type of this.inputs) for (const bus of this.bus.router.candidates(type)) transports.add(this.bus.transport(bus));
    await Promise.all([...transports].map((t) => t.reading?.(timeoutMs)));
    await this.ckpt?.ready();
  }

  /**
   * Resolves once the configuration stored with the group's checkpoints is the engine's (or none was
   * stored, or it was reset: EngineOptions.resetCheckpoints), and at once without checkpoints; rejects
   * with CheckpointConfigError, in one line naming the group, the stored and the given settings and
   * both ways out, when it is another. Call it after start().
   */
  configChecked(): Promise<void> {
    return this.ckpt?.checkConfig() ?? Promise.resolve();
  }

  private handle(message: BusMessage): void | Promise<void> {
    const state = this.ckpt?.stateOf(message.stream);
    if (state) {
      const resuming = this.ckpt!.before(message.stream, state);
      if (resuming) return resuming.then(() => this.apply(message, state));
    }
    return this.apply(message, state);
  }

  private apply(message: BusMessage, state: StreamCheckpointState | undefined): void | Promise<void> {
    if (this.untilMs !== Infinity && Number(message.id.slice(0, message.id.indexOf('-'))) > this.untilMs) {
      this.skippedAfterUntil += message.count;
      return;
    }
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

  /** Records a processed delivery: its id (for idempotence), counts and latency. */
  private processed(message: BusMessage, state: StreamCheckpointState | undefined): void {
    if (state) this.ckpt!.mark(state, message.key, message.id);
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
    if (state) this.ckpt!.failed(state, message.key, message.id, error);
    throw error;
  }

  /**
   * A whole-state engine's state changed outside any delivery (work of a timer), through `key`: the
   * next checkpoint writes it (without this, only a delivery marks the state for the next checkpoint).
   */
  protected stateChanged(key: string): void {
    this.ckpt?.touch(key);
  }

  /**
   * Writes a checkpoint of every stream whose keys changed since the last one, once the outputs
   * published so far are stored (so no output of a checkpointed entry can be lost). Runs every
   * checkpointMs and when the engine stops or closes; failures are counted and retried next time.
   */
  checkpoint(): Promise<void> {
    return this.ckpt?.checkpoint() ?? Promise.resolve();
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
      consumer: this.consumer,
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
      this.ckpt?.dirtyAll();
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
    await this.ckpt?.settle();
    await this.checkpoint();
    await this.bus.flush();
    this.ckpt?.close();
  }

  /** The latency histogram's fixed buckets (ms), for Prometheus. */
  latencyBuckets(): HistogramBuckets {
    return this.latency.buckets();
  }

  /** Counters, throughput, latency histogram, backlog (see EngineMetrics). */
  metrics(): EngineMetrics {
    const seconds = this.startedAt > 0 ? (performance.now() - this.startedAt) / 1000 : 0;
    const levels = this.extraLevels();
    return {
      name: this.name,
      ...this.counts,
      throughput: seconds > 0 ? this.counts.processed / seconds : 0,
      latencyMs: this.latency.snapshot(),
      backlog: this.backlog(),
      keys: this.keyCount,
      badTrades: { ...this.tradeGate.counts },
      extra: {
        ...(this.ckpt ? this.ckpt.counts : {}),
        ...this.extraMetrics(),
        ...levels,
        ...(this.untilMs === Infinity ? {} : { skippedAfterUntil: this.skippedAfterUntil }),
      },
      levels,
    };
  }
}
