"""The fixture scripts' JSON encoding (generate.py, generate_onnx.py): test/ml/fixtures/*.json hold
floats exactly (repr) and NaN / Infinity as strings, which the tests read back."""
import math

import numpy as np


def enc(v):
    """JSON-ready copy: floats exact (repr), NaN/Infinity as strings, numpy converted."""
    if isinstance(v, dict):
        return {k: enc(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, np.ndarray):
        return enc(v.tolist())
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return 'NaN'
        if math.isinf(f):
            return 'Infinity' if f > 0 else '-Infinity'
        return f
    return v
