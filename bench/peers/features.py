#!/usr/bin/env python3
"""The Python peer of the features bench (issues 55, 71: native bars >= 100x mlfinlab's): one round,
run by bench/features.ts in a child process between its own rounds, on the bench's own tape.

mlfinlab's 2020 bar code (copied out by `npm run bench:peers`, or as scripts/features-fixtures/generate.py
says) on the first --trades trades of the bench's cent-grid tape (raw float64 files ts, price, volume),
given as a DataFrame (date_time, price, volume); per case the median of --runs runs after one warm-up
run (numba's compile), verbose off. Prints one JSON document: versions, and per case (named as
bench/features.ts names its rows) the trades and seconds.

    <peers venv>/bin/python bench/peers/features.py <mlfinlab2020 folder> --ts TS.f64 --price P.f64 \
        --volume V.f64 --trades 200000
"""
import argparse
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('mlfinlab')
    parser.add_argument('--ts', required=True)
    parser.add_argument('--price', required=True)
    parser.add_argument('--volume', required=True)
    parser.add_argument('--trades', type=int, default=200_000)
    parser.add_argument('--runs', type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'features-fixtures'))
    from generate import load_mlfinlab
    std, imb, _, _ = load_mlfinlab(args.mlfinlab)
    n = args.trades
    frame = pd.DataFrame({name: np.fromfile(path, dtype='<f8', count=n)
                          for name, path in [('date_time', args.ts), ('price', args.price), ('volume', args.volume)]})
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
        for _ in range(args.runs):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        results.append({'case': name, 'trades': n, 'seconds': statistics.median(times)})
        print(f'{name}: {n / statistics.median(times):,.0f} trades/s', file=sys.stderr)
    print(json.dumps({
        'versions': {'mlfinlab': '1d26d6d4 (2020)', 'numpy': np.__version__, 'pandas': pd.__version__,
                     'numba': numba.__version__, 'Python': platform.python_version()},
        'results': results,
    }))


if __name__ == '__main__':
    main()
