/** Test transports: wrappers around MemoryTransport that fail, slow down, duplicate or record. */
import { MemoryTransport, type Entry, type EntryHandler, type OutgoingEntry, type Transport } from '../../src/bus/index.js';

/** A transport that delegates to a MemoryTransport and can be switched down, slowed, or made to record. */
export class TestTransport implements Transport {
  readonly name = 'test';
  readonly inner = new MemoryTransport();
  /** Unhealthy and refusing publishes. */
  down = false;
  /** Claims to be healthy but refuses the next `refuse` publishes. */
  refuse = 0;
  /** Acknowledges publishes after this many ms (a timer). */
  delayMs = 0;
  /** While set, a publish is acknowledged only once it settles (a publish held in flight, whatever the machine's speed). */
  gate: Promise<void> | undefined;
  /** idle() answers this many ms after the inner transport's idle() did (a slow progress poll). */
  idleDelayMs = 0;
  /** Delivers every entry twice (as if the first acknowledgement was lost). */
  duplicate = false;
  /** Publish calls (numbered from 1) to store and then reject (an ambiguous failure, e.g. a lost reply). */
  readonly storeThenFail = new Set<number>();
  /** Every publish call, in order. */
  readonly calls: { stream: string; entries: readonly OutgoingEntry[] }[] = [];
  /** Every entry handed to a handler. */
  readonly delivered: Entry[] = [];

  get healthy(): boolean {
    return !this.down && this.inner.healthy;
  }

  async publish(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]> {
    const call = this.calls.push({ stream, entries });
    if (this.down) throw new Error('transport down');
    if (this.refuse > 0) {
      this.refuse--;
      throw new Error('refused');
    }
    const ids = this.inner.publish(stream, entries);
    if (this.gate) await this.gate;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.storeThenFail.has(call)) {
      await ids;
      throw new Error('no reply (stored)');
    }
    return ids;
  }

  subscribe(stream: string, group: string, consumer: string, handler: EntryHandler) {
    return this.inner.subscribe(stream, group, consumer, async (entry) => {
      this.delivered.push(entry);
      await handler(entry);
      if (this.duplicate) await handler({ ...entry, deliveries: entry.deliveries + 1 });
    });
  }

  backlog(stream?: string) {
    return this.inner.backlog(stream);
  }
  onSettle(listener: Parameters<Transport['onSettle']>[0]) {
    return this.inner.onSettle(listener);
  }
  async idle() {
    await this.inner.idle();
    if (this.idleDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.idleDelayMs));
  }
  metrics() {
    return this.inner.metrics();
  }
  close() {
    return this.inner.close();
  }
}

/** Resolves after the current event-loop turn (the batcher's end-of-turn flush has run). */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
