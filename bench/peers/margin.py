#!/usr/bin/env python3
"""The Python peer of the margin bench (issue 92): one round, run by bench/margin.ts in a child process
between its own rounds, on the bench's own inputs (raw float64 files, row-major), timed here.

A numpy implementation of docs/margin.md's definitions, written as a numpy user would (vectorized across
instruments, books or columns; numpy's BLAS on the threads it finds, as a user gets it):

- initialMargin: `pnl = scenarios @ positions`, the ES the mean of the k + 1 worst P&Ls (np.partition),
  k = floor((S - 1)(1 - c)) in float64, negated and floored at 0. A different positions array each
  call (a ring of --ring books, cycled), as an engine passes a new book each call.
- marginal: the book's P&L kept (pnl = scenarios @ positions and its margin, once), and per order
  `es(pnl + value * columns[:, instrument]) - margin`, columns a column-major copy of the scenarios made
  once (as kernelbus's marginBook keeps them by column); the orders cycle through --instruments and
  --values, one per call.
- filteredScenarios: the EWMA across the columns: s2[0] = the mean of the first seed squared returns,
  s2[t] = lambda s2[t-1] + (1 - lambda) r[t-1]^2 (a Python loop over t, each step a vector of the
  columns), z = r / sqrt(s2[t]) (0 where r is 0), the one-day scenarios z x sqrt(s2[T]), and the h-day
  sums as h shifted slices added. volFloor 0 (the bench's options), so no floor.
- panel: `pnl = scenarios @ positions.T` (S x books), the ES per column (np.partition along the
  scenarios); a different positions matrix each call (a ring of --panel-ring).

Before timing, each case's result is checked against kernelbus's (files --ours-*): the margins and the
panel's within 1e-9 relative, the marginals within 1e-9 of the book's margin (a marginal is a difference
of two margins), the scenarios within 1e-9 of their largest magnitude. A mismatch is a line on stderr
starting 'MISMATCH' and exit 3 (bench/margin.ts then fails the section); otherwise 'checks' in the JSON
say what was found.

Each case: one warm-up batch, then the median over --batches batches of the seconds a call (a batch:
its --calls calls, back to back). Prints one JSON document: versions, per case (named as
bench/margin.ts names them) the seconds, and the checks.

    <peers venv>/bin/python bench/peers/margin.py --returns R.f64 --scenarios S.f64 --positions P.f64 \\
        --panel B.f64 --instruments I.f64 --values V.f64 --rows 1000 --cols 500 --books 64 --ring 16 \\
        --panel-ring 4 --ours-margin M.f64 ... --calls '{"initialMargin": 20, ...}'
"""

import argparse
import json
import math
import platform
import sys

sys.dont_write_bytecode = True  # no bytecode cache folder left in the checkout (peer_timing)
from peer_timing import per_call  # noqa: E402

import numpy as np

try:
    from threadpoolctl import threadpool_info
except ImportError:  # the versions line then says 'unknown'
    threadpool_info = None


def read(path, shape=None):
    x = np.fromfile(path, dtype="<f8")
    return x if shape is None else x.reshape(shape)


def k_of(n, c):
    """floor((n - 1)(1 - c)) in float64: the ES's tail is the k + 1 worst."""
    return math.floor((n - 1) * (1.0 - c))


def es(pnl, k):
    """The historical ES of a P&L sample, floored at 0: -(the mean of its k + 1 smallest)."""
    return max(-np.partition(pnl, k)[: k + 1].mean(), 0.0)


def es_columns(pnl, k):
    """es() of each column of pnl (S x books)."""
    return np.maximum(-np.partition(pnl, k, axis=0)[: k + 1].mean(axis=0), 0.0)


def ewma_scenarios(r, lam, seed, h):
    """docs/margin.md's 'ewma' scenarios of returns r (T x N) at horizon h, volFloor 0."""
    T = r.shape[0]
    a = (1.0 - lam) * (r * r)
    s2 = np.empty_like(r)
    v = (r[:seed] ** 2).mean(axis=0)
    for t in range(T):
        s2[t] = v
        v = lam * v + a[t]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(r == 0, 0.0, r / np.sqrt(s2))
    one = z * np.sqrt(v)
    S = T - h + 1
    out = one[:S].copy()
    for j in range(1, h):
        out += one[j : S + j]
    return out


def rel(got, want, scale):
    """The largest |got - want| over scale."""
    return float(np.max(np.abs(np.asarray(got) - np.asarray(want)))) / scale


