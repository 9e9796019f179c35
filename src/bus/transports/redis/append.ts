/**
 * Appending entries: the publishes of one tick (a bus flush: one per stream) go as one APPEND_SCRIPT
 * call, whose XADDs run atomically, trimmed with `MAXLEN ~` (the bound converted from messages to
 * entries with the stream's mean batch size); a publish retried after an ambiguous failure is stored
 * once when its entries carry a producer and seq.
 */
import { BusClosedError } from '../../errors.js';
import type { OutgoingEntry } from '../types.js';
import { asBuffer, messageOf } from './commands.js';
import type { Connection } from './connection.js';
import type { RedisContext } from './context.js';
import { FrameTooLargeError, TransportError } from './errors.js';
import type { Progress } from './progress.js';

/** The publishes of one tick: one APPEND_SCRIPT call. */
interface AppendBatch {
  keys: string[];
  args: (number | string | Buffer)[];
  waiters: { resolve: (ids: unknown) => void; reject: (error: unknown) => void }[];
}

/** Publishes entries over the context's publishing connection. */
export class Appender {
  /** Publishes in flight (between whenReady and the reply). */
  publishing = 0;
  private readonly publishes = new Set<Promise<unknown>>();
  /** Per `<stream>|<producer>`, the highest seq published (see sentBefore()). */
  private readonly maxSeqSent = new Map<string, number>();
  /** This tick's publishes, sent as one command (see sendAppend). */
  private tick: AppendBatch | undefined;

  constructor(
    private readonly ctx: RedisContext,
    private readonly connection: Connection,
    private readonly progress: Progress,
  ) {}

  /** See RedisTransport.publish(). */
  publish(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]> {
    const { ctx } = this;
    if (ctx.closed) return Promise.reject(new BusClosedError('transport'));
    for (const e of entries) {
      if (e.data.byteLength > ctx.config.maxFrameBytes) {
        ctx.count('publishErrors');
        return Promise.reject(new FrameTooLargeError(ctx.target, e.data.byteLength, ctx.config.maxFrameBytes));
      }
    }
    const promise = this.append(stream, entries);
    this.publishes.add(promise);
    const done = () => this.publishes.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Resolves once every publish made so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.publishes]);
  }

  private async append(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const { ctx, connection } = this;
    this.publishing++;
    try {
      const deadline = performance.now() + ctx.config.publishTimeoutMs;
      await connection.whenReady(deadline);
      if (connection.limitsPending) await connection.limits;
      const serverMax = connection.serverMaxBulk;
      if (serverMax !== undefined && serverMax < ctx.config.maxFrameBytes) {
        for (const e of entries) {
          if (e.data.byteLength > serverMax) throw new FrameTooLargeError(ctx.target, e.data.byteLength, serverMax, "the server's proto-max-bulk-len");
        }
      }
      const out = this.progress.outbox(stream);
      let messages = 0;
      for (const e of entries) messages += e.count;
      const mean = (out.messages + messages) / Math.max(1, out.entries + entries.length);
      const maxLen = Math.max(1, Math.ceil(ctx.config.maxLenMessages / Math.max(1, mean)));
      const reply = await connection.awaitReply(this.sendAppend(stream, maxLen, entries), deadline);
      const [stored, again] = Array.isArray(reply) ? (reply as [unknown, unknown]) : [];
      if (!Array.isArray(stored) || stored.length !== entries.length) {
        throw new TransportError('command', ctx.target, `append to ${stream}: unexpected reply`, true);
      }
      const ids = stored.map(String);
      ctx.counters.deduplicated += Number(again);
      out.entries += entries.length;
      out.messages += messages;
      for (let i = 0; i < entries.length; i++) out.queue.push({ id: ids[i], key: entries[i].key, count: entries[i].count });
      out.unsettled += messages;
      ctx.counters.entries += entries.length;
      ctx.counters.messages += messages;
      this.progress.schedulePoll();
      return ids;
    } catch (error) {
      ctx.count('publishErrors');
      if (error instanceof TransportError || error instanceof BusClosedError) throw error;
      throw new TransportError('command', ctx.target, `publish to ${stream} failed: ${ctx.clean(messageOf(error))}`, true);
    } finally {
      this.publishing--;
    }
  }

  /**
   * Appends entries to `stream` with the other publishes of this tick (a bus flush publishes to each of
   * its streams at once) in one APPEND_SCRIPT call; resolves with the stream's [ids, deduplicated].
   */
  private sendAppend(stream: string, maxLen: number, entries: readonly OutgoingEntry[]): Promise<unknown> {
    const { ctx } = this;
    let tick = this.tick;
    if (!tick) {
      const batch: AppendBatch = { keys: [], args: [], waiters: [] };
      this.tick = tick = batch;
      process.nextTick(() => {
        this.tick = undefined;
        const settle = (error: unknown, reply?: unknown) => {
          batch.waiters.forEach((w, i) => (error ? w.reject(error) : w.resolve((reply as unknown[])[i])));
        };
        ctx.cmd.kbAppend(batch.keys.length, ...batch.keys, ...batch.args).then((reply) => settle(null, reply), settle);
      });
    }
    // Deduplication needs one producer and a seq on every entry.
    const producer = entries[0].producer;
    const dedup = typeof producer === 'string' && producer.length > 0 && entries.every((e) => e.producer === producer && Number.isSafeInteger(e.seq));
    tick.keys.push(ctx.streamKey(stream), `${ctx.prefix}dedup:${stream}|${dedup ? producer : ''}`);
    tick.args.push(maxLen, entries.length, dedup ? producer : '', dedup && this.sentBefore(`${stream}|${producer}`, entries) ? 1 : 0);
    for (const e of entries) tick.args.push(asBuffer(e.data), e.key, e.count, dedup ? e.seq! : 0);
    return new Promise((resolve, reject) => tick.waiters.push({ resolve, reject }));
  }

  /**
   * Whether this transport sent any of `entries`' seqs to the stream and producer `id` before (only
   * then can Redis hold them: the script skips the lookup otherwise); records the highest seq sent.
   */
  private sentBefore(id: string, entries: readonly OutgoingEntry[]): boolean {
    const last = this.maxSeqSent.get(id) ?? -Infinity;
    let min = Infinity;
    let max = -Infinity;
    for (const e of entries) {
      min = Math.min(min, e.seq!);
      max = Math.max(max, e.seq!);
    }
    if (max > last) this.maxSeqSent.set(id, max);
    return min <= last;
  }
}
