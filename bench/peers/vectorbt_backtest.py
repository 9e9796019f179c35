#!/usr/bin/env python3
"""The vectorbt 1.1.0 peer of the backtest bench, run by hand or as a child process by the bench, never
by a test. vectorbt comes from scripts/setup-vbt.sh (venv /opt/vbt-venv, source /opt/vbt-src) and is
imported through scripts/vbt_env.py (numba engine).

Times, as medians (and best) of RUNS runs after a warm-up call (numba compiles on the first call):
- signals: Portfolio.from_signals on a T x K close panel (default 2,520 x 1,000) with MA-cross
  signals, fast 10 / slow 50 per column (vbt.MA.run(close, 10) / (close, 50), fast.ma_crossed_above(slow)
  entries, ma_crossed_below exits: computed once, outside the timing), fees 0.001, slippage 0.0005,
  freq '1D'; then reading value(), cash(), assets(), orders.values, exit_trades.values;
- signals+stops: the same with sl_stop=0.05, tp_stop=0.1 (close only);
- grid: on column 0 of the panel (a T-bar series), vbt.MA.run_combs(close, window=range(2, 101), r=2)
  (4,851 pairs), fast.ma_crossed_above(slow), fast.ma_crossed_below(slow), from_signals(fees=0.001,
  freq '1D'), total_return(), sharpe_ratio(): all inside the timing.
Each case also reports its steps (simulation, each output read) as medians, and for the signals cases
fromSignalsValue: from_signals then value() alone (vectorbt makes its series on request).

Inputs, reproducible by the TS side:
- preferred: --prices FILE: T*K little-endian Float64 values, row-major (rows = bars, cols = assets),
  written by the bench; --rows T (default 2520); --cols K (default: file size / 8 / T);
- else the built-in generator, mulberry32 (src/math/mulberry32.ts) seeded --seed (default 42), drawn
  row-major: for t in 0..T-1, for k in 0..K-1: u = rnd();
  price[t][k] = t == 0 ? 50 + 100 * u : price[t-1][k] * (1 + (u - 0.5) * 0.04).
Prints one JSON document (and writes it to --out): date, machine, load, versions, engine, inputs, and
per case the median, best and every time in seconds, and the steps.

    /opt/vbt-venv/bin/python bench/peers/vectorbt_backtest.py --prices /tmp/close.f64 --rows 2520 \
        --out bench/peers/vectorbt_backtest.json
    /opt/vbt-venv/bin/python bench/peers/vectorbt_backtest.py --cols 1000        # built-in generator
    npx biome check --write bench/peers/vectorbt_backtest.json
Options: --runs N (default 5), --grid-runs N (default 3), --grid-max-window W (default 100),
--cases signals,stops,grid (default all, run in the order given).
"""

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no bytecode cache folder left in the checkout
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from vbt_env import ENGINE, VBT_COMMIT, VERSION, vbt  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def mulberry32_uniforms(seed: int, count: int) -> np.ndarray:
    """`count` draws of src/math/mulberry32.ts's mulberry32(seed), vectorized: the state after draw i
    is seed + (i + 1) * 0x6D2B79F5 (mod 2^32), so each draw is a function of its index."""
    i = np.arange(1, count + 1, dtype=np.uint64)
    a = ((np.uint64(seed & 0xFFFFFFFF) + i * np.uint64(0x6D2B79F5)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    with np.errstate(over="ignore"):
        t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))
        t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
        out = t ^ (t >> np.uint32(14))
    return out.astype(np.float64) / 4294967296.0


def generated_prices(rows: int, cols: int, seed: int) -> np.ndarray:
    u = mulberry32_uniforms(seed, rows * cols).reshape(rows, cols)
    price = np.empty((rows, cols))
    price[0] = 50 + 100 * u[0]
    for t in range(1, rows):
        price[t] = price[t - 1] * (1 + (u[t] - 0.5) * 0.04)
    return price


def timed(fn, runs):
    """Warm-up call, then `runs` calls (a gc.collect() before each, untimed); fn returns a dict of step
    times. Returns the summary."""
    fn()
    totals, steps = [], {}
    for _ in range(runs):
        gc.collect()  # the previous run's portfolio (cyclic references) is freed outside the timing
        t0 = time.perf_counter()
        parts = fn()
        totals.append(time.perf_counter() - t0)
        for k, v in parts.items():
            steps.setdefault(k, []).append(v)
    return {
        "seconds": statistics.median(totals),
        "best": min(totals),
        "runs": [round(r, 6) for r in totals],
        "steps": {k: round(statistics.median(v), 6) for k, v in steps.items()},
    }


