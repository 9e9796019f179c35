#!/usr/bin/env python3
"""mlfinlab's labeling, sample weights, fractional differences and purged folds on seeded minute bars.

Writes test/labeling/fixtures/mlfinlab-labeling.json: four seeded series of one-minute closes (ts in epoch
ms, 390 bars a day 09:30-15:59 UTC, weekdays only; closes a random walk on a 0.01 grid) and, per case, the
inputs and what mlfinlab's 2020 public code returns for them, under the names kernelbus's labeling kernels
use (see scripts/labeling-fixtures/notes.md for each kernel's exact call and the quirks the cases show).

The peer: mlfinlab at commit fb8e1504 (26 June 2020). The upstream repository's current tree has these
bodies removed, so copy them out of a clone that has the 2020 history, outside this repository:

    MLFINLAB=/tmp/mlfinlab2020
    for f in labeling/labeling labeling/trend_scanning labeling/fixed_time_horizon filters/filters \\
             util/volatility util/multiprocess sampling/concurrent sampling/bootstrapping \\
             sample_weights/attribution features/fracdiff cross_validation/cross_validation \\
             cross_validation/combinatorial structural_breaks/sadf; do
      mkdir -p $MLFINLAB/mlfinlab/$(dirname $f)
      git -C <clone> show fb8e1504:mlfinlab/$f.py > $MLFINLAB/mlfinlab/$f.py
    done

This script writes the package __init__.py files it needs there, all empty (the real ones import all of
mlfinlab), and imports the modules directly. It runs in a venv with the versions it records in the JSON:

    python3 -m venv /work/venv-labeling && /work/venv-labeling/bin/pip install 'numpy==1.26.4' \\
        'pandas==2.2.3' 'scikit-learn==1.6.1' scipy numba statsmodels
    /work/venv-labeling/bin/python scripts/labeling-fixtures/generate.py /tmp/mlfinlab2020

Patches to run 2020 code on pandas 2.2 (nothing else is changed; the copied files are not edited):
  - `pd.Series.iteritems = pd.Series.items` (iteritems was removed in pandas 2.0; the same iterator).
  - `pd.Series.append` / `pd.DataFrame.append` (removed in pandas 2.0; mp_pandas_obj stitches its
    molecules with them) as `pd.concat([self, other])`, and `other.copy()` when self is the empty
    starting object (pandas 1.x's result; it avoids 2.2's empty-concat dtype warning). With
    num_threads=1 there is one molecule, so this is the one job's result, then sort_index().
  - `matplotlib` / `matplotlib.pyplot` are stub modules in sys.modules (fracdiff.py imports pyplot at the
    top for plot_min_ffd only, not used here); statsmodels is the real one (adfuller, not used either).
  - numba is the real one (numba's jit of bootstrapping._bootstrap_loop_run); NUMBA_NUM_THREADS=1 (and
    OMP/OpenBLAS/MKL threads 1) so the prange loop runs on one core.
No `np.float` is used by these files. Every mp_pandas_obj user is called with num_threads=1 and
verbose=False. pandas 2.2's FutureWarnings (positional Series[int] in PurgedKFold and
CombinatorialPurgedKFold, fillna(method=) in fracdiff, pct_change's default fill_method) are silenced:
the behaviour they announce is still 1.x's.

Cases with "reference": "own" (purgedKFold, convention 'afml') are the book's purge-and-embargo rule in
plain Python here, not mlfinlab. sequentialBootstrap cases are Monte Carlo means over seeds 0..199
(np.random.RandomState(seed) for seq_bootstrap and for the standard bootstrap), with standard errors.

The barrier column of tripleBarrier cases is barrier_touched's 'bin' before get_bins zeroes meta-labels:
mlfinlab's own barrier_touched, wrapped (labeling.barrier_touched replaced by a function that calls it and
keeps a copy of its 'bin'), so get_bins itself runs unchanged and the capture is what it computed.
"""
import os
import sys

for _var in ('NUMBA_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = '1'

import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
import statsmodels  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'labeling', 'fixtures',
                   'mlfinlab-labeling.json')
MINUTE = 60_000
HOUR = 3_600_000
DAY = 86_400_000
PACKAGES = ['labeling', 'filters', 'util', 'sampling', 'sample_weights', 'features', 'cross_validation',
            'structural_breaks']


def load_mlfinlab(path):
    """Imports the copied 2020 modules, with the pandas 2.2 patches of the docstring."""
    for package in [''] + PACKAGES:
        open(os.path.join(path, 'mlfinlab', package, '__init__.py'), 'w').close()
    pd.Series.iteritems = pd.Series.items

    def append(self, other):
        if len(self.index) == 0 and (isinstance(self, pd.Series) or len(self.columns) == 0):
            return other.copy()
        return pd.concat([self, other])

    pd.Series.append = append
    pd.DataFrame.append = append
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        stub = types.ModuleType('matplotlib')
        stub.pyplot = types.ModuleType('matplotlib.pyplot')
        sys.modules['matplotlib'] = stub
        sys.modules['matplotlib.pyplot'] = stub.pyplot
    sys.path.insert(0, path)
    from mlfinlab.cross_validation import combinatorial, cross_validation
    from mlfinlab.features import fracdiff
    from mlfinlab.filters import filters
    from mlfinlab.labeling import fixed_time_horizon, labeling, trend_scanning
    from mlfinlab.sample_weights import attribution
    from mlfinlab.sampling import bootstrapping, concurrent
    from mlfinlab.util import volatility
    return types.SimpleNamespace(labeling=labeling, trend=trend_scanning, fixed=fixed_time_horizon,
                                 filters=filters, volatility=volatility, concurrent=concurrent,
                                 bootstrapping=bootstrapping, attribution=attribution, fracdiff=fracdiff,
                                 cv=cross_validation, cpcv=combinatorial)


