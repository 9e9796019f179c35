/**
 * The trade rule (src/kernels/trade-check.ts) applied to a read of trades (readTrades' `badTrades`
 * option): each chunk screened as it comes, each symbol's order carried from one chunk to the next,
 * and each bad trade named where the user finds it: `file:line` in a CSV/TSV file read from a path (the
 * line its record starts on), else `source: row N` (N the 1-based data row).
 */
import {
  type BadTrade,
  badTradeError,
  type BadTradeCounts,
  type BadTradePolicy,
  type BadTradeReason,
  LastTimes,
  noBadTrades,
  type ScreenedTrades,
  screenTrades,
} from '../kernels/trade-check.js';
import type { Trades } from '../kernels/trades.js';
import { RowLines } from './row-lines.js';
import { readerRun } from './trade-run.js';
import type { TextColumn } from './types.js';

/** A bad trade of a read, where the user finds it. */
export interface BadTradeNote {
  /** `file:line` (CSV read from a path), else `source: row N`. */
  where: string;
  /** 1-based data row (the header not counted). */
  row: number;
  /** The trade's symbol (tapes with a symbol column). */
  symbol?: string;
  reason: BadTradeReason;
  /** The time, price or volume that breaks the rule. */
  value: number;
  /** The message a `fail` read throws for it. */
  message: string;
}

/** What a read's screen found (`info.badTrades`). */
export interface BadTradesReport {
  policy: BadTradePolicy;
  /** Bad trades left out (0 for a `fail` read that returned). */
  count: number;
  byReason: BadTradeCounts;
  /** The first bad trade. */
  first?: BadTradeNote;
  /** `reject`: the bad trades in row order, the first REJECTED_LIMIT of them. */
  rejected?: BadTradeNote[];
}

/** Bad trades a `reject` read lists at most (the rest are counted). */
export const REJECTED_LIMIT = 10_000;

/** Where the screen's trades come from: the name in messages, and for a CSV file read from a path, the path and delimiter. */
export interface ScreenSource {
  name: string;
  csv?: { path: string; delimiter: string };
}

/** A read's ScreenSource: a CSV (gzip too) read from a path has lines; any other source, rows. */
export function screenSourceOf(source: unknown, opened: { name: string; format: string; delimiter: string }): ScreenSource {
  const { name, format, delimiter } = opened;
  return format === 'csv' && typeof source === 'string' && source !== '-' ? { name, csv: { path: source, delimiter } } : { name };
}

/** A chunk screened: its good trades and symbols. */
export interface ScreenedChunk {
  trades: Trades;
  symbols?: TextColumn;
}

/** Screens the chunks of one read (see the module comment). */
export class TradeScreen {
  private readonly lasts = new LastTimes();
  private lines: Promise<RowLines | undefined> | undefined;
  readonly report: BadTradesReport;

  constructor(
    policy: BadTradePolicy,
    private readonly source: ScreenSource,
  ) {
    this.report = { policy, count: 0, byReason: noBadTrades(), ...(policy === 'reject' ? { rejected: [] } : {}) };
  }

  /**
   * The chunk's good rows. `firstRow`: the 0-based data row of its first row; `skippedRows`: rows the
   * reader skipped as bad so far (then a CSV's lines are not known, and rows are named instead).
   * A `fail` screen throws the first bad trade's KernelInputError.
   */
  async screen(chunk: ScreenedChunk, firstRow: number, skippedRows: number): Promise<ScreenedChunk> {
    const report = this.report;
    const { policy, rejected } = report;
    // the bad trades to name: the first of the read, and with reject each up to REJECTED_LIMIT
    const named: BadTrade[] = [];
    const room = rejected ? REJECTED_LIMIT - rejected.length : report.first ? 0 : 1;
    let screened: ScreenedTrades | undefined;
    try {
      screened = screenTrades(
        chunk.trades,
        chunk.symbols?.codes,
        this.lasts,
        (bad) => {
          if (named.length < room || policy === 'fail') named.push(bad);
          if (policy === 'fail') throw STOP; // its message is made below, where its line is known
          report.count++;
          report.byReason[bad.reason]++;
        },
        readerRun,
      );
    } catch (error) {
      if (error !== STOP) throw error;
    }
    const symbolOf = (bad: BadTrade) => chunk.symbols?.values[bad.code];
    for (const bad of named) {
      const symbol = symbolOf(bad);
      const error = badTradeError(bad, await this.where(firstRow + bad.row, skippedRows), symbol);
      if (policy === 'fail') throw error;
      const note: BadTradeNote = {
        where: error.argument,
        row: firstRow + bad.row + 1,
        ...(symbol === undefined ? {} : { symbol }),
        reason: bad.reason,
        value: bad.value,
        message: error.message,
      };
      report.first ??= note;
      rejected?.push(note);
    }
    const { trades, codes, bad } = screened!;
    if (bad === 0) return chunk;
    return { trades, ...(chunk.symbols ? { symbols: { codes: codes!, values: chunk.symbols.values } } : {}) };
  }

  /** `file:line` of 0-based data row `row` where the line can be known, else `source: row N`. */
  private async where(row: number, skippedRows: number): Promise<string> {
    const { name, csv } = this.source;
    if (csv && skippedRows === 0) {
      this.lines ??= RowLines.of(csv.path, csv.delimiter);
      const line = await (await this.lines)?.lineOf(row);
      if (line !== undefined) return `${name}:${line}`;
    }
    return `${name}: row ${row + 1}`;
  }
}

/** Several reads' reports as one (counts summed, the first of the first read that has one, the lists joined). */
export function mergeBadTrades(policy: BadTradePolicy, reports: readonly BadTradesReport[]): BadTradesReport {
  const merged: BadTradesReport = { policy, count: 0, byReason: noBadTrades(), ...(policy === 'reject' ? { rejected: [] } : {}) };
  for (const r of reports) {
    merged.count += r.count;
    for (const reason of Object.keys(merged.byReason) as BadTradeReason[]) merged.byReason[reason] += r.byReason[reason];
    merged.first ??= r.first;
    if (r.rejected) (merged.rejected ??= []).push(...r.rejected);
  }
  return merged;
}

/** Thrown inside screenTrades' callback to stop a `fail` scan at its first bad trade. */
const STOP = Symbol('stop');
