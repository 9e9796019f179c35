/**
 * The factor model of one or many dates from style panels, by the kernels: the sectors that enter each
 * date's regression, `factorReturns`, and per date the fit's cap-weighted R-squared and residual
 * statistics. What FactorEngine computes for each date and `kernelbus factor` for a whole panel.
 */
import type { Kernels } from '../api/kernels.js';
import type { Matrix } from '../kernels/risk/risk.js';

/** The panels of `estimateFactors()`: T x N each (dates x assets), NaN for a missing value. */
export interface FactorPanels {
  returns: Matrix;
  /** > 0, NaN missing: the regression weights are sqrt(cap). */
  marketCap: Matrix;
  /** Sector code per date and asset: an index into `sectorNames`, NaN missing. */
  sectors: Matrix;
  /** The style scores, by name, in the order their factor returns are reported. */
  styles: Record<string, Matrix>;
  /** Sector names by code. */
  sectorNames: readonly string[];
}

/** Options of `estimateFactors()`: those of the `factorReturns` kernel. */
export interface FitOptions {
  /** Returns clipped per date to this percentile and 1 - it before the regressions; null: off. */
  winsorize: number | null;
  residualizeStyles: boolean;
}

/**
 * What `estimateFactors()` gives. The matrices carry the labels of `panels.returns`: its `index`
 * (dates) on both, its `columns` (assets) on the residuals; factorReturns' `columns` are `names`.
 */
export interface FactorFit {
  /** 'market', the sector names, the style names: the columns of factorReturns (the same array as its `columns`). */
  names: string[];
  /** T x (1 + m + s); NaN for a sector without a usable asset on the date, a whole row NaN for a date without a fit. */
  factorReturns: Matrix;
  /** T x N residual returns (NaN for an asset left out of a date). */
  residuals: Matrix;
  /** Per date: 1 - sum w e^2 / sum w (r - rbar_w)^2 over the assets of the fit (see estimateFactors). */
  r2: Float64Array;
  /** Per date: the assets of the fit (the residuals present), their mean and sd (ddof 1). */
  residualCount: Float64Array;
  residualMean: Float64Array;
  residualSd: Float64Array;
}

const finite = (v: number) => v - v === 0;

/**
 * Factor returns and residuals per date by the `factorReturns` kernel (toraniko's
 * estimate_factor_returns), and the fit's statistics.
 *
 * Sectors: a date's regression has the sectors with at least one usable asset that date (an asset
 * whose return, cap, sector and style scores are all present), so a sector without assets neither
 * takes a factor return (NaN) nor, through the sum-to-zero constraint, moves the others'; dates with
 * the same sectors go to the kernel in one call (usually all dates in one). A date with fewer usable
 * assets than factors (1 + its sectors + styles) gets a row of NaN.
 *
 * Fit statistics per date, over its usable assets a (those with a residual e_a): w_a = sqrt(cap_a),
 * r_a the return as the regression saw it (clipped to the date's `winsorize` and 1 - `winsorize`
 * linear percentiles over the usable assets, by the `winsorize` kernel, when on),
 * rbar_w = sum w r / sum w, and R2 = 1 - sum w e^2 / sum w (r - rbar_w)^2 (NaN when the denominator
 * is 0); the residuals' count, mean and sd (ddof 1, unweighted).
 */
