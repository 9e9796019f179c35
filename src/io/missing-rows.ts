/**
 * What a native decode found about missing values, kept beside the tables it made: the Parquet reader
 * finds each number column's first NaN row in the decode (src/io/parquet-native.ts), the Arrow reader
 * knows the columns it converted that cannot hold NaN (src/io/arrow-native.ts), and readTrades reads it
 * here instead of scanning the column again. Its own module, importing nothing, so that
 * readTrades on a CSV loads no Parquet code (test/cli/startup.test.ts).
 */
import type { Table } from './types.js';

/** The first NaN row of each number or time column of a table a native decode made (-1: none). */
export const missingRows = new WeakMap<Table, Record<string, number>>();

/**
 * The first row of a number or time column of a table a native reader decoded that holds NaN (a null
 * or a NaN value; found in the decode), -1 when none; undefined for a table or column it did not
 * look at (the caller looks itself).
 */
export const firstMissingOf = (table: Table, column: string): number | undefined => missingRows.get(table)?.[column];
