/**
 * Random and mutated LightGBM model texts (fast-check): a fixture model's text cut anywhere, a line
 * dropped or repeated, a number or a child replaced, a byte changed. Whatever the text, loadModel()
 * either refuses it with a KernelInputError naming the text's line, or gives a model whose predictions
 * and contributions run on both backends without another error (a KernelInputError of the checks is
 * allowed: a mutation can make a model no backend walks), never a crash or a read past an array.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import { loadModel } from '../../src/ml/index.js';

const FIXTURES = JSON.parse(readFileSync(new URL('./fixtures/lightgbm.json', import.meta.url), 'utf8')) as {
  cases: { name: string; model: string }[];
};
const TEXTS = ['categorical-codes-0-15', 'multiclass-single-leaf-trees', 'binary-nan-missing'].map(
  (name) => FIXTURES.cases.find((c) => c.name === name)!.model,
);

/** A mutation of `text`, chosen by `r` (four numbers in [0, 1)). */
function mutate(text: string, kind: number, r: number[]): string {
  const lines = text.split('\n');
  const at = Math.floor(r[0] * lines.length);
  switch (kind) {
    case 0:
      return text.slice(0, Math.floor(r[0] * text.length));
    case 1:
      lines.splice(at, 1);
      return lines.join('\n');
    case 2:
      lines.splice(at, 0, lines[Math.floor(r[1] * lines.length)]);
      return lines.join('\n');
    case 3: {
      // a value of a key=value line replaced
      const l = lines[at];
      const eq = l.indexOf('=');
      if (eq < 0) return text;
      const values = l.slice(eq + 1).split(' ');
      values[Math.floor(r[1] * values.length)] = ['-1', '0', '99999', 'nan', 'inf', '1e308', '-0', '3.5', ''][Math.floor(r[2] * 9)];
      lines[at] = `${l.slice(0, eq + 1)}${values.join(' ')}`;
      return lines.join('\n');
    }
    default: {
      const i = Math.floor(r[0] * text.length);
      return text.slice(0, i) + String.fromCharCode(32 + Math.floor(r[1] * 95)) + text.slice(i + 1);
    }
  }
}

describe('mutated LightGBM texts', () => {
  it('are refused naming their line, or predict on both backends', async () => {
    const seen = { refused: 0, loaded: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: TEXTS.length - 1 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 3, maxLength: 3 }),
        async (which, kind, r) => {
          const text = mutate(TEXTS[which], kind, r);
          let model: Awaited<ReturnType<typeof loadModel>>;
          try {
            model = await loadModel({ text }, { backend: 'reference' });
          } catch (error) {
            expect(error).toBeInstanceOf(KernelInputError);
            expect((error as Error).message).toMatch(/^model(:\d+)?: expected /);
            seen.refused++;
            return;
          }
          seen.loaded++;
          const F = model.features.length;
          const X = {
            data: Float64Array.from({ length: 4 * F }, (_, i) => [Number.NaN, 0, 1e-36, 3, -2.5, 1e9, 7][i % 7]),
            rows: 4,
            cols: F,
          };
          for (const backend of ['reference', 'native'] as const) {
            const m = await loadModel({ text }, { backend });
            for (const call of [() => m.predict(X), () => m.predict(X, { raw: true }), () => m.contributions(X)]) {
              try {
                call();
              } catch (error) {
                expect(error, `${backend}: ${(error as Error).message}`).toBeInstanceOf(KernelInputError);
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
    // both outcomes happen: the mutations are neither all fatal nor all harmless
    expect(seen.refused).toBeGreaterThan(10);
    expect(seen.loaded).toBeGreaterThan(10);
  });
});
