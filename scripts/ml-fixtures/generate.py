#!/usr/bin/env python3
"""LightGBM text models and what LightGBM's own Python package predicts for them.

Writes test/ml/fixtures/lightgbm.json, the vectors kernelbus's LightGBM text-model evaluator is held to:

    { "versions": {...},
      "cases":  [ { name, model, features, X, predict, raw, iterations, predictIterations,
                    rawIterations, contrib, ...metadata }, ... ],
      "broken": [ { name, model, edit, lightgbmLoads, lightgbmError }, ... ] }

Recorded with (the versions are also written into the JSON):
    Python 3.11.7, lightgbm 4.7.0 (the PyPI wheel, its bundled lib_lightgbm.so, x86-64), numpy 1.26.4,
    pandas 2.2.3

Run (a few seconds, one thread; no network):
    /work/venv-labeling/bin/python scripts/ml-fixtures/generate.py

The venv is the one scripts/labeling-fixtures uses, plus lightgbm:
    /work/venv-labeling/bin/pip install 'lightgbm==4.7.0'

Everything is seeded (numpy default_rng per case, LightGBM seed=, num_threads=1, deterministic=True,
force_col_wise=True), so a rerun with the same versions writes the same bytes.

Encoding: every double is written with Python's float repr (shortest string that round-trips), numpy
scalars through float()/int(); NaN is the JSON string "NaN", infinities "Infinity" / "-Infinity" (in X
and in any output). "model" is booster.model_to_string() verbatim. Predictions are those of a Booster
loaded back from that text (lgb.Booster(model_str=...)), asserted identical to the trained booster's.

Outputs, per case (n rows, K = num_tree_per_iteration (1, or num_class for multiclass / multiclassova),
F = len(features)):
    predict / raw / predictIterations / rawIterations: length n for K = 1, else n lists of K
    contrib: n lists of K*(F+1): for each class k, F per-feature SHAP values then the expected value
    iterations: k; predictIterations = predict(X, num_iteration=k), i.e. the first k iterations
                (k*K trees, start_iteration=0)

Self-checks before writing (the script stops on a failure):
  - X survives the JSON encoding bit for bit (decoded again and compared, NaN positions included), and
    predictions from the decoded X equal the recorded ones.
  - raw (full and first-k iterations) equals, exactly, the per-tree sum over trees in model order of the
    leaf values from booster.dump_model() at the leaves booster.predict(X, pred_leaf=True) reports.
  - An independent walk of the model TEXT in this file (walk_text_model: the NumericalDecision /
    CategoricalDecision rules the notes in the JSON describe) reproduces raw and predict exactly.
  - contrib rows sum to raw per class (to 1e-9 relative).
  - The decision_type / missing-type coverage each case claims is present in its model text.
"""
import json
import math
import os
import platform
import re
import subprocess
import sys

os.environ.setdefault('OMP_NUM_THREADS', '1')

import lightgbm as lgb  # noqa: E402
import numpy as np  # noqa: E402
from encode import enc  # noqa: E402 (./encode.py: this folder is first on sys.path)
import pandas as pd  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'test', 'ml', 'fixtures', 'lightgbm.json')
SEED = 20240611
K_ZERO = float(np.float32(1e-35))  # LightGBM kZeroThreshold = 1e-35f, as a double: 1.0000000180025095e-35
COMMON = dict(num_threads=1, deterministic=True, force_col_wise=True, verbose=-1, seed=SEED)
NAN, INF = float('nan'), float('inf')


# ------------------------------------------------------------------------------------------ encoding

# enc(): ./encode.py


def dec(v):
    if isinstance(v, list):
        return [dec(x) for x in v]
    if v == 'NaN':
        return NAN
    if v == 'Infinity':
        return INF
    if v == '-Infinity':
        return -INF
    return v


