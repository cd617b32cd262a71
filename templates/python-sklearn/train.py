#!/usr/bin/env python3
"""
Example trainer for Steward's training-container contract (../README.md).

Reads the first CSV in the `train` channel (SM_CHANNEL_TRAIN), fits a
scikit-learn logistic regression on standardised features, and writes to
SM_MODEL_DIR:
  - model.onnx   the fitted model, written with the `onnx` package by hand
                 (skl2onnx is not in Debian): input `features` float [N, n],
                 outputs `probability` float [N, 1] = P(target = 1) and
                 `label` int64 [N, 1] = probability >= 0.5;
  - metrics.json training metrics (the platform evaluates on held-out data itself);
and, last, its own CPU time and peak memory to SM_OUTPUT_DATA_DIR/resources.json
(SageMaker uploads that folder as output.tar.gz; its job description has no
such figures), success or failure.
On failure the reason goes to SM_OUTPUT_DIR/failure, as SageMaker expects.

Hyper-parameters (hyperparameters.json; SageMaker passes every value as a string):
  target     the 0/1 column to predict (required)
  features   comma-separated feature columns (default: every other column)
  C          inverse regularisation strength (default 1.0)
  max_iter   solver iterations (default 1000)

Needs python3, numpy, scikit-learn and onnx (Debian: python3-sklearn python3-onnx).
"""
import csv
import glob
import json
import os
import resource
import sys
import traceback

import numpy as np
import onnx
from onnx import TensorProto, helper
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.preprocessing import StandardScaler

# Local runs root these at a temporary directory; on SageMaker they are /opt/ml/…
MODEL_DIR = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")
OUTPUT_DIR = os.environ.get("SM_OUTPUT_DIR", "/opt/ml/output")
OUTPUT_DATA_DIR = os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data")
CONFIG_DIR = os.environ.get("SM_INPUT_CONFIG_DIR", "/opt/ml/input/config")
TRAIN_DIR = os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")


def read_hyperparameters():
    path = os.path.join(CONFIG_DIR, "hyperparameters.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def read_table(hp):
    files = sorted(glob.glob(os.path.join(TRAIN_DIR, "*.csv")))
    if not files:
        raise ValueError(f"no .csv file in the train channel ({TRAIN_DIR})")
    with open(files[0], newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    target = hp.get("target")
    if not target or target not in header:
        raise ValueError(f"hyper-parameter 'target' must name a column; columns: {', '.join(header)}")
    features = [c.strip() for c in hp["features"].split(",")] if hp.get("features") else [c for c in header if c != target]
    missing = [c for c in features if c not in header]
    if missing:
        raise ValueError(f"feature column(s) not in the file: {', '.join(missing)}")
    index = [header.index(c) for c in features]
    x = np.array([[float(r[i]) for i in index] for r in body], dtype=np.float64)
    y = np.array([float(r[header.index(target)]) for r in body])
    if not np.isin(y, [0, 1]).all():
        raise ValueError(f"column '{target}' must be 0/1")
    return features, target, x, y.astype(int)


def to_onnx(scaler, model, features, target):
    """The fitted pipeline as an ONNX graph: (x − mean) / scale · w + b → sigmoid."""
    n = len(features)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    init = [
        helper.make_tensor("center", TensorProto.FLOAT, [n], scaler.mean_.astype(np.float32).tolist()),
        helper.make_tensor("scale", TensorProto.FLOAT, [n], scale.astype(np.float32).tolist()),
        helper.make_tensor("weights", TensorProto.FLOAT, [n, 1], model.coef_.reshape(n, 1).astype(np.float32).ravel().tolist()),
        helper.make_tensor("intercept", TensorProto.FLOAT, [1], [float(model.intercept_[0])]),
        helper.make_tensor("half", TensorProto.FLOAT, [1], [0.5]),
    ]
    nodes = [
        helper.make_node("Sub", ["features", "center"], ["centered"]),
        helper.make_node("Div", ["centered", "scale"], ["standardized"]),
        helper.make_node("MatMul", ["standardized", "weights"], ["weighted"]),
        helper.make_node("Add", ["weighted", "intercept"], ["linear"]),
        helper.make_node("Sigmoid", ["linear"], ["probability"]),
        helper.make_node("GreaterOrEqual", ["probability", "half"], ["positive"]),
        helper.make_node("Cast", ["positive"], ["label"], to=TensorProto.INT64),
    ]
    graph = helper.make_graph(
        nodes,
        "logistic_regression",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", n])],
        [
            helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch", 1]),
            helper.make_tensor_value_info("label", TensorProto.INT64, ["batch", 1]),
        ],
        initializer=init,
    )
    onnx_model = helper.make_model(graph, producer_name="steward-python-sklearn-template", opset_imports=[helper.make_opsetid("", 13)])
    onnx_model.ir_version = 8
    for key, value in {"steward.features": json.dumps(features), "steward.target": target, "steward.algorithm": "sklearn-logistic-regression"}.items():
        entry = onnx_model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(onnx_model)
    return onnx_model


def write_resources():
    """resources.json (templates/README.md): CPU time (user + system) of this process and the
    children it waited for, and the larger of their peak resident sets (ru_maxrss is KiB on Linux)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    kib = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes
    usage = {
        "cpu_ms": round((own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime) * 1000, 3),
        "peak_memory_bytes": int(max(own.ru_maxrss, children.ru_maxrss) * kib),
    }
    os.makedirs(OUTPUT_DATA_DIR, exist_ok=True)
    with open(os.path.join(OUTPUT_DATA_DIR, "resources.json"), "w") as f:
        json.dump(usage, f)


def main():
    hp = read_hyperparameters()
    features, target, x, y = read_table(hp)
    print(f"training on {x.shape[0]} rows, {x.shape[1]} features, target '{target}'", flush=True)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=float(hp.get("C", 1.0)), max_iter=int(hp.get("max_iter", 1000))).fit(scaler.transform(x), y)
    p = model.predict_proba(scaler.transform(x))[:, 1]
    metrics = {
        "train_auc": float(roc_auc_score(y, p)),
        "train_log_loss": float(log_loss(y, p)),
        "train_accuracy": float(accuracy_score(y, p >= 0.5)),
        "train_rows": int(x.shape[0]),
    }
    os.makedirs(MODEL_DIR, exist_ok=True)
    onnx.save(to_onnx(scaler, model, features, target), os.path.join(MODEL_DIR, "model.onnx"))
    with open(os.path.join(MODEL_DIR, "metrics.json"), "w") as f:
        json.dump(metrics, f)
    print(f"done: {json.dumps(metrics)}", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the contract: say why in the failure file, exit non-zero
        traceback.print_exc()
        os.makedirs(OUTPUT_DIR, exist_ok=True)
        with open(os.path.join(OUTPUT_DIR, "failure"), "w") as f:
            f.write(f"{type(error).__name__}: {error}")
        write_resources()
        sys.exit(1)
    write_resources()
