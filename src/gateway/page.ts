/**
 * The dashboard page the gateway serves: web/dashboard.html with web/alerts.js (what the page says
 * about alerts and how it marks a portfolio's row) and web/strategies.js (what it keeps of each
 * strategy: equity, drawdown, positions, fills) and web/margin.js (each account's margin and calls)
 * and web/predictions.js (each symbol's latest model prediction) inlined at their markers: pure functions, tested
 * without a browser; inlined so that the page stays one response under the gateway's content security
 * policy (inline scripts only).
 */
import { readFileSync } from 'node:fs';

const PAGE_URL = new URL('../../web/dashboard.html', import.meta.url);
/** Where the page's module script takes web/alerts.js. */
export const ALERTS_MARKER = '/* alerts.js */';
/** Where the page's module script takes web/strategies.js. */
export const STRATEGIES_MARKER = '/* strategies.js */';
/** Where the page's module script takes web/margin.js. */
export const MARGIN_MARKER = '/* margin.js */';
/** Where the page's module script takes web/predictions.js. */
export const PREDICTIONS_MARKER = '/* predictions.js */';
const MODULES: readonly [string, URL][] = [
  [ALERTS_MARKER, new URL('../../web/alerts.js', import.meta.url)],
  [STRATEGIES_MARKER, new URL('../../web/strategies.js', import.meta.url)],
  [MARGIN_MARKER, new URL('../../web/margin.js', import.meta.url)],
  [PREDICTIONS_MARKER, new URL('../../web/predictions.js', import.meta.url)],
];

/** The page with each module of web/ at its marker (read from the package's web/ folder). */
export function dashboardPage(): Buffer {
  let page = readFileSync(PAGE_URL, 'utf8');
  for (const [marker, url] of MODULES) {
    const at = page.indexOf(marker);
    if (at < 0) throw new Error(`web/dashboard.html has no ${marker} marker`);
    page = page.slice(0, at) + readFileSync(url, 'utf8') + page.slice(at + marker.length);
  }
  return Buffer.from(page);
}