def same_bits(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    na, nb = np.isnan(a), np.isnan(b)
    return bool(np.array_equal(na, nb) and np.array_equal(a[~na].view(np.uint64), b[~nb].view(np.uint64)))


# ------------------------------------------------------------------------ independent text-model walk

def parse_model_text(text):
    """The header and the trees of a LightGBM v4 text model (the fields prediction needs)."""
    head, _, rest = text.partition('\nTree=')
    header = dict(line.split('=', 1) for line in head.splitlines() if '=' in line)
    body = rest.split('\nend of trees')[0]
    trees = []
    for block in ('Tree=' + body).split('\nTree=')[0:]:
        kv = dict(line.split('=', 1) for line in block.strip().splitlines() if '=' in line)
        nl = int(kv['num_leaves'])

        def arr(key, conv):
            s = kv.get(key, '')
            return [conv(x) for x in s.split()] if s else []
        trees.append(dict(
            num_leaves=nl, num_cat=int(kv['num_cat']),
            split_feature=arr('split_feature', int), threshold=arr('threshold', float),
            decision_type=arr('decision_type', int), left=arr('left_child', int), right=arr('right_child', int),
            leaf_value=arr('leaf_value', float), cat_boundaries=arr('cat_boundaries', int),
            cat_threshold=arr('cat_threshold', int)))
    obj = header['objective'].split()
    return dict(header=header, objective=obj[0], objective_args=dict(a.split(':', 1) for a in obj[1:]),
                k=int(header['num_tree_per_iteration']), trees=trees)


def c_int_cast(x):
    """static_cast<int>(double) as the x86-64 build does it (cvttsd2si): truncation toward zero; NaN,
    infinities and anything outside int32 give INT_MIN (observed: see the notes)."""
    if math.isnan(x) or math.isinf(x):
        return -2 ** 31
    t = math.trunc(x)
    return t if -2 ** 31 <= t < 2 ** 31 else -2 ** 31


def decide(tree, node, x):
    dt = tree['decision_type'][node]
    missing = (dt >> 2) & 3  # 0 None, 1 Zero, 2 NaN
    default_left = bool(dt & 2)
    if dt & 1:  # categorical
        iv = c_int_cast(x)
        if iv < 0:
            return tree['right'][node]
        if math.isnan(x):  # unreachable on x86-64 (NaN casts to INT_MIN above); kept as in tree.h
            if missing == 2:
                return tree['right'][node]
            iv = 0
        ci = int(tree['threshold'][node])
        lo, hi = tree['cat_boundaries'][ci], tree['cat_boundaries'][ci + 1]
        word = iv // 32
        if word < hi - lo and (tree['cat_threshold'][lo + word] >> (iv % 32)) & 1:
            return tree['left'][node]
        return tree['right'][node]
    if math.isnan(x) and missing != 2:
        x = 0.0
    if (missing == 1 and -K_ZERO <= x <= K_ZERO) or (missing == 2 and math.isnan(x)):
        return tree['left'][node] if default_left else tree['right'][node]
    return tree['left'][node] if x <= tree['threshold'][node] else tree['right'][node]


def walk_text_model(model, X, num_iteration=None):
    """Raw scores (n x K) and transformed predictions, summing trees in model order from 0.0."""
    k = model['k']
    trees = model['trees']
    n_iter = len(trees) // k if num_iteration is None else min(num_iteration, len(trees) // k)
    raw = np.zeros((len(X), k))
    for r, row in enumerate(X):
        # The dense-matrix row reader keeps a value only if |v| > kZeroThreshold or v is NaN; the
        # predictor's feature buffer is zero elsewhere.
        row = [v if (abs(v) > K_ZERO or math.isnan(v)) else 0.0 for v in row]
        acc = [0.0] * k
        for i in range(n_iter):
            for c in range(k):
                t = trees[i * k + c]
                if t['num_leaves'] == 1:
                    acc[c] += t['leaf_value'][0]
                    continue
                node = 0
                while node >= 0:
                    node = decide(t, node, row[t['split_feature'][node]])
                acc[c] += t['leaf_value'][~node]
        raw[r] = acc
    obj = model['objective']
    if obj == 'binary':
        s = float(model['objective_args']['sigmoid'])
        pred = np.array([[1.0 / (1.0 + math.exp(-s * v)) for v in row] for row in raw])
    elif obj == 'multiclassova':
        s = float(model['objective_args']['sigmoid'])
        pred = np.array([[1.0 / (1.0 + math.exp(-s * v)) for v in row] for row in raw])
    elif obj == 'multiclass':
        pred = []
        for row in raw:
            wmax = max(row)
            e = [math.exp(v - wmax) for v in row]
            tot = 0.0
            for v in e:
                tot += v
            pred.append([v / tot for v in e])
        pred = np.array(pred)
    elif obj == 'poisson':
        pred = np.array([[math.exp(v) for v in row] for row in raw])
    elif obj == 'regression':
        pred = raw.copy()
    else:
        raise ValueError(obj)
    if k == 1:
        return raw[:, 0], pred[:, 0]
    return raw, pred


# ------------------------------------------------------------------------------------- pred_leaf check

def leaf_tables(booster):
    tables = []
    for info in booster.dump_model()['tree_info']:
        vals = {}

        def visit(node):
            if 'split_index' in node:
                visit(node['left_child'])
                visit(node['right_child'])
            else:
                vals[node.get('leaf_index', 0)] = node['leaf_value']
        visit(info['tree_structure'])
        tables.append(vals)
    return tables


def raw_from_leaves(booster, X, k, num_iteration=None):
    tables = leaf_tables(booster)
    leaves = booster.predict(X, pred_leaf=True, num_iteration=num_iteration)
    leaves = np.asarray(leaves).reshape(len(X), -1)
    raw = np.zeros((len(X), k))
    for r in range(len(X)):
        acc = [0.0] * k
        for t in range(leaves.shape[1]):
            acc[t % k] += tables[t][int(leaves[r, t])]
        raw[r] = acc
    return raw[:, 0] if k == 1 else raw


# ------------------------------------------------------------------------------------------- helpers

def numeric_thresholds(text, max_count):
    """(feature, threshold) pairs of numerical splits, first-seen order, distinct thresholds."""
    model = parse_model_text(text)
    out, seen = [], set()
    for t in model['trees']:
        for node, f in enumerate(t['split_feature']):
            if t['decision_type'][node] & 1:
                continue
            thr = t['threshold'][node]
            if (f, thr) not in seen:
                seen.add((f, thr))
                out.append((f, thr))
    near_zero = [p for p in out if abs(p[1]) < 1e-30]
    rest = [p for p in out if abs(p[1]) >= 1e-30]
    step = max(1, len(rest) // max_count)
    return near_zero + rest[::step][:max_count]


def decision_types(text):
    return sorted({d for t in parse_model_text(text)['trees'] for d in t['decision_type']})


TINY = [0.0, -0.0, 1e-36, -1e-36, 1e-35, -1e-35, K_ZERO, -K_ZERO, float(np.nextafter(K_ZERO, 1.0)),
        float(np.nextafter(-K_ZERO, -1.0)), 1e-30, -1e-30, 5e-324]
FAR = [1e6, -1e6, 1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308]
NONFINITE = [NAN, INF, -INF]


def edge_rows(base, text, n_thresholds=10, per_feature=TINY + FAR + NONFINITE, whole=None):
    """base rows plus: each threshold (and the next double up) placed in a base row; each special value
    put in each feature position of a base row; whole rows of one special value."""
    base = np.asarray(base, dtype=np.float64)
    rows = [list(r) for r in base]
    for i, (f, thr) in enumerate(numeric_thresholds(text, n_thresholds)):
        for v in (thr, float(np.nextafter(thr, INF))):
            r = list(base[i % len(base)])
            r[f] = v
            rows.append(r)
    nf = base.shape[1]
    for j, v in enumerate(per_feature):
        for f in range(nf):
            r = list(base[(j * nf + f) % len(base)])
            r[f] = v
            rows.append(r)
    for v in (whole if whole is not None else [0.0, -0.0, 1e-36, -1e-36, 1e-30, NAN, INF, -INF, 1e300, -1e300]):
        rows.append([v] * nf)
    return np.array(rows, dtype=np.float64)


# ------------------------------------------------------------------------------------------- the cases

def case_regression(rng):
    n = 1000
    X = np.column_stack([
        rng.normal(size=n),
        rng.uniform(-5, 5, size=n),
        np.where(rng.random(n) < 0.3, 0.0, rng.exponential(1.0, size=n)),  # exact zeros: thresholds near 0
        rng.integers(0, 10, size=n).astype(float),
        rng.lognormal(size=n),
    ])
    y = np.sin(X[:, 0]) + 0.3 * X[:, 1] + (X[:, 2] > 0.5) + 0.1 * X[:, 3] - 0.2 * np.log(X[:, 4]) \
        + 0.1 * rng.normal(size=n)
    params = dict(objective='regression', num_leaves=15, learning_rate=0.1, min_data_in_leaf=10, **COMMON)
    b = lgb.train(params, lgb.Dataset(X, y, feature_name=[f'f{i}' for i in range(5)]), num_boost_round=20)
    test = X[rng.choice(n, 30, replace=False)]
    return dict(name='regression-numerical-edge-values', booster=b, params=params, X_train=X,
                X=lambda text: edge_rows(test, text), iterations=7,
                covers='objective regression, missing_type None only (no NaN in training: NaN in X is 0.0), '
                       'X at thresholds exactly and the next double up, tiny/zero/far/NaN/Infinity values',
                expect_missing={0})


def case_binary_nan(rng):
    n = 1500
    X = rng.normal(size=(n, 6))
    z = 0.9 * X[:, 0] - 0.7 * X[:, 1] + 0.5 * X[:, 2] * X[:, 3] + 0.3 * X[:, 4]
    miss = rng.random((n, 6)) < np.array([0.15, 0.15, 0.12, 0.1, 0.2, 0.0])
    # make missingness informative in opposite directions so both default directions get learned
    z = z + 1.5 * miss[:, 0] - 1.5 * miss[:, 1] + 0.8 * miss[:, 4]
    y = (z + 0.5 * rng.normal(size=n) > 0).astype(float)
    X[miss] = NAN
    params = dict(objective='binary', num_leaves=15, learning_rate=0.1, min_data_in_leaf=15, **COMMON)
    b = lgb.train(params, lgb.Dataset(X, y), num_boost_round=25)
    test = rng.normal(size=(30, 6))
    return dict(name='binary-nan-missing', booster=b, params=params,
                X=lambda text: edge_rows(test, text, n_thresholds=8), iterations=10,
                covers='objective binary, NaN in training on f0-f4 (missing_type NaN, default_left both '
                       'ways: decision_type 8 and 10), f5 without NaN (missing_type None)',
                expect_decision={8, 10}, expect_missing={0, 2})


def case_binary_zero(rng):
    n = 1500
    X = rng.normal(size=(n, 5))
    zero = rng.random((n, 5)) < np.array([0.3, 0.25, 0.2, 0.1, 0.0])
    z = X[:, 0] + 0.8 * X[:, 1] - 0.6 * X[:, 2] + 0.4 * X[:, 3] * X[:, 4] + 1.2 * zero[:, 0] - 1.2 * zero[:, 1]
    y = (z + 0.5 * rng.normal(size=n) > 0).astype(float)
    X[zero] = 0.0
    X[rng.random(n) < 0.05, 2] = NAN  # NaN counts as missing too under zero_as_missing
    params = dict(objective='binary', num_leaves=15, learning_rate=0.1, min_data_in_leaf=15,
                  zero_as_missing=True, **COMMON)
    b = lgb.train(params, lgb.Dataset(X, y), num_boost_round=20)
    test = rng.normal(size=(30, 5))
    return dict(name='binary-zero-as-missing', booster=b, params=params,
                X=lambda text: edge_rows(test, text, n_thresholds=8), iterations=8,
                covers='zero_as_missing=True: missing_type Zero (decision_type 4 / 6): |x| <= kZeroThreshold '
                       '(float 1e-35 = 1.0000000180025095e-35) and NaN take the default direction',
                expect_missing={1})


def case_binary_nomissing(rng):
    n = 1200
    X = rng.normal(size=(n, 4))
    z = X[:, 0] - X[:, 1] + 0.5 * X[:, 2] * X[:, 3]
    y = (z + 0.5 * rng.normal(size=n) > 0).astype(float)
    X[rng.random((n, 4)) < 0.1] = NAN
    params = dict(objective='binary', num_leaves=15, learning_rate=0.1, min_data_in_leaf=15,
                  use_missing=False, **COMMON)
    b = lgb.train(params, lgb.Dataset(X, y), num_boost_round=15)
    test = rng.normal(size=(30, 4))
    return dict(name='binary-use-missing-false', booster=b, params=params,
                X=lambda text: edge_rows(test, text, n_thresholds=8), iterations=5,
                covers='use_missing=False (NaN in training too): missing_type None everywhere; NaN in X '
                       'is compared as 0.0',
                expect_missing={0})


def case_binary_sigmoid(rng):
    n = 1000
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 - 0.5 + 0.7 * rng.normal(size=n) > 0).astype(float)
    params = dict(objective='binary', sigmoid=0.7, num_leaves=7, learning_rate=0.15, min_data_in_leaf=20,
                  **COMMON)
    b = lgb.train(params, lgb.Dataset(X, y), num_boost_round=20)
    test = rng.normal(size=(30, 4))
    return dict(name='binary-sigmoid-0.7', booster=b, params=params,
                X=lambda text: edge_rows(test, text, n_thresholds=6, per_feature=[0.0, 1e-36, NAN, INF, -INF]),
                iterations=6,
                covers='objective=binary sigmoid:0.7 in the text: predict = 1/(1+exp(-0.7*raw))')


def case_multiclass(rng, objective):
    n = 1500
    X = rng.normal(size=(n, 5))
    s0 = X[:, 0] + 0.5 * X[:, 1]
    s1 = -X[:, 0] + X[:, 2] * X[:, 3]
    s2 = 0.8 * X[:, 4] - 0.3
    y = np.argmax(np.column_stack([s0, s1, s2]) + 0.7 * rng.normal(size=(n, 3)), axis=1).astype(float)
    X[rng.random(n) < 0.1, 1] = NAN
    params = dict(objective=objective, num_class=3, num_leaves=15, learning_rate=0.1, min_data_in_leaf=20,
                  **COMMON)
    rounds = 12 if objective == 'multiclass' else 10
    b = lgb.train(params, lgb.Dataset(X, y), num_boost_round=rounds)
    test = rng.normal(size=(25, 5))
    name = 'multiclass-3' if objective == 'multiclass' else 'multiclassova-3'
    covers = ('objective multiclass num_class:3 (softmax over the 3 raw scores); trees interleave classes '
              '(tree t belongs to class t % 3); f1 has NaN in training') if objective == 'multiclass' else \
        ('objective multiclassova num_class:3 sigmoid:1: predict is an independent sigmoid per class (rows '
         'do not sum to 1); trees interleave classes; f1 has NaN in training')
    return dict(name=name, booster=b, params=params,
                X=lambda text: edge_rows(test, text, n_thresholds=8), iterations=4, covers=covers,
                expect_missing={0, 2})


def case_multiclass_single_leaf(rng):
    n = 600
    X = rng.normal(size=(n, 4))
    # class 2 is x0 > 1.2 exactly, so its hessians shrink and its trees stop splitting
    # (min_sum_hessian_in_leaf) while classes 0 and 1 go on: single-leaf trees (leaf_value=0) mid-model
    y = np.where(X[:, 0] > 1.2, 2, (X[:, 1] + 0.8 * rng.normal(size=n) > 0).astype(int)).astype(float)
    params = dict(objective='multiclass', num_class=3, num_leaves=7, learning_rate=0.5,
                  min_sum_hessian_in_leaf=2.0, min_data_in_leaf=20, **COMMON)
    b = lgb.train(params, lgb.Dataset(X, y), num_boost_round=15)
    test = rng.normal(size=(25, 4))
    return dict(name='multiclass-single-leaf-trees', booster=b, params=params,
                X=lambda text: edge_rows(test, text, n_thresholds=6, per_feature=[0.0, 1e-36, NAN, INF, -INF]),
                iterations=13,
                covers='trees with num_leaves=1 (empty split_feature=/threshold=/... lines, one leaf_value) '
                       'among normal trees, inside the first k iterations too',
                expect_single_leaf=True)


def case_categorical(rng, with_nan):
    n = 2000
    p16 = 0.75 ** np.arange(16)
    p16 /= p16.sum()  # codes 10..15 are rare (a few rows each)
    c0 = rng.choice(16, size=n, p=p16).astype(float)
    c1 = rng.integers(0, 4, size=n).astype(float)  # <= max_cat_to_onehot: one-vs-rest splits
    x2 = rng.normal(size=n)
    x3 = rng.uniform(-2, 2, size=n)
    eff0 = rng.normal(size=16) * 1.5
    eff0[0] = 2.5  # category 0 is common and pushes strongly
    eff1 = np.array([0.8, -0.8, 0.2, -0.3])
    y = eff0[c0.astype(int)] + eff1[c1.astype(int)] + 0.5 * x2 + 0.3 * np.abs(x3) + 0.3 * rng.normal(size=n)
    if with_nan:
        miss = rng.random(n) < 0.08
        y = np.where(miss, y - 2.0, y)
        c0[miss] = NAN
        c1[rng.random(n) < 0.03] = -1.0  # negative categorical values: LightGBM treats them as NaN
    X = np.column_stack([c0, c1, x2, x3])
    params = dict(objective='regression', num_leaves=15, learning_rate=0.1, min_data_in_leaf=10,
                  min_data_per_group=5, cat_smooth=1.0, cat_l2=1.0, max_cat_to_onehot=4, **COMMON)
    b = lgb.train(params, lgb.Dataset(X, y, categorical_feature=[0, 1]), num_boost_round=20)
    base = np.column_stack([rng.integers(0, 16, size=40).astype(float), rng.integers(0, 4, size=40).astype(float),
                            rng.normal(size=40), rng.uniform(-2, 2, size=40)])
    cat_values = [0.0, -0.0, 1e-36, -1e-36, 3.0, 11.0, 15.0, 16.0, 31.0, 32.0, 40.0, 63.0, 64.0, 1000.0,
                  -1.0, -3.5, -0.5, -0.999, 2.7, 3.2, 0.999, 15.999, NAN, INF, -INF,
                  2147483647.0, 2147483648.0, 2147483649.0, 4294967296.0, 4294967298.0, 4294967296.0 + 3,
                  1e10, -2147483648.0, -2147483649.0, 1e300, -1e300]

    def build(text):
        rows = [list(r) for r in base]
        for i, v in enumerate(cat_values):
            for f in (0, 1):
                r = list(base[(2 * i + f) % len(base)])
                r[f] = v
                rows.append(r)
        # the same base row with c0 = 0 and c0 = NaN / 2^32 side by side
        for v in (0.0, NAN, 4294967296.0, 2.0, 4294967298.0):
            r = list(base[0])
            r[0] = v
            rows.append(r)
        for f in (2, 3):
            for v in (0.0, 1e-36, NAN, INF, -INF):
                r = list(base[f])
                r[f] = v
                rows.append(r)
        rows.append([NAN] * 4)
        rows.append([0.0] * 4)
        return np.array(rows, dtype=np.float64)
    name = 'categorical-nan-in-training' if with_nan else 'categorical-codes-0-15'
    covers = ('categorical_feature=[0,1]: c0 codes 0..15 (10..15 rare; many-vs-many bitset splits), c1 codes '
              '0..3 (one-hot splits, max_cat_to_onehot=4); X has unseen codes, negatives, non-integers, '
              'NaN, infinities and values beyond int32')
    if with_nan:
        covers += '; NaN in c0 and -1 in c1 during training (categorical splits with missing_type NaN)'
    return dict(name=name, booster=b, params=params, X=build, iterations=8, covers=covers,
                categorical=[0, 1], expect_categorical=True)


def case_pandas(rng):
    n = 800
    df = pd.DataFrame({
        'price': rng.lognormal(4.0, 0.3, size=n),
        'volume_z': rng.normal(size=n),
        'ret_1d': rng.normal(0, 0.02, size=n),
        'spread_bps': rng.exponential(3.0, size=n),
    })
    y = 0.01 * df['price'] + 2.0 * np.tanh(df['volume_z']) + 30.0 * df['ret_1d'] - 0.1 * df['spread_bps'] \
        + 0.2 * rng.normal(size=n)
    params = dict(objective='regression', num_leaves=15, learning_rate=0.1, min_data_in_leaf=10, **COMMON)
    b = lgb.train(params, lgb.Dataset(df, y), num_boost_round=15)
    test = pd.DataFrame({
        'price': rng.lognormal(4.0, 0.3, size=25), 'volume_z': rng.normal(size=25),
        'ret_1d': rng.normal(0, 0.02, size=25), 'spread_bps': rng.exponential(3.0, size=25)}).to_numpy()
    return dict(name='regression-pandas-named-columns', booster=b, params=params,
                X=lambda text: edge_rows(test, text, n_thresholds=6, per_feature=[0.0, NAN, INF, -INF]),
                iterations=5, pandas_columns=list(df.columns),
                covers='trained from a pandas DataFrame: feature_names= in the text are the column names; '
                       'predictions were made from a DataFrame with those columns (same as from the array)')


def case_poisson(rng):
    n = 1000
    X = rng.normal(size=(n, 3))
    y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1] + 0.2))
    params = dict(objective='poisson', num_leaves=7, learning_rate=0.1, min_data_in_leaf=20, **COMMON)
    b = lgb.train(params, lgb.Dataset(X, y.astype(float)), num_boost_round=15)
    test = rng.normal(size=(25, 3))
    return dict(name='poisson-exp-link', booster=b, params=params,
                X=lambda text: edge_rows(test, text, n_thresholds=5, per_feature=[0.0, NAN, INF, -INF]),
                iterations=5,
                covers='objective poisson (extra, beyond the listed cases): predict = exp(raw)')


