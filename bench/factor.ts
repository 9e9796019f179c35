/**
 * Factor family at the issue's sizes: styles on 504 dates x 3,000 assets and factor returns on 252
 * dates x 3,000 assets x (1 + 11 sectors + 3 styles), native against the reference in one run, the BLAS
 * backend's factor regressions beside native (there, and with 15 styles, on a smaller panel, and a
 * sweep of the style count), the tfjs backend's (bench/tfjs.ts), then the size sweep for the 'auto'
 * threshold. The peer, toraniko 1.1 (polars, numpy), has a row per case it has: "peer not measured"
 * while it is not installed in the peers' venv (npm run bench:peers installs it where the package index
 * has it; this machine's has not) and while bench/peers has no script for it; the figures the issue's
 * author measured stay in the notes with their date, never as a ratio.
 */
import { spawnSync } from 'node:child_process';
import { FACTOR_NATIVE_MIN_VALUES, METAL_FACTOR_MIN_VALUES } from '../src/api/auto.js';
import { backends, kernels, matrix, type FactorInputs, type Matrix } from '../src/api/index.js';
import { autoSweep, backendRows, nativeThreads, prng, sweepSpeedups, type BenchRow, type BenchSection } from './lib.js';
import { metalRows } from './metal.js';
import { INSTALL_HINT, PeerWaits, peerPython, recordPeers } from './peer-env.js';
import { tfjsRows } from './tfjs.js';

/** A seeded T x N panel of `f(u)` with u uniform in [0, 1). */
function panel(rows: number, cols: number, seed: number, f: (u: number) => number): Matrix {
  const next = prng(seed);
  return matrix(
    Float64Array.from({ length: rows * cols }, () => f(next())),
    rows,
    cols,
  );
}

/** toraniko's times as the factor family's issue reported them (quoted here since 2026-11-23): never a ratio. */
const TORANIKO_BEFORE: Record<string, string> = {
  'factorReturns 252 x 3,000 x (1 + 11 + 3)': '9.0 s',
  'momentum 504 x 3,000 (window 252, half-life 126, lag 20)': '76 s',
  'size 504 x 3,000': '66-69 ms',
  'value 504 x 3,000': '138-147 ms',
};

/** toraniko's rows: "peer not measured" and why, the old figure with its date. */
function toranikoRows(): BenchRow[] {
  const python = peerPython();
  // the import's python (polars and numpy started) is followed by the wait for the cores to be quiet: ours is timed next
  const installed =
    python !== undefined &&
    new PeerWaits().round((env) => spawnSync(python, ['-c', 'import toraniko'], { stdio: 'ignore', env })).status === 0;
  const why = installed
    ? 'peer not measured: toraniko is installed, but bench/peers has no script for it yet'
    : `peer not measured: toraniko is not installed here (not on the package index this machine reaches); ${INSTALL_HINT} where it is`;
  recordPeers('factor', `toraniko: ${why.replace('peer not measured: ', 'not measured, ')}`);
  return Object.entries(TORANIKO_BEFORE).map(([name, before]) => ({
    section: 'factor',
    case: name,
    subject: 'toraniko 1.1',
    value: Number.NaN,
    unit: 'ms',
    note: `${why}; on another day: ${before} (the factor issue's author, quoted 2026-11-23; toraniko 1.1 with polars)`,
  }));
}

