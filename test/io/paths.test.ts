/** A file's format from its path, on POSIX and Windows paths alike. */
import { describe, expect, it } from 'vitest';
import { formatOfPath } from '../../src/io/source.js';

describe('formatOfPath', () => {
  it('reads the extension of the file, not of a folder, with / or \\ as the separator', () => {
    expect(formatOfPath('data/trades.parquet')).toEqual({ format: 'parquet', gzip: false });
    expect(formatOfPath('C:\\kernelbus tapes\\tape.CSV.gz')).toEqual({ format: 'csv', gzip: true });
    expect(formatOfPath('\\\\server\\share\\day.arrow')).toEqual({ format: 'arrow', gzip: false });
    // a dot in a folder's name is no extension
    expect(formatOfPath('C:\\data.v2\\trades')).toEqual({ format: undefined, gzip: false });
    expect(formatOfPath('/data.v2/trades')).toEqual({ format: undefined, gzip: false });
  });
});
