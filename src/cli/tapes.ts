/**
 * Recorded tapes for `kernelbus feed --file` and `kernelbus demo --file`: the replay sources the flags
 * name (trade files; a returns file as RETURNS_UPDATE rows; a factor panel as FACTOR_INPUT
 * cross-sections), the replay options of --speed, --from, --to, --symbols, and the status line.
 */
import { access, constants } from 'node:fs/promises';
import type { FactorInput } from '../engines/factor-messages.js';
import { KernelInputError } from '../errors.js';
import { readReturns } from '../io/returns.js';
import { readTrades } from '../io/trades.js';
import {
  returnsBarsTape,
  returnsTape,
  symbolOfPath,
  tapeBars,
  type MessageTape,
  type ReplayProgress,
  type ReplaySource,
} from '../replay/index.js';
import { parseSession } from '../replay/session.js';
import { readPanel, type Panel } from './factor-table.js';
import type { BadTradePolicy } from '../kernels/trade-check.js';
import { badTradesFlag, badTradesUsage } from './bad-trades.js';
import { flag } from './options.js';
import { fmt } from './summary.js';

/** The flags of a replay (feed and demo). */
export const TAPE_FLAGS = {
  file: flag.strings(),
  returns: flag.string(),
  panel: flag.string(),
  universe: flag.name('market'),
  speed: flag.string(),
  from: flag.string(),
  to: flag.string(),
  'skip-bad-rows': flag.boolean(),
  'bad-trades': badTradesFlag('fail'),
};

/** The flags of a tape's own bars of returns (feed). */
export const BAR_FLAGS = {
  'bar-ms': flag.optionalNumber(1, 86_400_000),
  session: flag.string(),
};

/** The help lines of BAR_FLAGS. */
export const BAR_USAGE = `  --bar-ms ms         with --file: also publish the tape's returns per bar of ms as RETURNS_UPDATE of
                      --universe, among the trades at each bar's end (the files are read whole first).
                      Bars in which no symbol trades are skipped: a night is one return from the last
                      close before it, as daily data treats it
  --session h         with --bar-ms: market hours HH:MM-HH:MM, local to a time zone when one follows
                      (09:30-16:00 America/New_York; default UTC): bars within them, cut from each open
`;

/** The help lines of TAPE_FLAGS. */
export const TAPE_USAGE = `  --file f           replay a recorded tape instead of the synthetic market (repeatable: the files are
                      merged in time order). CSV/TSV (gzip too), Parquet or Arrow, with ts, price and
                      volume columns, bid and ask when it has them (then 5-column frames), and a symbol
                      column (else the file is the symbol its name starts with: AAPL.csv -> AAPL)
  --returns f         replay a returns file (wide, a date column) as RETURNS_UPDATE rows, among the trades by date
  --panel f           replay a factor panel (date, symbol, sector, returns, market_cap, ...) as FACTOR_INPUT,
                      one cross-section per date
  --universe u        the key of the RETURNS_UPDATE and FACTOR_INPUT messages (default market)
  --speed s           max (as fast as the bus takes them, the default), or the tape's pace times s (1: real time)
  --from t, --to t    replay rows in [from, to): epoch ms or ISO 8601 (2026-11-18T14:30:00Z)
  --symbols a,b,...   only these symbols' trades (with --file)
  --skip-bad-rows     skip and count a bad row of a file instead of stopping at it
${badTradesUsage('fail', 22)}`;

/** Whether the command replays tapes (some tape flag given). */
export function replaying(values: { file: string[]; returns?: string; panel?: string }): boolean {
  return values.file.length > 0 || values.returns !== undefined || values.panel !== undefined;
}

/** --speed: 'max' or a number > 0. */
export function parseSpeed(raw: string | undefined): number | 'max' {
  if (raw === undefined || raw === 'max') return 'max';
  const x = Number(raw);
  if (raw.trim() === '' || !(x > 0) || !Number.isFinite(x))
    throw new KernelInputError('--speed', "'max' or a number > 0", JSON.stringify(raw));
  return x;
}

/** A time written as epoch ms (a number) or ISO 8601, as epoch ms (NaN: neither). */
function epochMs(text: string): number {
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Date.parse(text);
}

/** --from / --to: epoch ms (a number) or ISO 8601. */
export function parseTime(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const ms = epochMs(raw);
  if (!Number.isFinite(ms)) throw new KernelInputError(name, 'epoch ms or an ISO 8601 time', JSON.stringify(raw));
  return ms;
}

/** --symbols a,b,c as a list. */
export function parseSymbolList(raw: string): string[] {
  const list = raw.split(',').map((s) => s.trim());
  if (list.some((s) => s === '')) throw new KernelInputError('--symbols', 'symbols separated by commas', JSON.stringify(raw));
  return list;
}

