#!/usr/bin/env python3
"""Small ONNX models and what onnxruntime's Python session outputs for them.

Writes test/ml/fixtures/onnx/<name>.onnx and test/ml/fixtures/onnx.json, the vectors kernelbus's ONNX
models (src/ml/onnx.ts, through onnxruntime-node) are held to:

    { "versions": {...},
      "cases": [ { name, file, inputType, features, classes, output, covers, X, expected }, ... ],
      "refused": [ { name, file }, ... ] }   (models onnxruntime loads and kernelbus refuses)

Recorded with (the versions are also written into the JSON):
    Python 3.11.7, onnx 1.23.1, onnxruntime 1.30.0 (the PyPI wheel, CPU, x86-64), numpy 2.4.6

Run (a second; no network):
    /work/venv-onnx/bin/python scripts/ml-fixtures/generate_onnx.py

The venv, outside the repository:
    python3 -m venv /work/venv-onnx && /work/venv-onnx/bin/pip install onnx onnxruntime numpy

The models are built with onnx.helper (no torch), IR version 8 and opset 17, their weights drawn from a
seeded numpy default_rng, so a rerun with the same versions writes the same bytes. Each is checked with
onnx.checker, run in an onnxruntime InferenceSession (CPUExecutionProvider, one intra-op thread) on its
rows, and the same computation done in numpy from the weights must agree (float32 models to 1e-5
relative, the float64 one to 1e-12), so the recorded outputs are onnxruntime's and checked twice.

Rows, per case: seeded normal rows, a row of zeros, rows of large values, and a row with a NaN (the NaN
goes through: onnxruntime's outputs for it are NaN wherever the arithmetic carries it). Rows are written
as float64; a float32 model's rows are cast to float32 (round to nearest) before onnxruntime sees them,
as kernelbus does.

Encoding: every double with Python's float repr (shortest round-trip string); NaN is the JSON string
"NaN", infinities "Infinity" / "-Infinity". "expected" is a list of n numbers for a one-output-column
model (output [N] or [N, 1]), else n lists of `classes` numbers. "output" names the output kernelbus
reads: the classifier has a `label` (int64, argmax) and a `probabilities` output, as skl2onnx writes
them; the probabilities are the model's outputs.
"""
import json
import math
import os
import platform
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, checker, helper, numpy_helper

from encode import enc  # ./encode.py: this folder is first on sys.path

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT_DIR = os.path.join(ROOT, 'test', 'ml', 'fixtures', 'onnx')
OUT = os.path.join(ROOT, 'test', 'ml', 'fixtures', 'onnx.json')
SEED = 20240917
IR_VERSION = 8
OPSET = 17
NAN = float('nan')


# ------------------------------------------------------------------------------------------ encoding

# enc(): ./encode.py


# ------------------------------------------------------------------------------------------- models

def init(name, array):
    return numpy_helper.from_array(array, name)


def model_of(graph):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], producer_name='kernelbus-fixtures')
    m.ir_version = IR_VERSION
    checker.check_model(m, full_check=True)
    return m


def rows_for(rng, width, large, nan_at):
    """Seeded normal rows, zeros, large values, and a row with a NaN at column nan_at."""
    X = rng.normal(0, 1, size=(12, width))
    big = np.array([[large * (-1) ** j * (1 + 0.1 * j) for j in range(width)],
                    [-large * (1 + 0.05 * j) for j in range(width)]])
    nan = rng.normal(0, 1, size=(1, width))
    nan[0, nan_at] = NAN
    return np.vstack([X, np.zeros((1, width)), big, nan]).astype(np.float64)


def case_linear(rng):
    """y = X W + b: [N, 4] float32 -> [N, 1]."""
    W = rng.normal(0, 1, size=(4, 1)).astype(np.float32)
    b = rng.normal(0, 1, size=(1,)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node('Gemm', ['X', 'W', 'b'], ['y'])], 'linear',
        [helper.make_tensor_value_info('X', TensorProto.FLOAT, ['N', 4])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['N', 1])],
        [init('W', W), init('b', b)])

    def numpy_ref(X):
        return (X.astype(np.float32) @ W + b).astype(np.float64)
    return dict(name='linear', model=model_of(g), X=rows_for(rng, 4, 1e6, 2), numpy=numpy_ref,
                covers='Gemm, float32 [N, 4] -> [N, 1]: one output a row')


def case_linear_batch1(rng):
    """y = X W + b with the batch fixed to 1 (an export without dynamic axes): [1, 4] float32 -> [1, 1]."""
    W = rng.normal(0, 1, size=(4, 1)).astype(np.float32)
    b = rng.normal(0, 1, size=(1,)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node('Gemm', ['X', 'W', 'b'], ['y'])], 'linear_batch1',
        [helper.make_tensor_value_info('X', TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 1])],
        [init('W', W), init('b', b)])

    def numpy_ref(X):
        return (X.astype(np.float32) @ W + b).astype(np.float64)
    return dict(name='linear-batch1', model=model_of(g), X=rows_for(rng, 4, 1e6, 1), numpy=numpy_ref, batch1=True,
                covers='Gemm with the batch fixed to 1: kernelbus runs it a row at a time')


