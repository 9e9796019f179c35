/** readTable's options and the dispatch to each format's reader (Parquet and Arrow loaded only here, when used). */
import { type CsvReadOptions, readCsv } from './csv.js';
import type { OpenedSource, TableFormat } from './source.js';
import type { Table } from './types.js';

/** Options of readTable: the CSV reader's (docs/io.md), and the format when neither the path nor the bytes say it. */
export interface ReadTableOptions extends CsvReadOptions {
  /** csv, tsv, parquet or arrow: else by the path's extension, else by the first bytes (else CSV). */
  format?: TableFormat;
}

/** Reads an opened source with its format's reader (Parquet and Arrow loaded here, when used). */
export async function readOpened(opened: OpenedSource, options: ReadTableOptions): Promise<Table> {
  const { format: _, ...csvOptions } = options;
  if (opened.format === 'parquet') {
    const { readParquet } = await import('./parquet.js');
    return readParquet(opened.input as string | Uint8Array, options.columns ? { columns: options.columns } : {});
  }
  if (opened.format === 'arrow') {
    const { readArrow } = await import('./arrow.js');
    return readArrow(opened.input as string | Uint8Array, options.columns ? { columns: options.columns } : {});
  }
  return readCsv(opened.input, { ...csvOptions, delimiter: opened.delimiter, name: opened.name });
}
