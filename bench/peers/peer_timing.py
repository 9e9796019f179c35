"""What the Python peers that time calls share (bench/peers/ml.py, ml_onnx.py, margin.py): the time of
a call, as the TS side's medianPerCall measures ours. Imported from the scripts' own folder (Python puts a
script's folder first on sys.path)."""

import statistics
import time


def per_call(fn, calls, batches, warm=None):
    """Median over batches of the seconds a call, after a warm-up batch (or warm(), a call of the same
    kind); fn gets the call's index."""
    i = 0
    if warm is not None:
        warm()
    else:
        for _ in range(calls):
            fn(i)
            i += 1
    times = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn(i)
            i += 1
        times.append((time.perf_counter() - t0) / calls)
    return statistics.median(times)
