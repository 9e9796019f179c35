#!/usr/bin/env python3
"""The Python peer of the labeling bench (issue 90, item 3: native >= 100x mlfinlab): one round, run by
bench/labeling.ts in a child process between its own rounds, on the bench's own inputs (raw float64 files).

mlfinlab's 2020 labeling modules (fb8e1504, copied out by `npm run bench:peers` into
<peers>/src/mlfinlab-labeling; scripts/labeling-fixtures/generate.py's list), each called as
scripts/labeling-fixtures/notes.md records it, on the same inputs kernelbus gets:

- tripleBarrier: `labeling.get_events(close, t_events, [1, 1], target, 0, num_threads=1,
  vertical_barrier_times, verbose=False)` then `labeling.get_bins(events, close)`; close the bench's
  one-minute closes, t_events its CUSUM events, target its dailyVolatility, the vertical barriers its
  verticalBarriers (1 day). On the first --tb-events events (all of them by default).
- fracDiff: `fracdiff.frac_diff_ffd(DataFrame({'x': ln close}), 0.4, 1e-5)` on the first --fd-points
  points (a pandas loop per output row: its unit is a row, a point past the window's width).
- averageUniqueness: `concurrent.get_av_uniqueness_from_triple_barrier(DataFrame({'t1': t1}, index=t0),
  close, num_threads=1, verbose=False)` on kernelbus's triple-barrier events (the same t0 and t1).
- trendScanningLabels: `trend_scanning.trend_scanning_labels(close[:--trend-closes], t_events=the first
  --trend-events bars, 20, 5, 1)`.

Each case: a warm-up run and a timed run on its first --small units (100), then the median of --runs runs
on the units given. Where those are fewer than all, 'seconds' is the time of all of them extrapolated along
the line through the two timings (the small run carries what does not grow with the units); the JSON keeps
both timings. The last run's result is compared with kernelbus's (its triple-barrier events --ev-t0,
--ev-t1, --ev-label, and --fd-out, --au-out, --trend-t1, --trend-t), not timed: 'checks' in the JSON.
Prints one JSON document: versions, per case (named as bench/labeling.ts names them) the seconds, and
the checks.

Patches to run the 2020 code under pandas 3.0.6 and numpy 2.4.6 (the copied files are not edited):
  - `pd.Series.iteritems = pd.Series.items` (removed in pandas 2.0; the same iterator): apply_pt_sl_on_t1,
    num_concurrent_events, _get_average_uniqueness.
  - `pd.Series.append` / `pd.DataFrame.append` (removed in pandas 2.0; mp_pandas_obj stitches its
    molecules with them): `pd.concat([self, other])`, or `other.copy()` when self is the empty starting
    object (pandas 1.x's result). With num_threads=1 there is one molecule.
  - `DataFrame.fillna(method='ffill')` / `Series.fillna(method=...)` (the keyword was removed in pandas
    3.0; frac_diff_ffd calls it): `ffill()` / `bfill()` with the same axis, limit and inplace.
  - `statsmodels.tsa.stattools` is a stub module when statsmodels is not installed (fracdiff.py imports
    adfuller at the top, for plot_min_ffd only; the peers' venv has no statsmodels); `matplotlib.pyplot`
    likewise when matplotlib is not installed (the venv has it for vectorbt: the real one is imported).
  - OMP/OPENBLAS/MKL (and NUMBA) threads 1, so that nothing timed uses a second core (numpy's BLAS in
    get_betas' 2 x 2 inverse and frac_diff_ffd's dot; get_events and the uniqueness run with num_threads=1).
Nothing else was needed: every timed call runs to its end under pandas 3 with these, and the checks hold.
No `np.float` is used by these files.

    <peers venv>/bin/python bench/peers/labeling.py <mlfinlab-labeling folder> --ts TS.f64 --close C.f64 \
        --t0 T0.f64 --target TRGT.f64 --vertical T1.f64 --ev-t0 ... --runs 1
"""
import os
import sys

