// Types of web/predictions.js (plain JavaScript: the gateway inlines it into the dashboard page).

/** ML_PREDICTION's payload as the page receives it (JSON: a NaN value arrives as null). */
export interface PagePrediction {
  symbol: string;
  /** The bar's time (epoch ms). */
  ts: number;
  /** The bar the prediction is of (with `version`, what makes a message published again the same). */
  bar: number | string;
  model: string;
  version: number | string;
  /** One per class; one for a regression or binary model. */
  values: (number | null)[];
}

/** A symbol's predictions as the page keeps them. */
export interface PagePredicted {
  /** The latest prediction counted. */
  last: PagePrediction | undefined;
  /** Predictions counted (a message published again counts once). */
  count: number;
  /** The values of each prediction (the last PREDICTION_CAPS.points), oldest first. */
  points: { t: number; values: number[] }[];
  seen: Set<string>;
}

/** A row of the predictions table. */
export interface PredictionRow {
  symbol: string;
  /** values[0] for one output; the largest class's probability for several. */
  value: number;
  /** The largest class (its index) for several outputs; undefined for one. */
  cls: number | undefined;
  classes: number;
  model: string;
  version: string;
  ts: number;
  count: number;
  /** The symbol's latest VPIN (NaN when none). */
  vpin: number;
}

export const PREDICTION_CAPS: { points: number; seen: number };
export function onPredictionMessage(
  symbols: Map<string, PagePredicted>,
  m: { type: string; key?: string; ts?: number; payload: unknown },
  caps?: { points: number; seen: number },
): string | undefined;
export function topPrediction(values: readonly (number | null)[]): { value: number; cls: number | undefined };
export function predictionRows(symbols: Map<string, PagePredicted>, vpinOf?: (symbol: string) => number): PredictionRow[];
export function predictionSeries(s: PagePredicted, n?: number): number[][];
export function predictionText(row: { value: number; cls: number | undefined }): string;