# ---------------------------------------------------------------------------------------------- data

def minute_stamps(first_day, n, first_minute=0):
    """n one-minute bar times (epoch ms, float): 390 a weekday from 09:30 UTC, from first_minute of first_day."""
    out = []
    day = pd.Timestamp(first_day)
    start = first_minute
    while len(out) < n:
        if day.weekday() < 5:
            for k in range(start, 390):
                out.append((day + pd.Timedelta(minutes=570 + k)).value // 1_000_000)
                if len(out) == n:
                    break
        start = 0
        day += pd.Timedelta(days=1)
    return np.array(out, dtype=float)


def random_walk(seed, ts):
    """Closes: log-returns N(drift, 0.001), drift -2e-4/0/2e-4 in 60-bar regimes, N(0, 0.004) more at each
    day's open; from 100, rounded to 0.01."""
    rng = np.random.default_rng(seed)
    n = len(ts)
    drift = np.repeat(rng.choice([-2e-4, 0.0, 2e-4], n // 60 + 1), 60)[:n]
    log_ret = rng.normal(drift, 1e-3)
    gap = np.diff(ts, prepend=ts[0]) > MINUTE
    log_ret[gap] += rng.normal(0.0, 4e-3, int(gap.sum()))
    log_ret[0] = 0.0
    return np.round(10_000 * np.exp(np.cumsum(log_ret))) / 100


def make_series():
    spec = {  # name: (seed, first day, bars, first minute of the first day)
        'a': (101, '2024-01-04', 1170, 0),  # Thu, Fri, Mon
        'b': (102, '2024-03-05', 2340, 0),  # Tue .. Tue
        'c': (103, '2024-05-09', 200, 210),  # Thu 13:00 .. Fri 09:49
        'nan': (104, '2024-05-16', 200, 210),  # Thu 13:00 .. Fri 09:49, interior NaN closes
    }
    out = {}
    for name, (seed, day, n, minute) in spec.items():
        ts = minute_stamps(day, n, minute)
        close = random_walk(seed, ts)
        if name == 'nan':
            close[[37, 38, 101, 150]] = np.nan
        out[name] = {'ts': ts, 'close': close}
    return out


def compact(values):
    """Doubles for JSON: integral ones as integers (the same double read back, fewer bytes), NaN as null."""
    out = []
    for x in values:
        if x is None or (isinstance(x, (float, np.floating)) and math.isnan(x)):
            out.append(None)
        else:
            x = float(x)
            if math.isinf(x):
                raise ValueError('infinite value in a fixture')
            out.append(int(x) if x.is_integer() and abs(x) < 2**53 else x)
    return out


def index_of(ts):
    return pd.to_datetime(np.asarray(ts, dtype=float), unit='ms')


def ms(times):
    """Timestamps (Index, Series, list; NaT/None allowed) -> epoch ms floats, None for NaT."""
    return [None if pd.isna(t) else float(pd.Timestamp(t).value // 1_000_000) for t in list(times)]


def error_text(exc):
    return f'{type(exc).__name__}: {exc}'


# ---------------------------------------------------------------------------------------------- cases

class Cases:
    def __init__(self):
        self.cases = []

    def add(self, name, kernel, series, inp, options, expected, reference=None):
        assert name not in {c['name'] for c in self.cases}, name
        case = {'name': name, 'kernel': kernel, 'series': series, 'input': inp, 'options': options,
                'expected': expected}
        if reference is not None:
            case['reference'] = reference
        self.cases.append(case)
        return case


def main():
    ml = load_mlfinlab(sys.argv[1] if len(sys.argv) > 1 else '/tmp/mlfinlab2020')
    warnings.simplefilter('ignore', FutureWarning)
    raw = make_series()
    close = {k: pd.Series(v['close'], index=index_of(v['ts'])) for k, v in raw.items()}
    for k, v in raw.items():  # the ms -> datetime64[ns] -> ms round trip is exact
        assert np.array_equal(close[k].index.asi8 // 1_000_000, v['ts'].astype(np.int64)), k
    out = Cases()
    lab = ml.labeling

    # 1. cusumFilter ------------------------------------------------------------------------------
    def cusum(series, threshold, name):
        c = close[series]
        h = pd.Series(threshold, index=c.index) if isinstance(threshold, np.ndarray) else threshold
        events = ml.filters.cusum_filter(c, h, time_stamps=True)
        options = {'threshold': compact(threshold) if isinstance(threshold, np.ndarray) else threshold}
        out.add(name, 'cusumFilter', series, {}, options, {'t0': ms(events)})
        return events

    events_a = cusum('a', 0.003, 'cusum a threshold 0.003')
    cusum('a', 0.005, 'cusum a threshold 0.005')
    cusum('b', 0.002, 'cusum b threshold 0.002 (many events)')
    cusum('b', 0.01, 'cusum b threshold 0.01 (few events)')
    events_b = cusum('b', 0.004, 'cusum b threshold 0.004')
    events_c = cusum('c', 0.0025, 'cusum c threshold 0.0025')
    cusum('c', 0, 'cusum c threshold 0 (ties: a flat bar, return 0 = threshold, fires no event)')
    log_ret_c = np.log(close['c']).diff()
    first_up = int(np.argmax(log_ret_c.to_numpy() > 0))  # S+ is 0 before it, then exactly this return
    tie = float(log_ret_c.iloc[first_up])
    cusum('c', tie, f'cusum c threshold = the first positive log return (S+ equal to it at bar {first_up}: no event)')
    log_ret_a = np.log(close['a']).diff()
    vol_threshold = (3 * log_ret_a.rolling(60).std()).to_numpy()
    cusum('a', vol_threshold, 'cusum a threshold series 3 x rolling 60-bar std (NaN for 60 bars)')
    vol_threshold_b = (2 * np.log(close['b']).diff().ewm(span=100).std()).to_numpy()
    cusum('b', vol_threshold_b, 'cusum b threshold series 2 x ewm std span 100')
    events_nan = cusum('nan', 0.002, 'cusum nan threshold 0.002 (a NaN return resets both sums)')
    try:
        ml.filters.cusum_filter(close['c'], [0.01] * len(close['c']))
        raise AssertionError('list threshold accepted')
    except ValueError as exc:
        wrong_type = error_text(exc)  # notes.md only: kernelbus takes an array as a series

    # 2. dailyVolatility -------------------------------------------------------------------------
    daily_vol = {}
    for series, lookback in [('a', 100), ('b', 100), ('b', 20), ('c', 100)]:
        vol = ml.volatility.get_daily_vol(close[series], lookback).reindex(close[series].index)
        daily_vol[(series, lookback)] = vol
        note = ' (less than a day: no value)' if series == 'c' else ''
        out.add(f'daily vol {series} lookback {lookback}{note}', 'dailyVolatility', series, {},
                {'lookback': lookback}, {'values': compact(vol.to_numpy())})

    # 3. verticalBarriers ------------------------------------------------------------------------
    def vertical(series, t_events, span_ms, name):
        c = close[series]
        seconds = span_ms // 1000
        barriers = lab.add_vertical_barrier(t_events, c, num_days=seconds // 86400,
                                            num_hours=seconds % 86400 // 3600,
                                            num_minutes=seconds % 3600 // 60, num_seconds=seconds % 60)
        t1 = barriers.reindex(t_events)
        assert len(barriers) == 0 or barriers.index.equals(t_events[:len(barriers)])
        if name is not None:
            out.add(name, 'verticalBarriers', series, {'t0': ms(t_events)}, {'ms': span_ms}, {'t1': ms(t1)})
        return barriers

    ts_a = close['a'].index
    # bars 61, 60, 59 before the end (the first's 60-minute barrier is the last bar itself), the last two,
    # and Friday's last bar (its barriers are Monday's first bar)
    near_end = ts_a[[-391, -62, -61, -60, -2, -1]]
    assert ts_a[-1] - ts_a[-61] == pd.Timedelta(minutes=60)
    events_a_end = events_a.union(near_end)
    vertical('a', events_a_end, DAY, 'vertical a 1 day, cusum 0.003 events + events near the end')
    vertical('a', events_a_end, 60 * MINUTE, 'vertical a 60 minutes, cusum 0.003 events + events near the end')
    vertical('a', events_a_end, MINUTE, 'vertical a 1 minute, cusum 0.003 events + events near the end')
    vertical('b', events_b, DAY + 30 * MINUTE, 'vertical b 1 day 30 minutes, cusum 0.004 events')
    vb_a_day = vertical('a', events_a, DAY, None)
    vb_a_hour = vertical('a', events_a, 60 * MINUTE, None)
    vb_b_day = vertical('b', events_b, DAY, None)
    vb_c_15 = vertical('c', events_c, 15 * MINUTE, None)

    # 4. tripleBarrier ---------------------------------------------------------------------------
    captured = {}
    barrier_touched = lab.barrier_touched

    def capture(out_df, events):
        result = barrier_touched(out_df, events)
        captured['bin'] = result['bin'].copy()
        return result

    lab.barrier_touched = capture
    side_rng = np.random.default_rng(7)
    sides = {'a': pd.Series(side_rng.choice([-1.0, 1.0], len(events_a)), index=events_a)}

    def triple(series, t_events, pt_sl, target, min_ret, vb=None, side=None, name=None):
        """get_events then get_bins; returns (events, bins) or the error text."""
        c = close[series]
        target_series = target if isinstance(target, pd.Series) else pd.Series(float(target), index=c.index)
        inp = {'t0': ms(t_events),
               'target': compact(target.to_numpy()) if isinstance(target, pd.Series) else target}
        if vb is not None:
            inp['t1'] = ms(vb.reindex(t_events))
        if side is not None:
            inp['side'] = compact(side.reindex(t_events).to_numpy())
        options = {'ptSl': list(pt_sl), 'minReturn': min_ret}
        captured.clear()
        try:
            events = lab.get_events(c, t_events, list(pt_sl), target_series, min_ret, num_threads=1,
                                    vertical_barrier_times=False if vb is None else vb,
                                    side_prediction=side, verbose=False)
            bins = lab.get_bins(events, c)
        except Exception as exc:  # noqa: BLE001
            if name is not None:
                out.add(name, 'tripleBarrier', series, inp, options, {'error': error_text(exc)})
            return error_text(exc)
        kept = events.dropna(subset=['t1'])
        assert kept.index.equals(bins.index)
        barrier = captured['bin'] if len(bins) else pd.Series([], dtype=float)
        expected = {'t0': ms(bins.index), 't1': ms(kept['t1']), 'target': compact(bins['trgt'].to_numpy())}
        if side is not None:
            expected['side'] = compact(bins['side'].to_numpy())
        expected.update({'ret': compact(bins['ret'].to_numpy()), 'label': compact(bins['bin'].to_numpy()),
                         'barrier': compact(barrier.to_numpy())})
        if name is not None:
            out.add(name, 'tripleBarrier', series, inp, options, expected)
        return events, bins

    vol_a = daily_vol[('a', 100)]
    grid = {}
    for pt_sl in [(1, 1), (2, 1), (1, 2), (0, 1), (1, 0)]:
        for with_side in (False, True):
            side = sides['a'] if with_side else None
            tag = f'ptSl [{pt_sl[0]},{pt_sl[1]}]' + (' side' if with_side else ' no side')
            grid[(pt_sl, with_side, 'none')] = triple(
                'a', events_a, pt_sl, 0.002, 0, None, side, f'triple a {tag}, target 0.002, no vertical')
            grid[(pt_sl, with_side, 'hour')] = triple(
                'a', events_a, pt_sl, 0.002, 0, vb_a_hour, side, f'triple a {tag}, target 0.002, vertical 60 min')
            grid[(pt_sl, with_side, 'day')] = triple(
                'a', events_a, pt_sl, vol_a, 0, vb_a_day, side, f'triple a {tag}, daily vol, vertical 1 day')
    event_vol = vol_a.reindex(events_a).dropna()
    median_vol = float(np.round(event_vol.median(), 4))
    triple('a', events_a, (1, 1), vol_a, median_vol, vb_a_hour, None,
           f'triple a ptSl [1,1] no side, daily vol, minReturn {median_vol} (drops some), vertical 60 min')
    triple('a', events_a, (1, 2), vol_a, median_vol, vb_a_day, sides['a'],
           f'triple a ptSl [1,2] side, daily vol, minReturn {median_vol} (drops some), vertical 1 day')
    triple('a', events_a, (1, 1), 0.002, 0.002, vb_a_hour, None,
           'triple a ptSl [1,1], target 0.002 = minReturn (every event dropped: error)')
    cv_events = triple('b', events_b, (1, 1), daily_vol[('b', 100)], 0, vb_b_day, None,
                       'triple b ptSl [1,1] no side, daily vol, vertical 1 day')
    # 'nan': the CUSUM events, plus events at NaN closes (37, 101) and right before/after them
    c_nan = close['nan']
    events_nan_all = events_nan.union(c_nan.index[[20, 36, 37, 39, 100, 101, 149, 151]])
    vb_nan_hour = vertical('nan', events_nan_all, 60 * MINUTE, None)
    side_nan = pd.Series(np.random.default_rng(8).choice([-1.0, 1.0], len(events_nan_all)), index=events_nan_all)
    triple('nan', events_nan_all, (1, 1), 0.002, 0, vb_nan_hour, None,
           'triple nan ptSl [1,1] no side, target 0.002, vertical 60 min, events at NaN closes')
    triple('nan', events_nan_all, (1, 1), 0.002, 0, None, side_nan,
           'triple nan ptSl [1,1] side, target 0.002, no vertical, events at NaN closes')
    triple_c = triple('c', events_c, (1, 1), 0.002, 0, vb_c_15, None,
                      'triple c ptSl [1,1] no side, target 0.002, vertical 15 min')

    # 5. trendScanningLabels ---------------------------------------------------------------------
    def linear_windows(series, t_events, look_forward, min_length, step):
        """Windows trend scanning fits whose closes are exactly linear in cents (constant included)."""
        cents = np.round(close[series].to_numpy() * 100)
        pos = close[series].index.get_indexer(t_events)
        found = []
        for p in pos:
            window = cents[p:p + look_forward]
            if len(window) < look_forward:
                continue
            for k in range(min_length, len(window), step):
                if np.all(np.diff(window[:k], 2) == 0):
                    found.append((int(p), k))
        return found

    def trend(series, t_events, look_forward, min_length, step, name):
        c = close[series]
        assert not linear_windows(series, c.index if t_events is None else t_events, look_forward, min_length,
                                  step), name
        labels = ml.trend.trend_scanning_labels(c, t_events, look_forward, min_length, step)
        inp = {} if t_events is None else {'t0': ms(t_events)}
        out.add(name, 'trendScanningLabels', series, inp,
                {'lookForward': look_forward, 'minSampleLength': min_length, 'step': step},
                {'t0': ms(labels.index), 't1': ms(labels['t1']), 'tValue': compact(labels['t_value'].to_numpy()),
                 'ret': compact(labels['ret'].to_numpy()), 'label': compact(labels['bin'].to_numpy())})

    trend('c', None, 20, 5, 1, 'trend c every bar, defaults 20/5/1')
    trend('a', events_a, 50, 10, 3, 'trend a cusum 0.003 events, lookForward 50, minSampleLength 10, step 3')
    trend('a', events_a, 20, 5, 1, 'trend a cusum 0.003 events, defaults 20/5/1')

    # 6. fixedHorizonLabels ----------------------------------------------------------------------
    def fixed(series, threshold, lag, standardized, window, name):
        c = close[series]
        h = pd.Series(threshold, index=c.index) if isinstance(threshold, np.ndarray) else threshold
        labels = ml.fixed.fixed_time_horizon(c, h, resample_by=None, lag=lag, standardized=standardized,
                                             window=window)
        options = {'threshold': compact(threshold) if isinstance(threshold, np.ndarray) else threshold,
                   'lag': lag, 'standardized': standardized}
        if window is not None:
            options['window'] = window
        out.add(name, 'fixedHorizonLabels', series, {}, options, {'values': compact(labels.to_numpy())})

    fixed('a', 0, True, False, None, 'fixed a threshold 0 lag')
    fixed('a', 0.001, True, False, None, 'fixed a threshold 0.001 lag')
    fixed('a', 0.001, False, False, None, 'fixed a threshold 0.001 no lag')
    h_series = (close['a'].pct_change().rolling(30).std()).to_numpy()
    fixed('a', h_series, True, False, None, 'fixed a threshold series rolling 30-bar std (NaN: the return kept)')
    fixed('a', 1, True, True, 20, 'fixed a standardized window 20 threshold 1 lag')
    fixed('b', 0.5, False, True, 20, 'fixed b standardized window 20 threshold 0.5 no lag')
    fixed('nan', 0.0005, True, False, None, 'fixed nan threshold 0.0005 lag (NaN close padded)')
    fixed('nan', 0.0005, False, False, None, 'fixed nan threshold 0.0005 no lag (NaN close padded)')
    fixed('nan', 1, True, True, 20, 'fixed nan standardized window 20 threshold 1 lag')

    # 7-10. concurrentEvents, averageUniqueness, returnWeights, timeDecayWeights -------------------
    def spans(events_bins):
        events, bins = events_bins
        kept = events.dropna(subset=['t1'])
        return kept.index, kept['t1']

    e1_t0, e1_t1 = spans(grid[((1, 1), False, 'hour')])
    e2_t0, e2_t1 = spans(cv_events)
    e3_t1 = e1_t1.copy()
    e3_t1.iloc[[5, 40, -2, -1]] = pd.NaT
    span_sets = [('a', e1_t0, e1_t1, 'a triple [1,1] 60 min events', [1, 0.5, 0, -0.5]),
                 ('b', e2_t0, e2_t1, 'b triple [1,1] 1 day events', [0.5]),
                 ('a', e1_t0, e3_t1, 'a triple [1,1] 60 min events, 4 t1 null', [0.5])]
    from mlfinlab.util.multiprocess import mp_pandas_obj

    for series, t0, t1, label, decays in span_sets:
        c = close[series]
        frame = pd.DataFrame({'t1': t1}, index=t0)
        inp = {'t0': ms(t0), 't1': ms(t1)}
        # num_concurrent_events as get_av_uniqueness_from_triple_barrier (and get_weights_by_return) run it
        counts = mp_pandas_obj(ml.concurrent.num_concurrent_events, ('molecule', frame.index), 1,
                               close_series_index=c.index, label_endtime=frame['t1'], verbose=False)
        counts = counts.loc[~counts.index.duplicated(keep='last')].reindex(c.index).fillna(0)
        out.add(f'concurrent {label}', 'concurrentEvents', series, inp, {}, {'values': compact(counts.to_numpy())})
        try:
            tw = ml.concurrent.get_av_uniqueness_from_triple_barrier(frame, c, num_threads=1, verbose=False)['tW']
            assert tw.index.equals(t0)
            expected = {'values': compact(tw.to_numpy())}
        except Exception as exc:  # noqa: BLE001
            expected = {'error': error_text(exc)}
        out.add(f'uniqueness {label}', 'averageUniqueness', series, inp, {}, expected)
        try:
            w = ml.attribution.get_weights_by_return(frame, c, num_threads=1, verbose=False)
            assert w.index.equals(t0)
            expected = {'values': compact(w.to_numpy())}
        except Exception as exc:  # noqa: BLE001
            expected = {'error': error_text(exc)}
        out.add(f'return weights {label}', 'returnWeights', series, inp, {}, expected)
        for decay in decays:
            try:
                w = ml.attribution.get_weights_by_time_decay(frame, c, num_threads=1, decay=decay, verbose=False)
                assert w.index.equals(t0)
                expected = {'values': compact(w.to_numpy())}
            except Exception as exc:  # noqa: BLE001
                expected = {'error': error_text(exc)}
            out.add(f'time decay {decay} {label}', 'timeDecayWeights', series, inp, {'decay': decay}, expected)

    # 11. fracDiffWeights ------------------------------------------------------------------------
    for d in [0, 0.1, 0.4, 0.5, 1, 1.5, 2]:
        for thr in [1e-5, 1e-3, 1e-2]:
            w = ml.fracdiff.get_weights_ffd(d, thr, 10**9)
            out.add(f'ffd weights d {d} threshold {thr}', 'fracDiffWeights', None, {'d': d}, {'threshold': thr},
                    {'values': compact(w[:, 0])})
    for d in [0.4, 1.5]:
        w = ml.fracdiff.get_weights_ffd(d, 1e-5, 7)
        out.add(f'ffd weights d {d} threshold 1e-05 limit 7', 'fracDiffWeights', None, {'d': d},
                {'threshold': 1e-5, 'limit': 7}, {'values': compact(w[:, 0])})

    # 12. fracDiff -------------------------------------------------------------------------------
    def frac(series, d, thr, name, x=None):
        c = close[series]
        values = np.log(c.to_numpy()) if x is None else x
        try:
            got = ml.fracdiff.frac_diff_ffd(pd.DataFrame({'x': values}, index=c.index), d, thr)['x']
            expected = {'values': compact(got.to_numpy())}
        except Exception as exc:  # noqa: BLE001
            expected = {'error': error_text(exc)}
        out.add(name, 'fracDiff', series, {'x': compact(values)}, {'d': d, 'threshold': thr}, expected)

    frac('a', 0.4, 1e-5, 'frac diff a log close d 0.4 threshold 1e-5 (1458 weights: capped, one value)')
    frac('a', 0.4, 1e-3, 'frac diff a log close d 0.4 threshold 1e-3')
    frac('a', 1, 1e-5, 'frac diff a log close d 1 threshold 1e-5')
    frac('a', 0.1, 1e-5, 'frac diff a log close d 0.1 threshold 1e-5 (weights longer than x: capped)')
    frac('c', 0.1, 1e-5, 'frac diff c log close d 0.1 threshold 1e-5 (weights longer than x: capped)')
    frac('b', 0.4, 1e-5, 'frac diff b log close d 0.4 threshold 1e-5')
    frac('b', 0.5, 1e-4, 'frac diff b log close d 0.5 threshold 1e-4')
    frac('c', 0.4, 1e-5, 'frac diff c log close d 0.4 threshold 1e-5')
    frac('nan', 0.4, 1e-3, 'frac diff nan log close d 0.4 threshold 1e-3 (interior NaN padded)')
    frac('nan', 1, 1e-5, 'frac diff nan log close d 1 threshold 1e-5 (interior NaN padded)')
    leading = np.log(close['nan'].to_numpy())
    leading[:3] = np.nan
    frac('nan', 0.4, 1e-3, 'frac diff nan log close, first 3 NaN, d 0.4 threshold 1e-3', leading)
    leading_wide = leading.copy()
    frac('nan', 1, 1e-5, 'frac diff nan log close, first 3 NaN, d 1 threshold 1e-5', leading_wide)

    # 13. purgedKFold -------------------------------------------------------------------------------
    def afml_folds(t0, t1, splits, embargo):
        """The book's rule, own code: purge train samples whose [t0, t1] meets any test sample's, then
        embargo the floor(n x embargo) samples right after the test block."""
        a0 = t0.asi8
        a1 = pd.DatetimeIndex(t1).asi8
        n = len(a0)
        size = int(n * embargo)
        folds = []
        for block in np.array_split(np.arange(n), splits):
            start, end = int(block[0]), int(block[-1]) + 1
            test = list(range(start, end))
            train = []
            for i in range(n):
                if start <= i < end or end <= i < end + size:
                    continue
                if any(a0[i] <= a1[j] and a0[j] <= a1[i] for j in test):
                    continue
                train.append(i)
            folds.append({'train': train, 'test': test})
        return folds

    def folds_of(generator):
        return [{'train': [int(i) for i in train], 'test': [int(i) for i in test]} for train, test in generator]

    cv_t0, cv_t1 = e2_t0, e2_t1
    info = pd.Series(cv_t1.to_numpy(), index=cv_t0)
    x_frame = pd.DataFrame({'x': np.zeros(len(info))}, index=cv_t0)
    cv_inp = {'t0': ms(cv_t0), 't1': ms(cv_t1)}
    for splits in [3, 5]:
        for embargo in [0, 0.01, 0.05]:
            pkf = ml.cv.PurgedKFold(n_splits=splits, samples_info_sets=info, pct_embargo=embargo)
            out.add(f'purged k-fold b events splits {splits} embargo {embargo}', 'purgedKFold', 'b', cv_inp,
                    {'splits': splits, 'embargo': embargo, 'convention': 'mlfinlab'},
                    {'folds': folds_of(pkf.split(x_frame))})
            out.add(f'purged k-fold b events splits {splits} embargo {embargo}, the book\'s rule', 'purgedKFold', 'b',
                    cv_inp, {'splits': splits, 'embargo': embargo, 'convention': 'afml'},
                    {'folds': afml_folds(cv_t0, cv_t1, splits, embargo)}, reference='own')
    a_info = pd.Series(e1_t1.to_numpy(), index=e1_t0)
    pkf = ml.cv.PurgedKFold(n_splits=4, samples_info_sets=a_info, pct_embargo=0.02)
    a_inp = {'t0': ms(e1_t0), 't1': ms(e1_t1)}
    out.add('purged k-fold a events splits 4 embargo 0.02', 'purgedKFold', 'a', a_inp,
            {'splits': 4, 'embargo': 0.02, 'convention': 'mlfinlab'},
            {'folds': folds_of(pkf.split(pd.DataFrame({'x': np.zeros(len(a_info))})))})
    out.add('purged k-fold a events splits 4 embargo 0.02, the book\'s rule', 'purgedKFold', 'a', a_inp,
            {'splits': 4, 'embargo': 0.02, 'convention': 'afml'}, {'folds': afml_folds(e1_t0, e1_t1, 4, 0.02)},
            reference='own')
    try:
        folds_of(ml.cv.PurgedKFold(n_splits=5, samples_info_sets=info, pct_embargo=0.25).split(x_frame))
        raise AssertionError('embargo past the end accepted')
    except (IndexError, KeyError) as exc:
        out.add('purged k-fold b events splits 5 embargo 0.25 (embargo past the end: error)', 'purgedKFold', 'b',
                cv_inp, {'splits': 5, 'embargo': 0.25, 'convention': 'mlfinlab'}, {'error': error_text(exc)})

    # 14. combinatorialPurgedKFold ------------------------------------------------------------------
    for splits, test_splits, embargo in [(4, 2, 0), (4, 2, 0.02), (6, 2, 0), (6, 2, 0.02), (5, 3, 0)]:
        cpcv = ml.cpcv.CombinatorialPurgedKFold(n_splits=splits, n_test_splits=test_splits, samples_info_sets=info,
                                                pct_embargo=embargo)
        out.add(f'combinatorial b events splits {splits} test splits {test_splits} embargo {embargo}',
                'combinatorialPurgedKFold', 'b', cv_inp,
                {'splits': splits, 'testSplits': test_splits, 'embargo': embargo, 'convention': 'mlfinlab'},
                {'folds': folds_of(cpcv.split(x_frame))})

    # 15. indicatorMatrix -------------------------------------------------------------------------
    def indicator(series, t0, t1, name):
        c = close[series]
        samples = pd.Series(pd.DatetimeIndex(t1), index=t0, name='t1')
        inp = {'t0': ms(t0), 't1': ms(t1)}
        try:
            matrix = ml.bootstrapping.get_ind_matrix(samples, c.to_frame('close'))
        except Exception as exc:  # noqa: BLE001
            out.add(name, 'indicatorMatrix', series, inp, {}, {'error': error_text(exc)})
            return None
        # the rows, as get_ind_matrix builds them (it returns the matrix only)
        bars = c.index[(c.index >= samples.index.min()) & (c.index <= samples.max())]
        rows = sorted(set(list(samples.index) + list(samples) + list(bars)))
        assert len(rows) == matrix.shape[0]
        out.add(name, 'indicatorMatrix', series, inp, {},
                {'rows': ms(rows), 'values': compact(matrix.reshape(-1))})
        return matrix

    ct0, ct1 = spans(triple_c)
    matrix_c = indicator('c', ct0, ct1, 'indicator c triple [1,1] 15 min events')
    t0_off = close['c'].index[[3, 10, 11, 40, 60, 62, 100, 150, 190, 198]]
    t1_off = t0_off + pd.to_timedelta([90, 30, 600, 1230, 45, 300, 61, 7200, 950, 200], unit='s')
    matrix_off = indicator('c', t0_off, t1_off, 'indicator c 10 events, t1 between bars and past the last bar')
    indicator('a', e1_t0[:12], e3_t1[:12].where(np.arange(12) != 5), 'indicator a, a t1 null (error)')

    # 16. sequentialBootstrap ---------------------------------------------------------------------
    # Monte Carlo, no bit parity: per seed 0..199, seq_bootstrap(random_state=RandomState(seed)) and a
    # standard bootstrap RandomState(seed).choice(events, events); the mean average uniqueness of each
    def bootstrap(series, t0, t1, matrix, name, draws=200):
        seq, std = [], []
        for seed in range(draws):
            phi = ml.bootstrapping.seq_bootstrap(matrix, random_state=np.random.RandomState(seed))
            seq.append(ml.bootstrapping.get_ind_mat_average_uniqueness(matrix[:, phi]))
            uniform = np.random.RandomState(seed).choice(matrix.shape[1], size=matrix.shape[1])
            std.append(ml.bootstrapping.get_ind_mat_average_uniqueness(matrix[:, uniform]))
        seq, std = np.array(seq), np.array(std)
        out.add(name, 'sequentialBootstrap', series, {'t0': ms(t0), 't1': ms(t1)}, {},
                {'sequentialMean': float(seq.mean()), 'sequentialStderr': float(seq.std(ddof=1) / np.sqrt(draws)),
                 'standardMean': float(std.mean()), 'standardStderr': float(std.std(ddof=1) / np.sqrt(draws)),
                 'draws': draws})

    bootstrap('c', ct0, ct1, matrix_c, 'sequential bootstrap c triple [1,1] 15 min events (indicator case), 200 draws')
    bootstrap('c', t0_off, t1_off, matrix_off,
              'sequential bootstrap c 10 events, t1 between bars (indicator case), 200 draws')

    versions = {'python': platform.python_version(), 'numpy': np.__version__, 'pandas': pd.__version__,
                'scikit-learn': sklearn.__version__, 'scipy': scipy.__version__, 'numba': numba.__version__,
                'statsmodels': statsmodels.__version__}
    doc = {
        'source': 'mlfinlab fb8e1504 (2020-06-26): labeling/labeling.py, trend_scanning.py, fixed_time_horizon.py, '
                  'filters/filters.py, util/volatility.py, util/multiprocess.py, sampling/concurrent.py, '
                  'bootstrapping.py, sample_weights/attribution.py, features/fracdiff.py, '
                  'cross_validation/cross_validation.py, combinatorial.py, structural_breaks/sadf.py; cases '
                  'marked "reference": "own" are the book\'s rule in plain Python; '
                  'scripts/labeling-fixtures/generate.py',
        'versions': versions,
        'series': {k: {'ts': compact(v['ts']), 'close': compact(v['close'])} for k, v in raw.items()},
        'cases': out.cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(doc, f, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    check(doc)
    for c in out.cases:
        e = c['expected']
        size = 'error' if 'error' in e else next((len(v) for v in e.values() if isinstance(v, list)), 1)
        print(f"{c['kernel']:>24} {size!s:>6}  {c['name']}")
    print('cusum threshold of wrong type:', wrong_type)
    print(f'{len(out.cases)} cases, {os.path.getsize(OUT)} bytes')


def check(doc):
    """Every kernel has two cases or more; every case's arrays have the lengths its kernel states."""
    kernels = {}
    for c in doc['cases']:
        kernels[c['kernel']] = kernels.get(c['kernel'], 0) + 1
        k, inp, opt, e = c['kernel'], c['input'], c['options'], c['expected']
        n = len(doc['series'][c['series']]['ts']) if c['series'] else None
        m = len(inp['t0']) if inp.get('t0') is not None else None
        for key in ('threshold', 'target'):
            for v in (opt.get(key), inp.get(key)):
                assert not isinstance(v, list) or len(v) == n, (c['name'], key)
        for key in ('t1', 'side'):
            assert key not in inp or len(inp[key]) == m, (c['name'], key)
        if 'error' in e:
            continue
        if k in ('dailyVolatility', 'fixedHorizonLabels', 'concurrentEvents'):
            assert len(e['values']) == n, c['name']
        elif k == 'fracDiff':
            assert len(e['values']) == len(inp['x']) == n, c['name']
        elif k in ('averageUniqueness', 'returnWeights', 'timeDecayWeights'):
            assert len(e['values']) == m, c['name']
        elif k == 'verticalBarriers':
            assert len(e['t1']) == m, c['name']
        elif k == 'fracDiffWeights':
            assert e['values'][-1] == 1 and len(e['values']) <= opt.get('limit', 10**9), c['name']
        elif k in ('tripleBarrier', 'trendScanningLabels'):
            lengths = {len(v) for v in e.values()}
            assert len(lengths) == 1, c['name']
            assert ('side' in e) == ('side' in inp) or k == 'trendScanningLabels', c['name']
            if k == 'trendScanningLabels':
                assert lengths == {n if m is None else m}, c['name']
        elif k in ('purgedKFold', 'combinatorialPurgedKFold'):
            count = opt['splits'] if k == 'purgedKFold' else math.comb(opt['splits'], opt['testSplits'])
            assert len(e['folds']) == count, c['name']
            for fold in e['folds']:
                assert all(0 <= i < m for i in fold['train'] + fold['test']), c['name']
        elif k == 'indicatorMatrix':
            assert len(e['values']) == len(e['rows']) * m, c['name']
    assert all(count >= 2 for count in kernels.values()) and len(kernels) == 16, kernels
    print(kernels)


if __name__ == '__main__':
    main()
