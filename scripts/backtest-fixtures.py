#!/usr/bin/env python3
"""Writes test/fixtures/backtest/vectorbt.json: stored test vectors of vectorbt 1.1.0 (commit f989752)
for the vectorized backtest family (from_signals, from_orders, exit trades, stats, crossovers).

Run by hand, never by a test (the tests read the file; no Python at test time):

    bash scripts/setup-vbt.sh                                   # once: venv + vectorbt source copy
    /opt/vbt-venv/bin/python scripts/backtest-fixtures.py       # [--out PATH]

Every input is generated here from fixed numpy seeds and stored in the file beside vectorbt's outputs.
Every case uses a daily DatetimeIndex (freq '1D'), so durations in days are bars.

JSON: NaN -> null, +Infinity -> "Infinity", -Infinity -> "-Infinity". A Matrix is
{ "rows": T, "cols": K, "data": [row-major] }; 1-D arrays are plain lists; signals are 0/1 Matrices.

Top level: { generator, vectorbt, commit, engine, numpy, pandas, numba, defaults, cases, crossed, grid }.
- defaults: vectorbt's defaults in our option names (a case leaves an option out when it uses them).
- cases[]: { name, kind: 'signals'|'orders', note, vbtCall, prices: { close, open?, high?, low? },
  options: { our option names }, expected: { value, cash, assets, returns, drawdown (Matrices;
  per group when cash is shared), orders: { id, col, idx, size, price, fees, side } (record order;
  side 0 = buy, 1 = sell), trades: { id, col, size, entryIdx, entryPrice, entryFees, exitIdx,
  exitPrice, exitFees, pnl, return, direction (0 long, 1 short), status (0 open, 1 closed),
  positionId } (pf.exit_trades), stats: [ one object per column or group ], totalReturn: [],
  sharpeRatio: [] } }.
  Stats are fractions ([%] fields divided by 100, so they may differ from the unscaled value by an
  ulp), maxDrawdown positive, durations in days (NaT -> null).
- crossed[]: { name, a, b (Matrix, b may have 1 column), above, below (0/1 Matrices) }:
  a.vbt.crossed_above(b) and a.vbt.crossed_below(b).
- grid: { close (list), windows, fast, slow (lists, vectorbt's column order), fees, totalReturn,
  sharpeRatio, orderCount (lists per pair) }: vbt.MA.run_combs(close, window=2..20, r=2),
  fast.ma_crossed_above(slow) entries, fast.ma_crossed_below(slow) exits, from_signals(fees=0.001).
"""

import argparse
import json
import math
import os
import sys
import time
import warnings

T0 = time.perf_counter()

sys.dont_write_bytecode = True  # no bytecode cache folder left in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vbt_env import ENGINE, VBT_COMMIT, VERSION, vbt  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

warnings.filterwarnings("ignore")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures", "backtest", "vectorbt.json")

# ---------------------------------------------------------------------------------------------------
# Encoding


