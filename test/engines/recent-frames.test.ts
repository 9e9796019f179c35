/** RecentFrames.republished: the one rule by which every engine skips a frame stored twice. */
import { describe, expect, it } from 'vitest';
import { RECENT_FRAMES, RecentFrames, RecentFramesByKey } from '../../src/engines/recent-frames.js';

describe('RecentFrames.republished', () => {
  it('is a frame that goes back, published no later than the last, and one of those applied', () => {
    const r = new RecentFrames();
    const last = { lastSentAt: 0, lastTs: 0 };
    for (let i = 1; i <= 10; i++) {
      r.remember(1000 + i, 10 * i);
      Object.assign(last, { lastSentAt: 1000 + i, lastTs: 10 * i });
    }
    expect(r.republished(true, 1003, 30, last)).toBe(true);
    // not behind (a later ts, or a later date for the factor engine): never republished
    expect(r.republished(false, 1003, 30, last)).toBe(false);
    // behind but never applied (another publish time, or another ts): the engine's own checks decide
    expect(r.republished(true, 1004, 30, last)).toBe(false);
    expect(r.republished(true, 1003, 31, last)).toBe(false);
    // published after the last frame: new, whatever its ts
    expect(r.republished(true, 2000, 30, last)).toBe(false);
  });

  it('remembers the last RECENT_FRAMES; after clear() (a restore) only the last frame is known', () => {
    const r = new RecentFrames();
    for (let i = 0; i < RECENT_FRAMES + 5; i++) r.remember(i, i);
    const last = { lastSentAt: RECENT_FRAMES + 4, lastTs: RECENT_FRAMES + 4 };
    expect(r.republished(true, 4, 4, last)).toBe(false);
    expect(r.republished(true, 5, 5, last)).toBe(true);
    r.clear();
    expect(r.republished(true, 5, 5, last)).toBe(false);
    expect(r.republished(true, last.lastSentAt, last.lastTs, last)).toBe(true);
  });

  it('by key: a key with nothing remembered knows its last frame only; forget() drops a key', () => {
    const byKey = new RecentFramesByKey();
    const last = { lastSentAt: 7, lastTs: 70 };
    expect(byKey.republished('u', true, 7, 70, last)).toBe(true);
    expect(byKey.republished('u', true, 6, 60, last)).toBe(false);
    byKey.remember('u', 6, 60);
    expect(byKey.republished('u', true, 6, 60, last)).toBe(true);
    expect(byKey.republished('v', true, 6, 60, last)).toBe(false);
    byKey.forget('u');
    expect(byKey.republished('u', true, 6, 60, last)).toBe(false);
  });
});
