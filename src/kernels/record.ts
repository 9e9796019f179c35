/**
 * A record argument, said once: the object a backend call takes whole (the backtest's Simulation) or
 * packs into one Float64Array (the volatility Model), described field by field. A kernel's descriptor
 * lists its records by argument name (`records: { sim: SIMULATION }`); scripts/gen-records.ts writes
 * the C++ that reads each into its struct: for an object record, the addon's reader
 * (native/binding/generated/<family>_records.h: each field read by name and checked, a
 * KernelInputError naming it, `sim.price.data`); for a packed record, its unpack()
 * (native/kernels/generated/<family>_records.hpp: each value read in order by the ParamReader call of
 * its rule). The TS side packs and unpacks a packed record by the same list (`pack`, `unpack`), and an
 * object record's declaration is checked against its TS interface (`objectRecord<T>()`).
 */
import type { Rule } from './param-rules.js';

/**
 * A field of an object record, read by name. `member`: its C++ member when it is not the key (a
 * trade's `return` is `ret`).
 */
export type Field =
  /** An integer >= 0 (C++ size_t; `code`: an int; `flag`: a bool, non-zero true). */
  | { readonly kind: 'count' | 'code' | 'flag'; readonly member?: string }
  /**
   * A Float64Array (C++ a pointer) or an Int32Array (a pointer to int32_t). `lengthTo`: the member
   * its length goes into; `length`: the length it must have, a product of members read before it
   * (`'rows x groups'`), and the error's expected text.
   */
  | {
      readonly kind: 'float64' | 'int32';
      readonly member?: string;
      readonly lengthTo?: string;
      readonly length?: readonly [product: string, expected: string];
    }
  /** vectorbt's flexible argument `{ data, rows, cols }` (C++ Flex<T>): data a Float64Array or a Uint8Array of rows x cols values. */
  | { readonly kind: 'flex'; readonly of: 'float64' | 'uint8'; readonly member?: string }
  /** An object whose fields are members of the record's own struct (StatsInput's `orders`). */
  | { readonly kind: 'group'; readonly fields: Readonly<Record<string, Field>> };

/** A record passed as an object. `type`: its TS name (the errors say "a <type> record"); `cpp`: its C++ struct. */
export interface ObjectRecord {
  readonly transport: 'object';
  readonly type: string;
  readonly cpp: string;
  readonly fields: Readonly<Record<string, Field>>;
}

/** A record packed into one Float64Array in the order of `fields`, each value checked by its rule (param-rules.ts). */
export interface PackedRecord {
  readonly transport: 'packed';
  readonly type: string;
  readonly cpp: string;
  readonly fields: Readonly<Record<string, Rule>>;
}

export type RecordSpec = ObjectRecord | PackedRecord;

export const count = (member?: string): Field => ({ kind: 'count', member });
export const code = (member?: string): Field => ({ kind: 'code', member });
export const flag = (member?: string): Field => ({ kind: 'flag', member });
export const float64 = (options: { member?: string; lengthTo?: string; length?: readonly [string, string] } = {}): Field => ({
  kind: 'float64',
  ...options,
});
export const int32 = (options: { member?: string; lengthTo?: string } = {}): Field => ({ kind: 'int32', ...options });
export const flex = (of: 'float64' | 'uint8' = 'float64'): Field => ({ kind: 'flex', of });
export const group = (fields: Readonly<Record<string, Field>>): Field => ({ kind: 'group', fields });

/** An object record whose fields are exactly T's keys: `objectRecord<Simulation>()('Simulation', 'backtest::Simulation', {...})`. */
export const objectRecord =
  <T>() =>
  (type: string, cpp: string, fields: { readonly [K in keyof T]-?: Field }): ObjectRecord => ({ transport: 'object', type, cpp, fields });

/** A packed record whose fields are exactly T's keys, in packed order. */
export const packedRecord =
  <T>() =>
  (type: string, cpp: string, fields: { readonly [K in keyof T]-?: Rule }): PackedRecord => ({ transport: 'packed', type, cpp, fields });

/** `value` packed in the record's order. */
export function pack<T>(record: PackedRecord, value: T): Float64Array {
  return Float64Array.from(Object.keys(record.fields), (key) => (value as Record<string, number>)[key]);
}

/** A packed record read back by its fields (unchecked: the reference's side of `pack`; the C++ checks its own copy). */
export function unpack<T>(record: PackedRecord, packed: Float64Array): T {
  return Object.fromEntries(Object.keys(record.fields).map((key, i) => [key, packed[i]])) as T;
}
