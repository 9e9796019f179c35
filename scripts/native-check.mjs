#!/usr/bin/env node
// A focused, self-contained check of the native backend against the reference, in plain JS over the
// compiled package (dist/): no vitest, no tsx, so that it runs under emulation (qemu-aarch64 with an
// arm64 node: scripts/arm64-check.sh) and from a consumer project (scripts/tarball-test.mjs).
//   node scripts/native-check.mjs [packageDir] [--cases N]
// packageDir: a kernelbus package (holding dist/ and its addon); default: this repository. Checks:
// 1. backends(): native available, and where its binary came from;
// 2. every kernel of FAMILY_KERNELS that native implements: native vs reference on seeded random inputs (NaN sprinkled where
//    the kernel skips it), every output within 1e-12 relative (NaN where the reference has NaN), and
//    the same bits for the kernels the parity suite holds bit-identical (Monte Carlo scenarios);
// 3. the promise variants of a few kernels (the addon's thread pool);
// 4. fault codes: bad inputs throw the same KernelInputError message natively as in the reference;
// 5. threads: 1, 2 and 3 threads give the same bits.
// Prints one line per kernel and a summary; exits 1 on any failure.
// --simd <level>: fail unless the addon runs that instruction set (features().simd: scripts/cpu-check.sh
// under emulated CPUs). The summary ends with a digest (SHA-256) of every native output of 2.: the
// same bits give the same digest, whatever the CPU, KERNELBUS_SIMD or the thread count; --digests <file>
// writes one per kernel (JSON), to tell which kernels two builds differ in (scripts/win32-check.sh).
// --no-threads: skips 5. (scripts/cpu-check.sh under emulated x86-64 CPUs, where it took 11.7 of 47 s:
// the thread counts are the host's and arm64-check's to show).
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const cases = Number(flag('--cases') ?? 30);
const simd = flag('--simd');
const digestsFile = flag('--digests');
const noThreads = args.includes('--no-threads');
if (noThreads) args.splice(args.indexOf('--no-threads'), 1);
const root = resolve(args[0] ?? new URL('..', import.meta.url).pathname);
const entry = resolve(root, 'dist/api/index.js');
if (!existsSync(entry)) {
  console.error(`native-check: ${entry} not found (build the TypeScript first: npm run build:ts)`);
  process.exit(2);
}
const kb = await import(pathToFileURL(entry).href);
const { KERNEL_SPECS } = await import(pathToFileURL(resolve(root, 'dist/kernels/families.js')).href);
const { Sampler } = await import(pathToFileURL(resolve(root, 'dist/kernels/sample.js')).href);
const started = Date.now();

let checks = 0;
const failures = [];
const fail = (what) => {
  failures.push(what);
  if (failures.length <= 20) console.log(`  FAIL ${what}`);
};

// --- 1. the backend loads --------------------------------------------------------------------------
const info = kb.backends().find((b) => b.name === 'native');
checks++;
if (!info?.available) {
  console.log(`native-check: native backend unavailable: ${info?.reason}`);
  process.exit(1);
}
console.log(
  `native-check: ${process.platform}-${process.arch} node ${process.version}, native from ${info.path}` +
    ` (${JSON.stringify(info.features)})`,
);
if (simd !== undefined) {
  checks++;
  if (info.features.simd !== simd) fail(`simd: the addon runs ${info.features.simd}, expected ${simd} (the CPU has ${info.features.simdCpu})`);
}
const ref = kb.kernels({ backend: 'reference' });
const nat = kb.kernels({ backend: 'native' });

// --- the digest of the native outputs ----------------------------------------------------------------
const digest = createHash('sha256');
// per kernel too (--digests <file>: JSON { kernel: sha256 }), to tell which kernels two builds differ in
const kernelDigests = {};
let kernelDigest;
function update(bytes) {
  digest.update(bytes);
  kernelDigest?.update(bytes);
}
/** Starts the digest of kernel `name` (ended by the next call, or by the end). */
function digestOf(name) {
  kernelDigest = createHash('sha256');
  kernelDigests[name] = kernelDigest;
}
function absorb(value) {
  if (typeof value === 'number') update(new Uint8Array(Float64Array.of(value).buffer));
  else if (typeof value === 'string' || typeof value === 'boolean' || value == null) update(`${typeof value}:${String(value)};`);
  else if (ArrayBuffer.isView(value)) update(new Uint8Array(Float64Array.from(value, Number).buffer));
  else if (Array.isArray(value)) value.forEach(absorb);
  else for (const k of Object.keys(value).sort()) update(`${k}:`), absorb(value[k]);
}

