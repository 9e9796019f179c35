#!/usr/bin/env python3
"""The onnxruntime peer of the ml bench (issue 91): bench/ml.ts runs it in a child process, once to make
the bench's ONNX model ('make') and then once a round between its own rounds ('time'), on the bench's
own rows (a raw float64 file, row-major).

make: an MLP --cols -> --hidden -> --hidden -> 1 (Gemm, Relu, Gemm, Relu, Gemm, Sigmoid, Reshape), its
input X float32 [batch, --cols] and its output p float32 [batch], built with onnx.helper as
scripts/ml-fixtures/generate_onnx.py builds its fixtures (IR version 8, opset 17, checked by
onnx.checker), its weights drawn from numpy's default_rng(--seed) (the same bytes on every run of the
same onnx and numpy), saved to --model. onnxruntime's sessions of that file then write what bench/ml.ts
checks its own against before any timing: the predictions of all the rows of X (cast to float32) in one
run of a session of --threads intra-op threads (--pred), and of each of the first --one-ring rows alone
in a session of one thread (--one-pred), as float64. Its JSON: the versions, the model's bytes and
parameters.

time: the two sessions of --model, X cast to float32 before any timing, then per case a warm-up (one
call of the batch; a batch of one-row calls) and the median over its --batches batches of the seconds a
call (a batch: its --calls calls, back to back), as onnxruntime's Python user calls it:

- predict: session.run(None, {"X": X32}) on the --threads session, X32 the whole of X;
- predict, cast: the same with the rows cast in the call, session.run(None, {"X": X.astype(np.float32)})
  (a caller whose rows are float64, as kernelbus' are; X32's 20 MB may stay in the cache between calls,
  X's 40 MB do not);
- one row: session.run(None, {"X": X32[i:i + 1]}) on the one-thread session, i cycling through the
  first --one-ring rows.

Sessions: CPUExecutionProvider, intra_op_num_threads as said, onnxruntime's other defaults (sequential
execution, every graph optimization, spinning threads), as kernelbus' loadModel(path, { threads })
makes them in onnxruntime-node.

Prints one JSON document: versions, per case (named as bench/ml.ts names them) the seconds.

    <python with onnx, onnxruntime> bench/peers/ml_onnx.py make --x X.f64 --cols 50 --model model.onnx \\
        --pred P.f64 --one-pred P1.f64
    <python with onnx, onnxruntime> bench/peers/ml_onnx.py time --x X.f64 --cols 50 --model model.onnx \\
        --calls '{"predict": 1, "predict, cast": 1, "one row": 300}' \\
        --batches '{"predict": 5, "predict, cast": 5, "one row": 5}'
"""

import argparse
import json
import platform
import sys
import time

sys.dont_write_bytecode = True  # no bytecode cache folder left in the checkout (peer_timing)
from peer_timing import per_call  # noqa: E402

import numpy as np
import onnxruntime as ort

IR_VERSION = 8
OPSET = 17


def read(path, cols):
    x = np.fromfile(path, dtype="<f8")
    return x.reshape(x.size // cols, cols)


def session(path, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def versions():
    return {"onnxruntime": ort.__version__, "numpy": np.__version__, "Python": platform.python_version()}


def mlp(cols, hidden, seed):
    """The model: Gemm cols -> hidden, Relu, Gemm hidden -> hidden, Relu, Gemm hidden -> 1, Sigmoid,
    flattened to [batch]; weights N(0, 1/fan_in), biases N(0, 0.1^2), float32."""
    import onnx
    from onnx import TensorProto, checker, helper, numpy_helper

    rng = np.random.default_rng(seed)
    shapes = [(cols, hidden), (hidden, hidden), (hidden, 1)]
    inits, nodes, h = [], [], "X"
    for k, (fan_in, fan_out) in enumerate(shapes, start=1):
        W = rng.normal(0, 1 / np.sqrt(fan_in), size=(fan_in, fan_out)).astype(np.float32)
        b = rng.normal(0, 0.1, size=(fan_out,)).astype(np.float32)
        inits += [numpy_helper.from_array(W, f"W{k}"), numpy_helper.from_array(b, f"b{k}")]
        nodes.append(helper.make_node("Gemm", [h, f"W{k}", f"b{k}"], [f"z{k}"]))
        h = f"z{k}"
        if k < len(shapes):
            nodes.append(helper.make_node("Relu", [h], [f"r{k}"]))
            h = f"r{k}"
    nodes += [helper.make_node("Sigmoid", [h], ["s"]), helper.make_node("Reshape", ["s", "flat"], ["p"])]
    inits.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), "flat"))
    g = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["batch", cols])],
        [helper.make_tensor_value_info("p", TensorProto.FLOAT, ["batch"])],
        inits,
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="kernelbus-bench")
    m.ir_version = IR_VERSION
    checker.check_model(m, full_check=True)
    return m, onnx.__version__


def make(args, X):
    model, onnx_version = mlp(args.cols, args.hidden, args.seed)
    data = model.SerializeToString()
    with open(args.model, "wb") as fh:
        fh.write(data)
    X32 = X.astype(np.float32)
    batch = session(args.model, args.threads)
    pred = batch.run(None, {"X": X32})[0]
    pred.astype("<f8").tofile(args.pred)
    one = session(args.model, 1)
    pred1 = np.concatenate([one.run(None, {"X": X32[i : i + 1]})[0] for i in range(args.one_ring)])
    pred1.astype("<f8").tofile(args.one_pred)
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer) - 1
    print(
        json.dumps(
            {
                "versions": {**versions(), "onnx": onnx_version},
                "results": [],
                "checks": {
                    "bytes": str(len(data)),
                    "parameters": str(params),
                    "predictions": f"{pred.min():.3f}-{pred.max():.3f}, mean {pred.mean():.3f}",
                },
            }
        )
    )


def timing(args, X):
    X32 = X.astype(np.float32)
    one = X32[: args.one_ring]
    batch = session(args.model, args.threads)
    single = session(args.model, 1)
    calls = json.loads(args.calls)
    batches = json.loads(args.batches)
    cases = {
        "predict": (lambda i: batch.run(None, {"X": X32}), lambda: batch.run(None, {"X": X32})),
        "predict, cast": (
            lambda i: batch.run(None, {"X": X.astype(np.float32)}),
            lambda: batch.run(None, {"X": X.astype(np.float32)}),
        ),
        "one row": (lambda i: single.run(None, {"X": one[i % args.one_ring : i % args.one_ring + 1]}), None),
    }
    results = []
    for name, (fn, warm) in cases.items():
        seconds = per_call(fn, calls[name], batches[name], warm)
        results.append({"case": name, "seconds": seconds})
        print(f"{name}: {seconds * 1e3:.4f} ms", file=sys.stderr)
    print(json.dumps({"versions": versions(), "results": results}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("make", "time"))
    ap.add_argument("--x", required=True, help="the rows, rows x cols, float64")
    ap.add_argument("--cols", type=int, required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2, help="intra-op threads of the batch's session")
    ap.add_argument("--one-ring", type=int, default=1024)
    # make
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--seed", type=int, default=91)
    ap.add_argument("--pred")
    ap.add_argument("--one-pred")
    # time
    ap.add_argument("--calls", help="JSON: calls a batch, per case")
    ap.add_argument("--batches", help="JSON: batches a timing, per case")
    args = ap.parse_args()
    X = read(args.x, args.cols)
    if args.mode == "make":
        make(args, X)
    else:
        timing(args, X)


if __name__ == "__main__":
    main()
