"""An example `trainer: command` script: scikit-learn's LogisticRegression, exported to ONNX by hand with
the `onnx` package (no skl2onnx needed). It follows the train action's contract:

  reads   MLOPS_DATA (files, one per line), MLOPS_TARGET, MLOPS_FEATURES (JSON list, [] = all numeric
          columns but the target), MLOPS_PARAMS (JSON), MLOPS_SEED, MLOPS_OUTPUT_DIR
  writes  $MLOPS_OUTPUT_DIR/model.onnx, metrics.json, params.json

The model takes one float input [N, F] named "features", with the column order in metadata
`mlops.features`, and outputs `label` [N] (string) and `probabilities` [N, C].
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import onnx
from onnx import TensorProto, helper
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

files = [f for f in os.environ["MLOPS_DATA"].split("\n") if f]
target = os.environ["MLOPS_TARGET"]
features = json.loads(os.environ.get("MLOPS_FEATURES", "[]"))
params = json.loads(os.environ.get("MLOPS_PARAMS", "{}"))
seed = int(os.environ.get("MLOPS_SEED", "0"))
out = os.environ["MLOPS_OUTPUT_DIR"]

df = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
if not features:
    features = [c for c in df.columns if c != target and pd.api.types.is_numeric_dtype(df[c])]
X = df[features].astype("float64").fillna(df[features].mean()).to_numpy()
y = df[target].astype(str).to_numpy()
print(f"training LogisticRegression on {X.shape[0]} rows x {X.shape[1]} features, params {params}")

scaler = StandardScaler().fit(X)
clf = LogisticRegression(C=float(params.get("C", 1.0)), max_iter=int(params.get("max_iter", 1000)), random_state=seed)
clf.fit(scaler.transform(X), y)
classes = [str(c) for c in clf.classes_]

# Fold the scaler into the linear model: z = ((x - mean) / scale) W^T + b = x W'^T + b'.
W = clf.coef_ / scaler.scale_
b = clf.intercept_ - (clf.coef_ * scaler.mean_ / scaler.scale_).sum(axis=1)
if len(classes) == 2:  # sklearn's binary model has one row: logits [0, z]
    W = np.vstack([np.zeros_like(W[0]), W[0]])
    b = np.array([0.0, b[0]])

nodes = [
    helper.make_node("MatMul", ["features", "W"], ["xw"]),
    helper.make_node("Add", ["xw", "b"], ["logits"]),
    helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    helper.make_node("ArgMax", ["probabilities"], ["idx"], axis=1, keepdims=0),
    helper.make_node("Gather", ["classes", "idx"], ["label"], axis=0),
]
graph = helper.make_graph(
    nodes,
    "churn-logistic",
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", len(features)])],
    [
        helper.make_tensor_value_info("label", TensorProto.STRING, ["N"]),
        helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", len(classes)]),
    ],
    [
        helper.make_tensor("W", TensorProto.FLOAT, [len(features), len(classes)], W.T.astype(np.float32).flatten().tolist()),
        helper.make_tensor("b", TensorProto.FLOAT, [len(classes)], b.astype(np.float32).tolist()),
        helper.make_tensor("classes", TensorProto.STRING, [len(classes)], [c.encode() for c in classes]),
    ],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="examples/churn/train.py")
model.ir_version = 8
for key, value in {
    "mlops.task": "classification",
    "mlops.target": target,
    "mlops.features": json.dumps(features),
    "mlops.classes": json.dumps(classes),
}.items():
    model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "model.onnx"))

accuracy = float(clf.score(scaler.transform(X), y))
with open(os.path.join(out, "metrics.json"), "w") as f:
    json.dump({"train_accuracy": accuracy}, f)
with open(os.path.join(out, "params.json"), "w") as f:
    json.dump({"C": clf.C, "max_iter": clf.max_iter}, f)
print(f"train accuracy {accuracy:.4f}; wrote {out}/model.onnx")
sys.exit(0)
