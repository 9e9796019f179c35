/**
 * PINstimation's initial parameter sets for PIN (`R/model_pin.R`): `initials_pin_ea` (Ersan and
 * Alici 2016: hierarchical clustering of |B - S|), `initials_pin_gwj` (Gan, Wei and Johnstone 2015:
 * clustering of B - S into three) and `initials_pin_yz` (Yan and Zhang 2012: a grid, sets with a
 * negative eps.s dropped), with their defaults (xtraclusters = 4, grid_size = 5, no ea_correction),
 * and the optimizer's starting points from them (pinStarts). Every backend starts from these: the
 * reference optimizes them in TS, the native backend hands them to the addon packed.
 */
import type { PinInitials, PinParams } from './pin.js';

/**
 * R's `cutree(hclust(dist(x), method = "complete"), k)` for numbers x: each point's cluster (0 ..
 * k - 1, numbered in order of first appearance, as cutree numbers them). Merges the two clusters of
 * least complete-linkage distance (the first such pair in index order on ties) until k remain. The
 * distances between live clusters are updated by Lance-Williams (complete: the max), and each live
 * cluster keeps its nearest later cluster (the first on ties), so a merge rescans only the rows whose
 * nearest was one of the two merged (the full pair scan at every merge was O(n^3): 10-12 ms for
 * 250 days of abs(B - S), now under 1 ms), the same merges (test/vpin/pin.test.ts: against the full scan).
 */
export function completeLinkage(x: readonly number[], k: number): number[] {
  const n = x.length;
  const members: number[][] = x.map((_, i) => [i]);
  // (plain loops: Float64Array.from with a mapping function took 3.3 of the 4.1 ms at n = 250)
  const dist: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(n);
    for (let j = 0; j < n; j++) row[j] = Math.abs(x[i] - x[j]);
    dist.push(row);
  }
  const live = Array.from({ length: n }, (_, i) => i);
  // nearest[p], nearestDist[p]: live[p]'s nearest among live[p + 1 ..] (its position, the first on ties)
  const nearest = new Int32Array(n);
  const nearestDist = new Float64Array(n);
  const rescan = (p: number) => {
    let best = -1;
    let bd = Infinity;
    const row = dist[live[p]];
    for (let q = p + 1; q < live.length; q++) {
      const d = row[live[q]];
      if (d < bd || best < 0) [best, bd] = [q, d];
    }
    nearest[p] = best;
    nearestDist[p] = bd;
  };
  for (let p = 0; p < n; p++) rescan(p);
  while (live.length > k) {
    // the first pair of least distance in index order: the first row of least nearest distance
    let bi = 0;
    for (let p = 1; p < live.length - 1; p++) if (nearestDist[p] < nearestDist[bi]) bi = p;
    const bj = nearest[bi];
    const [i, j] = [live[bi], live[bj]];
    for (const m of live) dist[i][m] = dist[m][i] = Math.max(dist[i][m], dist[j][m]);
    members[i] = members[i].concat(members[j]);
    live.splice(bj, 1);
    nearest.copyWithin(bj, bj + 1, live.length + 1);
    nearestDist.copyWithin(bj, bj + 1, live.length + 1);
    // positions after bj moved down by one; rows whose nearest was i or j (or past bj) are rescanned
    for (let p = 0; p < live.length - 1; p++) {
      const q = nearest[p];
      if (p === bi || q === bi || q === bj) rescan(p);
      else if (q > bj) nearest[p] = q - 1;
    }
    if (live.length >= 1) {
      nearest[live.length - 1] = -1;
      nearestDist[live.length - 1] = Infinity;
    }
  }
  const label = new Array<number>(n);
  // cutree numbers the clusters in the order of their first member
  live
    .map((c) => members[c])
    .sort((a, b) => Math.min(...a) - Math.min(...b))
    .forEach((c, id) => {
      for (const m of c) label[m] = id;
    });
  return label;
}

const mean = (v: readonly number[]) => (v.length === 0 ? NaN : v.reduce((s, y) => s + y, 0) / v.length);
/** R's `ifelse(is.na(v), 0, v)`. */
const orZero = (v: number) => (Number.isNaN(v) ? 0 : v);

/** Days grouped: the count of days and mean B and S of those `inSet`. */
function groupMeans(buys: Float64Array, sells: Float64Array, inSet: (i: number) => boolean) {
  const b: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < buys.length; i++) {
    if (inSet(i)) {
      b.push(buys[i]);
      s.push(sells[i]);
    }
  }
  return { days: b.length, b: mean(b), s: mean(s) };
}