for _var in ('NUMBA_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = '1'

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

PACKAGES = ['labeling', 'filters', 'util', 'sampling', 'sample_weights', 'features', 'cross_validation',
            'structural_breaks']


def patch_pandas():
    """The patches of the docstring."""
    pd.Series.iteritems = pd.Series.items

    def append(self, other):
        if len(self.index) == 0 and (isinstance(self, pd.Series) or len(self.columns) == 0):
            return other.copy()
        return pd.concat([self, other])

    pd.Series.append = append
    pd.DataFrame.append = append

    def with_method(fillna):
        def patched(self, value=None, *, method=None, axis=None, inplace=False, limit=None, **kwargs):
            if method is None:
                return fillna(self, value, axis=axis, inplace=inplace, limit=limit, **kwargs)
            if value is not None:
                raise ValueError("Cannot specify both 'value' and 'method'.")
            fill = {'ffill': 'ffill', 'pad': 'ffill', 'bfill': 'bfill', 'backfill': 'bfill'}[method]
            return getattr(self, fill)(axis=axis, inplace=inplace, limit=limit)
        return patched

    pd.DataFrame.fillna = with_method(pd.DataFrame.fillna)
    pd.Series.fillna = with_method(pd.Series.fillna)


def stub(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


def load_mlfinlab(path):
    """Imports the copied modules (empty package __init__.py files: the real ones import all of mlfinlab)."""
    for package in [''] + PACKAGES:
        init = os.path.join(path, 'mlfinlab', package, '__init__.py')
        if os.path.isdir(os.path.dirname(init)) and not os.path.exists(init):
            open(init, 'w').close()
    patch_pandas()
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        stub('matplotlib').pyplot = stub('matplotlib.pyplot')
    try:
        import statsmodels.tsa.stattools  # noqa: F401
    except ImportError:
        def adfuller(*_args, **_kwargs):
            raise NotImplementedError('statsmodels is not installed (a stub for fracdiff.py\'s import)')
        stub('statsmodels').tsa = stub('statsmodels.tsa')
        sys.modules['statsmodels.tsa'].stattools = stub('statsmodels.tsa.stattools', adfuller=adfuller)
    sys.path.insert(0, path)
    from mlfinlab.features import fracdiff
    from mlfinlab.labeling import labeling, trend_scanning
    from mlfinlab.sampling import concurrent
    return types.SimpleNamespace(labeling=labeling, trend=trend_scanning, concurrent=concurrent, fracdiff=fracdiff)


def read(path):
    return np.fromfile(path, dtype='<f8')


def stamps(ms):
    """Epoch ms (NaN: NaT) as a DatetimeIndex."""
    return pd.DatetimeIndex(pd.to_datetime(ms, unit='ms'))


def timed(fn, runs):
    """(median seconds of `runs` calls, the last call's result)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def ms_of(times):
    """Timestamps (NaT allowed) as epoch ms floats, NaN for NaT."""
    index = pd.DatetimeIndex(times)
    out = index.as_unit('ms').asi8.astype(float)
    out[index.isna()] = np.nan
    return out


def same(a, b, tol=0.0):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return f'{a.shape[0]} values against kernelbus\'s {b.shape[0]}'
    both = np.isnan(a) & np.isnan(b)
    diff = np.abs(np.where(both, 0, a - b))
    worst = float(np.nanmax(np.where(np.isnan(diff), np.inf, diff))) if len(diff) else 0.0
    return 'equal' if worst <= tol else f'differs by {worst:.3g}'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('mlfinlab')
    for name in ['ts', 'close', 't0', 'target', 'vertical', 'ev-t0', 'ev-t1', 'ev-label', 'fd-out', 'au-out',
                 'trend-t1', 'trend-t']:
        parser.add_argument(f'--{name}', required=True)
    parser.add_argument('--tb-events', type=int, default=0, help='CUSUM events of the triple barrier timed (0: all)')
    parser.add_argument('--fd-points', type=int, default=0, help='points of fracDiff timed (0: all)')
    parser.add_argument('--au-events', type=int, default=0, help='events of averageUniqueness timed (0: all)')
    parser.add_argument('--trend-closes', type=int, default=20_000)
    parser.add_argument('--trend-events', type=int, default=0, help='events of trend scanning timed (0: every bar)')
    parser.add_argument('--small', type=int, default=100, help='units of the run that measures fixed costs')
    parser.add_argument('--runs', type=int, default=1)
    args = parser.parse_args()
    warnings.simplefilter('ignore', FutureWarning)
    ml = load_mlfinlab(args.mlfinlab)
    lab, conc, frac, trend = ml.labeling, ml.concurrent, ml.fracdiff, ml.trend

    ts, close_values = read(args.ts), read(args.close)
    close = pd.Series(close_values, index=stamps(ts))
    t0_all, vertical_all = read(args.t0), read(args.vertical)
    target = pd.Series(read(args.target), index=close.index)
    x_all = np.log(close_values)
    width = len(frac.get_weights_ffd(0.4, 1e-5, len(x_all))) - 1
    ev_t0, ev_t1, ev_label = read(args.ev_t0), read(args.ev_t1), read(args.ev_label)
    trend_close = close.iloc[:args.trend_closes]

    # Per case: units in all (kernelbus's size), units timed, and the call on the first `units` (its inputs
    # built before the clock starts). fracDiff's unit is an output row (a point past the window's width).
    def triple_call(units):
        t_events = stamps(t0_all[:units])
        vertical = pd.Series(stamps(vertical_all[:units]), index=t_events)

        def call():
            events = lab.get_events(close, t_events, [1, 1], target, 0, num_threads=1,
                                    vertical_barrier_times=vertical, verbose=False)
            return events, lab.get_bins(events, close)
        return call

    def frac_call(units):
        x = pd.DataFrame({'x': x_all[:units + width]}, index=close.index[:units + width])
        return lambda: frac.frac_diff_ffd(x, 0.4, 1e-5)

    def uniqueness_call(units):
        frame = pd.DataFrame({'t1': stamps(ev_t1[:units])}, index=stamps(ev_t0[:units]))
        return lambda: conc.get_av_uniqueness_from_triple_barrier(frame, close, num_threads=1, verbose=False)

    def trend_call(units):
        t_events = trend_close.index[:units]
        return lambda: trend.trend_scanning_labels(trend_close, t_events, 20, 5, 1)

    def pick(given, full):
        return min(given, full) if given > 0 else full

    cases = {
        'tripleBarrier': (len(t0_all), pick(args.tb_events, len(t0_all)), triple_call),
        'fracDiff': (len(x_all) - width, pick(args.fd_points - width, len(x_all) - width) if args.fd_points else
                     len(x_all) - width, frac_call),
        'averageUniqueness': (len(ev_t0), pick(args.au_events, len(ev_t0)), uniqueness_call),
        'trendScanningLabels': (args.trend_closes, pick(args.trend_events, args.trend_closes), trend_call),
    }
    results = []
    got = {}
    for name, (full, units, make) in cases.items():
        small = min(args.small, units)
        call_small = make(small)
        call_small()  # warm-up
        small_seconds, _ = timed(call_small, 1)
        seconds, got[name] = timed(make(units), args.runs)
        # units < full: the time of all of them, extrapolated along the line through the two runs (the
        # small run measures what does not grow with the units)
        total = seconds if units == full else seconds + (seconds - small_seconds) / (units - small) * (full - units)
        results.append({'case': name, 'seconds': total, 'timed_seconds': seconds, 'units': units, 'of': full,
                        'small_seconds': small_seconds, 'small': small})
        print(f'{name}: {seconds:.3f} s for {units} of {full} ({small_seconds:.3f} s for {small}): '
              f'{total:.3f} s for all', file=sys.stderr)

    # the results against kernelbus's (the same work was done): not timed
    checks = {}
    events, bins = got['tripleBarrier']
    last = t0_all[cases['tripleBarrier'][1] - 1]
    ours = ev_t0 <= last  # kernelbus's rows of the events timed
    checks['tripleBarrier'] = (f"{len(bins)} events labeled: t0 {same(ms_of(bins.index), ev_t0[ours])}, "
                               f"t1 {same(ms_of(events.loc[bins.index, 't1']), ev_t1[ours])}, "
                               f"label {same(bins['bin'].to_numpy(), ev_label[ours])}")
    fd = got['fracDiff']['x'].to_numpy()
    checks['fracDiff'] = f'values {same(fd, read(args.fd_out)[:len(fd)], 1e-9)} (1e-9)'
    au = got['averageUniqueness']['tW'].to_numpy()
    checks['averageUniqueness'] = f'values {same(au, read(args.au_out)[:len(au)], 1e-12)} (1e-12)'
    labels = got['trendScanningLabels']
    n = len(labels)
    checks['trendScanningLabels'] = (f"t1 {same(ms_of(labels['t1']), read(args.trend_t1)[:n])}, "
                                     f"t {same(labels['t_value'].to_numpy(dtype=float), read(args.trend_t)[:n], 1e-6)} "
                                     '(1e-6)')
    print(json.dumps({
        'versions': {'mlfinlab': 'fb8e1504 (2020)', 'numpy': np.__version__, 'pandas': pd.__version__,
                     'Python': platform.python_version()},
        'results': results,
        'checks': checks,
    }))


if __name__ == '__main__':
    main()
