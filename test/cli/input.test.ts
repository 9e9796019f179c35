/** The commands' read reporting: the progress line on a terminal (after a second: rows, MB/s, ETA), and the read's --json fields and notes. */
import { describe, expect, it } from 'vitest';
import { progressLine, readJson, skippedText, timeUnitText } from '../../src/cli/input.js';
import type { ReadInfo } from '../../src/io/types.js';

describe('progressLine', () => {
  it('says nothing in the first second, then rows, percent, MB/s and the ETA (at most every 200 ms); done() ends the line', () => {
    const written: string[] = [];
    let t = 0;
    const p = progressLine('trades', { isTTY: true, write: (s: string) => (written.push(s), true) } as never, () => t);
    t = 900;
    p.onProgress!({ rows: 1000, bytes: 1e6, totalBytes: 4e6 });
    expect(written).toEqual([]);
    t = 2000;
    p.onProgress!({ rows: 1_234_567, bytes: 2e6, totalBytes: 4e6 });
    t = 2100; // too soon after the last line
    p.onProgress!({ rows: 1_300_000, bytes: 2.1e6, totalBytes: 4e6 });
    t = 4000;
    p.onProgress!({ rows: 2_000_000, bytes: 4e6 });
    p.done();
    expect(written).toEqual(['\rread 1,234,567 trades (50%), 1.0 MB/s, ETA 2 s   ', '\rread 2,000,000 trades, 1.0 MB/s   ', '\n']);
  });

  it('is off when stderr is not a terminal; done() then writes nothing', () => {
    const written: string[] = [];
    const p = progressLine('rows', { isTTY: false, write: (s: string) => (written.push(s), true) } as never);
    expect(p.onProgress).toBeUndefined();
    p.done();
    expect(written).toEqual([]);
  });
});

describe('the read report', () => {
  const info: ReadInfo = {
    source: 'tape.csv',
    format: 'csv',
    bytes: 1234,
    skippedRows: 2,
    firstSkipped: 'tape.csv:7:1: expected 3 fields (as the header), got 4',
    timeUnits: { ts: { unit: 'us', detected: true } },
    seconds: 0.5,
  };
  it('--json: format, rows, skipped rows (and the first), bytes, time units; read and compute seconds', () => {
    expect(readJson(info, 100, 0.5, 0.0123456789)).toEqual({
      read: { format: 'csv', rows: 100, skippedRows: 2, firstSkipped: info.firstSkipped, bytes: 1234, timeUnits: info.timeUnits },
      seconds: { read: 0.5, compute: 0.0123457 },
    });
  });
  it('the time unit read, and the rows skipped, as printed', () => {
    expect(timeUnitText(info)).toBe('ts in us (detected from its values; --ts-unit to set it)');
    expect(timeUnitText({ ...info, timeUnits: { ts: { unit: 's', detected: false } } })).toBe('ts in s (--ts-unit)');
    expect(timeUnitText({ ...info, timeUnits: {} })).toBeUndefined();
    expect(skippedText(info)).toBe(`2 bad rows skipped (the first: ${info.firstSkipped})`);
    expect(skippedText({ ...info, skippedRows: 0 })).toBeUndefined();
  });
});