export const factorSection: BenchSection = {
  name: 'factor',
  async run() {
    const rows: BenchRow[] = [];
    if (!backends().some((b) => b.name === 'native' && b.available)) return rows;
    const ref = kernels({ backend: 'reference' });
    const nat = kernels({ backend: 'native' });
    const one = kernels({ backend: 'native', threads: 1 });
    const threads = nativeThreads();
    const returns = panel(504, 3000, 1, (u) => (u - 0.5) * 0.04);
    const cap = panel(504, 3000, 2, (u) => Math.exp(20 + 4 * u));
    const [bp, sp, cf] = [
      panel(504, 3000, 3, (u) => 0.2 + u),
      panel(504, 3000, 4, (u) => 0.1 + 2 * u),
      panel(504, 3000, 5, (u) => u * 0.2 - 0.05),
    ];
    const day = (m: Matrix) => matrix(m.data.subarray(0, 252 * 3000), 252, 3000);
    const inputs = {
      returns: day(returns),
      marketCap: day(cap),
      sectors: Int32Array.from({ length: 3000 }, (_, i) => (i * 7) % 11),
      styles: {
        momentum: panel(252, 3000, 6, (u) => 2 * u - 1),
        size: panel(252, 3000, 7, (u) => 2 * u - 1),
        value: panel(252, 3000, 8, (u) => 2 * u - 1),
      },
    };
    const mom = { window: 252, halfLife: 126, lag: 20 };
    // the BLAS backend (where it is built): factorReturns' style regressions by dsyrk and a Cholesky solve
    const blas = backends().some((b) => b.name === 'blas' && b.available) ? kernels({ backend: 'blas' }) : undefined;
    const blasOf = (x: FactorInputs) => (blas ? () => blas.factorReturns(x) : undefined);
    // [case, reference, native (all threads), note, native with one thread, blas]
    const cases: [string, () => unknown, () => unknown, string?, (() => unknown)?, (() => unknown)?][] = [
      [
        'factorReturns 252 x 3,000 x (1 + 11 + 3)',
        () => ref.factorReturns(inputs),
        () => nat.factorReturns(inputs),
        'target <= 100 ms',
        () => one.factorReturns(inputs),
        blasOf(inputs),
      ],
      [
        'momentum 504 x 3,000 (window 252, half-life 126, lag 20)',
        () => ref.momentum(returns, mom),
        () => nat.momentum(returns, mom),
        'target <= 100 ms',
        () => one.momentum(returns, mom),
      ],
      ['size 504 x 3,000', () => ref.size(cap), () => nat.size(cap), 'target <= 10 ms'],
      ['value 504 x 3,000', () => ref.value(bp, sp, cf), () => nat.value(bp, sp, cf), 'target <= 20 ms'],
      ['winsorize 504 x 3,000', () => ref.winsorize(returns), () => nat.winsorize(returns)],
      ['standardize 504 x 3,000', () => ref.standardize(returns), () => nat.standardize(returns)],
    ];
    const blasNote = 'style normal equations by dsyrk, Cholesky solve; the market + sector stage native';
    for (const [name, r, n, note, single, b] of cases) {
      rows.push(...backendRows('factor', name, { reference: r, native: n, oneThread: single, note, blas: b, blasNote }, threads).rows);
    }
    rows.push(...toranikoRows());
    // a smaller panel (a quarter of a year of 500 assets): tfjs (float32) and blas beside native
    const quarter = (m: Matrix) =>
      matrix(
        Float64Array.from({ length: 63 * 500 }, (_, i) => m.data[Math.floor(i / 500) * 3000 + (i % 500)]),
        63,
        500,
      );
    const small = {
      returns: quarter(inputs.returns),
      marketCap: quarter(inputs.marketCap),
      sectors: inputs.sectors.subarray(0, 500),
      styles: Object.fromEntries(Object.entries(inputs.styles).map(([name, m]) => [name, quarter(m)])),
    };
    if (blas) {
      // the style count is what BLAS pays off with: 15 styles (a Barra-sized model) at both sizes, and a sweep
      const withStyles = (x: FactorInputs, s: number) => ({
        ...x,
        styles: Object.fromEntries(
          Array.from({ length: s }, (_, k) => [`style ${k}`, panel(x.returns.rows, x.returns.cols, 20 + k, (u) => 2 * u - 1)]),
        ),
      });
      const many = withStyles(inputs, 15);
      const smallMany = withStyles(small, 15);
      const blasCases: [string, FactorInputs, boolean][] = [
        ['factorReturns 252 x 3,000 x (1 + 11 + 15)', many, true],
        ['factorReturns 63 x 500 x (1 + 11 + 3)', small, false],
        ['factorReturns 63 x 500 x (1 + 11 + 15)', smallMany, false],
      ];
      for (const [name, x, slow] of blasCases) {
        rows.push(
          ...backendRows(
            'factor',
            name,
            {
              reference: () => ref.factorReturns(x),
              native: () => nat.factorReturns(x),
              oneThread: () => one.factorReturns(x),
              slowReference: slow,
              blas: () => blas.factorReturns(x),
              blasNote,
            },
            threads,
          ).rows,
        );
      }
      const styleCounts = [1, 3, 5, 8, 10, 15, 20];
      const byStyles = new Map(styleCounts.map((s) => [s, withStyles(inputs, s)]));
      rows.push(
        ...sweepSpeedups(
          'factor',
          'blas sweep:',
          'factorReturns() 252 x 3,000 x (1 + 11 + s), s =',
          'styles',
          (s) => byStyles.get(s)!,
          (x) => nat.factorReturns(x),
          (x) => blas.factorReturns(x),
          { subject: 'blas vs native', sizes: styleCounts, calls: 1 },
        ).rows,
      );
    }
    rows.push(
      ...(await tfjsRows('factor', [
        {
          name: 'factorReturns 252 x 3,000 x (1 + 11 + 3)',
          tfjs: (k) => k.factorReturns(inputs),
          native: () => nat.factorReturns(inputs),
          slow: true,
        },
        { name: 'factorReturns 63 x 500 x (1 + 11 + 3)', tfjs: (k) => k.factorReturns(small), native: () => nat.factorReturns(small) },
      ])),
    );
    // Metal (float32 normal equations, on an Apple-silicon Mac only) beside native, and where it starts to pay off
    const dates = (n: number) => ({
      ...inputs,
      returns: matrix(inputs.returns.data.subarray(0, n * 3000), n, 3000),
      marketCap: matrix(inputs.marketCap.data.subarray(0, n * 3000), n, 3000),
      styles: Object.fromEntries(Object.entries(inputs.styles).map(([name, m]) => [name, matrix(m.data.subarray(0, n * 3000), n, 3000)])),
    });
    rows.push(
      ...metalRows(
        'factor',
        [
          {
            name: 'factorReturns 252 x 3,000 x (1 + 11 + 3)',
            metal: (k) => k.factorReturns(inputs),
            native: () => nat.factorReturns(inputs),
          },
          { name: 'factorReturns 63 x 500 x (1 + 11 + 3)', metal: (k) => k.factorReturns(small), native: () => nat.factorReturns(small) },
        ],
        [
          {
            label: 'factorReturns() N = 3,000',
            unit: 'values',
            threshold: METAL_FACTOR_MIN_VALUES,
            constant: 'METAL_FACTOR_MIN_VALUES',
            sizes: [4, 16, 63, 126, 252].map((t) => t * 3000),
            input: (n: number) => dates(n / 3000),
            metal: (k, x) => k.factorReturns(x),
            native: (x) => nat.factorReturns(x),
          },
        ],
      ),
    );
    rows.push(
      ...autoSweep(
        'factor',
        'standardize()',
        'values',
        FACTOR_NATIVE_MIN_VALUES,
        'FACTOR_NATIVE_MIN_VALUES',
        (n) => matrix(returns.data.subarray(0, n), 1, n),
        (x) => ref.standardize(x),
        (x) => nat.standardize(x),
      ),
    );
    return rows;
  },
};
