/**
 * Small calls: what one call of a kernel on one small problem costs (an engine's call per message),
 * where the call, not the arithmetic, is the cost (issue 52 item 4). Per case, in one run: the API on
 * native, on the reference and on 'auto'; the addon's own entry called with its arguments made once
 * ('addon call': the kernel's C++ time plus the binding's reading of the arguments), and beside it the
 * addon's `noop(a, b)`, which reads two Float64Arrays as an entry does and returns ('addon no-op': the
 * floor of any call through the binding). The kernel's own time is then about 'addon call' less
 * 'addon no-op', and the native API's overhead 'native' less that. A case whose native call allocates
 * its output has 'addon call, fresh output' too: the same entry with its output allocated at each call,
 * so that the allocation's share of the overhead (V8's, not the API's) is measured beside it.
 *
 * Figures are microseconds a call: 2,000 warm-up calls of each subject, then 20,000 calls in 10
 * batches of 2,000, the subjects' batches in turn (all see the same machine), the median batch (a
 * batch's garbage collections are in its time: a call that allocates pays for it).
 *
 * Under `--against` with a base that has no 'calls' section, bench/against.ts runs this file over the
 * base's sources (KERNELBUS_BENCH_SOURCE: its checkout's root), so every module here is loaded from
 * that root, not imported statically.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Api from '../src/api/index.js';
import type * as Auto from '../src/api/auto.js';
import type * as Binding from '../src/backends/native/binding.js';
import type * as Descriptor from '../src/kernels/descriptor.js';
import type * as Families from '../src/kernels/families.js';
import { median, prng, type BenchRow, type BenchSection, withRatios } from './lib.js';

const source = process.env.KERNELBUS_BENCH_SOURCE;
const root = source ? pathToFileURL(`${resolve(source)}/`) : new URL('../', import.meta.url);
/** A module of the checkout under test (this one, or the base's under --against). */
const load = <T>(path: string) => import(new URL(path, root).href) as Promise<T>;

const WARMUP = 2_000;
const ROUNDS = 10;
const BATCH = 2_000;

/**
 * Microseconds per call of each of `fns`: each warmed up, then ROUNDS rounds of one batch of BATCH
 * calls of each in turn (so that all of them see the same machine), the median batch of each.
 */
function perCall<K extends string>(fns: Record<K, () => unknown>): Record<K, number> {
  const entries = Object.entries(fns) as [K, () => unknown][];
  for (const [, fn] of entries) for (let i = 0; i < WARMUP; i++) fn();
  const times = new Map<K, number[]>(entries.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of entries) {
      const t0 = performance.now();
      for (let i = 0; i < BATCH; i++) fn();
      times.get(name)?.push(((performance.now() - t0) * 1000) / BATCH);
    }
  }
  return Object.fromEntries(entries.map(([name]) => [name, median(times.get(name) ?? [])])) as Record<K, number>;
}

/** One case: the API call (given a Kernels) and the addon's entry calls it makes. */
interface CallCase {
  name: string;
  kernel: string;
  api: (k: Api.Kernels) => unknown;
  /** The descriptor calls whose addon entries the API call makes. */
  addon: { kernel: string; args: readonly unknown[] }[];
  /** The input size 'auto' goes by. */
  size: number;
  /**
   * Whether the native call allocates its output (over 8 values: a backing store; one problem's
   * numbers go into a scratch and allocate none).
   */
  fresh?: boolean;
  /** The API call with the caller's output (the `out` option: a result of an earlier call). */
  out?: (k: Api.Kernels, out: never) => unknown;
  /** The API call with its input made at each call (a new small array: V8 keeps it in its heap). */
  freshInput?: (k: Api.Kernels) => unknown;
  target?: string;
}

