/**
 * `--bad-trades fail|skip|reject`: the trade rule's policy on the command line (src/kernels/trade-check.ts),
 * shared by every command that takes trades: vpin, bars, backtest --file, feed and demo --file (default
 * `fail`, naming file:line), engine vpin|features|strategy and replay (default `skip`, counted in the
 * engine's metrics). What a read found goes into the command's notes, its --json, and with `reject` one
 * line per bad trade on stderr.
 */
import type { BadTradesReport } from '../io/trade-screen.js';
import { BAD_TRADE_REASONS, type BadTradePolicy, requireBadTradePolicy } from '../kernels/trade-check.js';
import { type Flag, text } from './options.js';

/** The flag, with the default of the commands that read files (`fail`) or of the live engines (`skip`). */
export function badTradesFlag(fallback: BadTradePolicy): Flag<BadTradePolicy> {
  return { type: 'string', parse: (raw, name) => requireBadTradePolicy(text(raw) ?? fallback, name) };
}

/** The flag's help lines (`fallback`: the command's default; `column`: where the usage's descriptions start). */
export function badTradesUsage(fallback: BadTradePolicy, column = 24): string {
  const pad = ' '.repeat(column);
  return `${'  --bad-trades p'.padEnd(column)}a trade with a time not finite or before its symbol's previous trade, a price
${pad}not > 0 or a volume < 0: fail (stop at it, naming file:line), skip (leave it out,
${pad}count it) or reject (leave it out, list each on stderr) (default ${fallback})
`;
}

/** The counts by reason: `price 1, order 2`. */
function reasons(report: BadTradesReport): string {
  return BAD_TRADE_REASONS.filter((r) => report.byReason[r] > 0)
    .map((r) => `${r} ${report.byReason[r]}`)
    .join(', ');
}

/** The note of a read's bad trades (undefined when there were none): count, reasons and the first. */
export function badTradesText(report: BadTradesReport | undefined): string | undefined {
  if (!report || report.count === 0) return undefined;
  const verb = report.policy === 'reject' ? 'rejected (listed on stderr)' : 'skipped';
  return `${report.count} bad trade${report.count === 1 ? '' : 's'} ${verb}: ${reasons(report)}; the first: ${report.first!.message}`;
}

/** With `reject`, one stderr line per bad trade listed (and how many more were not). */
export function printRejected(report: BadTradesReport | undefined, write = (line: string) => process.stderr.write(`${line}\n`)): void {
  if (!report?.rejected) return;
  for (const note of report.rejected) write(`rejected: ${note.message}`);
  const more = report.count - report.rejected.length;
  if (more > 0) write(`rejected: ${more} more bad trades, not listed`);
}
