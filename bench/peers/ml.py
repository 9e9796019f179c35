#!/usr/bin/env python3
"""The LightGBM peer of the ml bench (issue 91): bench/ml.ts runs it in a child process, once to train
the bench's model ('train') and then once a round between its own rounds ('time'), on the bench's own
inputs (raw float64 files, row-major).

train: the labels of the first --train rows of X (a fixed nonlinear function of the features, NaN read
as 0, with numpy's seeded noise), a binary LightGBM model of --trees trees of --leaves leaves trained on
them (num_threads=1, deterministic=True, seed fixed: the same model text on every run of the same
LightGBM), the last --categorical features declared categorical, saved with booster.save_model() to
--model. That text is loaded back (Booster(model_file=...), as kernelbus loads it) and writes its
predictions of X (--pred) and its pred_contrib of X's first --contrib rows (--contrib-out): what
bench/ml.ts checks its own against before any timing. Its JSON: the versions, the seconds the training
took, the trees and their leaves.

time: the model loaded from --model, then per case a warm-up (a batch of its calls; where one call takes
seconds, one call of the same kind on a few rows) and the median over its --batches batches of the
seconds a call (a batch: its --calls calls, back to back), as LightGBM's Python user calls it:

- predict: booster.predict(X, num_threads=--threads), X a matrix of the --x ring (cycled);
- one row: booster.predict(X[i:i + 1], num_threads=1), i cycling through the first --one-ring rows;
- contributions: booster.predict(S, pred_contrib=True, num_threads=--threads), S a slice of --contrib
  rows, --contrib-ring slices from X's first rows (cycled).

Prints one JSON document: versions, per case (named as bench/ml.ts names them) the seconds.

    <python with lightgbm> bench/peers/ml.py train --x X.f64 --cols 50 --ring 1 --model model.txt \\
        --pred P.f64 --contrib-out C.f64
    <python with lightgbm> bench/peers/ml.py time --x X.f64 --cols 50 --ring 1 --model model.txt \\
        --calls '{"predict": 1, "one row": 300, "contributions": 1}' --batches '{"predict": 1, ...}'
"""

import argparse
import json
import platform
import sys
import time

sys.dont_write_bytecode = True  # no bytecode cache folder left in the checkout (peer_timing)
from peer_timing import per_call  # noqa: E402

import numpy as np

import lightgbm as lgb


def read(path, cols):
    x = np.fromfile(path, dtype="<f8")
    return x.reshape(x.size // cols, cols)


def labels(x, seed):
    """A fixed nonlinear score of the features (NaN read as 0), its sign with some noise flipped in."""
    z = np.nan_to_num(x, nan=0.0)
    c = x.shape[1]
    cat_a, cat_b = z[:, c - 2], z[:, c - 1]
    score = (
        np.sin(2 * z[:, 0]) + z[:, 1] * z[:, 2] - 0.5 * np.abs(z[:, 3]) + 0.3 * z[:, 4] ** 2
        + 0.2 * z[:, 5:15].sum(axis=1) - 0.1 * z[:, 15:25].sum(axis=1)
        + np.where(np.isnan(x[:, 6]), 0.8, 0.0)
        + 0.6 * np.cos(cat_a) + np.where(cat_b % 3 == 0, 0.7, -0.2)
    )
    rng = np.random.default_rng(seed)
    return (score + rng.normal(0.0, 1.0, size=score.shape) > 0.2).astype(np.float64)


def versions():
    return {"LightGBM": lgb.__version__, "numpy": np.__version__, "Python": platform.python_version()}


def train(args, X):
    n = args.train
    categorical = list(range(args.cols - args.categorical, args.cols))
    params = {
        "objective": "binary",
        "num_leaves": args.leaves,
        "learning_rate": 0.05,
        "min_data_in_leaf": 20,
        "max_bin": 63,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "num_threads": 1,
        "deterministic": True,
        "force_col_wise": True,
        "seed": args.seed,
        "verbose": -1,
    }
    t0 = time.perf_counter()
    data = lgb.Dataset(X[:n], label=labels(X[:n], args.seed), categorical_feature=categorical, free_raw_data=False)
    booster = lgb.train(params, data, num_boost_round=args.trees)
    booster.save_model(args.model)
    trained = time.perf_counter() - t0
    loaded = lgb.Booster(model_file=args.model)
    ring = X.reshape(args.ring, -1, args.cols)
    pred = np.concatenate([loaded.predict(m, num_threads=args.threads) for m in ring])
    pred.astype("<f8").tofile(args.pred)
    contrib = loaded.predict(ring[0][: args.contrib], pred_contrib=True, num_threads=args.threads)
    np.ascontiguousarray(contrib, dtype="<f8").tofile(args.contrib_out)
    leaves = [t["num_leaves"] for t in loaded.dump_model()["tree_info"]]
    print(
        json.dumps(
            {
                "versions": versions(),
                "results": [{"case": "train", "seconds": trained}],
                "checks": {
                    "trees": str(len(leaves)),
                    "leaves": f"{min(leaves)}-{max(leaves)} leaves a tree, {sum(leaves)} in all",
                    "positives": f"{labels(X[:n], args.seed).mean():.3f}",
                },
            }
        )
    )


def timing(args, X):
    booster = lgb.Booster(model_file=args.model)
    ring = X.reshape(args.ring, -1, args.cols)
    one = ring[0][: args.one_ring]
    slices = ring[0][: args.contrib_ring * args.contrib].reshape(args.contrib_ring, args.contrib, args.cols)
    calls = json.loads(args.calls)
    batches = json.loads(args.batches)
    # (the call, its warm-up: a call of the same kind on a few rows where a whole batch would take seconds)
    cases = {
        "predict": (
            lambda i: booster.predict(ring[i % args.ring], num_threads=args.threads),
            lambda: booster.predict(ring[0][:1000], num_threads=args.threads),
        ),
        "one row": (lambda i: booster.predict(one[i % args.one_ring : i % args.one_ring + 1], num_threads=1), None),
        "contributions": (
            lambda i: booster.predict(slices[i % args.contrib_ring], pred_contrib=True, num_threads=args.threads),
            lambda: booster.predict(slices[0][:10], pred_contrib=True, num_threads=args.threads),
        ),
    }
    results = []
    for name, (fn, warm) in cases.items():
        seconds = per_call(fn, calls[name], batches[name], warm)
        results.append({"case": name, "seconds": seconds})
        print(f"{name}: {seconds * 1e3:.4f} ms", file=sys.stderr)
    print(json.dumps({"versions": versions(), "results": results}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("train", "time"))
    ap.add_argument("--x", required=True, help="the ring of matrices, rows x cols each, float64")
    ap.add_argument("--cols", type=int, required=True)
    ap.add_argument("--ring", type=int, required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--contrib", type=int, default=1000, help="rows a contributions call")
    ap.add_argument("--contrib-ring", type=int, default=4)
    ap.add_argument("--one-ring", type=int, default=1024)
    # train
    ap.add_argument("--train", type=int, default=20000, help="rows trained on (the first of X)")
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--leaves", type=int, default=63)
    ap.add_argument("--categorical", type=int, default=2)
    ap.add_argument("--seed", type=int, default=91)
    ap.add_argument("--pred")
    ap.add_argument("--contrib-out")
    # time
    ap.add_argument("--calls", help="JSON: calls a batch, per case")
    ap.add_argument("--batches", help="JSON: batches a timing, per case")
    args = ap.parse_args()
    X = read(args.x, args.cols)
    if args.mode == "train":
        train(args, X)
    else:
        timing(args, X)


if __name__ == "__main__":
    main()