export function estimateFactors(k: Kernels, panels: FactorPanels, options: FitOptions): FactorFit {
  const { returns, marketCap, sectors, styles, sectorNames } = panels;
  const { rows: T, cols: N } = returns;
  const styleNames = Object.keys(styles);
  const styleData = styleNames.map((s) => styles[s].data);
  const m = sectorNames.length;
  const K = 1 + m + styleNames.length;
  const factorData = new Float64Array(T * K).fill(NaN);
  const residualData = new Float64Array(T * N).fill(NaN);

  // The dates, grouped by the sectors of their usable assets.
  const groups = new Map<string, { codes: number[]; dates: number[] }>();
  for (let t = 0; t < T; t++) {
    const present = new Set<number>();
    for (let c = 0; c < N; c++) {
      const i = t * N + c;
      if (finite(returns.data[i]) && finite(marketCap.data[i]) && finite(sectors.data[i]) && styleData.every((d) => finite(d[i])))
        present.add(sectors.data[i]);
    }
    if (present.size === 0) continue;
    const codes = [...present].sort((a, b) => a - b);
    const key = codes.join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { codes, dates: [] }));
    g.dates.push(t);
  }

  for (const { codes, dates } of groups.values()) {
    const all = dates.length === T;
    const pick = (x: Matrix): Matrix =>
      all
        ? x
        : {
            data: Float64Array.from({ length: dates.length * N }, (_, i) => x.data[dates[Math.floor(i / N)] * N + (i % N)]),
            rows: dates.length,
            cols: N,
          };
    const index = new Map(codes.map((code, j) => [code, j]));
    const sub = pick(sectors);
    const remapped = codes.length === m ? sub : { ...sub, data: sub.data.map((code) => index.get(code) ?? NaN) };
    const fit = k.factorReturns(
      {
        returns: pick(returns),
        marketCap: pick(marketCap),
        sectors: remapped,
        styles: Object.fromEntries(styleNames.map((s) => [s, pick(styles[s])])),
        sectorNames: codes.map((code) => sectorNames[code]),
      },
      { winsorize: options.winsorize, residualizeStyles: options.residualizeStyles },
    );
    const k2 = fit.factorReturns.cols;
    dates.forEach((t, d) => {
      const f = fit.factorReturns.data.subarray(d * k2, (d + 1) * k2);
      factorData[t * K] = f[0];
      codes.forEach((code, j) => (factorData[t * K + 1 + code] = f[1 + j]));
      for (let s = 0; s < styleNames.length; s++) factorData[t * K + 1 + m + s] = f[1 + codes.length + s];
      residualData.set(fit.residuals.data.subarray(d * N, (d + 1) * N), t * N);
    });
  }
  const dates = returns.index ? { index: returns.index } : {};
  const residuals: Matrix = { data: residualData, rows: T, cols: N, ...dates, ...(returns.columns && { columns: returns.columns }) };
  const names = ['market', ...sectorNames, ...styleNames];
  return {
    names,
    factorReturns: { data: factorData, rows: T, cols: K, columns: names, ...dates },
    residuals,
    ...fitStatistics(k, returns, marketCap, residuals, options.winsorize),
  };
}

/** Per date R2 and residual count, mean and sd, as estimateFactors() documents. */
function fitStatistics(k: Kernels, returns: Matrix, marketCap: Matrix, residuals: Matrix, winsorize: number | null) {
  const { rows: T, cols: N } = returns;
  // The returns of the usable assets (those with a residual), as the regression saw them.
  const used = returns.data.map((r, i) => (finite(residuals.data[i]) ? r : NaN));
  const seen = winsorize === null ? used : k.winsorize({ data: used, rows: T, cols: N }, { lower: winsorize, upper: 1 - winsorize }).data;
  const r2 = new Float64Array(T).fill(NaN);
  const residualCount = new Float64Array(T);
  const residualMean = new Float64Array(T).fill(NaN);
  const residualSd = new Float64Array(T).fill(NaN);
  for (let t = 0; t < T; t++) {
    let n = 0;
    let sw = 0;
    let swr = 0;
    let se = 0;
    for (let c = 0; c < N; c++) {
      const i = t * N + c;
      if (!finite(residuals.data[i])) continue;
      const w = Math.sqrt(marketCap.data[i]);
      n++;
      sw += w;
      swr += w * seen[i];
      se += residuals.data[i];
    }
    residualCount[t] = n;
    if (n === 0) continue;
    const rbar = swr / sw;
    const mean = se / n;
    let sse = 0;
    let sst = 0;
    let sdev = 0;
    for (let c = 0; c < N; c++) {
      const i = t * N + c;
      const e = residuals.data[i];
      if (!finite(e)) continue;
      const w = Math.sqrt(marketCap.data[i]);
      sse += w * e * e;
      sst += w * (seen[i] - rbar) * (seen[i] - rbar);
      sdev += (e - mean) * (e - mean);
    }
    r2[t] = sst > 0 ? 1 - sse / sst : NaN;
    residualMean[t] = mean;
    residualSd[t] = n > 1 ? Math.sqrt(sdev / (n - 1)) : NaN;
  }
  return { r2, residualCount, residualMean, residualSd };
}
