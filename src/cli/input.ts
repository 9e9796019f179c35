/**
 * The table input and output of `kernelbus vpin|risk|factor|optimize`: the flags they share (--format,
 * --delimiter, --ts-unit, --skip-bad-rows, --json), the read options they make (with a progress line on
 * a terminal), the lines and --json fields that report a read, and --out through writeTable.
 */
import { KernelInputError } from '../errors.js';
import type { ReadTableOptions } from '../io/read.js';
import { TABLE_FORMATS, type TableFormat } from '../io/formats.js';
import type { BadTradesReport } from '../io/trade-screen.js';
import type { ReadInfo, TimeUnit } from '../io/types.js';
import { badTradesText } from './bad-trades.js';
import { flag, text, type Flag } from './options.js';

const TIME_UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns'];

/** The flags of the commands that read a table file. */
export const INPUT_FLAGS = {
  format: {
    type: 'string',
    parse: (raw, name) => {
      const value = text(raw);
      if (value === undefined) return undefined;
      if (!TABLE_FORMATS.includes(value as TableFormat)) throw new KernelInputError(name, TABLE_FORMATS.join(', '), JSON.stringify(value));
      return value as TableFormat;
    },
  } satisfies Flag<TableFormat | undefined>,
  delimiter: {
    type: 'string',
    parse: (raw, name) => {
      const value = text(raw);
      if (value === undefined) return undefined;
      const d = value === '\\t' || value === 'tab' ? '\t' : value;
      if (d.length !== 1 || d === '"' || d === '\n' || d === '\r' || d === ' ')
        throw new KernelInputError(
          name,
          "one character other than a quote, a space or a line break ('\\t' or 'tab' for a tab)",
          JSON.stringify(value),
        );
      return d;
    },
  } satisfies Flag<string | undefined>,
  'ts-unit': {
    type: 'string',
    parse: (raw, name) => {
      const value = text(raw);
      if (value === undefined) return undefined;
      if (!TIME_UNITS.includes(value as TimeUnit)) throw new KernelInputError(name, TIME_UNITS.join(', '), JSON.stringify(value));
      return value as TimeUnit;
    },
  } satisfies Flag<TimeUnit | undefined>,
  'skip-bad-rows': flag.boolean(),
  json: flag.boolean(),
};

/** Usage lines of INPUT_FLAGS (and of the file argument). */
export const INPUT_USAGE = `Input: CSV or TSV (plain or .gz), Parquet, or Arrow IPC (Feather v2), by --format, else the file's
extension, else its first bytes; '-' reads stdin. CSV follows docs/io.md (RFC 4180 quoting, a BOM,
CRLF; a quote inside an unquoted field is text).
  --format f            csv | tsv | parquet | arrow (default: by extension, then by content)
  --delimiter d         CSV field delimiter (default ',', tab for .tsv; '\\t' or tab for a tab)
  --ts-unit u           s | ms | us | ns: the unit of numeric timestamps (default: detected, and printed)
  --skip-bad-rows       skip (and count) rows of the wrong width or with a bad field instead of stopping
  --json                print the results as one JSON document (with rows read, skipped, bytes, seconds)
`;

/** The values of INPUT_FLAGS. */
export interface InputValues {
  format?: TableFormat;
  delimiter?: string;
  'ts-unit'?: TimeUnit;
  'skip-bad-rows': boolean;
}

/** A read's progress on a terminal: after a second, a line of rows, MB/s and the ETA when the size is known. */
export interface Progress {
  onProgress?: ReadTableOptions['onProgress'];
  /** Ends the line (if one was shown). */
  done(): void;
}

/** A progress line on `stream` (stderr) when it is a terminal (else nothing); `now` in ms (for tests). */
export function progressLine(
  what: string,
  stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'> = process.stderr,
  now: () => number = () => performance.now(),
): Progress {
  if (!stream.isTTY) return { done: () => undefined };
  const started = now();
  let shown = false;
  let lastDraw = 0;
  return {
    onProgress: ({ rows, bytes, totalBytes }) => {
      const at = now();
      const seconds = (at - started) / 1000;
      if (seconds < 1 || at - lastDraw < 200) return;
      lastDraw = at;
      const rate = bytes / 1e6 / seconds;
      const eta = totalBytes !== undefined && rate > 0 ? `, ETA ${Math.max(0, (totalBytes - bytes) / 1e6 / rate).toFixed(0)} s` : '';
      const share = totalBytes ? ` (${((100 * bytes) / totalBytes).toFixed(0)}%)` : '';
      stream.write(`\rread ${rows.toLocaleString('en-US')} ${what}${share}, ${rate.toFixed(1)} MB/s${eta}   `);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\n');
    },
  };
}

/** readTable's options from the flags. */
export function readOptions(values: InputValues, progress: Progress): ReadTableOptions {
  return {
    ...(values.format === undefined ? {} : { format: values.format }),
    ...(values.delimiter === undefined ? {} : { delimiter: values.delimiter }),
    ...(values['ts-unit'] === undefined ? {} : { tsUnit: values['ts-unit'] }),
    ...(values['skip-bad-rows'] ? { skipBadRows: true } : {}),
    ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
  };
}

/** The time unit line: `time unit ms (detected from the values; --ts-unit to set it)`, or undefined without a numeric time column. */
export function timeUnitText(info: ReadInfo | undefined): string | undefined {
  const units = Object.entries(info?.timeUnits ?? {});
  if (units.length === 0) return undefined;
  return units
    .map(([column, u]) => `${column} in ${u.unit}${u.detected ? ' (detected from its values; --ts-unit to set it)' : ' (--ts-unit)'}`)
    .join(', ');
}

/** The skipped rows line, or undefined when none were. */
export function skippedText(info: ReadInfo | undefined): string | undefined {
  if (!info || info.skippedRows === 0) return undefined;
  return `${info.skippedRows} bad rows skipped (the first: ${info.firstSkipped ?? '?'})`;
}

/** A read's notes for the summary: the time units, the rows skipped, the bad trades (those there are). */
export function readNotes(info: (ReadInfo & { badTrades?: BadTradesReport }) | undefined): string[] {
  return [timeUnitText(info), skippedText(info), badTradesText(info?.badTrades)].filter((x) => x !== undefined);
}

/**
 * The --json fields of a read: rows read and skipped, bytes, format, time units, the bad trades (a trade
 * read's `badTrades` report, with --bad-trades) and the read's and the
 * compute's seconds; `startSeconds`, the process's age when the read began (node's own start and the
 * command's modules: bench/io.ts splits the whole command's time so).
 */
export function readJson(
  info: (ReadInfo & { badTrades?: BadTradesReport }) | undefined,
  rows: number,
  readSeconds: number,
  computeSeconds: number,
  startSeconds?: number,
): Record<string, unknown> {
  const round = (x: number) => Number(x.toPrecision(6));
  return {
    read: {
      format: info?.format,
      rows,
      skippedRows: info?.skippedRows ?? 0,
      ...(info?.firstSkipped ? { firstSkipped: info.firstSkipped } : {}),
      bytes: info?.bytes ?? 0,
      timeUnits: info?.timeUnits ?? {},
      ...(info?.badTrades ? { badTrades: info.badTrades } : {}),
    },
    seconds: {
      ...(startSeconds === undefined ? {} : { start: round(startSeconds) }),
      read: round(readSeconds),
      compute: round(computeSeconds),
    },
  };
}