def case_mlp(rng):
    """Gemm 6->16, Relu, Gemm 16->1, Sigmoid, flattened: [N, 6] float32 -> [N]."""
    W1 = rng.normal(0, 0.5, size=(6, 16)).astype(np.float32)
    b1 = rng.normal(0, 0.1, size=(16,)).astype(np.float32)
    W2 = rng.normal(0, 0.5, size=(16, 1)).astype(np.float32)
    b2 = rng.normal(0, 0.1, size=(1,)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node('Gemm', ['X', 'W1', 'b1'], ['h']),
         helper.make_node('Relu', ['h'], ['r']),
         helper.make_node('Gemm', ['r', 'W2', 'b2'], ['z']),
         helper.make_node('Sigmoid', ['z'], ['s']),
         helper.make_node('Reshape', ['s', 'flat'], ['p'])], 'mlp',
        [helper.make_tensor_value_info('X', TensorProto.FLOAT, ['batch', 6])],
        [helper.make_tensor_value_info('p', TensorProto.FLOAT, ['batch'])],
        [init('W1', W1), init('b1', b1), init('W2', W2), init('b2', b2), init('flat', np.array([-1], dtype=np.int64))])

    def numpy_ref(X):
        h = np.maximum(X.astype(np.float32) @ W1 + b1, np.float32(0))
        # NaN: np.maximum keeps NaN, as onnxruntime's Relu does
        z = h @ W2 + b2
        return (1 / (1 + np.exp(-z.astype(np.float64)))).reshape(-1)
    return dict(name='mlp', model=model_of(g), X=rows_for(rng, 6, 50.0, 0), numpy=numpy_ref,
                covers='Gemm, Relu, Gemm, Sigmoid, Reshape: float32 [batch, 6] -> [batch]')


def case_softmax(rng):
    """A 3-class softmax classifier with skl2onnx's two outputs: label (int64) and probabilities."""
    W = rng.normal(0, 1, size=(5, 3)).astype(np.float32)
    b = rng.normal(0, 0.5, size=(3,)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node('Gemm', ['X', 'W', 'b'], ['logits']),
         helper.make_node('Softmax', ['logits'], ['probabilities'], axis=1),
         helper.make_node('ArgMax', ['logits'], ['label'], axis=1, keepdims=0)], 'softmax3',
        [helper.make_tensor_value_info('X', TensorProto.FLOAT, ['N', 5])],
        [helper.make_tensor_value_info('label', TensorProto.INT64, ['N']),
         helper.make_tensor_value_info('probabilities', TensorProto.FLOAT, ['N', 3])],
        [init('W', W), init('b', b)])

    def numpy_ref(X):
        z = (X.astype(np.float32) @ W + b).astype(np.float64)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return dict(name='softmax3', model=model_of(g), X=rows_for(rng, 5, 30.0, 4), numpy=numpy_ref,
                output='probabilities', covers='Gemm, Softmax, ArgMax: float32 [N, 5] -> label [N] (int64) and '
                                               'probabilities [N, 3]: the probabilities are read')


def case_float64(rng):
    """A float64 model: (X W + b) * [1, 1e-3]: [N, 3] float64 -> [N, 2]."""
    W = rng.normal(0, 1, size=(3, 2))
    b = rng.normal(0, 1, size=(2,))
    g = helper.make_graph(
        [helper.make_node('MatMul', ['X', 'W'], ['xw']),
         helper.make_node('Add', ['xw', 'b'], ['z']),
         helper.make_node('Mul', ['z', 'scale'], ['y'])], 'float64',
        [helper.make_tensor_value_info('X', TensorProto.DOUBLE, ['N', 3])],
        # the output's width left symbolic: kernelbus learns it from a run on a row of zeros
        [helper.make_tensor_value_info('y', TensorProto.DOUBLE, ['N', 'outputs'])],
        [init('W', W), init('b', b), init('scale', np.array([1.0, 1e-3]))])

    def numpy_ref(X):
        return (X @ W + b) * np.array([1.0, 1e-3])
    X = rows_for(rng, 3, 1e200, 1)
    # values float32 would round or overflow: a float32 cast of these rows changes the outputs
    X = np.vstack([X, [[1 + 2 ** -40, -(1 + 2 ** -45), 3e-300]], [[1e39, -1e-39, 123456789.123456789]]])
    return dict(name='float64', model=model_of(g), X=X, numpy=numpy_ref, rtol=1e-12,
                covers='MatMul, Add, Mul in float64: [N, 3] -> [N, outputs] (2, symbolic in the graph); rows float32 '
                       'cannot hold')


