#!/usr/bin/env python3
"""mlfinlab's bars on seeded tapes: the fixtures of test/features/bars-mlfinlab.test.ts.

Writes test/features/fixtures/mlfinlab-bars.json: two seeded tapes (ts in epoch ms, price on a 0.01 grid,
integer volumes, as doubles written with Python's shortest round-trip repr) and, per case, the bars
mlfinlab's 2020 public code builds from them, as columns named as kernelbus names them (ts, tickNum,
open, high, low, close, volume, buyVolume, ticks, dollarValue).

The peer: mlfinlab's data_structures as of its last 2020 change (commit fb8e1504 of 26 June 2020, the
tree at 1d26d6d436d9ee5122d34ea471e09fd927bb94ac): base_bars.py, standard_data_structures.py,
imbalance_data_structures.py, run_data_structures.py, time_data_structures.py and util/fast_ewma.py.
The upstream repository's current tree has these bodies removed ("pass"), so copy them out of a clone
that has the 2020 history (a fork of it), outside this repository:

    MLFINLAB=/tmp/mlfinlab2020
    mkdir -p $MLFINLAB/mlfinlab/data_structures $MLFINLAB/mlfinlab/util
    for f in base_bars standard_data_structures imbalance_data_structures run_data_structures \
             time_data_structures; do
      git -C <clone> show 1d26d6d4:mlfinlab/data_structures/$f.py > $MLFINLAB/mlfinlab/data_structures/$f.py
    done
    git -C <clone> show 1d26d6d4:mlfinlab/util/fast_ewma.py > $MLFINLAB/mlfinlab/util/fast_ewma.py

This script writes the two package __init__.py files it needs there (the real ones import all of
mlfinlab), and runs in a venv with numpy, pandas and numba (fast_ewma is numba-jitted; numpy 2 has no
`np.float`, which the bar code calls: it is set to `float` here, what it was):

    python3 -m venv /work/venv-features && /work/venv-features/bin/pip install numpy pandas numba
    /work/venv-features/bin/python scripts/features-fixtures/generate.py /tmp/mlfinlab2020

The tapes' `date_time` is the epoch-ms float itself: the bar code only carries it into the bar.
"""
import json
import os
import sys

import numpy as np

np.float = float  # removed in numpy 1.24; mlfinlab 2020 calls np.float(price)

import numba  # noqa: E402  (fast_ewma is jitted)
import pandas as pd  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'features', 'fixtures', 'mlfinlab-bars.json')
COLUMNS = ['ts', 'tickNum', 'open', 'high', 'low', 'close', 'volume', 'buyVolume', 'ticks', 'dollarValue']


def load_mlfinlab(path):
    """Imports the copied 2020 modules (package __init__ files written minimal: the bar code only)."""
    open(os.path.join(path, 'mlfinlab', '__init__.py'), 'w').close()
    open(os.path.join(path, 'mlfinlab', 'data_structures', '__init__.py'), 'w').close()
    with open(os.path.join(path, 'mlfinlab', 'util', '__init__.py'), 'w') as f:
        f.write('from mlfinlab.util.fast_ewma import ewma\n')
    sys.path.insert(0, path)
    from mlfinlab.data_structures import imbalance_data_structures as imb
    from mlfinlab.data_structures import run_data_structures as run
    from mlfinlab.data_structures import standard_data_structures as std
    from mlfinlab.data_structures import time_data_structures as tim
    return std, imb, run, tim