def read_outputs(pf, parts, t):
    for name, get in (
        ("value", lambda: pf.value()),
        ("cash", lambda: pf.cash()),
        ("assets", lambda: pf.assets()),
        ("orders", lambda: pf.orders.values),
        ("exitTrades", lambda: pf.exit_trades.values),
    ):
        get()
        now = time.perf_counter()
        parts[name] = now - t
        t = now
    return t


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prices")
    parser.add_argument("--rows", type=int, default=2520)
    parser.add_argument("--cols", type=int)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--grid-runs", type=int, default=3)
    parser.add_argument("--grid-max-window", type=int, default=100)
    parser.add_argument("--cases", default="signals,stops,grid")
    parser.add_argument("--out")
    args = parser.parse_args()
    order = [c for c in args.cases.split(",") if c]
    unknown = [c for c in order if c not in ("signals", "stops", "grid")]
    if unknown:
        sys.exit(f"unknown case(s): {', '.join(unknown)} (signals, stops, grid)")

    if args.prices:
        raw = np.fromfile(args.prices, dtype="<f8")
        cols = args.cols if args.cols else raw.size // args.rows
        if raw.size != args.rows * cols:
            sys.exit(f"{args.prices}: {raw.size} values, not {args.rows} x {cols}")
        close_np = raw.reshape(args.rows, cols)
        source = {"file": os.path.abspath(args.prices), "layout": "row-major little-endian Float64"}
    else:
        cols = args.cols if args.cols else 1000
        close_np = generated_prices(args.rows, cols, args.seed)
        source = {"generator": "mulberry32 random walk (see the docstring)", "seed": args.seed}
    rows = close_np.shape[0]
    idx = pd.date_range("2000-01-01", periods=rows, freq="1D")
    close = pd.DataFrame(close_np, index=idx)

    t0 = time.perf_counter()
    fast = vbt.MA.run(close, 10, short_name="fast")
    slow = vbt.MA.run(close, 50, short_name="slow")
    entries = pd.DataFrame(fast.ma_crossed_above(slow).values, index=idx)
    exits = pd.DataFrame(fast.ma_crossed_below(slow).values, index=idx)
    signal_seconds = time.perf_counter() - t0

    results = []

    def signals_case(**stops):
        def run():
            parts = {}
            t = time.perf_counter()
            pf = vbt.Portfolio.from_signals(close, entries, exits, fees=0.001, slippage=0.0005, freq="1D", **stops)
            now = time.perf_counter()
            parts["fromSignals"] = now - t
            read_outputs(pf, parts, now)
            # what a caller reading the value alone waits: from_signals, then value() (made on request)
            parts["fromSignalsValue"] = parts["fromSignals"] + parts["value"]
            return parts

        return run

    def signals_plain():
        r = timed(signals_case(), args.runs)
        return {"case": f"from_signals MA(10/50) cross {rows} x {cols} + outputs", **r}

    def signals_stops():
        r = timed(signals_case(sl_stop=0.05, tp_stop=0.1), args.runs)
        return {"case": f"from_signals MA(10/50) cross sl 0.05 tp 0.1 {rows} x {cols} + outputs", **r}

    def grid_case():
        series = pd.Series(close_np[:, 0], index=idx)
        windows = np.arange(2, args.grid_max_window + 1)
        pairs = len(windows) * (len(windows) - 1) // 2

        def grid():
            parts = {}
            t = time.perf_counter()
            f, s = vbt.MA.run_combs(series, window=windows, r=2, short_names=["fast", "slow"])
            now = time.perf_counter()
            parts["maRunCombs"] = now - t
            t = now
            en = f.ma_crossed_above(s)
            ex = f.ma_crossed_below(s)
            now = time.perf_counter()
            parts["crossed"] = now - t
            t = now
            pf = vbt.Portfolio.from_signals(series, en, ex, fees=0.001, freq="1D")
            now = time.perf_counter()
            parts["fromSignals"] = now - t
            t = now
            pf.total_return()
            pf.sharpe_ratio()
            parts["totalReturnSharpe"] = time.perf_counter() - t
            return parts

        r = timed(grid, args.grid_runs)
        return {"case": f"grid MA run_combs windows 2..{args.grid_max_window} ({pairs} pairs) on {rows} bars", **r}

    cases = {"signals": signals_plain, "stops": signals_stops, "grid": grid_case}
    for name in order:
        r = cases[name]()
        results.append(r)
        print(f"{name}: {r['seconds']:.3f} s", file=sys.stderr)

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "loadAverage": [round(v, 2) for v in os.getloadavg()],
            "platform": platform.platform(),
        },
        "versions": {
            "python": platform.python_version(),
            "vectorbt": f"{VERSION} ({VBT_COMMIT})",
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "numba": numba.__version__,
        },
        "engine": ENGINE,
        "numbaThreads": numba.get_num_threads(),
        "inputs": {"rows": rows, "cols": cols, **source, "signalsSeconds": round(signal_seconds, 6)},
        "runs": args.runs,
        "gridRuns": args.grid_runs,
        "results": results,
    }
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