def case_constant(rng):
    n = 200
    X = rng.normal(size=(n, 3))
    y = np.full(n, 3.25)
    params = dict(objective='regression', num_leaves=7, learning_rate=0.1, min_data_in_leaf=20, **COMMON)
    b = lgb.train(params, lgb.Dataset(X, y), num_boost_round=10)
    test = rng.normal(size=(5, 3))
    return dict(name='regression-constant-label-one-leaf-tree', booster=b, params=params,
                X=lambda text: np.vstack([test, [[NAN] * 3, [0.0] * 3, [INF, -INF, 1e300]]]), iterations=1,
                covers='a constant label: training stops at once and keeps one tree, num_leaves=1, whose leaf '
                       'is the label mean (boost_from_average); the whole model is that one leaf',
                expect_single_leaf=True)


# ----------------------------------------------------------------------------------------- assembling

def finish(case):
    b = case['booster']
    text = b.model_to_string()
    loaded = lgb.Booster(model_str=text)
    X = case['X'](text)
    # round-trip X through the JSON encoding
    X_json = json.loads(json.dumps(enc(X), allow_nan=False))
    X_back = np.array(dec(X_json), dtype=np.float64)
    assert same_bits(X, X_back), case['name']
    model = parse_model_text(text)
    K = model['k']
    k_iter = case['iterations']
    n_iter = b.current_iteration()
    assert k_iter <= n_iter

    def pred(booster, data, **kw):
        if 'pandas_columns' in case:
            data = pd.DataFrame(data, columns=case['pandas_columns'])
        return np.asarray(booster.predict(data, **kw))

    out = {}
    for key, kw in (('predict', {}), ('raw', dict(raw_score=True)),
                    ('predictIterations', dict(num_iteration=k_iter)),
                    ('rawIterations', dict(raw_score=True, num_iteration=k_iter)),
                    ('contrib', dict(pred_contrib=True))):
        v = pred(loaded, X_back, **kw)
        assert same_bits(v, pred(b, X, **kw)), (case['name'], key, 'trained vs loaded booster')
        if 'pandas_columns' in case:
            assert same_bits(v, np.asarray(loaded.predict(X_back, **kw))), (case['name'], key, 'df vs array')
        out[key] = v
    # checks
    for key, it in (('raw', None), ('rawIterations', k_iter)):
        via_leaves = raw_from_leaves(loaded, X_back, K, num_iteration=it)
        assert same_bits(via_leaves, out[key]), (case['name'], key, 'pred_leaf + dump_model sum',
                                                 float(np.nanmax(np.abs(via_leaves - out[key]))))
    for (rk, pk), it in ((('raw', 'predict'), None), (('rawIterations', 'predictIterations'), k_iter)):
        wr, wp = walk_text_model(model, X_back, it)
        assert same_bits(wr, out[rk]), (case['name'], rk, 'text walk', np.argwhere(wr != out[rk])[:5])
        assert same_bits(wp, out[pk]), (case['name'], pk, 'text walk',
                                        float(np.max(np.abs(wp - out[pk]))))
    F = len(b.feature_name())
    contrib = out['contrib'].reshape(len(X), K, F + 1)
    sums = contrib.sum(axis=2)
    raw2 = out['raw'].reshape(len(X), K)
    assert np.allclose(sums, raw2, rtol=1e-9, atol=1e-9), (case['name'], 'contrib sum')
    dts = decision_types(text)
    missing = {(d >> 2) & 3 for d in dts if not d & 1}
    if 'expect_missing' in case:
        assert case['expect_missing'] <= missing or case['expect_missing'] == missing, \
            (case['name'], 'missing types', missing)
    if 'expect_decision' in case:
        assert case['expect_decision'] <= set(dts), (case['name'], dts)
    leaves = [t['num_leaves'] for t in model['trees']]
    if case.get('expect_single_leaf'):
        assert 1 in leaves, case['name']
    if case.get('expect_categorical'):
        assert any(d & 1 for d in dts), case['name']
    record = dict(
        name=case['name'], covers=case['covers'], objective=model['header']['objective'],
        numTreePerIteration=K, numIterations=n_iter, numTrees=len(model['trees']), numLeaves=leaves,
        decisionTypes=dts, params={k: v for k, v in case['params'].items() if k not in ('verbose',)},
        model=text, features=b.feature_name(), X=X,
        predict=out['predict'], raw=out['raw'], iterations=k_iter,
        predictIterations=out['predictIterations'], rawIterations=out['rawIterations'],
        contrib=out['contrib'])
    if 'categorical' in case:
        record['categoricalFeatures'] = case['categorical']
    return record