// --- seeded inputs ---------------------------------------------------------------------------------
// the descriptors' Sampler (src/kernels/sample.ts): its draws under the names the cases below use,
// reseeded per kernel by seed()
let sampler = new Sampler(1);
const seed = (n) => (sampler = new Sampler(n));
const random = () => sampler.random();
const int = (lo, hi) => sampler.int(lo, hi);
const uniform = (lo, hi) => sampler.uniform(lo, hi);
const pick = (...xs) => sampler.pick(...xs);
const normal = () => sampler.normal();
const fill = (n, f) => sampler.fill(n, f);
const matrix = (rows, cols, f) => sampler.matrix(rows, cols, f);
const ret = (nan = 0.03) => sampler.ret(nan);
const positive = () => sampler.positive();
const view = (values) => sampler.view(values);
function trades(n) {
  let ts = 1.7e12 + int(0, 1e6);
  let price = uniform(50, 200);
  const t = [];
  const p = [];
  const v = [];
  for (let i = 0; i < n; i++) {
    ts += random() < 0.2 ? 0 : int(1, 4000);
    price = Math.max(1, price + 0.05 * normal());
    t.push(ts);
    p.push(Math.round(price * 100) / 100);
    v.push(int(1, 500));
  }
  return { ts: view(t), price: view(p), volume: view(v) };
}
/** Trades with a quote at each: a cent spread around the price, at the bid or ask, crossed, locked or missing. */
function quotedTrades(n) {
  const t = trades(n);
  const bid = [];
  const ask = [];
  for (const p of t.price) {
    const s = int(0, 5) / 100;
    const [b, a] = pick([p - s, p + s], [p, p + s], [p - s, p], [p + s, p - s], [p, p], [NaN, NaN], [p, NaN]);
    bid.push(Math.max(0, b));
    ask.push(Math.max(0, a));
  }
  return { ...t, bid: view(bid), ask: view(ask) };
}
function covarianceOf(n) {
  const X = matrix(n + 3, n, () => 0.03 * normal());
  const cov = ref.covariance(X, { method: 'ledoit-wolf' });
  for (let i = 0; i < n; i++) cov.data[i * n + i] += 1e-6;
  return cov;
}

