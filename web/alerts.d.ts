// Types of web/alerts.js (plain JavaScript: the gateway inlines it into the dashboard page).

/** The kinds of RISK_ALERT the engines publish, and 'unknown' for any other payload. */
export type AlertKind = 'vpin' | 'var-limit' | 'backtest-yellow' | 'backtest-red' | 'unknown';

/** A portfolio as the page keeps it. */
export interface PortfolioState {
  /** The last ANALYTICS_RESULT payload (as JSON: NaN arrives as null). */
  result?: {
    historical: { var: number | null };
    backtest?: { zone: string; exceptions: number; observations: number; window?: number };
  };
  limit?: number | null;
  limitAlertedAt?: number;
  zoneAlert?: { zone: string };
}

export interface PortfolioMarks {
  over: boolean;
  breach: boolean;
  zone: 'yellow' | 'red' | undefined;
  backtest: string;
}

export function fmt(x: number | null | undefined, digits?: number): string;
/** An axis's ticks from lo to hi (log10 values on a log axis), labelled with enough decimals to differ. */
export function axisTicks(lo: number, hi: number, count: number, digits?: number, log?: boolean): { value: number; label: string }[];
export function pct(x: number | null | undefined): string;
export function alertKind(payload: unknown): AlertKind;
export function alertText(key: string, payload: unknown): string;
export function portfolioMarks(pf: PortfolioState, now: number, holdMs: number): PortfolioMarks;
export function portfolioRowClass(marks: PortfolioMarks): string;

/** The GARCH cells of a portfolio's row (garchMarks). */
export interface GarchMarks {
  var: string;
  backtest: string;
  zone: 'yellow' | 'red' | undefined;
  note: string;
}
/** A result's GARCH figures as JSON (NaN as null). */
export interface GarchResult {
  garch?: {
    var: number | null;
    persistence: number | null;
    converged: boolean;
    reason: string;
    sinceRefit: number | null;
    problem?: string;
  } | null;
  garchBacktest?: { zone: string; exceptions: number; observations: number; kupiecPValue: number | null };
}
export function garchMarks(result: GarchResult | undefined): GarchMarks | undefined;
