/**
 * The recent returns of a universe whose assets change over time: the last `capacity` dates, one
 * column per asset seen in them (an asset absent on a date has NaN there, as a long panel pivoted by
 * date and asset would). What FactorEngine's momentum reads: the date's T x N panel of the assets of
 * that date, oldest date first.
 */
import { KernelInputError } from '../errors.js';
import type { Matrix } from '../kernels/risk/risk.js';

/** One asset's returns: a ring of `capacity` slots (date d in slot d mod capacity) and its last date present. */
interface AssetColumn {
  ring: Float64Array;
  /** The number (0-based, of all dates appended) of the last date the asset was present on. */
  last: number;
}

/** The last `capacity` dates of returns of the assets present in them. */
export class PanelHistory {
  /** Most dates held. */
  readonly capacity: number;
  /** Dates ever appended (the history holds the last min(total, capacity)). */
  total = 0;
  private readonly columns = new Map<string, AssetColumn>();

  /** An empty history of `capacity` dates (an integer >= 1). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new KernelInputError('capacity', 'an integer >= 1', String(capacity));
    this.capacity = capacity;
  }

  /** Dates held now: min(total, capacity). */
  get rows(): number {
    return Math.min(this.total, this.capacity);
  }

  /** The assets with a return in the dates held, in the order they were first seen. */
  assets(): string[] {
    return [...this.columns.keys()];
  }

  /** The dates held of `asset`, oldest first (NaN where it was absent or missing); all NaN for an asset not held. */
  column(asset: string): Float64Array {
    const out = new Float64Array(this.rows).fill(NaN);
    const c = this.columns.get(asset);
    if (c) for (let i = 0; i < out.length; i++) out[i] = c.ring[(this.total - out.length + i) % this.capacity];
    return out;
  }

  /** The number of the last date `asset` was present on (-1 when it is not held). */
  lastSeen(asset: string): number {
    return this.columns.get(asset)?.last ?? -1;
  }

  /**
   * The panel of a new date before it is appended: min(total + 1, capacity) x assets.length, row-major,
   * the last rows - 1 dates held then `current` (the new date's returns, in `assets` order). Nothing
   * is changed.
   */
  panelWith(assets: readonly string[], current: ArrayLike<number>): Matrix {
    const rows = Math.min(this.total + 1, this.capacity);
    const n = assets.length;
    const data = new Float64Array(rows * n).fill(NaN);
    const first = this.total - (rows - 1);
    assets.forEach((asset, j) => {
      const c = this.columns.get(asset);
      if (c) for (let r = 0; r < rows - 1; r++) data[r * n + j] = c.ring[(first + r) % this.capacity];
      data[(rows - 1) * n + j] = current[j];
    });
    return { data, rows, cols: n };
  }

  /**
   * Appends a date: `values[j]` the return of `assets[j]` (unique names); every other asset held gets
   * NaN for it, and an asset absent from every date held is dropped.
   */
  append(assets: readonly string[], values: ArrayLike<number>): void {
    const date = this.total;
    const slot = date % this.capacity;
    for (const c of this.columns.values()) c.ring[slot] = NaN;
    assets.forEach((asset, j) => {
      let c = this.columns.get(asset);
      if (!c) this.columns.set(asset, (c = { ring: new Float64Array(this.capacity).fill(NaN), last: date }));
      c.ring[slot] = values[j];
      c.last = date;
    });
    this.total++;
    for (const [asset, c] of this.columns) if (c.last <= this.total - 1 - this.capacity) this.columns.delete(asset);
  }

  /** The dates held as `{ assets, last, values }`: each asset's last date and its column oldest first, concatenated. */
  export(): { assets: string[]; last: number[]; values: Float64Array } {
    const assets = this.assets();
    const rows = this.rows;
    const values = new Float64Array(assets.length * rows);
    assets.forEach((a, j) => values.set(this.column(a), j * rows));
    return { assets, last: assets.map((a) => this.columns.get(a)!.last), values };
  }

  /**
   * A history of `capacity` dates from export()'s parts, `rows` dates held of `total` appended (the last
   * dates kept when `capacity` is smaller; older slots NaN when larger); KernelInputError('bytes') when
   * the parts do not fit together.
   */
  static restore(
    capacity: number,
    total: number,
    rows: number,
    assets: readonly string[],
    last: readonly number[],
    values: Float64Array,
  ): PanelHistory {
    if (
      !(Number.isInteger(total) && Number.isInteger(rows) && rows >= 0 && rows <= total) ||
      assets.length !== last.length ||
      values.length !== assets.length * rows
    ) {
      throw new KernelInputError('bytes', 'a panel history (assets, last dates and columns of one length)', 'inconsistent parts');
    }
    const h = new PanelHistory(capacity);
    h.total = total;
    const keep = Math.min(rows, capacity);
    assets.forEach((asset, j) => {
      if (last[j] <= total - 1 - capacity) return;
      const ring = new Float64Array(capacity).fill(NaN);
      for (let r = rows - keep; r < rows; r++) ring[(total - rows + r) % capacity] = values[j * rows + r];
      h.columns.set(asset, { ring, last: last[j] });
    });
    return h;
  }
}