// --- comparison ------------------------------------------------------------------------------------
const RTOL = 1e-12;
const TINY = 2 ** -1022;
function compare(a, e, path, exact) {
  if (typeof e === 'number') return compareArrays([a], [e], path, exact);
  if (ArrayBuffer.isView(e)) return compareArrays(a, e, path, exact);
  if (Array.isArray(e)) {
    if (!Array.isArray(a) || a.length !== e.length) return fail(`${path}: length ${a?.length} vs ${e.length}`);
    return e.forEach((x, i) => compare(a[i], x, `${path}[${i}]`, exact));
  }
  if (e && typeof e === 'object') {
    const keys = Object.keys(e).sort();
    const got = Object.keys(a ?? {}).sort();
    if (keys.join() !== got.join()) return fail(`${path}: keys ${got} vs ${keys}`);
    return keys.forEach((k) => compare(a[k], e[k], `${path}.${k}`, exact));
  }
  if (a !== e) fail(`${path}: ${String(a)} vs ${String(e)}`);
}
function compareArrays(a, e, path, exact) {
  if (!a || a.length !== e.length) return fail(`${path}: length ${a?.length} vs ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    const x = Number(a[i]);
    const y = Number(e[i]);
    if (Number.isNaN(y) ? Number.isNaN(x) : exact ? Object.is(x, y) : x === y || Math.abs(x - y) <= RTOL * Math.max(Math.abs(y), TINY)) continue;
    return fail(`${path}[${i}]: native ${x} vs reference ${y}`);
  }
}

/** n days of buys and sells, integers around a rate (a few days with an event's extra). */
function pinCounts() {
  const n = int(1, 40);
  const rate = pick(2, 50, 800);
  const day = () => Math.floor(uniform(0, 2 * rate) + (random() < 0.3 ? rate : 0));
  return [view(Array.from({ length: n }, day)), view(Array.from({ length: n }, day))];
}

// --- 2. every kernel -------------------------------------------------------------------------------
/**
 * Per kernel: a generator of its arguments, and whether the outputs must be the same bits. A kernel
 * whose descriptor has a `sample` (src/kernels/sample.ts) needs none here: caseOf() draws from it.
 */
const CASES = {
  timeBars: () => [trades(int(0, 400)), { barMs: pick(1000, 60000, 250) }],
  tickRule: () => [trades(int(0, 400)).price],
  classifyTrades: [
    () => {
      const quoted = quotedTrades(int(0, 400));
      const options = {
        algorithm: pick('tick', 'reverse-tick', 'quote', 'lee-ready', 'emo', 'clnv', 'reverse-lee-ready', 'reverse-emo', 'reverse-clnv'),
        convention: pick('tclf', 'pinstimation'),
        quoteLagMs: pick(0, 0, 3, 250),
        lagFrom: pick('quotes', 'trades'),
      };
      if (options.lagFrom === 'trades' || random() < 0.5) return [quoted, options];
      // the same quotes as a stream, a few milliseconds off the trades (sorted)
      const order = Array.from(quoted.ts, (t, i) => [t - int(-2, 4), i]).sort((x, y) => x[0] - y[0]);
      const quotes = { ts: view(order.map((o) => o[0])), bid: view(order.map((o) => quoted.bid[o[1]])), ask: view(order.map((o) => quoted.ask[o[1]])) };
      return [{ ts: quoted.ts, price: quoted.price, volume: quoted.volume }, { ...options, quotes }];
    },
    true,
  ],
  bulkClassify: () => {
    const bars = ref.timeBars(trades(int(2, 400)), { barMs: 1000 });
    return [bars, { sigma: pick('sample', 0.5, { rolling: 5 }, { ewma: 0.94 }), priceChange: pick('close', 'intra'), distribution: pick('normal', { studentT: 4 }) }];
  },
  vpin: () => {
    // bvc, tick, or a quote classifier over the trades' bid and ask (labels from classifyTrades)
    const quote = { algorithm: pick('quote', 'lee-ready', 'emo', 'clnv', 'reverse-emo'), quoteLagMs: pick(0, 3), convention: pick('tclf', 'pinstimation') };
    const classifier = pick('bvc', 'tick', quote);
    const tape = typeof classifier === 'object' ? quotedTrades(int(50, 1500)) : trades(int(50, 1500));
    return [tape, { bucketVolume: int(500, 4000), window: int(1, 20), barMs: pick(1000, 5000), classifier, sigma: pick('sample', { ewma: 0.94 }) }];
  },
  momentum: () => [matrix(int(0, 80), int(1, 20), () => ret()), { window: int(1, 30), halfLife: pick(4, 10), lag: int(0, 5), winsorize: pick(0.01, 0.1) }],

  factorReturns: () => {
    const [rows, cols, sectors, styles] = [int(1, 20), int(6, 40), int(1, 4), int(0, 3)];
    return [
      {
        returns: matrix(rows, cols, () => ret()),
        marketCap: matrix(rows, cols, () => 1e9 * positive()),
        sectors: Int32Array.from({ length: cols }, (_, i) => i % sectors),
        styles: Array.from({ length: styles }, () => matrix(rows, cols, () => normal())),
        sectorNames: Array.from({ length: sectors }, (_, j) => `s${j}`),
      },
      { winsorize: pick(null, 0.05), residualizeStyles: random() < 0.5 },
    ];
  },
  // the statistics of a result: a backtest run on the reference (the result carries what they read)
  backtestStats: () => {
    const [T, K] = [int(2, 60), int(1, 4)];
    const close = matrix(T, K, () => 10 * positive());
    const signals = () => matrix(T, K, () => (random() < 0.2 ? 1 : 0));
    const result = ref.backtestSignals({ close }, { entries: signals(), exits: signals(), fees: pick(0, 0.001), direction: pick('long', 'both') });
    return [result, { periodsPerYear: pick(252, 365) }];
  },
  factorCovariance: () => [matrix(int(2, 60), int(1, 6), () => ret(0)), { halfLife: pick(20, 90), neweyWestLags: int(0, 3) }],
  specificRisk: () => [matrix(int(2, 60), int(1, 20), () => ret()), { halfLife: pick(20, 90) }],
  riskParity: () => {
    // one problem or a batch of P: a stack of P covariances, P budget rows, or both
    const [n, P, form] = [int(1, 30), pick(1, int(2, 6)), pick('stack', 'budgets', 'both')];
    const covs = Array.from({ length: form === 'budgets' ? 1 : P }, () => covarianceOf(n).data);
    const cov = { data: Float64Array.from(covs.flatMap((c) => Array.from(c))), rows: covs.length * n, cols: n };
    const budgetRows = form === 'stack' ? 1 : P;
    const budgets = random() < 0.3 ? undefined : budgetRows > 1 ? matrix(budgetRows, n, () => uniform(0.1, 2)) : fill(n, () => uniform(0.1, 2));
    return [cov, { budgets }];
  },
  hrp: () => {
    const n = int(1, 60); // past 32 assets the pairs of returns with NaN are shared between threads
    const linkage = pick('single', 'complete', 'average', 'weighted', 'ward');
    const source = int(0, 2);
    if (source === 0) return [matrix(n + int(2, 40), n, () => ret(0.01)), { linkage }];
    // a stack of P covariances (each problem solved whole by one thread), each its own corr when given
    const P = pick(1, int(2, 6));
    const covs = Array.from({ length: P }, () => covarianceOf(n).data);
    const cov = { data: Float64Array.from(covs.flatMap((c) => Array.from(c))), rows: P * n, cols: n };
    return [source === 1 ? { cov } : { cov, corr: cov }, { linkage }];
  },


  expectedReturns: () => {
    const [rows, cols] = [int(2, 80), int(1, 8)];
    const returnsData = random() < 0.5;
    const prices = matrix(rows, cols, () => (random() < 0.03 ? NaN : returnsData ? ret(0) : positive()));
    const benchmark = random() < 0.5 ? undefined : fill(rows, () => (returnsData ? ret(0) : positive()));
    return [prices, { method: pick('mean', 'ema', 'capm'), compounding: random() < 0.5, span: pick(5, 500), returnsData, benchmark, riskFree: pick(0, 0.02) }];
  },

  minVariance: () => {
    const [n, P] = [int(1, 30), int(1, 4)];
    const stack = Array.from({ length: P }, () => covarianceOf(n).data);
    const cov = { data: Float64Array.from(stack.flatMap((c) => Array.from(c))), rows: P * n, cols: n };
    const sectors = Int32Array.from({ length: n }, (_, j) => j % 3);
    return [cov, pick({}, { bounds: { lower: 0, upper: pick(0.1, 0.3, 1) } }, { sectors, sectorBounds: { upper: 0.6 } }, { bounds: { lower: -1, upper: 1 }, budget: pick(0, 1), l2Gamma: pick(0, 0.01) })];
  },
  maxSharpe: () => {
    const n = int(2, 30);
    return [fill(n, () => uniform(-0.0005, 0.001)), covarianceOf(n), pick({}, { bounds: { lower: 0, upper: 0.3 } }, { bounds: { lower: -1, upper: 1 }, l2Gamma: 0.01 }, { riskFree: 0.0002 })];
  },
  maxUtility: () => {
    const n = int(2, 30);
    return [fill(n, () => uniform(-0.001, 0.002)), covarianceOf(n), { riskAversion: pick(0.5, 2, 10), l2Gamma: pick(0, 0.001), bounds: { lower: pick(0, -0.5), upper: 1 } }];
  },
  efficientReturn: () => {
    const n = int(2, 30);
    const mean = fill(n, () => uniform(0, 0.001));
    return [mean, covarianceOf(n), Float64Array.from({ length: int(1, 4) }, () => uniform(0, Math.max(...mean))), pick({}, { l2Gamma: 0.001 })];
  },
  // PIN: daily counts (a few days to 40, rates from 2 to 800 a day); the same bits (test/vpin/pin-parity.test.ts)
  pinLikelihood: [
    () => {
      const [buys, sells] = pinCounts();
      const params = { alpha: uniform(0, 1), delta: uniform(0, 1), mu: uniform(0, 300), epsilonBuy: pick(0, uniform(0, 300)), epsilonSell: uniform(0, 300) };
      return [params, buys, sells, pick('e', 'lk', 'eho')];
    },
    true,
  ],
  pin: [() => [...pinCounts(), { initials: pick('ea', 'gwj'), factorization: pick('e', 'lk', 'eho') }], true],
  efficientFrontier: () => {
    const n = int(1, 30);
    const P = pick(1, 1, int(2, 5));
    // a batch: P covariances stacked, the means shared or one row per problem
    const covs = Array.from({ length: P }, () => covarianceOf(n).data);
    const cov = { data: Float64Array.from(covs.flatMap((c) => Array.from(c))), rows: P * n, cols: n };
    const mean = P > 1 && int(0, 1) ? matrix(P, n, () => uniform(0, 0.001)) : fill(n, () => uniform(0, 0.001));
    return [mean, cov, { points: int(1, 30), bounds: { lower: 0, upper: pick(1, Math.max(0.2, 1.5 / n)) } }];
  },
  efficientRisk: () => {
    const n = int(2, 30);
    return [fill(n, () => uniform(0, 0.001)), covarianceOf(n), Float64Array.from({ length: int(1, 4) }, () => uniform(0.005, 0.04)), pick({}, { l2Gamma: 0.001 })];
  },
};

/** The sampled kernels whose native outputs must be the reference's bits (the Monte Carlo scenarios). */
const EXACT = new Set(['monteCarloScenarios']);
/** A kernel's [generator, exact]: its case above, else its descriptor's sample, else undefined. */
function caseOf(name) {
  const spec = CASES[name];
  if (spec) return Array.isArray(spec) ? spec : [spec, false];
  const sample = KERNEL_SPECS[name]?.sample;
  if (!sample) return undefined;
  return [() => sample(new Sampler(int(0, 2 ** 31))), EXACT.has(name)];
}

// kernels the native backend does not implement (reference-only: aggregateTrades; test/backends/registry.test.ts
// holds the list) are named, not checked
const implemented = new Set(info.kernels);
const missing = Object.entries(kb.FAMILY_KERNELS).flatMap(([family, names]) => names.filter((n) => !implemented.has(n)).map((n) => `${family}.${n}`));
if (missing.length > 0) console.log(`native-check: not implemented natively (reference only): ${missing.join(', ')}`);
for (const [family, names] of Object.entries(kb.FAMILY_KERNELS)) {
  for (const name of names) {
    if (name === 'vpinStream' || !implemented.has(name)) continue; // vpinStream: below, with its state
    const spec = caseOf(name);
    if (!spec) {
      fail(`${family}.${name}: no sample in its descriptor nor case in scripts/native-check.mjs (add one)`);
      continue;
    }
    const [gen, exact] = spec;
    const before = failures.length;
    let thrown = 0;
    digestOf(name);
    seed(name.length * 7919 + 17);
    for (let c = 0; c < cases; c++) {
      const input = gen();
      let e;
      let eError;
      try {
        e = ref[name](...input);
      } catch (error) {
        eError = error;
      }
      checks++;
      try {
        const a = nat[name](...input);
        absorb(a);
        if (eError) fail(`${name} case ${c}: reference threw ${eError.message}, native did not`);
        else compare(a, e, `${name} case ${c}`, exact);
      } catch (error) {
        absorb(error.message);
        if (!eError) fail(`${name} case ${c}: native threw ${error.message}`);
        else if (error.message !== eError.message) fail(`${name} case ${c}: native threw '${error.message}', reference '${eError.message}'`);
        else thrown++;
      }
    }
    console.log(`  ${failures.length === before ? 'ok  ' : 'FAIL'} ${family}.${name}: ${cases} random cases${thrown ? ` (${thrown} refused by both with the same error)` : ''}`);
  }
}

// vpinStream: batches of a random tape, native vs reference, and the state snapshot portable both ways
{
  seed(4242);
  digestOf('vpinStream');
  const before = failures.length;
  for (let c = 0; c < Math.max(3, cases / 4); c++) {
    // every other case a quote classifier (Lee-Ready with a lag) over quoted batches
    const quoted = c % 2 === 1;
    const classifier = quoted ? { algorithm: 'lee-ready', quoteLagMs: pick(0, 5), lagFrom: pick('quotes', 'trades') } : undefined;
    const options = { bucketVolume: int(500, 3000), window: int(1, 10), barMs: 1000, sigma: pick({ ewma: 0.94 }, { rolling: 5 }), ...(quoted ? { classifier } : {}) };
    const s1 = nat.vpinStream(options);
    const s2 = ref.vpinStream(options);
    const tape = quoted ? quotedTrades(int(200, 1200)) : trades(int(200, 1200));
    let at = 0;
    while (at < tape.ts.length) {
      const n = int(1, 200);
      const cut = (column) => column.subarray(at, at + n);
      const batch = { ts: cut(tape.ts), price: cut(tape.price), volume: cut(tape.volume), ...(quoted ? { bid: cut(tape.bid), ask: cut(tape.ask) } : {}) };
      at += n;
      checks++;
      const a = s1.update(batch);
      absorb(a);
      compare(a, s2.update(batch), `vpinStream case ${c} batch at ${at}`);
    }
    checks++;
    const a = s1.flush();
    absorb(a);
    compare(a, s2.flush(), `vpinStream case ${c} flush`);
  }
  console.log(`  ${failures.length === before ? 'ok  ' : 'FAIL'} vpin.vpinStream: batches of random tapes`);
}

// --- 3. promise variants ---------------------------------------------------------------------------
{
  const before = failures.length;
  for (const name of ['vpin', 'covariance', 'monteCarloVar', 'factorReturns', 'normalCdf']) {
    seed(99 + name.length);
    const [gen] = caseOf(name);
    const input = gen();
    checks++;
    compare(await nat[`${name}Async`](...input), ref[name](...input), `${name}Async`);
  }
  console.log(`  ${failures.length === before ? 'ok  ' : 'FAIL'} promise variants (thread pool): 5 kernels`);
}

// --- 4. fault codes --------------------------------------------------------------------------------
{
  const before = failures.length;
  const m = (data, rows, cols) => ({ data: Float64Array.from(data), rows, cols });
  const bad = [
    ['vpin', (k) => k.vpin({ ts: Float64Array.of(2, 1), price: Float64Array.of(1, 1), volume: Float64Array.of(1, 1) }, { bucketVolume: 1 })],
    ['vpin', (k) => k.vpin({ ts: Float64Array.of(1, 2), price: Float64Array.of(1, NaN), volume: Float64Array.of(1, 1) }, { bucketVolume: 1 })],
    ['timeBars', (k) => k.timeBars({ ts: Float64Array.of(1, 2), price: Float64Array.of(1, 1), volume: Float64Array.of(1, -1) })],
    ['simpleReturns', (k) => k.simpleReturns(m([1, 2, 3, 0], 2, 2))],
    ['logReturns', (k) => k.logReturns(Float64Array.of(1, Infinity))],
    ['performanceStats', (k) => k.performanceStats(m([0.1, 0.2, -Infinity, 0], 2, 2))],
    ['covariance', (k) => k.covariance(m([0.1, NaN, -Infinity, 0], 2, 2))],
    ['portfolioVolatility', (k) => k.portfolioVolatility(m([1, 0, 0, 1], 2, 2), Float64Array.of(1, NaN))],
    ['monteCarloVar', (k) => k.monteCarloVar({ mean: Float64Array.of(0, 0, 0), cov: m([1, 0, 0, 0, 1, 2, 0, 2, 1], 3, 3) }, Float64Array.of(1, 1, 1))],
    ['size', (k) => k.size(m([1e9, -5, 1e9, 1e9], 2, 2))],
    ['riskParity', (k) => k.riskParity(m([1, -1, -1, 1], 2, 2))],
    ['riskParity (problem 1 of a stack)', (k) => k.riskParity(m([1, 0.1, 0.1, 1, 1, -1, -1, 1], 4, 2))],
    ['hrp', (k) => k.hrp(m([0.01, 0.02, 0.01, -0.01, 0.01, 0.03], 3, 2))],
    ['hrp (problem 1 of a stack)', (k) => k.hrp({ cov: m([1, 0.1, 0.1, 1, 1, 0.1, 0.1, 0], 4, 2) })],
    ['expectedReturns', (k) => k.expectedReturns(m([1, 2, 0, 3], 2, 2))],
    ['momentum', (k) => k.momentum(m([0.1, -Infinity], 1, 2))],
    ['factorReturns', (k) => k.factorReturns({ returns: m([0.01, 0.02, 0.03, 0.04], 2, 2), marketCap: m([0.01, 0.02, 0.03, 0.04], 2, 2), sectors: Int32Array.of(0, 2), styles: [], sectorNames: ['a', 'b'] })],
  ];
  for (const [name, call] of bad) {
    let expected;
    try {
      call(ref);
    } catch (error) {
      expected = error;
    }
    checks++;
    if (!(expected instanceof kb.KernelInputError)) {
      fail(`fault ${name}: the reference did not throw a KernelInputError (${expected})`);
      continue;
    }
    try {
      call(nat);
      fail(`fault ${name}: native did not throw (reference: ${expected.message})`);
    } catch (error) {
      if (!(error instanceof kb.KernelInputError) || error.message !== expected.message || error.code !== expected.code)
        fail(`fault ${name}: native threw ${error?.constructor?.name} '${error.message}' (${error.code}), reference '${expected.message}' (${expected.code})`);
    }
  }
  console.log(`  ${failures.length === before ? 'ok  ' : 'FAIL'} fault codes: ${bad.length} bad inputs, the reference's KernelInputError`);
}

// --- 5. threads ------------------------------------------------------------------------------------
if (!noThreads) {
  const before = failures.length;
  const heavy = ['monteCarloVar', 'covariance', 'factorReturns', 'momentum', 'portfolioVolatility', 'hrp', 'riskParity'];
  const byThreads = [1, 2, 3].map((threads) => kb.kernels({ backend: 'native', threads }));
  for (const name of heavy) {
    seed(7 + name.length);
    const [gen] = caseOf(name);
    const input = gen();
    const one = byThreads[0][name](...input);
    for (const k of byThreads.slice(1)) {
      checks++;
      compare(k[name](...input), one, `${name} threads`, true);
    }
  }
  // a large Monte Carlo, so that the work is really shared between the threads
  const n = 8;
  seed(8);
  const model = { mean: fill(n, () => 0.001 * normal()), cov: covarianceOf(n) };
  const w = matrix(4, n, () => uniform(-1, 1));
  const o = { paths: 50000, seed: 5 };
  const one = byThreads[0].monteCarloVar(model, w, o);
  for (const k of byThreads.slice(1)) {
    checks++;
    compare(k.monteCarloVar(model, w, o), one, 'monteCarloVar 50000 paths threads', true);
  }
  checks++;
  compare(one, ref.monteCarloVar(model, w, o), 'monteCarloVar 50000 paths vs reference');
  console.log(`  ${failures.length === before ? 'ok  ' : 'FAIL'} threads: 1, 2 and 3 threads give the same bits (${heavy.length + 1} kernels)`);
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (digestsFile) writeFileSync(digestsFile, `${JSON.stringify(Object.fromEntries(Object.entries(kernelDigests).map(([k, h]) => [k, h.digest('hex')])), null, 1)}\n`);
console.log(`native-check: ${checks} checks, ${failures.length} failed, ${seconds} s, simd ${info.features.simd}, digest ${digest.digest('hex')}`);
process.exit(failures.length ? 1 : 0);