export const callsSection: BenchSection = {
  name: 'calls',
  relocatable: true,
  async run() {
    const api = await load<typeof Api>('src/api/index.ts');
    const { autoBackend } = await load<typeof Auto>('src/api/auto.ts');
    const { loadNative } = await load<typeof Binding>('src/backends/native/binding.ts');
    const { KERNEL_SPECS } = await load<typeof Families>('src/kernels/families.ts');
    const { dimsOf, outputLength } = await load<typeof Descriptor>('src/kernels/descriptor.ts');
    const b = loadNative().binding;
    if (!b) {
      console.log('calls: the addon is not built here; no rows');
      return [];
    }
    const native = api.kernels({ backend: 'native' });
    const reference = api.kernels({ backend: 'reference' });
    const auto = api.kernels({ backend: 'auto' });

    const rnd = prng(52);
    const returns = (rows: number, cols: number) =>
      api.matrix(
        Float64Array.from({ length: rows * cols }, () => (rnd() - 0.5) * 0.035),
        rows,
        cols,
      );
    const x1 = Float64Array.of(0.3);
    const var252 = returns(252, 1).data;
    const panel = returns(252, 10);
    const cov = reference.covariance(panel) as Api.Matrix;
    const weights = Float64Array.from({ length: 10 }, () => 0.1);
    /** The descriptor's backend arguments of one API call (its `api`'s Call). */
    const argsOf = (kernel: string, ...apiArgs: unknown[]) =>
      ((KERNEL_SPECS as Record<string, Descriptor.KernelSpec>)[kernel].api as unknown as (...a: unknown[]) => { args: unknown[] })(
        ...apiArgs,
      ).args;

    const solve = argsOf('minVariance', cov, { assumePsd: true });
    const cases: CallCase[] = [
      {
        name: 'normalCdf() of 1 value',
        kernel: 'normalCdf',
        api: (k) => k.normalCdf(x1),
        addon: [{ kernel: 'normalCdf', args: [x1] }],
        size: 1,
        freshInput: (k) => k.normalCdf(Float64Array.of(0.3)),
        target: 'target <= 0.6 us',
      },
      {
        name: 'valueAtRisk() of 252 returns',
        kernel: 'valueAtRisk',
        api: (k) => k.valueAtRisk(var252),
        addon: [{ kernel: 'valueAtRisk', args: argsOf('valueAtRisk', var252) }],
        size: 252,
        target: 'target <= 3 us',
      },
      {
        name: 'portfolioVolatility() N = 10',
        kernel: 'portfolioVolatility',
        api: (k) => k.portfolioVolatility(cov, weights),
        addon: [{ kernel: 'portfolioVolatility', args: [cov.data, 10, weights, 1] }],
        size: 10,
        target: 'target <= 1 us',
      },
      {
        name: 'covariance() 252 x 10',
        kernel: 'covariance',
        api: (k) => k.covariance(panel),
        addon: [{ kernel: 'covariance', args: argsOf('covariance', panel) }],
        size: 2520,
        fresh: true,
        out: (k, out) => k.covariance(panel, { out }),
      },
      {
        name: 'minVariance() N = 10, its PSD test included',
        kernel: 'minVariance',
        api: (k) => k.minVariance(cov),
        // the covariance test inside the kernel's call (its psdTest flag), the factorization reused by the solve
        addon: [{ kernel: 'minVariance', args: argsOf('minVariance', cov) }],
        size: 100,
        fresh: true,
        target: 'target <= 5 us',
      },
      {
        name: 'minVariance() N = 10, assumePsd: true',
        kernel: 'minVariance',
        api: (k) => k.minVariance(cov, { assumePsd: true }),
        addon: [{ kernel: 'minVariance', args: solve }],
        size: 100,
        fresh: true,
      },
    ];

    /**
     * The addon's entry of `kernel` over `args`, its packed parameters and output made once (with
     * `fresh`, the output allocated at each call, as the API's call of it does).
     */
    const entryCall = (kernel: string, args: readonly unknown[], fresh = false) => {
      const spec = (KERNEL_SPECS as Record<string, Descriptor.OutputSpec>)[kernel];
      const k = spec.params.length;
      const lead = args.slice(0, args.length - k);
      const params = Float64Array.from(args.slice(args.length - k) as number[]);
      const out = new Float64Array(outputLength(spec.outputs, dimsOf(spec)(args)));
      const f = b[kernel] as ((...a: unknown[]) => void) & { records?: readonly (readonly string[] | null)[] };
      const entryArgs = k > 0 ? [...lead, params, out] : [...lead, out];
      // an entry taking records gets their fields as arguments (an older addon: the objects)
      const all = f.records
        ? entryArgs.flatMap((a, i) => f.records?.[i]?.map((field) => (a as Record<string, unknown>)[field]) ?? [a])
        : entryArgs;
      if (!fresh) return () => f.apply(undefined, all);
      return () => {
        all[all.length - 1] = new Float64Array(out.length);
        f.apply(undefined, all);
      };
    };

    /** The native call of `out` with a result of an earlier call; undefined where the API has no `out` (a base under --against). */
    const outCall = (call: NonNullable<CallCase['out']>, earlier: unknown) => {
      try {
        call(native, earlier as never);
      } catch (e) {
        if (e instanceof api.KernelInputError) return undefined;
        throw e;
      }
      return () => call(native, earlier as never);
    };

    const noop = b.noop as ((a: Float64Array, b: Float64Array) => void) | undefined;
    const rows: BenchRow[] = [];
    for (const c of cases) {
      const entries = c.addon.map((e) => entryCall(e.kernel, e.args));
      const addon = entries.length === 1 ? entries[0] : () => entries.forEach((e) => e());
      const row = (subject: string, value: number, note?: string) =>
        rows.push({ section: 'calls', case: c.name, subject, value, unit: 'us', ...(note && { note }) });
      const subjects: Record<string, () => unknown> = {
        native: () => c.api(native),
        reference: () => c.api(reference),
        auto: () => c.api(auto),
        addon,
      };
      if (noop) subjects.noop = () => noop(x1, x1);
      if (c.fresh) subjects.fresh = entryCall(c.addon[0].kernel, c.addon[0].args, true);
      const withOut = c.out && outCall(c.out, c.api(native));
      if (withOut) subjects.out = withOut;
      if (c.freshInput) subjects.freshInput = () => c.freshInput!(native);
      const t = perCall(subjects);
      const own = t.noop === undefined ? undefined : Math.max(t.addon - entries.length * t.noop, 0);
      const allocation = c.fresh ? ` (${(t.fresh - t.addon).toFixed(2)} us of it the allocation of its output)` : '';
      const overhead = own === undefined ? '' : `, ${(t.native - own).toFixed(2)} us over the kernel's ${own.toFixed(2)} us${allocation}`;
      row('native', t.native, `${c.target ?? 'yardstick'}${overhead}`);
      if (t.out !== undefined) {
        const over = own === undefined ? '' : `: ${(t.out - own).toFixed(2)} us over the kernel's ${own.toFixed(2)} us`;
        row("native, caller's out", t.out, `the \`out\` option, a result of an earlier call filled again${over}`);
      }
      if (t.freshInput !== undefined)
        row('native, a fresh input', t.freshInput, "its input a new Float64Array at each call (in V8's heap, copied off it for the addon)");
      row('reference', t.reference);
      row('auto', t.auto, `'auto' picks ${autoBackend(c.kernel as Families.KernelName, c.size).name}`);
      row('addon call', t.addon, `the addon's ${c.addon.map((e) => e.kernel).join(' + ')} with its arguments made once`);
      if (t.noop !== undefined) row('addon no-op', t.noop, `noop(a, b) x ${entries.length}: the floor of a call`);
      if (c.fresh) row('addon call, fresh output', t.fresh, `as 'addon call', its output allocated at each call (a backing store)`);
    }
    return withRatios(rows, 'native');
  },
};