def fix_tree_sizes(text):
    """Rewrites tree_sizes= to match the edited trees (each: from "Tree=i" to the next "Tree=" or to
    "end of trees"), so that an edit's only defect is the intended one."""
    starts = [m.start() + 1 for m in re.finditer(r'\nTree=\d+\n', text)]
    ends = starts[1:] + [text.index('\nend of trees') + 1]
    sizes = ' '.join(str(len(text[a:b].encode())) for a, b in zip(starts, ends))
    return re.sub(r'\ntree_sizes=[^\n]*\n', '\ntree_sizes=' + sizes + '\n', text, count=1)


def broken_cases(text):
    """Edited copies of a good model's text; each says what LightGBM 4.7.0 itself does when loading it."""
    assert fix_tree_sizes(text) == text
    lines = text.split('\n')
    out = []
    t3 = text.index('\nTree=3\n')
    lv = text.index('leaf_value=', t3)
    cut = lv + len('leaf_value=') + 25
    out.append(dict(name='truncated-mid-tree', edit='text cut 25 characters into Tree=3\'s leaf_value= line; '
                    'no "end of trees", no parameters', model=text[:cut]))
    i = lines.index('Tree=2')
    garbage = lines[:i + 3] + ['this line is garbage, not key=value \x01'] + lines[i + 3:]
    out.append(dict(name='garbage-line-in-tree', edit='a line without "=" (ending in a \\x01 byte) inserted '
                    'after Tree=2\'s num_cat= line (tree_sizes= updated)',
                    model=fix_tree_sizes('\n'.join(garbage))))
    j = next(k for k in range(i, len(lines)) if lines[k].startswith('leaf_value='))
    bad = list(lines)
    vals = bad[j].split('=', 1)[1].split(' ')
    vals[1] = '0.12x3'
    bad[j] = 'leaf_value=' + ' '.join(vals)
    out.append(dict(name='garbage-number-in-leaf-value', edit='Tree=2\'s second leaf value replaced by "0.12x3" '
                    '(tree_sizes= updated)', model=fix_tree_sizes('\n'.join(bad))))
    out.append(dict(name='version-v9', edit='version=v4 replaced by version=v9',
                    model=text.replace('\nversion=v4\n', '\nversion=v9\n', 1)))
    out.append(dict(name='objective-lambdarank', edit='objective=regression replaced by objective=lambdarank '
                    '(a real LightGBM objective, but a ranking one an evaluator should refuse)',
                    model=text.replace('\nobjective=regression\n', '\nobjective=lambdarank\n', 1)))
    k = lines.index('Tree=1')
    nl = lines[k + 1]
    assert nl.startswith('num_leaves=')
    mism = list(lines)
    mism[k + 1] = 'num_leaves=%d' % (int(nl.split('=')[1]) + 1)
    out.append(dict(name='num-leaves-mismatch', edit='Tree=1\'s num_leaves= one more than its arrays hold '
                    '(tree_sizes= updated)', model=fix_tree_sizes('\n'.join(mism))))
    lenient = {
        'garbage-line-in-tree': 'LightGBM loads it, skipping the line',
        'garbage-number-in-leaf-value': 'LightGBM reads "0.12x3" as 0.12 without complaint',
        'version-v9': 'LightGBM does not check version=',
        'objective-lambdarank': 'LightGBM loads it (raw scores, no transform); an evaluator of the '
                                'regression/binary/multiclass objectives should refuse it',
    }
    for c in out:
        assert c['model'] != text, c['name']
        if c['name'] in lenient:
            c['lightgbmNote'] = lenient[c['name']]
    # what LightGBM itself does with each: one child process per text, since LightGBM aborts the whole
    # process (std::terminate from its OpenMP tree-parsing loop) instead of raising for most of them
    probe = ('import sys,lightgbm as lgb\n'
             'b=lgb.Booster(model_str=sys.stdin.read())\n'
             'print("LOADED", b.num_trees(), flush=True)\n')
    for c in out:
        res = subprocess.run([sys.executable, '-c', probe], input=c['model'], capture_output=True, text=True,
                             timeout=60)
        if res.returncode == 0 and res.stdout.startswith('LOADED'):
            c['lightgbmLoads'] = True
            c['lightgbmError'] = None
            c['lightgbmTrees'] = int(res.stdout.split()[1])
        else:
            fatal = [ln for ln in res.stderr.splitlines() if '[Fatal]' in ln or 'Error' in ln]
            msg = fatal[-1].strip()[:160] if fatal else 'no message'
            # "expect a tree here. met <text>": LightGBM jumps by tree_sizes= and, for a cut text, reads
            # past its end: what follows "met" is whatever memory lies there (differs run to run)
            msg = re.sub(r'(expect a tree here\. met).*', r'\1 <bytes past the end of the text>', msg)
            c['lightgbmLoads'] = False
            c['lightgbmError'] = '%s; process aborted, exit status %d' % (msg, res.returncode)
    return out


