/**
 * The table formats, in a module that imports nothing: the CLI checks `--format` without loading the
 * readers (src/io/source.ts re-exports both names).
 */

/** The formats: `tsv` is CSV with a tab delimiter. */
export type TableFormat = 'csv' | 'tsv' | 'parquet' | 'arrow';

export const TABLE_FORMATS: readonly TableFormat[] = ['csv', 'tsv', 'parquet', 'arrow'];