def relative(got, want):
    """The largest |got - want| / |want| (want nonzero: a margin of 0 compares absolutely)."""
    want = np.asarray(want)
    return float(np.max(np.abs(np.asarray(got) - want) / np.where(want == 0, 1.0, np.abs(want))))


def main():
    ap = argparse.ArgumentParser()
    for name in ("returns", "scenarios", "positions", "panel", "instruments", "values"):
        ap.add_argument(f"--{name}", required=True)
    for name in ("margin", "marginal", "panel", "scen-h1", "scen-h5"):
        ap.add_argument(f"--ours-{name}", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--cols", type=int, required=True)
    ap.add_argument("--books", type=int, required=True)
    ap.add_argument("--ring", type=int, required=True)
    ap.add_argument("--panel-ring", type=int, required=True)
    ap.add_argument("--confidence", type=float, default=0.99)
    ap.add_argument("--lam", type=float, default=0.94)
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--calls", required=True, help="JSON: calls a batch, per case")
    ap.add_argument("--batches", type=int, default=7)
    args = ap.parse_args()

    T, N, B = args.rows, args.cols, args.books
    r = read(args.returns, (T, N))
    scen = read(args.scenarios)
    S = scen.size // N
    scen = scen.reshape(S, N)
    ring = read(args.positions, (args.ring, N))
    panels = read(args.panel, (args.panel_ring, B, N))
    instruments = read(args.instruments).astype(np.int64)
    values = read(args.values)
    orders = len(instruments)
    c = args.confidence
    k = k_of(S, c)

    # the marginal's prepared book: its P&L and margin, the scenarios by column
    pnl = scen @ ring[0]
    margin = es(pnl, k)
    columns = np.asfortranarray(scen)

    def initial_margin(i):
        return es(scen @ ring[i % args.ring], k)

    def marginal(i):
        j = i % orders
        return es(pnl + values[j] * columns[:, instruments[j]], k) - margin

    def panel(i):
        return es_columns(scen @ panels[i % args.panel_ring].T, k)

    # the checks, before any timing
    ours_margin = read(args.ours_margin)
    ours_marginal = read(args.ours_marginal)
    ours_panel = read(args.ours_panel)
    checks = {}
    failed = []

    def check(case, what, err):
        text = f"{what} within 1e-9 (largest difference {err:.2g})"
        checks[case] = f"{checks[case]}; {text}" if case in checks else text
        if not err <= 1e-9:
            failed.append(f"{case}: {what} differs from kernelbus's by {err:.3g} (> 1e-9)")

    mine = np.array([initial_margin(i) for i in range(args.ring)])
    check("initialMargin", f"the {args.ring} books' margins (relative)", relative(mine, ours_margin))
    got = np.array([marginal(i) for i in range(len(ours_marginal))])
    check("marginal", f"{len(ours_marginal)} orders' marginals (of the book's margin, {margin:.6g})", rel(got, ours_marginal, margin))
    got = panel(0)
    check("panel", f"the {B} books' margins (relative)", relative(got, ours_panel))
    for h in (1, 5):
        ours = read(getattr(args, f"ours_scen_h{h}"), (T - h + 1, N))
        got = ewma_scenarios(r, args.lam, args.seed, h)
        check(f"filteredScenarios h{h}", f"{T - h + 1} x {N} scenarios (of their largest, {np.max(np.abs(ours)):.3g})",
              rel(got, ours, float(np.max(np.abs(ours)))))
    if failed:
        for line in failed:
            print(f"MISMATCH {line}", file=sys.stderr)
        sys.exit(3)

    calls = json.loads(args.calls)
    cases = {
        "initialMargin": initial_margin,
        "marginal": marginal,
        "filteredScenarios h1": lambda i: ewma_scenarios(r, args.lam, args.seed, 1),
        "filteredScenarios h5": lambda i: ewma_scenarios(r, args.lam, args.seed, 5),
        "panel": panel,
    }
    results = []
    for name, fn in cases.items():
        seconds = per_call(fn, calls[name], args.batches)
        results.append({"case": name, "seconds": seconds})
        print(f"{name}: {seconds * 1e3:.4f} ms", file=sys.stderr)
    blas = "unknown"
    if threadpool_info is not None:
        found = {f"{p.get('internal_api')} {p.get('num_threads')} threads" for p in threadpool_info() if p.get("user_api") == "blas"}
        blas = ", ".join(sorted(found)) or blas
    doc = {
        "versions": {"numpy": np.__version__, "Python": platform.python_version(), "BLAS": blas},
        "results": results,
        "checks": checks,
    }
    print(json.dumps(doc))


if __name__ == "__main__":
    main()
