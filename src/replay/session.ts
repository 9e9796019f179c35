/**
 * Market hours for cutting a tape into bars: `{ open: '09:30', close: '16:00', timeZone:
 * 'America/New_York' }` (or the text `09:30-16:00 America/New_York`). A trade is in the session
 * opened on local day D when open(D) <= ts < close(D), both local wall times in the time zone (IANA
 * name, default UTC; daylight saving followed through Intl); a close at or before the open ends the
 * session on the next local day (an overnight session, e.g. futures' 18:00-17:00).
 */
import { KernelInputError, describeValue } from '../errors.js';
import { requireTimeZone, utcOffsetFinder } from '../kernels/calendar.js';

/** Market hours: local wall times HH:MM in `timeZone` (IANA name, default UTC). */
export interface Session {
  open: string;
  close: string;
  timeZone?: string;
}

const DAY = 86_400_000;

/** Minutes past midnight of `HH:MM` (00:00 to 24:00), or NaN. */
function minutesOf(text: unknown): number {
  const m = typeof text === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(text.trim()) : null;
  if (!m) return Number.NaN;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && minutes <= 1440 ? minutes : Number.NaN;
}

/** A session option: the object, or `HH:MM-HH:MM [time zone]`; KernelInputError naming `name`. */
export function parseSession(value: Session | string, name = 'options.session'): Required<Session> {
  let session: Session | undefined;
  if (typeof value === 'string') {
    const m = /^\s*(\S+)\s*-\s*(\S+?)(?:\s+(\S+))?\s*$/.exec(value);
    session = m ? { open: m[1], close: m[2], timeZone: m[3] ?? 'UTC' } : undefined;
  } else if (value && typeof value === 'object') {
    session = value;
  }
  const expected = "market hours as { open: 'HH:MM', close: 'HH:MM', timeZone } or '09:30-16:00 America/New_York'";
  if (!session || !(minutesOf(session.open) >= 0) || !(minutesOf(session.close) >= 0)) {
    throw new KernelInputError(name, expected, describeValue(value));
  }
  const timeZone = requireTimeZone(session.timeZone ?? 'UTC', `${name}.timeZone`);
  if (minutesOf(session.open) === minutesOf(session.close) && minutesOf(session.open) % 1440 !== 0) {
    throw new KernelInputError(name, 'a close other than the open', describeValue(value));
  }
  return { open: session.open.trim(), close: session.close.trim(), timeZone };
}

/** The sessions of a market: which one a time falls in, read off Intl once per local day. */
export class SessionClock {
  private readonly openMin: number;
  private readonly closeMin: number;
  /** The zone's offset from UTC at an instant (local = t + offset). */
  private readonly offset: (t: number) => number;
  /** The last session found [open, close) and the gap before it [gapFrom, open): fast paths for times in order. */
  private open = Number.NaN;
  private close = Number.NaN;
  private gapFrom = Number.NaN;
  private readonly days = new Map<number, [number, number]>();

  /** `name`: the option a bad session is named by (KernelInputError). */
  constructor(session: Session | string, name?: string) {
    const s = parseSession(session, name);
    this.openMin = minutesOf(s.open);
    this.closeMin = minutesOf(s.close);
    this.offset = utcOffsetFinder(s.timeZone);
  }

  /** The session [open, close) (epoch ms) that `t` falls in, or undefined outside every session. */
  at(t: number): readonly [number, number] | undefined {
    if (t >= this.open && t < this.close) return [this.open, this.close];
    if (t >= this.gapFrom && t < this.open) return undefined;
    const day = Math.floor((t + this.offset(t)) / DAY);
    // the session opened on this local day, or an overnight one opened the day before; else the gap t is in
    const sessions = [day - 1, day, day + 1].map((d) => this.sessionOf(d));
    let gapFrom = Number.NEGATIVE_INFINITY;
    let next: readonly [number, number] | undefined;
    for (const s of sessions) {
      if (t >= s[0] && t < s[1]) {
        [this.open, this.close] = s;
        this.gapFrom = s[0];
        return s;
      }
      if (s[1] <= t && s[1] > gapFrom) gapFrom = s[1];
      if (s[0] > t && (!next || s[0] < next[0])) next = s;
    }
    if (next) {
      [this.open, this.close] = next;
      this.gapFrom = gapFrom === Number.NEGATIVE_INFINITY ? t : gapFrom;
    }
    return undefined;
  }

  /** The session opened on local day `d` (days since 1970-01-01 in the zone): [open, close) in epoch ms. */
  private sessionOf(d: number): [number, number] {
    let s = this.days.get(d);
    if (!s) {
      const closeDay = this.closeMin > this.openMin ? d : d + 1;
      s = [this.utcOf(d * DAY + this.openMin * 60_000), this.utcOf(closeDay * DAY + this.closeMin * 60_000)];
      this.days.set(d, s);
    }
    return s;
  }

  /** The epoch ms of a local wall time (ms since 1970-01-01 00:00 local). */
  private utcOf(wall: number): number {
    const guess = wall - this.offset(wall);
    return wall - this.offset(guess);
  }
}
