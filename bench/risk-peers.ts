/**
 * The Python peers of the risk bench, timed in the same run (issue 71): bench/peers/risk.py in a
 * child process, one round at a time, interleaved with rounds of our native calls on the same inputs
 * (written to files): scikit-learn's LedoitWolf, numpy's percentile, cov (BLAS threads and one),
 * portfolio volatility and Monte Carlo VaR, pandas' rolling statistics. Each ratio divides the peer's
 * median over the rounds by ours (the speed-up of native over it). Where the peer is not installed
 * (npm run bench:peers) or fails, its rows say "peer not measured" and give no ratio; a figure
 * measured on another day stays in the note with its date, never as the ratio.
 */
import type { Matrix } from '../src/api/index.js';
import { type BenchRow, median, timeMedian } from './lib.js';
import { PeerRounds, peerInputs, peerPython, peerScript, recordPeers } from './peer-env.js';

const ROUNDS = 3;
/** The rows' subject (one column in docs/benchmarks.md); each note names the peer's call. */
const SUBJECT = 'python peer';
const RUNS = 5;

/** A case of ours beside its peer: the peer, our call, runs per round, the target and an old figure. */
export interface RiskPeerCase {
  /** The peer's call, e.g. 'sklearn.covariance.LedoitWolf().fit'. */
  peer: string;
  /** The case of bench/peers/risk.py (default: the row's case). */
  peerCase?: string;
  native: () => unknown;
  /** Our calls per round (default 5). */
  runs?: number;
  /** The target, in the speed-up of native over the peer. */
  target?: string;
  /** A figure from another day, with its date: kept in the note, never the ratio. */
  before?: string;
}

/** The inputs the peer reads: the returns panel, its covariance, 10,000 x 500 weights and the benchmark. */
export interface RiskPeerInputs {
  returns: Matrix;
  cov: Matrix;
  weights: Matrix;
  benchmark: Float64Array;
}

/** Rounds of ours and the peer's, interleaved: a row per case with the peer's median and native's speed-up over it. */
export function riskPeerRows(inputs: RiskPeerInputs, cases: Record<string, RiskPeerCase>): BenchRow[] {
  const python = peerPython('/work/venv/bin/python');
  const { files, done } = peerInputs({
    returns: inputs.returns.data,
    cov: inputs.cov.data,
    weights: inputs.weights.data,
    benchmark: inputs.benchmark,
  });
  const peers = new PeerRounds(
    python,
    [
      peerScript('risk.py'),
      ...['returns', 'cov', 'weights', 'benchmark'].flatMap((k) => [`--${k}`, files[k]]),
      ...['--rows', String(inputs.returns.rows), '--cols', String(inputs.returns.cols), '--portfolios', String(inputs.weights.rows)],
      ...['--runs', String(RUNS)],
    ],
    'numpy, scikit-learn and pandas are not installed here',
    // all its threads: its cov rows are numpy on OpenBLAS's threads and on one (threadpoolctl)
  );
  const ours: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, c] of Object.entries(cases)) ours[name].push(timeMedian(c.native, c.runs ?? RUNS));
      peers.round();
    }
  } finally {
    done();
  }
  recordPeers('risk', peers.missing || `${peers.versionText()} (bench/peers/risk.py)`);
  return Object.entries(cases).map(([name, c]): BenchRow => {
    const mine = median(ours[name]);
    const theirs = peers.ms(c.peerCase ?? name);
    const before = c.before ? `; on another day: ${c.before}` : '';
    const target = c.target ? `; ${c.target}` : '';
    if (theirs === undefined) {
      return {
        section: 'risk',
        case: name,
        subject: SUBJECT,
        value: Number.NaN,
        unit: 'ms',
        note: `${c.peer}: ${peers.missing}${target}${before}`,
      };
    }
    return {
      section: 'risk',
      case: name,
      subject: SUBJECT,
      value: theirs,
      unit: 'ms',
      ratio: theirs / mine,
      baseline: 'native in the same rounds (speed-up of native over it)',
      note: `${c.peer} (${peers.versionText()}): timed in this run, median of ${peers.rounds} rounds interleaved with ours (native ${mine.toPrecision(3)} ms), ${peers.quietNote()}${target}${before}`,
    };
  });
}
