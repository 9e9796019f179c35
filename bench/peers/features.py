#!/usr/bin/env python3
"""The Python peer of the features bench (issue 55: native bars >= 100x mlfinlab's), run by hand,
never by a test or `npm run bench`.

mlfinlab's 2020 bar code (copied out as scripts/features-fixtures/generate.py says) on a cent-grid tape
of TRADES trades drawn like the bench's centGrid (0-19 ms gaps, 45% unchanged prices, a cent up or
down otherwise, volumes 1..100), given as a DataFrame (date_time, price, volume); medians of RUNS
runs, verbose off. Writes bench/peers/features.json: the date, machine, load, versions and per case
(named as bench/features.ts names its rows) the trades and median seconds.

    /work/venv-features/bin/python bench/peers/features.py /tmp/mlfinlab2020 --out bench/peers/features.json
    npx biome check --write bench/peers/features.json
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

np.float = float  # removed in numpy 1.24; mlfinlab 2020 calls np.float(price)

import numba  # noqa: E402
import pandas as pd  # noqa: E402

TRADES = 200_000
RUNS = 3


def tape(n, seed=1):
    rng = np.random.default_rng(seed)
    ts = 1_700_000_000_000 + np.cumsum(rng.integers(0, 20, n)).astype(float)
    u = rng.random(n)
    step = np.where(u < 0.45, 0, np.where(u < 0.725, 1, -1))
    price = (10_000 + np.cumsum(step)) / 100.0
    volume = rng.integers(1, 101, n).astype(float)
    return pd.DataFrame({'date_time': ts, 'price': price, 'volume': volume})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('mlfinlab', nargs='?', default='/tmp/mlfinlab2020')
    parser.add_argument('--out')
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'features-fixtures'))
    from generate import load_mlfinlab
    std, imb, _, _ = load_mlfinlab(args.mlfinlab)
    frame = tape(TRADES)
    quiet = {'verbose': False}
    cases = {
        'bars by tick, 1,000 a bar': lambda: std.get_tick_bars(frame, threshold=1000, **quiet),
        'bars by volume, 50,000 a bar': lambda: std.get_volume_bars(frame, threshold=50_000, **quiet),
        'bars by dollar, 5e6 a bar': lambda: std.get_dollar_bars(frame, threshold=5e6, **quiet),
        'imbalanceBars tick ema, window 1000, ticks in [100, 10^4]': lambda: imb.get_ema_tick_imbalance_bars(
            frame, num_prev_bars=3, expected_imbalance_window=1000, exp_num_ticks_init=500,
            exp_num_ticks_constraints=[100, 10_000], **quiet),
    }
    results = []
    for name, fn in cases.items():
        fn()  # numba's compile
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        results.append({'case': name, 'trades': TRADES, 'seconds': statistics.median(times), 'runs': times})
        print(f'{name}: {TRADES / statistics.median(times):,.0f} trades/s', file=sys.stderr)
    doc = {
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'machine': {'cores': os.cpu_count(), 'loadAverage': [round(x, 2) for x in os.getloadavg()],
                    'platform': platform.platform()},
        'versions': {'python': platform.python_version(), 'numpy': np.__version__, 'pandas': pd.__version__,
                     'numba': numba.__version__, 'mlfinlab': '1d26d6d4 (2020)'},
        'results': results,
    }
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