def clean(x):
    """Python/numpy values -> JSON-safe values (NaN -> None, +-inf -> strings)."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return [clean(v) for v in x.tolist()]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        f = float(x)
        if math.isnan(f):
            return None
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    return x


def matrix(a):
    a = np.asarray(a)
    if a.ndim == 1:
        a = a[:, None]
    if a.dtype == np.bool_:
        a = a.astype(np.int64)
    return {"rows": int(a.shape[0]), "cols": int(a.shape[1]), "data": clean(a.reshape(-1))}


def encode_options(opts):
    out = {}
    for k, v in opts.items():
        if isinstance(v, np.ndarray) and v.ndim == 2:
            out[k] = matrix(v)
        else:
            out[k] = clean(v)
    return out


# ---------------------------------------------------------------------------------------------------
# Inputs


def index(n):
    return pd.date_range("2020-01-01", periods=n, freq="1D")


def random_walk(rng, n, k, vol=0.02, start=100.0):
    steps = rng.normal(0.0, vol, size=(n, k))
    steps[0] = 0.0
    return start * np.exp(np.cumsum(steps, axis=0))


def ohlc_from_close(rng, close, gap=0.01, wick=0.01):
    """Open near the previous close (gaps), high/low around max/min(open, close)."""
    prev = np.vstack([close[:1], close[:-1]])
    open_ = prev * np.exp(rng.normal(0.0, gap, size=close.shape))
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0.0, wick, size=close.shape)))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0.0, wick, size=close.shape)))
    return open_, high, low


def sparse(rng, n, k, p):
    return rng.random((n, k)) < p


def sig(n, k, *cells):
    """A 0/1 signal matrix with True at (row, col) cells."""
    a = np.zeros((n, k), dtype=bool)
    for r, c in cells:
        a[r, c] = True
    return a


# ---------------------------------------------------------------------------------------------------
# Our option names -> vectorbt's

DIRECTION = {"long": "longonly", "short": "shortonly", "both": "both"}
SIZE_TYPE = {
    "amount": "amount",
    "value": "value",
    "percent": "percent",
    "targetAmount": "targetamount",
    "targetValue": "targetvalue",
    "targetPercent": "targetpercent",
}
OPPOSITE = {
    "ignore": "ignore",
    "close": "close",
    "closeReduce": "closereduce",
    "reverse": "reverse",
    "reverseReduce": "reversereduce",
}
SIGNALS = {"entries": "entries", "exits": "exits", "shortEntries": "short_entries", "shortExits": "short_exits"}
PLAIN = {
    "size": "size",
    "price": "price",
    "fees": "fees",
    "fixedFees": "fixed_fees",
    "slippage": "slippage",
    "minSize": "min_size",
    "initCash": "init_cash",
    "accumulate": "accumulate",
    "slStop": "sl_stop",
    "slTrail": "sl_trail",
    "tpStop": "tp_stop",
    "cashSharing": "cash_sharing",
}

# vectorbt 1.1.0's defaults (vectorbt/_settings.py portfolio=...), in our names.
DEFAULTS = {
    "signals": {
        "direction": "long",
        "size": "Infinity",
        "sizeType": "amount",
        "price": "close",
        "fees": 0.0,
        "fixedFees": 0.0,
        "slippage": 0.0,
        "minSize": 1e-8,
        "initCash": 100.0,
        "accumulate": False,
        "uponOppositeEntry": "reverseReduce",
        "slStop": None,
        "slTrail": False,
        "tpStop": None,
        "cashSharing": False,
        "callSeq": "default",
        "uponLongConflict": "ignore",
        "uponShortConflict": "ignore",
        "uponDirConflict": "ignore",
        "stopEntryPrice": "close",
        "stopExitPrice": "stopLimit",
        "uponStopExit": "close",
        "uponStopUpdate": "override",
        "valPrice": "price",
        "ffillValPrice": True,
        "fillnaClose": True,
        "freq": "1D",
        "yearFreq": "365 days",
    },
    "orders": {
        "direction": "both",
        "size": "Infinity",
        "sizeType": "amount",
        "price": "close",
        "fees": 0.0,
        "fixedFees": 0.0,
        "slippage": 0.0,
        "minSize": 1e-8,
        "initCash": 100.0,
        "cashSharing": False,
        "callSeq": "default",
        "valPrice": "price",
        "ffillValPrice": True,
        "fillnaClose": True,
        "freq": "1D",
        "yearFreq": "365 days",
    },
}


def frame(a, n, dtype=None):
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(dtype)
    return pd.DataFrame(a, index=index(n))


def to_vbt(kind, opts, n):
    kw = {}
    for k, v in opts.items():
        if k in SIGNALS:
            kw[SIGNALS[k]] = frame(v, n, bool)
        elif k == "direction":
            kw["direction"] = DIRECTION[v]
        elif k == "sizeType":
            kw["size_type"] = SIZE_TYPE[v]
        elif k == "uponOppositeEntry":
            kw["upon_opposite_entry"] = OPPOSITE[v]
        elif k == "groups":
            kw["group_by"] = list(v)
        elif k == "callSeq":
            kw["call_seq"] = v
        elif k in PLAIN:
            if isinstance(v, np.ndarray) and v.ndim == 2:
                kw[PLAIN[k]] = frame(v, n, bool if k == "slTrail" else float)
            else:
                kw[PLAIN[k]] = v
        else:
            raise KeyError(f"unknown option {k}")
    return kw


def describe_call(kind, prices, kw):
    fn = "from_signals" if kind == "signals" else "from_orders"
    parts = ["close"]
    for p in ("open", "high", "low"):
        if p in prices:
            parts.append(f"{p}={p}")
    for k, v in kw.items():
        if isinstance(v, pd.DataFrame):
            parts.append(f"{k}=<{v.shape[0]}x{v.shape[1]}>")
        else:
            parts.append(f"{k}={v!r}")
    parts.append("freq='1D'")
    return f"vbt.Portfolio.{fn}({', '.join(parts)})"


# ---------------------------------------------------------------------------------------------------
# Outputs

STATS = [
    ("Start Value", "startValue", None),
    ("End Value", "endValue", None),
    ("Total Return [%]", "totalReturn", "pct"),
    ("Benchmark Return [%]", "benchmarkReturn", "pct"),
    ("Max Gross Exposure [%]", "maxGrossExposure", "pct"),
    ("Total Fees Paid", "totalFeesPaid", None),
    ("Max Drawdown [%]", "maxDrawdown", "pct"),
    ("Max Drawdown Duration", "maxDrawdownDuration", "days"),
    ("Total Trades", "totalTrades", None),
    ("Total Closed Trades", "totalClosedTrades", None),
    ("Total Open Trades", "totalOpenTrades", None),
    ("Open Trade PnL", "openTradePnl", None),
    ("Win Rate [%]", "winRate", "pct"),
    ("Best Trade [%]", "bestTrade", "pct"),
    ("Worst Trade [%]", "worstTrade", "pct"),
    ("Avg Winning Trade [%]", "avgWinningTrade", "pct"),
    ("Avg Losing Trade [%]", "avgLosingTrade", "pct"),
    ("Avg Winning Trade Duration", "avgWinningTradeDuration", "days"),
    ("Avg Losing Trade Duration", "avgLosingTradeDuration", "days"),
    ("Profit Factor", "profitFactor", None),
    ("Expectancy", "expectancy", None),
    ("Sharpe Ratio", "sharpeRatio", None),
    ("Calmar Ratio", "calmarRatio", None),
    ("Omega Ratio", "omegaRatio", None),
    ("Sortino Ratio", "sortinoRatio", None),
]


def stat_value(v, how):
    if how == "days":
        if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, pd.Timedelta):
            if pd.isna(v):
                return None
            return v.total_seconds() / 86400.0
        return float(v)
    if v is None:
        return None
    v = float(v)
    if how == "pct":
        return v / 100.0
    return v


def stats_rows(pf):
    st = pf.stats(agg_func=None, silence_warnings=True)
    rows = [st] if isinstance(st, pd.Series) else [st.iloc[j] for j in range(len(st))]
    out = []
    for row in rows:
        out.append({ours: clean(stat_value(row[title], how)) for title, ours, how in STATS})
    return out


def records(arr, fields):
    return {ours: clean(arr[theirs]) for theirs, ours in fields}


ORDER_FIELDS = [("id", "id"), ("col", "col"), ("idx", "idx"), ("size", "size"), ("price", "price"), ("fees", "fees"), ("side", "side")]
TRADE_FIELDS = [
    ("id", "id"),
    ("col", "col"),
    ("size", "size"),
    ("entry_idx", "entryIdx"),
    ("entry_price", "entryPrice"),
    ("entry_fees", "entryFees"),
    ("exit_idx", "exitIdx"),
    ("exit_price", "exitPrice"),
    ("exit_fees", "exitFees"),
    ("pnl", "pnl"),
    ("return", "return"),
    ("direction", "direction"),
    ("status", "status"),
    ("parent_id", "positionId"),
]


def as_list(x):
    return np.atleast_1d(np.asarray(x, dtype=np.float64))


def expected_of(pf):
    return {
        "value": matrix(pf.value().values),
        "cash": matrix(pf.cash().values),
        "assets": matrix(pf.assets().values),
        "returns": matrix(pf.returns().values),
        "drawdown": matrix(pf.drawdown().values),
        "orders": records(pf.orders.values, ORDER_FIELDS),
        "trades": records(pf.exit_trades.values, TRADE_FIELDS),
        "stats": stats_rows(pf),
        "totalReturn": clean(as_list(pf.total_return())),
        "sharpeRatio": clean(as_list(pf.sharpe_ratio())),
    }


def run_case(name, kind, prices, options, note=""):
    close = prices["close"]
    n = close.shape[0]
    kw = to_vbt(kind, options, n)
    pkw = {p: frame(prices[p], n, float) for p in ("open", "high", "low") if p in prices}
    if kind == "signals":
        pf = vbt.Portfolio.from_signals(frame(close, n, float), **pkw, **kw, freq="1D")
    else:
        if pkw:
            raise ValueError("from_orders takes close only")
        pf = vbt.Portfolio.from_orders(frame(close, n, float), **kw, freq="1D")
    return {
        "name": name,
        "kind": kind,
        "note": note,
        "vbtCall": describe_call(kind, prices, kw),
        "prices": {p: matrix(a) for p, a in prices.items()},
        "options": encode_options(options),
        "expected": expected_of(pf),
    }


# ---------------------------------------------------------------------------------------------------
# Cases


def signal_cases():
    rng = np.random.default_rng(101)
    cases = []

    # -- long only, defaults: size inf (all cash), close price
    n, k = 40, 3
    close = random_walk(rng, n, k)
    ent = sig(n, k, (2, 0), (20, 0), (5, 1), (25, 1))
    ex = sig(n, k, (12, 0), (30, 0), (15, 1))  # col 1 ends with an open trade; col 2 never trades
    cases.append(run_case("long-defaults", "signals", {"close": close}, {"entries": ent, "exits": ex},
                          "size inf buys with all cash; col 1 leaves a trade open at the end; col 2 has no "
                          "signal (flat value: Sharpe/Sortino/Omega inf, max drawdown and win rate NaN)"))

    # -- fees + slippage + fixed fees
    cases.append(run_case("long-fees-slippage-fixed", "signals", {"close": close},
                          {"entries": ent, "exits": ex, "fees": 0.001, "slippage": 0.0005, "fixedFees": 1.0},
                          "buy at close*(1+slippage), sell at close*(1-slippage); fees = value*fees + fixedFees"))

    # -- size type value / percent
    cases.append(run_case("size-value", "signals", {"close": close},
                          {"entries": ent, "exits": ex, "size": 30.0, "sizeType": "value", "fees": 0.002},
                          "buy 30 currency units' worth; exits close the whole position"))
    cases.append(run_case("size-percent", "signals", {"close": close},
                          {"entries": ent, "exits": ex, "size": 0.5, "sizeType": "percent", "fees": 0.001},
                          "buy with 50% of available cash"))
    cases.append(run_case("size-amount-accumulate-off", "signals", {"close": close},
                          {"entries": ent, "exits": ex, "size": 0.4},
                          "fixed amount of 0.4 units"))

    # -- min size skips an order
    n2 = 30
    c2 = np.linspace(60.0, 150.0, n2)[:, None] * np.ones((1, 2))
    c2[:, 1] = c2[::-1, 0]
    ent2 = sig(n2, 2, (2, 0), (20, 0), (2, 1), (20, 1))
    ex2 = sig(n2, 2, (10, 0), (25, 0), (10, 1), (25, 1))
    cases.append(run_case("min-size-skip", "signals", {"close": c2},
                          {"entries": ent2, "exits": ex2, "size": 30.0, "sizeType": "value", "minSize": 0.25},
                          "30 worth at a price above 120 is under 0.25 units: that entry is rejected (no order)"))

    # -- direction short
    cases.append(run_case("direction-short", "signals", {"close": close},
                          {"entries": ent, "exits": ex, "direction": "short", "fees": 0.001},
                          "entries open shorts with 100% of free cash, exits cover"))

    # -- direction both, entries/exits only: exits are short entries
    n3, k3 = 40, 2
    c3 = random_walk(rng, n3, k3, vol=0.03)
    ent3 = sig(n3, k3, (2, 0), (22, 0), (4, 1), (30, 1))
    ex3 = sig(n3, k3, (10, 0), (33, 0), (14, 1))
    cases.append(run_case("direction-both", "signals", {"close": c3},
                          {"entries": ent3, "exits": ex3, "direction": "both", "fees": 0.001},
                          "an exit while long reverses into a short (reverseReduce, size inf)"))
    cases.append(run_case("direction-both-amount", "signals", {"close": c3},
                          {"entries": ent3, "exits": ex3, "direction": "both", "size": 0.3},
                          "reversal sells position + size"))

    # -- short signals given with direction set to something else (ignored)
    se3 = sig(n3, k3, (10, 0), (14, 1))
    sx3 = sig(n3, k3, (16, 0), (20, 1))
    cases.append(run_case("ls-signals-direction-ignored", "signals", {"close": c3},
                          {"entries": ent3, "exits": ex3, "shortEntries": se3, "shortExits": sx3,
                           "direction": "long", "fees": 0.0005},
                          "with shortEntries/shortExits, direction has no effect (vectorbt warns)"))
    cases.append(run_case("ls-signals", "signals", {"close": c3},
                          {"entries": ent3, "exits": ex3, "shortEntries": se3, "shortExits": sx3},
                          "long and short signal pairs"))

    # -- accumulate
    n4 = 36
    c4 = random_walk(rng, n4, 2, vol=0.02)
    ent4 = sig(n4, 2, (2, 0), (4, 0), (6, 0), (20, 0), (3, 1), (5, 1), (9, 1))
    ex4 = sig(n4, 2, (12, 0), (15, 1), (18, 1), (30, 0))
    cases.append(run_case("accumulate", "signals", {"close": c4},
                          {"entries": ent4, "exits": ex4, "accumulate": True, "size": 0.25, "fees": 0.001},
                          "repeated entries add 0.25; with accumulate each exit removes 0.25 (not all)"))
    cases.append(run_case("accumulate-off-repeated-entries", "signals", {"close": c4},
                          {"entries": ent4, "exits": ex4, "size": 0.25},
                          "repeated entries are ignored while in a position; exit closes all"))
    cases.append(run_case("accumulate-inf-size", "signals", {"close": c4},
                          {"entries": ent4, "exits": ex4, "accumulate": True},
                          "size inf with accumulate: later entries have no cash left"))

    # -- upon opposite entry: entries and short entries colliding
    n5 = 30
    c5 = random_walk(rng, n5, 2, vol=0.02)
    le5 = sig(n5, 2, (2, 0), (14, 0), (18, 0), (3, 1), (12, 1), (22, 1))
    se5 = sig(n5, 2, (7, 0), (18, 0), (24, 0), (8, 1), (10, 1), (16, 1))
    # (18, 0): both entries on one bar -> direction conflict (ignored by default)
    # accumulate variants: positions built by repeated entries (1.5 units) before the opposite entry
    le5b = sig(n5, 2, (2, 0), (4, 0), (6, 0), (16, 0), (12, 1), (20, 1), (22, 1))
    se5b = sig(n5, 2, (9, 0), (12, 0), (13, 0), (2, 1), (4, 1), (6, 1), (9, 1), (25, 1))
    for mode in ["ignore", "close", "closeReduce", "reverse", "reverseReduce"]:
        cases.append(run_case(f"opposite-entry-{mode}", "signals", {"close": c5},
                              {"entries": le5, "shortEntries": se5, "uponOppositeEntry": mode, "size": 0.5},
                              "a short entry while long (and vice versa); row 18 of col 0 has both entries"))
        cases.append(run_case(f"opposite-entry-{mode}-accumulate", "signals", {"close": c5},
                              {"entries": le5b, "shortEntries": se5b, "uponOppositeEntry": mode, "size": 0.5,
                               "accumulate": True, "initCash": 1000.0},
                              "accumulate: repeated entries build 1.5 units; then an opposite entry: close and "
                              "reverse act on the whole position, closeReduce/reverseReduce reduce it by size"))
    cases.append(run_case("opposite-entry-reverse-inf", "signals", {"close": c5},
                          {"entries": le5, "shortEntries": se5, "uponOppositeEntry": "reverse", "fees": 0.001},
                          "reverse with size inf"))

    # -- entry and exit on the same bar
    n6 = 24
    c6 = random_walk(rng, n6, 2)
    ent6 = sig(n6, 2, (2, 0), (8, 0), (12, 0), (3, 1), (9, 1))
    ex6 = sig(n6, 2, (2, 0), (8, 0), (15, 0), (9, 1), (14, 1))
    cases.append(run_case("entry-exit-same-bar", "signals", {"close": c6}, {"entries": ent6, "exits": ex6},
                          "an entry and an exit on one bar cancel each other (uponLongConflict ignore)"))
    cases.append(run_case("entry-exit-same-bar-both", "signals", {"close": c6},
                          {"entries": ent6, "exits": ex6, "direction": "both"},
                          "direction both: the long entry and the short entry (exit) on one bar cancel"))

    # -- NaN close at bars with signals, signal at the last bar
    n7 = 30
    c7 = random_walk(rng, n7, 3)
    c7[0, 2] = np.nan
    c7[5, 0] = np.nan
    c7[6, 0] = np.nan
    c7[12, 1] = np.nan
    c7[20, 1] = np.nan
    c7[n7 - 1, 2] = np.nan
    ent7 = sig(n7, 3, (5, 0), (7, 0), (3, 1), (20, 1), (25, 1), (0, 2), (2, 2), (20, 2), (n7 - 1, 0))
    ex7 = sig(n7, 3, (6, 0), (15, 0), (12, 1), (14, 1), (10, 2), (n7 - 1, 1), (n7 - 1, 2))
    cases.append(run_case("nan-close-and-last-bar", "signals", {"close": c7}, {"entries": ent7, "exits": ex7, "fees": 0.001},
                          "orders at NaN prices are ignored; valuation uses close ffilled then bfilled; "
                          "col 0 enters on the last bar (an open trade of 1 bar); col 2 is open at the end and its last "
                          "close is NaN: its exit on the last bar is ignored, and the open trade's exit price "
                          "(the raw last close) is NaN while value uses the filled close"))

    # -- stops with OHLC: hand-built paths
    n8 = 20
    base = np.full((n8, 4), 100.0)
    o8, h8, l8, c8 = base.copy(), base + 1.0, base - 1.0, base.copy()
    # col 0: long, SL 10%: bar 6 gaps below 90 at the open -> exit at open
    o8[6, 0], h8[6, 0], l8[6, 0], c8[6, 0] = 85.0, 88.0, 84.0, 87.0
    # col 1: long, SL 10%: bar 7 touches 90 intrabar (open 95, low 89) -> exit at the stop price
    o8[7, 1], h8[7, 1], l8[7, 1], c8[7, 1] = 95.0, 96.0, 89.0, 92.0
    # col 2: long, TP 10%: bar 5 gaps above 110 -> exit at open; bar 12 re-entry, bar 15 touches 110 intrabar
    o8[5, 2], h8[5, 2], l8[5, 2], c8[5, 2] = 115.0, 116.0, 113.0, 114.0
    o8[15, 2], h8[15, 2], l8[15, 2], c8[15, 2] = 101.0, 112.0, 100.5, 105.0
    # col 3: long, trailing SL 10%: rallies to a high of 120 then falls through 108
    path = [100, 100, 100, 105, 110, 115, 118, 116, 112, 109, 106, 104, 103, 103, 103, 103, 103, 103, 103, 103]
    c8[:, 3] = path
    o8[:, 3] = np.r_[100, path[:-1]]
    h8[:, 3] = np.maximum(o8[:, 3], c8[:, 3]) + 2.0
    l8[:, 3] = np.minimum(o8[:, 3], c8[:, 3]) - 1.0
    ent8 = sig(n8, 4, (2, 0), (2, 1), (2, 2), (12, 2), (2, 3))
    ex8 = np.zeros((n8, 4), dtype=bool)
    sl = np.full((n8, 4), np.nan)
    sl[:, 0] = 0.1
    sl[:, 1] = 0.1
    sl[:, 3] = 0.1
    tp = np.full((n8, 4), np.nan)
    tp[:, 2] = 0.1
    trail = np.zeros((n8, 4), dtype=bool)
    trail[:, 3] = True
    ohlc8 = {"close": c8, "open": o8, "high": h8, "low": l8}
    cases.append(run_case("stops-ohlc", "signals", ohlc8,
                          {"entries": ent8, "exits": ex8, "slStop": sl, "tpStop": tp, "slTrail": trail},
                          "gap past the level at the open fills at the open; an intrabar touch fills at the level "
                          "(stopLimit: no slippage); the trail follows the highs of bars after entry"))
    cases.append(run_case("stops-close-only", "signals", {"close": c8},
                          {"entries": ent8, "exits": ex8, "slStop": sl, "tpStop": tp, "slTrail": trail},
                          "the same stops with close only: open=high=low=close, so a stop fills at that close"))
    cases.append(run_case("stops-ohlc-fees-slippage", "signals", ohlc8,
                          {"entries": ent8, "exits": ex8, "slStop": sl, "tpStop": tp, "slTrail": trail,
                           "fees": 0.001, "slippage": 0.001},
                          "slippage on entries only: stop exits fill at the level"))

    # -- short stops with OHLC
    o9, h9, l9, c9 = base[:, :2].copy(), base[:, :2] + 1.0, base[:, :2] - 1.0, base[:, :2].copy()
    # col 0: short, SL 5% -> level 105: bar 6 gaps up to 107 at open
    o9[6, 0], h9[6, 0], l9[6, 0], c9[6, 0] = 107.0, 108.0, 106.0, 107.5
    # col 1: short, TP 5% -> level 95: bar 5 trades down to 94 intrabar
    o9[5, 1], h9[5, 1], l9[5, 1], c9[5, 1] = 99.0, 99.5, 94.0, 96.0
    sl9 = np.array([[0.05, np.nan]] * n8)
    tp9 = np.array([[np.nan, 0.05]] * n8)
    cases.append(run_case("stops-short-ohlc", "signals", {"close": c9, "open": o9, "high": h9, "low": l9},
                          {"entries": sig(n8, 2, (2, 0), (2, 1)), "exits": np.zeros((n8, 2), dtype=bool),
                           "direction": "short", "slStop": sl9, "tpStop": tp9},
                          "short: SL above the entry close, TP below"))

    # -- stops on random OHLC, scalar stops
    n10, k10 = 60, 3
    c10 = random_walk(rng, n10, k10, vol=0.025)
    o10, h10, l10 = ohlc_from_close(rng, c10, gap=0.012, wick=0.012)
    ent10 = sparse(rng, n10, k10, 0.12)
    ex10 = sparse(rng, n10, k10, 0.05)
    rand_ohlc = {"close": c10, "open": o10, "high": h10, "low": l10}
    cases.append(run_case("stops-random-ohlc-sl-tp", "signals", rand_ohlc,
                          {"entries": ent10, "exits": ex10, "slStop": 0.04, "tpStop": 0.06, "fees": 0.001},
                          "scalar stops, random OHLC with gaps"))
    cases.append(run_case("stops-random-ohlc-trail", "signals", rand_ohlc,
                          {"entries": ent10, "exits": ex10, "slStop": 0.03, "slTrail": True, "direction": "both"},
                          "trailing stop, both directions (exits are short entries)"))
    cases.append(run_case("stops-random-close-only", "signals", {"close": c10},
                          {"entries": ent10, "exits": ex10, "slStop": 0.04, "tpStop": 0.06, "fees": 0.001},
                          "the same scalar stops on close only"))

    # -- per-element fees / size / slStop
    n11, k11 = 50, 3
    c11 = random_walk(rng, n11, k11)
    o11, h11, l11 = ohlc_from_close(rng, c11)
    ent11 = sparse(rng, n11, k11, 0.15)
    ex11 = sparse(rng, n11, k11, 0.1)
    fees11 = rng.choice([0.0, 0.001, 0.003], size=(n11, k11))
    size11 = np.round(rng.uniform(0.1, 0.6, size=(n11, k11)), 3)
    sl11 = rng.choice([np.nan, 0.02, 0.05], size=(n11, k11))
    cases.append(run_case("per-element-matrices", "signals", {"close": c11, "open": o11, "high": h11, "low": l11},
                          {"entries": ent11, "exits": ex11, "fees": fees11, "size": size11, "slStop": sl11},
                          "fees/size/slStop per element: the stop is the slStop at the entry bar"))

    # -- one close column broadcast over 3 signal columns
    n12 = 40
    c12 = random_walk(rng, n12, 1)
    ent12 = sparse(rng, n12, 3, 0.12)
    ex12 = sparse(rng, n12, 3, 0.12)
    cases.append(run_case("close-broadcast", "signals", {"close": c12},
                          {"entries": ent12, "exits": ex12, "fees": 0.001},
                          "close has 1 column; signals have 3: close is broadcast"))

    # -- cash sharing
    n13 = 40
    c13 = random_walk(rng, n13, 3, vol=0.02)
    ent13 = sig(n13, 3, (2, 1), (10, 0), (22, 1), (25, 0), (2, 2), (10, 2), (25, 2))
    ex13 = sig(n13, 3, (10, 1), (18, 0), (30, 1), (32, 0), (5, 2), (18, 2))
    for cs in ("default", "auto"):
        opts = {"entries": ent13, "exits": ex13, "size": 60.0, "sizeType": "value", "cashSharing": True,
                "groups": [0, 0, 1], "fees": 0.001}
        if cs != "default":
            opts["callSeq"] = cs
        cases.append(run_case(f"cash-sharing-{cs}", "signals", {"close": c13}, opts,
                              "columns 0 and 1 share one cash account (group 0); column 2 is group 1; "
                              "value/cash/returns/stats per group. Bar 10: col 0 buys 60 while col 1 sells: "
                              "in column order (default) the buy comes first and is partly filled; 'auto' "
                              "sorts by approximate order value, so the sell comes first"))
    opts = {"entries": ent13, "exits": ex13, "cashSharing": True, "groups": [0, 0, 1], "direction": "both",
            "callSeq": "auto"}
    cases.append(run_case("cash-sharing-auto-both-inf", "signals", {"close": c13}, opts,
                          "size inf with shared cash: the first column called takes all the cash"))
    return cases


def order_cases():
    rng = np.random.default_rng(202)
    cases = []
    n, k = 40, 3
    close = random_walk(rng, n, k, vol=0.02)

    amount = np.full((n, k), np.nan)
    amount[0] = [0.5, 0.3, -0.4]
    amount[5] = [0.2, -0.3, 0.4]
    amount[12] = [-0.7, 0.5, 0.2]
    amount[20] = [0.4, np.nan, -1.0]
    amount[30] = [-0.4, -0.5, 0.3]
    for d in ("both", "long", "short"):
        opts = {"size": amount, "fees": 0.001}
        if d != "both":
            opts["direction"] = d
        cases.append(run_case(f"orders-amount-{d}", "orders", {"close": close}, opts,
                              "NaN sizes place no order; long: sells are capped at the position; "
                              "short: size sign is flipped (positive = sell short)"))

    value = np.full((n, k), np.nan)
    value[0] = [50.0, 30.0, -40.0]
    value[8] = [-20.0, 60.0, 20.0]
    value[16] = [-40.0, -100.0, 10.0]
    value[25] = [200.0, 30.0, -30.0]
    cases.append(run_case("orders-value", "orders", {"close": close}, {"size": value, "sizeType": "value", "fees": 0.002,
                                                                      "fixedFees": 0.1},
                          "size in currency; 200 is more than the cash: partial fill"))

    pct = np.full((n, k), np.nan)
    pct[0] = [0.5, 1.0, -0.5]
    pct[6] = [0.5, -0.5, -1.0]
    pct[14] = [-1.0, -1.0, 1.0]
    pct[22] = [1.0, 0.3, 0.5]
    for d in ("both", "long"):
        opts = {"size": pct, "sizeType": "percent"}
        if d != "both":
            opts["direction"] = d
        cases.append(run_case(f"orders-percent-{d}", "orders", {"close": close}, opts,
                              "percent of cash to buy, of the position (long) or of the sellable size to sell"))

    tamt = np.full((n, k), np.nan)
    tamt[0] = [1.0, 0.5, -0.5]
    tamt[10] = [0.5, -0.5, 0.0]
    tamt[20] = [0.0, 0.2, 0.4]
    cases.append(run_case("orders-target-amount", "orders", {"close": close},
                          {"size": tamt, "sizeType": "targetAmount", "fees": 0.001}, "target position size"))

    tval = np.full((n, k), np.nan)
    tval[0] = [50.0, 80.0, -50.0]
    tval[10] = [90.0, 20.0, 0.0]
    tval[20] = [0.0, -30.0, 60.0]
    cases.append(run_case("orders-target-value", "orders", {"close": close},
                          {"size": tval, "sizeType": "targetValue", "fees": 0.001}, "target position value"))

    # targetPercent: weights every 5 bars, NaN elsewhere
    n2, k2 = 60, 4
    c2 = random_walk(rng, n2, k2, vol=0.02)
    w = np.full((n2, k2), np.nan)
    for i in range(0, n2, 5):
        raw = rng.random(k2)
        w[i] = np.round(raw / raw.sum(), 4)
    cases.append(run_case("orders-target-percent", "orders", {"close": c2},
                          {"size": w, "sizeType": "targetPercent", "fees": 0.001},
                          "each column on its own cash: weight of its own value"))
    cases.append(run_case("orders-target-percent-shared-auto", "orders", {"close": c2},
                          {"size": w, "sizeType": "targetPercent", "fees": 0.001, "cashSharing": True,
                           "groups": [0, 0, 0, 0], "callSeq": "auto"},
                          "rebalancing one shared account every 5 bars; auto call sequence sells first"))
    cases.append(run_case("orders-target-percent-shared-default", "orders", {"close": c2},
                          {"size": w, "sizeType": "targetPercent", "fees": 0.001, "cashSharing": True,
                           "groups": [0, 0, 0, 0]},
                          "the same in column order: buys before sells can run short of cash"))
    ws = w.copy()
    ws[:, 3] *= -1
    cases.append(run_case("orders-target-percent-short-leg", "orders", {"close": c2},
                          {"size": ws, "sizeType": "targetPercent", "cashSharing": True, "groups": [0, 0, 1, 1],
                           "callSeq": "auto"},
                          "a negative weight is a short target"))

    # price given (fill at next bar's open-like price) and NaN close
    c3 = close.copy()
    c3[3, 1] = np.nan
    c3[13, 0] = np.nan
    px = c3 * (1 + rng.normal(0, 0.005, size=c3.shape))
    px[12, 2] = np.nan
    px[13, 0] = c3[12, 0]  # a price given on a bar whose close is NaN: the order fills
    amt3 = np.full((n, k), np.nan)
    amt3[[1, 3, 12, 13, 25], :] = [[0.5, 0.5, 0.5], [0.1, 0.1, 0.1], [-0.2, -0.2, -0.2], [0.3, 0.3, 0.3], [-1.0, -1.0, -1.0]]
    cases.append(run_case("orders-price-nan", "orders", {"close": c3}, {"size": amt3, "price": px, "slippage": 0.001},
                          "fills at a given price; NaN price ignores the order; (13, 0) has a price but a NaN close: "
                          "the order fills; NaN close is ffilled (then bfilled) for valuation"))

    # defaults: size inf every bar
    cases.append(run_case("orders-defaults", "orders", {"close": close[:, :1]}, {},
                          "size inf at every bar: the first bar buys all, later orders have no cash"))
    return cases


def random_cases(count_signals=10, count_orders=3):
    rng = np.random.default_rng(303)
    cases = []
    made = 0
    tries = 0
    while made < count_signals:
        tries += 1
        n = int(rng.integers(50, 81))
        # every third case has short signal pairs, cases 1, 5, 9 share cash (so both are always covered)
        force_ls = made % 3 == 2
        force_cs = made % 4 == 1
        k = int(rng.integers(2 if force_cs else 1, 5))
        close = random_walk(rng, n, k, vol=float(rng.choice([0.01, 0.02, 0.03])))
        prices = {"close": close}
        use_ohlc = bool(rng.random() < 0.5)
        if use_ohlc:
            o, h, l = ohlc_from_close(rng, close)
            prices.update(open=o, high=h, low=l)
        p = float(rng.choice([0.05, 0.1, 0.15]))
        opts = {"entries": sparse(rng, n, k, p), "exits": sparse(rng, n, k, p)}
        ls = bool(rng.random() < 0.3) or force_ls
        if ls:
            opts["shortEntries"] = sparse(rng, n, k, p)
            opts["shortExits"] = sparse(rng, n, k, p)
        else:
            d = str(rng.choice(["long", "short", "both"]))
            if d != "long":
                opts["direction"] = d
        st = str(rng.choice(["amount", "value", "percent", "inf"]))
        if st == "amount":
            opts["size"] = float(np.round(rng.uniform(0.1, 0.8), 3))
        elif st == "value":
            opts["size"], opts["sizeType"] = float(np.round(rng.uniform(10, 90), 2)), "value"
        elif st == "percent":
            opts["size"], opts["sizeType"] = float(np.round(rng.uniform(0.2, 1.0), 2)), "percent"
        for key, choices in (("fees", [0.0, 0.001, 0.0025]), ("slippage", [0.0, 0.0005, 0.002]), ("fixedFees", [0.0, 0.0, 0.5])):
            v = float(rng.choice(choices))
            if v != 0.0:
                opts[key] = v
        if rng.random() < 0.3:
            opts["accumulate"] = True
        opp = str(rng.choice(["ignore", "close", "closeReduce", "reverse", "reverseReduce", "reverseReduce"]))
        if opp != "reverseReduce":
            opts["uponOppositeEntry"] = opp
        if rng.random() < 0.5:
            opts["slStop"] = float(rng.choice([0.02, 0.04, 0.08]))
            if rng.random() < 0.4:
                opts["slTrail"] = True
        if rng.random() < 0.4:
            opts["tpStop"] = float(rng.choice([0.03, 0.06, 0.1]))
        if rng.random() < 0.3:
            opts["initCash"] = float(rng.choice([1000.0, 250.0]))
        if force_cs or (k >= 2 and rng.random() < 0.2):
            opts["cashSharing"] = True
            opts["groups"] = [int(g) for g in np.sort(rng.integers(0, 2, size=k))]
            opts["groups"] = [g - opts["groups"][0] for g in opts["groups"]]
            if rng.random() < 0.5:
                opts["callSeq"] = "auto"
        try:
            case = run_case(f"random-signals-{made}", "signals", prices, opts, f"seeded random (try {tries})")
        except Exception as e:  # e.g. percent sizes cannot reverse a position: draw again
            print(f"  random signals try {tries} rejected by vectorbt: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        cases.append(case)
        made += 1
    made = 0
    while made < count_orders:
        n = int(rng.integers(50, 81))
        k = int(rng.integers(1, 5))
        close = random_walk(rng, n, k)
        st = str(rng.choice(["amount", "value", "targetPercent"]))
        size = np.full((n, k), np.nan)
        mask = rng.random((n, k)) < 0.2
        if st == "amount":
            size[mask] = np.round(rng.normal(0, 0.5, size=mask.sum()), 3)
        elif st == "value":
            size[mask] = np.round(rng.normal(0, 40, size=mask.sum()), 2)
        else:
            size[mask] = np.round(rng.uniform(-0.3, 0.6, size=mask.sum()), 3)
        opts = {"size": size}
        if st != "amount":
            opts["sizeType"] = st
        d = str(rng.choice(["both", "long", "short"]))
        if d != "both":
            opts["direction"] = d
        fees = float(rng.choice([0.0, 0.001, 0.002]))
        if fees:
            opts["fees"] = fees
        if rng.random() < 0.5:
            opts["slippage"] = 0.001
        try:
            case = run_case(f"random-orders-{made}", "orders", {"close": close}, opts, "seeded random")
        except Exception as e:
            print(f"  random orders rejected by vectorbt: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        cases.append(case)
        made += 1
    return cases


# ---------------------------------------------------------------------------------------------------
# Crossovers


def crossed_cases():
    nan = np.nan
    out = []

    def add(name, a, b, note):
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
        if a.ndim == 1:
            a = a[:, None]
        if b.ndim == 1:
            b = b[:, None]
        n = a.shape[0]
        adf, bdf = frame(a, n), frame(b, n)
        above = adf.vbt.crossed_above(bdf).values
        below = adf.vbt.crossed_below(bdf).values
        out.append({"name": name, "note": note, "a": matrix(a), "b": matrix(b), "above": matrix(above), "below": matrix(below)})

    add("simple", [1, 2, 3, 4, 3, 2, 1, 2, 3], [2.5] * 9, "a crosses a constant up then down then up")
    add("ties", [1, 2, 2, 3, 3, 2, 2, 1, 2, 3], [2] * 10,
        "touching b (a == b) is neither above nor below; below -> equal -> above counts as a cross")
    add("tie-after-cross", [1, 3, 2, 3, 2, 1, 2, 1], [2] * 8,
        "above -> equal -> above again is a new cross (equality resets the count, not 'was below')")
    add("equal-runs", [5, 5, 5, 5, 6, 6, 4, 4, 4, 6], [5] * 10, "starts equal: no cross until a was strictly below")
    add("nan", [1, 3, nan, 1, 3, 1, nan, 3, 1, 3], [2, 2, 2, 2, 2, 2, 2, 2, nan, 2],
        "a NaN in a or b resets: a cross needs a strictly-below bar after the last NaN")
    add("first-bar-above", [3, 3, 1, 3], [2] * 4, "starting above is not a cross")
    rng = np.random.default_rng(404)
    a = np.round(rng.normal(0, 1, size=(40, 3)), 1)
    b = np.round(rng.normal(0, 1, size=(40, 3)), 1)
    a[rng.random((40, 3)) < 0.05] = nan
    b[rng.random((40, 3)) < 0.05] = nan
    add("random-matrices", a, b, "rounded to 0.1 so ties happen; some NaN")
    bb = np.round(rng.normal(0, 1, size=40), 1)
    add("random-broadcast-b", a, bb, "b has one column, broadcast over a's 3 columns")
    return out


# ---------------------------------------------------------------------------------------------------
# Grid


def grid_case():
    rng = np.random.default_rng(505)
    n = 300
    close = random_walk(rng, n, 1, vol=0.02)[:, 0]
    s = pd.Series(close, index=index(n))
    windows = list(range(2, 21))
    fast, slow = vbt.MA.run_combs(s, window=windows, r=2, short_names=["fast", "slow"])
    entries = fast.ma_crossed_above(slow)
    exits = fast.ma_crossed_below(slow)
    pf = vbt.Portfolio.from_signals(s, entries, exits, fees=0.001, freq="1D")
    cols = entries.columns
    fw = [int(x) for x in cols.get_level_values(0)]
    sw = [int(x) for x in cols.get_level_values(1)]
    counts = np.bincount(pf.orders.values["col"], minlength=len(cols))
    return {
        "note": "vbt.MA.run_combs(close, window=range(2, 21), r=2): simple MAs (rolling mean, min_periods=window); "
        "entries = fast.ma_crossed_above(slow), exits = fast.ma_crossed_below(slow); "
        "from_signals(close, entries, exits, fees=0.001, freq='1D')",
        "columnLevels": [str(x) for x in cols.names],
        "close": clean(close),
        "windows": windows,
        "fees": 0.001,
        "fast": fw,
        "slow": sw,
        "totalReturn": clean(pf.total_return().values),
        "sharpeRatio": clean(pf.sharpe_ratio().values),
        "orderCount": clean(counts),
    }


# ---------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()

    cases = signal_cases() + order_cases() + random_cases()
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    doc = {
        "generator": "scripts/backtest-fixtures.py",
        "vectorbt": VERSION,
        "commit": VBT_COMMIT,
        "engine": ENGINE,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "numba": numba.__version__,
        "defaults": DEFAULTS,
        "cases": cases,
        "crossed": crossed_cases(),
        "grid": grid_case(),
    }
    text = json.dumps(doc, allow_nan=False, separators=(",", ":"))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text + "\n")
    n_orders = sum(len(c["expected"]["orders"]["id"]) for c in cases)
    n_trades = sum(len(c["expected"]["trades"]["id"]) for c in cases)
    print(
        f"wrote {os.path.relpath(args.out, REPO)}: {len(text) / 1e6:.2f} MB, {len(cases)} cases "
        f"({n_orders} orders, {n_trades} trades), {len(doc['crossed'])} crossed, grid of {len(doc['grid']['fast'])} pairs; "
        f"vectorbt {VERSION} ({ENGINE}); ran {time.perf_counter() - T0:.1f} s"
    )


if __name__ == "__main__":
    main()