# ----------------------------------------------------------------------------------------- assembling

def finish(case):
    m = case['model']
    path = os.path.join(OUT_DIR, case['name'] + '.onnx')
    data = m.SerializeToString()
    with open(path, 'wb') as fh:
        fh.write(data)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])
    inp = sess.get_inputs()[0]
    dtype = {'tensor(float)': np.float32, 'tensor(double)': np.float64}[inp.type]
    X = case['X']
    if case.get('batch1'):
        outputs = [np.concatenate(o) for o in zip(*(sess.run(None, {inp.name: X[i:i + 1].astype(dtype)})
                                                      for i in range(len(X))))]
    else:
        outputs = sess.run(None, {inp.name: X.astype(dtype)})
    name = case.get('output', sess.get_outputs()[0].name)
    y = outputs[[o.name for o in sess.get_outputs()].index(name)].astype(np.float64)
    classes = 1 if y.ndim == 1 or y.shape[1] == 1 else y.shape[1]
    y = y.reshape(len(X)) if classes == 1 else y
    ref = case['numpy'](X).reshape(y.shape)
    rtol = case.get('rtol', 1e-5)
    assert np.array_equal(np.isnan(y), np.isnan(ref)), (case['name'], 'NaN positions')
    ok = ~np.isnan(y)
    err = np.abs(y[ok] - ref[ok]) / np.maximum(np.abs(ref[ok]), 1)
    assert err.max() <= rtol, (case['name'], 'onnxruntime vs numpy', float(err.max()))
    assert np.isnan(y).any(), (case['name'], 'the NaN row carries NaN')
    if dtype == np.float64:
        # the rows held in float32 would give other outputs: the model must be fed float64
        with np.errstate(over='ignore', invalid='ignore'):
            y32 = case['numpy'](X.astype(np.float32).astype(np.float64)).reshape(y.shape)
        assert np.nanmax(np.abs(y32 - y) / np.maximum(np.abs(y), 1)) > 1e-9, case['name']
    assert data[0] == 0x08, (case['name'], 'ModelProto starts with ir_version (field 1, varint)')
    return dict(name=case['name'], file='onnx/%s.onnx' % case['name'], inputType=inp.type, features=X.shape[1],
                classes=classes, output=name, covers=case['covers'], bytes=len(data),
                head=data[:4].hex(), X=X, expected=y)


def refused_models():
    """Models onnxruntime loads and kernelbus refuses: two inputs; no float output (an int64 label only)."""
    two = helper.make_graph(
        [helper.make_node('Add', ['X', 'Y'], ['z'])], 'two_inputs',
        [helper.make_tensor_value_info('X', TensorProto.FLOAT, ['N', 2]),
         helper.make_tensor_value_info('Y', TensorProto.FLOAT, ['N', 2])],
        [helper.make_tensor_value_info('z', TensorProto.FLOAT, ['N', 2])])
    label = helper.make_graph(
        [helper.make_node('ArgMax', ['X'], ['label'], axis=1, keepdims=0)], 'label_only',
        [helper.make_tensor_value_info('X', TensorProto.FLOAT, ['N', 3])],
        [helper.make_tensor_value_info('label', TensorProto.INT64, ['N'])])
    out = []
    for name, g in (('two-inputs', two), ('label-only', label)):
        data = model_of(g).SerializeToString()
        with open(os.path.join(OUT_DIR, name + '.onnx'), 'wb') as fh:
            fh.write(data)
        ort.InferenceSession(data, providers=['CPUExecutionProvider'])  # onnxruntime loads it
        out.append(dict(name=name, file='onnx/%s.onnx' % name, bytes=len(data)))
    return out


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    cases = []
    for i, build in enumerate([case_linear, case_linear_batch1, case_mlp, case_softmax, case_float64]):
        cases.append(finish(build(np.random.default_rng([SEED, i]))))
    refused = refused_models()
    doc = dict(
        versions=dict(onnx=onnx.__version__, onnxruntime=ort.__version__, numpy=np.__version__,
                      python=platform.python_version(), machine=platform.machine(), seed=SEED,
                      irVersion=IR_VERSION, opset=OPSET),
        cases=cases, refused=refused)
    text = json.dumps(enc(doc), allow_nan=False, separators=(',', ':'))
    with open(OUT, 'w') as fh:
        fh.write(text)
        fh.write('\n')
    for c in cases:
        print('%-13s %-14s features %d  classes %d  rows %2d  output %-13s %4d B  starts %s' % (
            c['name'], c['inputType'], c['features'], c['classes'], len(c['X']), c['output'], c['bytes'], c['head']))
    for c in refused:
        print('refused %-12s %4d B' % (c['name'], c['bytes']))
    print('wrote %s (%d bytes)' % (os.path.relpath(OUT, ROOT), len(text) + 1))


if __name__ == '__main__':
    main()