/** `initials_pin_ea(data, xtraclusters = 4)`: five sets, from 1 to 5 |B - S| clusters taken as no-event days. */
export function initialsEa(buys: Float64Array, sells: Float64Array, xtraclusters = 4): PinParams[] {
  const n = buys.length;
  const oi = Array.from(buys, (b, i) => b - sells[i]);
  const aoi = oi.map(Math.abs);
  const k = Math.min(xtraclusters + 2, n);
  const cluster = completeLinkage(aoi, k);
  const rank = Array.from({ length: k }, (_, c) => ({ c, m: mean(aoi.filter((_, i) => cluster[i] === c)) }))
    .sort((p, q) => p.m - q.m || p.c - q.c)
    .map((r) => r.c);
  const sets: PinParams[] = [];
  for (let extra = 0; extra <= Math.min(xtraclusters, k - 1); extra++) {
    const noEvent = new Set(rank.slice(0, 1 + extra));
    const none = groupMeans(buys, sells, (i) => noEvent.has(cluster[i]));
    const bad = groupMeans(buys, sells, (i) => !noEvent.has(cluster[i]) && oi[i] < 0);
    const good = groupMeans(buys, sells, (i) => !noEvent.has(cluster[i]) && oi[i] >= 0);
    const wb = bad.days / n;
    const wg = good.days / n;
    const wn = none.days / n;
    const a = wb + wg;
    const d = wb / a;
    const [bb, nb, gb] = [orZero(bad.b), orZero(none.b), orZero(good.b)];
    const [bs, ns, gs] = [orZero(bad.s), orZero(none.s), orZero(good.s)];
    const eb = (wb * bb + wn * nb) / (wb + wn);
    const es = (wn * ns + wg * gs) / (wg + wn);
    const diffe = eb - es;
    const mu = (wb / (wb + wg)) * (bs - bb + diffe) + (wg / (wb + wg)) * (gb - gs - diffe);
    sets.push({
      alpha: Math.max(a, 0),
      delta: Math.max(d, 0),
      mu: Math.max(mu, 0),
      epsilonBuy: Math.max(eb, 0),
      epsilonSell: Math.max(es, 0),
    });
  }
  return sets;
}

/** `initials_pin_gwj(data)`: one set from three clusters of B - S (bad news, none, good news). */
export function initialsGwj(buys: Float64Array, sells: Float64Array): PinParams[] {
  const n = buys.length;
  const oi = Array.from(buys, (b, i) => b - sells[i]);
  const k = Math.min(3, n);
  const cluster = completeLinkage(oi, k);
  const groups = Array.from({ length: k }, (_, c) => ({
    ...groupMeans(buys, sells, (i) => cluster[i] === c),
    oi: mean(oi.filter((_, i) => cluster[i] === c)),
  })).sort((p, q) => p.oi - q.oi);
  if (groups.length < 3) return []; // fewer than three days: no set
  const [bad, none, good] = groups;
  const wb = bad.days / n;
  const wg = good.days / n;
  const wn = none.days / n;
  const a = wb + wg;
  const eb = (wb * bad.b + wn * none.b) / (wb + wn);
  const es = (wg * good.s + wn * none.s) / (wg + wn);
  const mub = Math.max(good.b - eb, 0);
  const mus = Math.max(bad.s - es, 0);
  return [{ alpha: a, delta: wb / a, mu: (wg * mub + wb * mus) / (wg + wb), epsilonBuy: eb, epsilonSell: es }];
}

/**
 * `initials_pin_yz(data, grid_size = 5, ea_correction = FALSE)`: alpha, delta, eps.b / mean(B) on the
 * grid, mu and eps.s from the means, sets with eps.s < 0 dropped; with `eaCorrection` also those with
 * mu > max(B, S) (Ersan and Alici 2016).
 */
export function initialsYz(buys: Float64Array, sells: Float64Array, gridSize = 5, eaCorrection = false): PinParams[] {
  const meanB = mean(Array.from(buys));
  const meanS = mean(Array.from(sells));
  let maxCount = 0;
  for (let i = 0; i < buys.length; i++) maxCount = Math.max(maxCount, buys[i], sells[i]);
  const grid = Array.from({ length: gridSize }, (_, i) => (2 * i + 1) / (2 * gridSize));
  const sets: PinParams[] = [];
  // expand.grid(a, d, eb): a varies fastest
  for (const g of grid) {
    for (const d of grid) {
      for (const a of grid) {
        const eb = g * meanB;
        const mu = (meanB - eb) / (a * (1 - d));
        const es = meanS - a * d * mu;
        if (es >= 0 && !(eaCorrection && mu > maxCount)) sets.push({ alpha: a, delta: d, mu, epsilonBuy: eb, epsilonSell: es });
      }
    }
  }
  return sets;
}

/** The initial sets of `initials`, those with a non-finite value left out (an empty cluster's 0 / 0). */
export function pinInitialSets(buys: Float64Array, sells: Float64Array, initials: PinInitials, eaCorrection = false): PinParams[] {
  const sets =
    initials === 'ea' ? initialsEa(buys, sells) : initials === 'gwj' ? initialsGwj(buys, sells) : initialsYz(buys, sells, 5, eaCorrection);
  return sets.filter((p) => Object.values(p).every(Number.isFinite));
}

const meanOf = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;

/**
 * The optimizer's starting points: the initial sets, or where there is none (a day or two of data) the
 * no-event model's estimate (alpha 0, the mean counts). Every backend optimizes the same ones.
 */
export function pinStarts(buys: Float64Array, sells: Float64Array, initialSets: PinParams[]): PinParams[] {
  return initialSets.length > 0 ? initialSets : [{ alpha: 0, delta: 0, mu: 0, epsilonBuy: meanOf(buys), epsilonSell: meanOf(sells) }];
}