def tape(seed, n, drift_every):
    """n trades: ms times with ties, a random walk of 1-3 cent steps with repeats, regimes of drift."""
    rng = np.random.default_rng(seed)
    ts = 1_700_000_000_000 + np.cumsum(rng.integers(0, 400, n)).astype(float)
    regime = np.repeat(rng.choice([-0.35, 0.0, 0.35], n // drift_every + 1), drift_every)[:n]
    move = rng.choice([-1, 0, 1], n, p=[0.3, 0.4, 0.3]) + (rng.random(n) < np.abs(regime)) * np.sign(regime)
    cents = 10_000 + np.cumsum(move * rng.integers(1, 4, n))
    price = np.round(cents) / 100.0
    volume = rng.integers(1, 500, n).astype(float)
    return {'seed': seed, 'ts': compact(ts.tolist()), 'price': price.tolist(), 'volume': compact(volume.tolist())}


def compact(values):
    """Doubles for JSON: integral ones as integers (the same double read back, fewer bytes)."""
    return [int(x) if float(x).is_integer() and abs(x) < 2**53 else float(x) for x in values]


def columns(bars):
    """mlfinlab's bar DataFrame (or None: no bar) as kernelbus's columns."""
    if bars is None:
        return {c: [] for c in COLUMNS}
    names = ['date_time', 'tick_num', 'open', 'high', 'low', 'close', 'volume', 'cum_buy_volume', 'cum_ticks',
             'cum_dollar_value']
    return {c: compact(bars[m].tolist()) for c, m in zip(COLUMNS, names)}


def main():
    std, imb, run, tim = load_mlfinlab(sys.argv[1] if len(sys.argv) > 1 else '/tmp/mlfinlab2020')
    tapes = {'a': tape(55, 3000, 150), 'b': tape(56, 2500, 400), 'c': tape(57, 600, 100)}
    frames = {k: pd.DataFrame({'date_time': np.array(t['ts'], dtype=float), 'price': np.array(t['price'], dtype=float),
                             'volume': np.array(t['volume'], dtype=float)}) for k, t in tapes.items()}
    quiet = {'verbose': False}
    cases = []

    def add(name, tape_name, kernel, options, bars):
        cases.append({'name': name, 'tape': tape_name, 'kernel': kernel, 'options': options, 'bars': columns(bars)})

    standard = {'tick': std.get_tick_bars, 'volume': std.get_volume_bars, 'dollar': std.get_dollar_bars}
    for tape_name, thresholds in [('c', {'tick': [1]}),
                                  ('a', {'tick': [50, 333], 'volume': [5000, 40000], 'dollar': [1e6, 7.5e6]}),
                                  ('b', {'tick': [200], 'volume': [25000.5], 'dollar': [3e6, 1e12]})]:
        for by, values in thresholds.items():
            for threshold in values:
                bars = standard[by](frames[tape_name], threshold=threshold, **quiet)
                add(f'{by} bars, threshold {threshold}, tape {tape_name}', tape_name, 'bars',
                    {'by': by, 'threshold': threshold}, bars)

    # time bars: mlfinlab reads Timestamps (date_time.timestamp(), seconds) and labels a bar by its end
    # in whole seconds: bars of barMs = 1000 x seconds, their ts the end in ms
    for tape_name, resolution, units in [('c', 'S', 1), ('a', 'S', 5), ('a', 'MIN', 1), ('b', 'D', 1)]:
        frame = frames[tape_name].assign(date_time=pd.to_datetime(frames[tape_name]['date_time'], unit='ms'))
        bars = tim.get_time_bars(frame, resolution=resolution, num_units=units, **quiet)
        if bars is not None:
            bars = bars.assign(date_time=bars['date_time'] * 1000)
        seconds = {'S': 1, 'MIN': 60, 'H': 3600, 'D': 86400}[resolution] * units
        add(f'time bars, {units} {resolution}, tape {tape_name}', tape_name, 'bars', {'by': 'time', 'threshold': 1000 * seconds},
            bars)

    info = [
        # (tape, by, kind, numPrevBars, expectedImbalanceWindow, expNumTicksInit, constraints)
        ('c', 'tick', 'ema', 3, 100, 20, None),
        ('c', 'dollar', 'ema', 3, 1000, 100, None),
        ('a', 'tick', 'ema', 3, 100, 20, [15, 300]),
        ('c', 'volume', 'ema', 5, 500, 50, [10, 200]),
        ('a', 'dollar', 'ema', 3, 1000, 100, [50, 1000]),
        ('b', 'volume', 'ema', 10, 10000, 30, [20, 100]),
        ('a', 'tick', 'const', 3, 100, 20, None),
        ('a', 'volume', 'const', 3, 300, 40, None),
        ('b', 'dollar', 'const', 3, 2000, 200, None),
    ]
    for tape_name, by, kind, prev, window, init, constraints in info:
        frame = frames[tape_name]
        for family, module in [('imbalanceBars', imb), ('runBars', run)]:
            suffix = 'imbalance' if family == 'imbalanceBars' else 'run'
            getter = getattr(module, f'get_{kind}_{by}_{suffix}_bars')
            options = {'by': by, 'kind': kind, 'numPrevBars': prev, 'expectedImbalanceWindow': window,
                       'expNumTicksInit': init}
            if kind == 'ema':
                if constraints is not None:
                    options['expNumTicksConstraints'] = constraints
                bars, _ = getter(frame, num_prev_bars=prev, expected_imbalance_window=window, exp_num_ticks_init=init,
                                 exp_num_ticks_constraints=constraints, **quiet)
            elif family == 'runBars':
                bars, _ = getter(frame, num_prev_bars=prev, expected_imbalance_window=window, exp_num_ticks_init=init,
                                 **quiet)
            else:
                bars, _ = getter(frame, expected_imbalance_window=window, exp_num_ticks_init=init, **quiet)
            add(f'{by} {kind} {suffix} bars, window {window}, init {init}, tape {tape_name}', tape_name, family,
                options, bars)

    doc = {
        'source': 'mlfinlab data_structures at 1d26d6d436d9ee5122d34ea471e09fd927bb94ac (last change fb8e1504, '
                  '2020-06-26), numpy %s, pandas %s, numba %s; scripts/features-fixtures/generate.py' % (np.__version__, pd.__version__, numba.__version__),
        'tapes': tapes,
        'cases': cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    for c in cases:
        print(f"{len(c['bars']['ts']):5d} bars  {c['name']}")


if __name__ == '__main__':
    main()
