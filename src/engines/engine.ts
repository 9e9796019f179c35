/**
 * The Engine base: subscribes to its input types in a consumer group, skips entries it already
 * processed (at-least-once delivery made idempotent by entry id), measures throughput and latency,
 * publishes ENGINE_HEALTH heartbeats, and flushes its per-key state on close.
 */
import type { Bus, Subscription } from '../bus/bus.js';
import type { BusMessage, Envelope } from '../bus/messages.js';
import { nowMs } from '../bus/messages.js';
import { Histogram, type EngineMetrics } from '../bus/metrics.js';
import { compareEntryIds } from '../bus/transports/types.js';
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
  }

  /** Subscribes to the inputs and starts heartbeats. Returns this. */
  start(): this {
    if (this.subscriptions.length > 0 || this.closing) return this;
    this.startedAt = performance.now();
    this.lastBeat = { at: this.startedAt, processed: 0 };
    const options = { group: this.group, consumer: this.consumer };
    this.subscriptions = this.inputs.map((type) => this.bus.subscribe(type, (m) => this.handle(m), options));
    if (this.heartbeatMs > 0) {
      this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
      this.timer.unref();
    }
    return this;
  }

  private handle(message: BusMessage): void | Promise<void> {
    const last = this.lastIds.get(message.stream)?.get(message.key);
    if (last !== undefined && compareEntryIds(message.id, last) <= 0) {
      this.counts.duplicates++;
      return;
    }
    let result: void | Promise<void>;
    try {
      result = this.process(message);
    } catch (error) {
      return this.failed(error);
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      return (result as Promise<void>).then(
        () => this.processed(message),
        (error: unknown) => this.failed(error),
      );
    }
    this.processed(message);
  }

  /** Records a processed delivery: its id (for idempotence), counts and latency. */
  private processed(message: BusMessage): void {
    let byKey = this.lastIds.get(message.stream);
    if (!byKey) {
      byKey = new Map();
      this.lastIds.set(message.stream, byKey);
    }
    byKey.set(message.key, message.id);
    this.counts.processed += message.count;
    this.counts.batches++;
    this.latency.record(nowMs() - message.sentAt, message.count);
  }

  private failed(error: unknown): never {
    this.counts.errors++;
    throw error;
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
    };
    this.lastBeat = { at: now, processed: this.counts.processed };
    this.counts.heartbeats++;
    this.emit('ENGINE_HEALTH', { key: this.name, payload });
  }

  /**
   * Waits until the bus has delivered everything published so far, emits what the state still holds,
   * stops heartbeats and leaves the group. Call it before `bus.close()`.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      await this.bus.drain();
      this.flushState();
      await Promise.all(this.subscriptions.map((s) => s.close()));
      await this.bus.flush();
    })();
    return this.closing;
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
      extra: this.extraMetrics(),
    };
  }
}
