/**
 * A rolling window of asset returns: the last `capacity` rows of a universe (rows = periods, columns =
 * its assets), in O(capacity x assets) memory. Each row is stored twice, at its slot and `capacity`
 * slots later, so the window is always one contiguous row-major block: `matrix()` is a view that goes
 * to the kernels as it is, without assembling the rows on every evaluation.
 */
import { KernelInputError } from '../errors.js';
import type { Matrix } from '../kernels/risk/risk.js';

/** The last `capacity` rows of returns of a fixed list of assets. */
export class ReturnsWindow {
  /** The assets, in column order. */
  readonly assets: readonly string[];
  /** Most rows held. */
  readonly capacity: number;
  /** asset -> column. */
  readonly columns: ReadonlyMap<string, number>;
  /** Rows ever appended (the window holds the last min(total, capacity)). */
  total = 0;
  /** 2 x capacity rows: slot s and slot s + capacity hold the same row. */
  private readonly data: Float64Array;

  /** An empty window of `capacity` rows over `assets` (unique names). */
  constructor(assets: readonly string[], capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new KernelInputError('capacity', 'an integer >= 1', String(capacity));
    this.assets = Object.freeze([...assets]);
    this.capacity = capacity;
    this.columns = new Map(this.assets.map((a, i) => [a, i]));
    if (this.columns.size !== this.assets.length)
      throw new KernelInputError('assets', 'unique names', `${this.assets.length} names, ${this.columns.size} distinct`);
    this.data = new Float64Array(2 * capacity * this.assets.length);
  }

  /** Rows held now: min(total, capacity). */
  get rows(): number {
    return Math.min(this.total, this.capacity);
  }

  /**
   * Appends `rows` rows of `values` (row-major, `columnOf[j]` the column of the j-th value of a row,
   * or undefined when the values are in column order). Only the last `capacity` rows are copied.
   */
  append(values: ArrayLike<number>, rows: number, columnOf?: readonly number[]): void {
    const n = this.assets.length;
    const skip = Math.max(0, rows - this.capacity);
    this.total += skip;
    for (let r = skip; r < rows; r++) {
      const slot = this.total % this.capacity;
      const a = slot * n;
      const b = (slot + this.capacity) * n;
      for (let j = 0; j < n; j++) {
        const c = columnOf ? columnOf[j] : j;
        const v = values[r * n + j];
        this.data[a + c] = v;
        this.data[b + c] = v;
      }
      this.total++;
    }
  }

  /** The rows held, oldest first, as a rows x assets Matrix viewing the window (valid until the next append). */
  matrix(): Matrix {
    const n = this.assets.length;
    const rows = this.rows;
    const start = this.total <= this.capacity ? 0 : this.total % this.capacity;
    return { data: this.data.subarray(start * n, (start + rows) * n), rows, cols: n };
  }
}

/**
 * A window of `capacity` rows over `assets` holding `rows` rows of `values` (row-major, in column
 * order) as the last rows of `total` appended: what a snapshot of a window (possibly of another
 * capacity) restores. Only the last `capacity` rows are kept.
 */
export function restoredWindow(
  assets: readonly string[],
  capacity: number,
  values: Float64Array,
  rows: number,
  total: number,
): ReturnsWindow {
  const w = new ReturnsWindow(assets, capacity);
  w.total = total - rows;
  w.append(values, rows);
  return w;
}
