/**
 * The returns intake of the engines over universes (RiskEngine, PortfolioEngine), written once: a
 * RETURNS_UPDATE checked against its universe's assets (KernelInputError naming payload.assets, before
 * anything changes), skipped when that frame was applied before (a publish stored twice:
 * recent-frames.ts), else appended to the universe's window (and history), the universe made at its
 * first update.
 */
import type { BusMessage } from '../bus/messages.js';
import { KernelInputError } from '../errors.js';
import type { RecentFramesByKey } from './recent-frames.js';
import type { ReturnsWindow } from './returns-window.js';
import type { ParsedReturns, UniverseSnapshot } from './risk-messages.js';

/**
 * Takes `parsed` (the update `message` carries) into its universe (message.key): the universe, or
 * undefined when the frame was applied before (nothing changed). `make` makes a new universe's state.
 */
export function takeReturns<U extends UniverseSnapshot>(
  universes: Map<string, U>,
  recent: RecentFramesByKey,
  message: BusMessage,
  parsed: ParsedReturns,
  make: (assets: readonly string[]) => U,
): U | undefined {
  let u = universes.get(message.key);
  const columnOf = u ? columnsOf(u.window, parsed.assets, message.key) : undefined;
  if (u && recent.republished(message.key, message.ts <= u.lastTs, message.sentAt, message.ts, u)) return undefined;
  if (!u) {
    u = make(parsed.assets);
    universes.set(message.key, u);
  }
  u.window.append(parsed.values, parsed.rows, columnOf);
  u.history?.append(parsed.values, parsed.rows, columnOf);
  u.lastTs = message.ts;
  if (message.sentAt > u.lastSentAt) u.lastSentAt = message.sentAt;
  recent.remember(message.key, message.sentAt, message.ts);
  return u;
}

/** The column of each of `assets` in the universe's window (undefined: the same order); KernelInputError when they differ. */
function columnsOf(window: ReturnsWindow, assets: readonly string[], universe: string): number[] | undefined {
  const expected = `the ${window.assets.length} assets of universe '${universe}' (set by its first update)`;
  if (assets.length !== window.assets.length) throw new KernelInputError('payload.assets', expected, `${assets.length} assets`);
  let same = true;
  const columns = assets.map((a, i) => {
    const c = window.columns.get(a);
    if (c === undefined) throw new KernelInputError('payload.assets', expected, `'${a}', which is not one of them`);
    same &&= c === i;
    return c;
  });
  return same ? undefined : columns;
}