def main():
    builders = [
        case_regression, case_binary_nan, case_binary_zero, case_binary_nomissing, case_binary_sigmoid,
        lambda r: case_multiclass(r, 'multiclass'), lambda r: case_multiclass(r, 'multiclassova'),
        case_multiclass_single_leaf, lambda r: case_categorical(r, False), lambda r: case_categorical(r, True),
        case_pandas, case_poisson, case_constant,
    ]
    cases = []
    for i, build in enumerate(builders):
        rng = np.random.default_rng([SEED, i])
        cases.append(finish(build(rng)))
    names = [c['name'] for c in cases]
    assert len(set(names)) == len(names)
    broken = broken_cases(cases[0]['model'])
    doc = dict(
        versions=dict(lightgbm=lgb.__version__, numpy=np.__version__, pandas=pd.__version__,
                      python=platform.python_version(), machine=platform.machine(), seed=SEED),
        notes=NOTES, cases=cases, broken=broken)
    text = json.dumps(enc(doc), allow_nan=False, separators=(',', ':'))
    again = json.loads(text)  # final check: nothing non-JSON slipped through
    assert len(again['cases']) == len(cases)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as fh:
        fh.write(text)
        fh.write('\n')
    for c in cases:
        print('%-42s %-34s trees %3d  leaves %2d-%2d  features %d  rows %3d  k %2d  model %6d B' % (
            c['name'], c['objective'][:34], c['numTrees'], min(c['numLeaves']), max(c['numLeaves']),
            len(c['features']), len(c['X']), c['iterations'], len(c['model'])))
    for c in broken:
        print('broken %-30s lightgbm loads: %-5s %s' % (c['name'], c['lightgbmLoads'], c['lightgbmError'] or ''))
    print('wrote %s (%d bytes)' % (os.path.relpath(OUT, ROOT), len(text) + 1))