/** The replay sources the flags name: trade files (checked to be there), the returns rows, the panel's dates (read). */
export async function tapeSources(values: {
  file: string[];
  returns?: string;
  panel?: string;
  universe?: string;
  'skip-bad-rows': boolean;
}): Promise<ReplaySource[]> {
  const universe = values.universe ?? 'market';
  const read = values['skip-bad-rows'] ? { skipBadRows: true } : {};
  // every file there before anything connects (a missing one: ENOENT, as every command reports it)
  for (const path of values.file) await access(path, constants.R_OK);
  const sources: ReplaySource[] = values.file.map((path) => ({ path, read }));
  if (values.returns !== undefined) sources.push(returnsTape(await readReturns(values.returns, read), universe, values.returns));
  if (values.panel !== undefined) sources.push(panelTape(await readPanel(values.panel, read), universe, values.panel));
  return sources;
}

/**
 * --bar-ms (and --session): the trade files read whole and cut into bars of returns by tapeBars()'s
 * rule (bars only where the market trades), as RETURNS_UPDATE messages of --universe.
 */
export async function tapeBarsSource(values: {
  file: string[];
  universe?: string;
  'skip-bad-rows': boolean;
  'bad-trades': BadTradePolicy;
  'bar-ms'?: number;
  session?: string;
  from?: number;
  to?: number;
  symbols?: string[];
}): Promise<MessageTape | undefined> {
  const barMs = values['bar-ms'];
  if (barMs === undefined) {
    if (values.session !== undefined) throw new KernelInputError('--session', 'to come with --bar-ms', JSON.stringify(values.session));
    return undefined;
  }
  if (values.file.length === 0) throw new KernelInputError('--bar-ms', 'to come with --file', String(barMs));
  const session = values.session === undefined ? undefined : parseSession(values.session, '--session');
  const read = values['skip-bad-rows'] ? { skipBadRows: true } : {};
  const tapes = [];
  for (const path of values.file) {
    const r = await readTrades(path, { ...read, badTrades: values['bad-trades'] });
    tapes.push(r.symbols ? { trades: r.trades, symbols: r.symbols } : { trades: r.trades, symbol: symbolOfPath(path) });
  }
  const bars = tapeBars(tapes, { barMs, session, from: values.from, to: values.to, symbols: values.symbols });
  return returnsBarsTape(bars, values.universe ?? 'market');
}

/** A date of a panel as epoch ms (ISO 8601, or a number: epoch ms). */
function dateMs(date: string, name: string): number {
  const ms = epochMs(date);
  if (!Number.isFinite(ms))
    throw new KernelInputError(name, 'dates as ISO 8601 or epoch ms (replay places each date in time)', JSON.stringify(date));
  return ms;
}

/** A panel (readPanel) as FACTOR_INPUT messages of `universe`, one per date, at the date's time. */
export function panelTape(panel: Panel, universe: string, name = 'panel'): MessageTape {
  const n = panel.assets.length;
  const row = (m: Panel['returns'], t: number) => m.data.subarray(t * n, (t + 1) * n);
  const ts = Float64Array.from(panel.dates, (d) => dateMs(d, name));
  return {
    type: 'FACTOR_INPUT',
    key: universe,
    ts,
    name,
    payload: (t): FactorInput => ({
      date: panel.dates[t],
      assets: panel.assets,
      returns: row(panel.returns, t),
      marketCap: row(panel.marketCap, t),
      ...(panel.ratios
        ? { bookPrice: row(panel.bookPrice, t), salesPrice: row(panel.salesPrice, t), cashFlowPrice: row(panel.cashFlowPrice, t) }
        : {}),
      sectors: Array.from(row(panel.sectors, t), (c) => (c === c ? panel.sectorNames[c] : null)),
    }),
  };
}

/** The replay's status line: tape time, rows, rows/s, lag behind the pace. */
export function replayStatus(p: ReplayProgress, last: { at: number; rows: number }): string {
  const rows = p.trades + p.messages;
  const rate = p.elapsedMs > last.at ? ((rows - last.rows) * 1000) / (p.elapsedMs - last.at) : 0;
  const tape = Number.isFinite(p.tapeTs) ? new Date(p.tapeTs).toISOString().replace('T', ' ').slice(0, 23) : '-';
  return `tape ${tape}  ${fmt(p.trades)} trades  ${fmt(p.messages)} messages  ${fmt(rate).padStart(11)} rows/s  lag ${fmt(p.lagMs, 1)} ms${p.loop > 0 ? `  loop ${p.loop + 1}` : ''}`;
}
