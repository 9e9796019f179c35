/**
 * Number columns read as epoch times: the JS side of what native/io/parquet_times.cpp does in the
 * native Parquet reader, for the readers that hand over plain numbers (readTrades on Arrow files,
 * readParquet's library path). The same arithmetic: s x 1000, us / 1e3, ns / 1e6 (x / 1e6 is
 * correctly rounded, x * 1e-6 is not).
 */
import type { Table, TimeUnit } from './types.js';

/** The unit a ts column's first finite value's magnitude shows (docs/io.md: >= 1e17 ns, >= 1e14 us, >= 1e11 ms, >= 1e8 s, else ms). */
export function detectUnit(values: Float64Array): TimeUnit {
  const x = Math.abs(values.find(Number.isFinite) ?? 0);
  return x >= 1e17 ? 'ns' : x >= 1e14 ? 'us' : x >= 1e11 ? 'ms' : x >= 1e8 ? 's' : 'ms';
}

/**
 * `table` with its number columns named in `epochs` as epoch ms (fresh arrays; 'detect': detectUnit),
 * typed 'time' and reported in `info.timeUnits` as the CSV reader reports them. Other columns stand.
 */
export function withEpochs(table: Table, epochs: Record<string, TimeUnit | 'detect'>): Table {
  let out = table;
  for (const [name, wanted] of Object.entries(epochs)) {
    const values = out.columns[name];
    if (out.types[name] !== 'number' || !(values instanceof Float64Array)) continue;
    const unit = wanted === 'detect' ? detectUnit(values) : wanted;
    const divisor = unit === 'us' ? 1e3 : 1e6;
    const ms = unit === 'ms' ? values : unit === 's' ? values.map((x) => x * 1000) : values.map((x) => x / divisor);
    const info = out.info && { ...out.info, timeUnits: { ...out.info.timeUnits, [name]: { unit, detected: wanted === 'detect' } } };
    out = { ...out, columns: { ...out.columns, [name]: ms }, types: { ...out.types, [name]: 'time' }, ...(info ? { info } : {}) };
  }
  return out;
}