NOTES = [
    'Rows reach the trees as float64 (X as written). LightGBM\'s dense-row reader keeps a value only when '
    '|v| > kZeroThreshold (1e-35f = 1.0000000180025095e-35) or v is NaN; the rest read as 0.0.',
    'decision_type bits: 1 categorical, 2 default_left, (d >> 2) & 3 missing type: 0 None, 1 Zero, 2 NaN.',
    'Numerical split: NaN becomes 0.0 unless missing type is NaN; missing type Zero and -k <= v <= k, or '
    'missing type NaN and v NaN: go to the default side; otherwise v <= threshold goes left '
    '(+Infinity right, -Infinity left).',
    'Categorical split: c = (int)v truncated toward zero; NaN, +/-Infinity and values outside int32 give '
    'INT_MIN (x86-64), so they and all c < 0 go right; -1 < v < 0 truncates to category 0. Otherwise left '
    'iff bit c is set in the node\'s cat_threshold words [cat_boundaries[t], cat_boundaries[t+1]) '
    '(t = (int)threshold); a c beyond the words goes right.',
    'Raw score: sum of leaf values over trees in model order from 0.0, tree t adds to class t % '
    'num_tree_per_iteration. num_iteration=k uses the first k iterations (k * num_tree_per_iteration trees).',
    'Transforms: regression none; binary and multiclassova 1/(1+exp(-sigmoid*raw)); multiclass softmax '
    '(exp(raw - max) / sum); poisson exp(raw).',
    'contrib rows: for each class k in order, one value per feature then the expected value (bias); their '
    'sum is the raw score of that class.',
]


if __name__ == '__main__':
    main()
