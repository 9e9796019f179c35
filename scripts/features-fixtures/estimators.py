#!/usr/bin/env python3
"""mlfinlab's bar features on seeded bars: the fixtures of test/features/estimators-mlfinlab.test.ts.

Runs mlfinlab's own 2020 code: microstructural_features/first_generation.py (get_roll_measure,
get_roll_impact, get_corwin_schultz_estimator, get_bekker_parkinson_vol), second_generation.py
(get_bar_based_kyle_lambda, get_bar_based_amihud_lambda, get_bar_based_hasbrouck_lambda) and
util/volatility.py (get_parksinson_vol, get_garman_class_vol, get_yang_zhang_vol), as of commit
0a5dc4df (23 June 2020) of the fork codlaug/mlfinlab. Copy them out of a clone, outside this repository:

    M=/tmp/mlfinlab2020f
    mkdir -p $M/mlfinlab/microstructural_features $M/mlfinlab/util $M/mlfinlab/structural_breaks
    for f in first_generation second_generation; do
      git -C <clone> show 0a5dc4df:mlfinlab/microstructural_features/$f.py > $M/mlfinlab/microstructural_features/$f.py
    done
    git -C <clone> show 0a5dc4df:mlfinlab/util/volatility.py > $M/mlfinlab/util/volatility.py
    /work/venv-features/bin/python scripts/features-fixtures/estimators.py $M

This script writes the empty package __init__.py files and a stub of structural_breaks/sadf.py
(get_betas: only the trade-based lambdas, not run here, call it). pandas 3 removed
Series.replace(..., method='pad'), which the Kyle and Hasbrouck lambdas call: it is patched back
with pandas 1.x's semantics (a masked value takes the previous element's, NaN included: pad_inplace).
Rogers-Satchell has no mlfinlab function: its case is the term mlfinlab's Yang-Zhang sums, averaged
over the window with pandas (rolling(window).mean()), square-rooted.

Writes test/features/fixtures/mlfinlab-estimators.json: the bars (open, high, low, close, volume,
dollar volume; a NaN close in the second set) and per case the feature series (NaN as null).
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd

ROOT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/mlfinlab2020f"
for d in ["", "microstructural_features", "util", "structural_breaks"]:
    open(os.path.join(ROOT, "mlfinlab", d, "__init__.py"), "a").close()
with open(os.path.join(ROOT, "mlfinlab", "structural_breaks", "sadf.py"), "w") as f:
    f.write("def get_betas(X, y):\n    raise NotImplementedError('trade-based lambdas only')\n")
sys.path.insert(0, ROOT)

_replace = pd.Series.replace


def _replace_pad(self, to_replace=None, value=None, *args, method=None, **kwargs):
    """pandas 1.x: Series.replace(x, method='pad') fills each x with the element before it."""
    if method not in ("pad", "ffill"):
        return _replace(self, to_replace, value, *args, **kwargs)
    inplace = kwargs.get("inplace", False)
    values = self.to_numpy(dtype=float, copy=True)
    mask = values == to_replace
    val = values[0] if len(values) else np.nan
    for i in range(len(values)):
        if mask[i]:
            values[i] = val
        else:
            val = values[i]
    if inplace:
        self[:] = values
        return None
    return pd.Series(values, index=self.index, name=self.name)


pd.Series.replace = _replace_pad

from mlfinlab.microstructural_features import first_generation as g1  # noqa: E402
from mlfinlab.microstructural_features import second_generation as g2  # noqa: E402
from mlfinlab.util import volatility as vol  # noqa: E402


def bars(rng, n, nan_at=None):
    close = np.empty(n)
    open_ = np.empty(n)
    x = 100.0
    for t in range(n):
        open_[t] = x
        x = round(x * (1 + 0.01 * rng.standard_normal()), 2)
        close[t] = open_[t] if rng.random() < 0.15 else x  # unchanged closes: zero signs
    high = np.maximum(open_, close) * (1 + 0.005 * rng.random(n))
    low = np.minimum(open_, close) * (1 - 0.005 * rng.random(n))
    volume = rng.integers(1, 1000, n).astype(float)
    dollar = volume * close
    if nan_at is not None:
        close[nan_at] = np.nan
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume, "dollarVolume": dollar}


def clean(v):
    return [None if (isinstance(x, float) and math.isnan(x)) else float(x) for x in v]


def main():
    rng = np.random.default_rng(5519)
    sets = {"a": bars(rng, 300), "b": bars(rng, 120, nan_at=60), "short": bars(rng, 15)}
    cases = []
    for name, b in sets.items():
        s = {k: pd.Series(v) for k, v in b.items()}
        for w in [2, 5, 20]:
            rows = {
                ("rollMeasure", "value"): g1.get_roll_measure(s["close"], w),
                ("rollImpact", "value"): g1.get_roll_impact(s["close"], s["dollarVolume"], w),
                ("corwinSchultz", "spread"): g1.get_corwin_schultz_estimator(s["high"], s["low"], w),
                ("corwinSchultz", "sigma"): g1.get_bekker_parkinson_vol(s["high"], s["low"], w),
                ("kyleLambda", "value"): g2.get_bar_based_kyle_lambda(s["close"], s["volume"], w),
                ("amihudLambda", "value"): g2.get_bar_based_amihud_lambda(s["close"], s["dollarVolume"], w),
                ("hasbrouckLambda", "value"): g2.get_bar_based_hasbrouck_lambda(s["close"], s["dollarVolume"], w),
                ("parkinson", "value"): vol.get_parksinson_vol(s["high"], s["low"], w),
                ("garman-klass", "value"): vol.get_garman_class_vol(s["open"], s["high"], s["low"], s["close"], w),
                ("yang-zhang", "value"): vol.get_yang_zhang_vol(s["open"], s["high"], s["low"], s["close"], w),
            }
            term = np.log(s["high"] / s["close"]) * np.log(s["high"] / s["open"]) + np.log(s["low"] / s["close"]) * np.log(
                s["low"] / s["open"]
            )
            rows[("rogers-satchell", "value")] = np.sqrt(term.rolling(window=w).mean())
            for (kernel, output), series in rows.items():
                cases.append({"bars": name, "kernel": kernel, "output": output, "window": w, "values": clean(series.to_numpy())})
    out = {
        "source": "mlfinlab 2020 (codlaug/mlfinlab 0a5dc4df): scripts/features-fixtures/estimators.py",
        "versions": {"numpy": np.__version__, "pandas": pd.__version__},
        "bars": {k: {f: clean(v) for f, v in b.items()} for k, b in sets.items()},
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "features", "fixtures", "mlfinlab-estimators.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
