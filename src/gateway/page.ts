/**
 * The dashboard page the gateway serves: web/dashboard.html with web/alerts.js (what the page says
 * about alerts and how it marks a portfolio's row: pure functions, tested without a browser) inlined
 * at its marker, so that the page stays one response under the gateway's content security policy
 * (inline scripts only).
 */
import { readFileSync } from 'node:fs';

const PAGE_URL = new URL('../../web/dashboard.html', import.meta.url);
const ALERTS_URL = new URL('../../web/alerts.js', import.meta.url);
/** Where the page's module script takes web/alerts.js. */
export const ALERTS_MARKER = '/* alerts.js */';

/** The page with web/alerts.js at its marker (read from the package's web/ folder). */
export function dashboardPage(): Buffer {
  const page = readFileSync(PAGE_URL, 'utf8');
  const at = page.indexOf(ALERTS_MARKER);
  if (at < 0) throw new Error(`web/dashboard.html has no ${ALERTS_MARKER} marker`);
  const alerts = readFileSync(ALERTS_URL, 'utf8');
  return Buffer.from(page.slice(0, at) + alerts + page.slice(at + ALERTS_MARKER.length));
}
