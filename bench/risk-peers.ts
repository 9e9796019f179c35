/**
 * The Python peers of the risk bench, for its rows: bench/peers/risk.json, written by hand with
 * `/work/venv/bin/python bench/peers/risk.py --out bench/peers/risk.json` (scikit-learn's LedoitWolf
 * and numpy.percentile on a 2,520 x 500 panel; medians of 15; the date, machine, load and versions are
 * in the file). No bench or test runs Python: a missing file gives no peer rows.
 */
import { readFileSync } from 'node:fs';
import type { BenchRow } from './lib.js';

/** One peer timed on one case. */
interface RiskPeer {
  case: string;
  peer: string;
  /** Median of the runs, seconds. */
  seconds: number;
  best: number;
}

/** The contents of bench/peers/risk.json. */
interface RiskPeers {
  date: string;
  machine: { cpu: string; cores: number; loadAverage: number[] };
  versions: Record<string, string>;
  results: RiskPeer[];
}

/** The issue 42 targets: native's time over the peer's. */
const TARGETS: Record<string, string> = {
  'covariance ledoit-wolf 2520 x 500': 'target <= 1x',
  'valueAtRisk historical 2520 x 500': 'target <= 0.4x',
};

/** A row per peer of bench/peers/risk.json whose case ran natively here: its time, and native's time over it. */
export function riskPeerRows(nativeMs: Record<string, number>): BenchRow[] {
  let peers: RiskPeers;
  try {
    peers = JSON.parse(readFileSync(new URL('./peers/risk.json', import.meta.url), 'utf8')) as RiskPeers;
  } catch {
    return [];
  }
  const versions = Object.entries(peers.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return peers.results
    .filter((p) => nativeMs[p.case] !== undefined)
    .map((p) => ({
      section: 'risk',
      case: p.case,
      subject: 'python peer',
      value: p.seconds * 1000,
      unit: 'ms',
      ratio: nativeMs[p.case] / (p.seconds * 1000),
      baseline: "native's time over it",
      note: `${p.peer} (${versions}), median of bench/peers/risk.json, ${peers.date.slice(0, 10)}, load ${peers.machine.loadAverage[0]}: not side by side; ${TARGETS[p.case] ?? ''}`,
    }));
}
