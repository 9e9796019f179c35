// What the dashboard (web/dashboard.html) keeps and shows of each account: the Collateral engine's
// MARGIN_UPDATE and MARGIN_CALL messages (docs/margin.md) folded into its last figures, its excess over
// time and its margin calls. Pure functions of the payloads as the gateway sends them, no DOM. The
// gateway inlines this file into the page (src/gateway/page.ts); test/gateway/margin.test.ts folds a
// CollateralEngine's messages read through the gateway. Types: web/margin.d.ts.

/** Caps: the excess points and the calls kept per account. */
export const MARGIN_CAPS = { excess: 600, calls: 12 };

/** An account as the page keeps it. */
function newAccount() {
  return { update: undefined, excess: [], calls: 0, open: false, lastCalls: [], seen: new Set() };
}

/**
 * Folds one message into `accounts` (name -> state): an update is the account's last figures and a
 * point of its excess; a call opens or clears (counted once: a call published again after a restart
 * is the same time and status) and is kept among the last calls. Returns the account's name, or
 * undefined for a message of another type or without an account.
 */
export function onMarginMessage(accounts, m, caps = MARGIN_CAPS) {
  const p = m.payload;
  if (p === null || typeof p !== 'object' || typeof p.account !== 'string') return undefined;
  if (m.type !== 'MARGIN_UPDATE' && m.type !== 'MARGIN_CALL') return undefined;
  let a = accounts.get(p.account);
  if (!a) accounts.set(p.account, (a = newAccount()));
  if (m.type === 'MARGIN_UPDATE') {
    a.update = p;
    a.excess.push({ t: p.ts, excess: p.excess ?? NaN });
    if (a.excess.length > caps.excess) a.excess.shift();
  } else {
    const id = `${p.ts}:${p.status}`;
    if (a.seen.has(id)) return p.account;
    a.seen.add(id);
    if (a.seen.size > 4 * caps.calls) a.seen.delete(a.seen.values().next().value);
    if (p.status === 'open') a.calls++;
    a.open = p.status === 'open';
    a.lastCalls.push(p);
    if (a.lastCalls.length > caps.calls) a.lastCalls.shift();
  }
  return p.account;
}

/** The accounts table: one row each, those with an open call first, then by excess (the smallest first). */
export function marginRows(accounts) {
  const rows = [...accounts].map(([account, a]) => ({
    account,
    initialMargin: a.update?.initialMargin ?? NaN,
    variationMargin: a.update?.variationMargin ?? NaN,
    collateral: a.update?.collateral ?? NaN,
    excess: a.update?.excess ?? NaN,
    calls: a.calls,
    open: a.open,
  }));
  rows.sort((x, y) => Number(y.open) - Number(x.open) || (x.excess ?? 0) - (y.excess ?? 0) || x.account.localeCompare(y.account));
  return rows;
}

/** A call as one line: `desk: margin call, excess -1,234.50 (margin 5,000.00, collateral 3,765.50)`, or `... cleared, ...`. */
export function callText(c) {
  const money = (x) => Number(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${c.account}: ${c.status === 'open' ? 'margin call' : 'call cleared'}, excess ${money(c.excess)} (margin ${money(c.initialMargin)}, collateral ${money(c.collateral)})`;
}
