// Types of web/margin.js (plain JavaScript: the gateway inlines it into the dashboard page).

/** MARGIN_UPDATE's payload as the page receives it. */
export interface PageMarginUpdate {
  account: string;
  ts: number;
  initialMargin: number;
  variationMargin: number;
  collateral: number;
  excess: number;
}

/** MARGIN_CALL's payload as the page receives it. */
export interface PageMarginCall {
  account: string;
  ts: number;
  initialMargin: number;
  collateral: number;
  excess: number;
  status: 'open' | 'cleared';
}

/** An account as the page keeps it. */
export interface PageAccount {
  /** The last MARGIN_UPDATE. */
  update: PageMarginUpdate | undefined;
  /** The excess of each update (the last MARGIN_CAPS.excess). */
  excess: { t: number; excess: number }[];
  /** Calls opened, counted once; whether one is open; the last calls (opened and cleared), oldest first. */
  calls: number;
  open: boolean;
  lastCalls: PageMarginCall[];
  seen: Set<string>;
}

export const MARGIN_CAPS: { excess: number; calls: number };
export function onMarginMessage(
  accounts: Map<string, PageAccount>,
  m: { type: string; payload: unknown },
  caps?: { excess: number; calls: number },
): string | undefined;
export function marginRows(accounts: Map<string, PageAccount>): {
  account: string;
  initialMargin: number;
  variationMargin: number;
  collateral: number;
  excess: number;
  calls: number;
  open: boolean;
}[];
export function callText(c: PageMarginCall): string;
