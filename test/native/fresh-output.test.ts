/**
 * Fresh outputs from HUGE_OUTPUT_BYTES on are advised onto huge pages before the kernel writes them
 * (src/backends/native/fresh.ts): the advice is asked for exactly those, and the results are the
 * reference's, fresh or into a caller's `out`.
 */
import { describe, expect, it } from 'vitest';
import { loadNative, type NativeBinding } from '../../src/backends/native/binding.js';
import { fresh, HUGE_OUTPUT_BYTES } from '../../src/backends/native/fresh.js';
import { kernels } from '../../src/index.js';
import { inCI, ref } from '../helpers/backends.js';
import { expectColumnsClose } from '../helpers/compare.js';
import { centGrid } from '../helpers/trades.js';

const loaded = loadNative();
const suite = loaded.binding || inCI ? describe : describe.skip;

suite('fresh native outputs', () => {
  it('advises huge pages from HUGE_OUTPUT_BYTES on, and only there', () => {
    const advised: number[] = [];
    const spy = { adviseHugePages: (a: ArrayBufferView) => advised.push(a.byteLength) } as unknown as NativeBinding;
    const small = new Float64Array(HUGE_OUTPUT_BYTES / 8 - 1);
    const large = new Float64Array(HUGE_OUTPUT_BYTES / 8);
    expect(fresh(spy, small)).toBe(small);
    expect(fresh(spy, large)).toBe(large);
    expect(fresh(spy, new Int8Array(HUGE_OUTPUT_BYTES))).toHaveLength(HUGE_OUTPUT_BYTES);
    expect(advised).toEqual([HUGE_OUTPUT_BYTES, HUGE_OUTPUT_BYTES]);
  });

  it('bulkClassify and tickRule past the threshold equal the reference, fresh or into an out', () => {
    const nat = kernels({ backend: 'native' });
    const n = HUGE_OUTPUT_BYTES / 8 + 1000; // a Float64Array past the threshold
    const tape = centGrid(n, 5, 0.45);
    const bars = { open: tape.price.subarray(0, n - 1), close: tape.price.subarray(1), volume: tape.volume.subarray(1) };
    const expected = ref.bulkClassify(bars);
    expectColumnsClose({ buy: nat.bulkClassify(bars) }, { buy: expected });
    expectColumnsClose({ buy: nat.bulkClassify(bars, { out: new Float64Array(n - 1) }) }, { buy: expected });
    const many = new Float64Array(HUGE_OUTPUT_BYTES + 5);
    for (let i = 0; i < many.length; i++) many[i] = tape.price[i % n];
    const signs = nat.tickRule(many);
    const want = ref.tickRule(many);
    let firstDifference = -1;
    for (let i = 0; i < want.length && firstDifference < 0; i++) if (signs[i] !== want[i]) firstDifference = i;
    expect(signs).toHaveLength(want.length);
    expect(firstDifference).toBe(-1);
  });
});
