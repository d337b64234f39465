#!/usr/bin/env python3
"""Generates the real-XGBoost fixtures that ml-core's unit tests score against.

Run once (needs Debian's python3-xgboost):
  /usr/bin/python3 packages/ml-core/src/__fixtures__/generate_fixture.py

Writes xgboost-model.json (saved by xgboost.Booster.save_model) and
xgboost-predictions.json (inputs with some NaN + XGBoost's predictions).
"""
import json
import os

import numpy as np
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))

rng = np.random.default_rng(7)
n, f = 300, 5
X = rng.normal(size=(n, f)).astype(np.float32)
X[rng.random(size=(n, f)) < 0.1] = np.nan  # missing values exercise default_left
y = (3 * np.nan_to_num(X[:, 0]) - 2 * np.nan_to_num(X[:, 1]) ** 2
     + np.where(np.isnan(X[:, 2]), 4.0, X[:, 2]) + rng.normal(scale=0.3, size=n)).astype(np.float32)

params = {"objective": "reg:squarederror", "max_depth": 4, "eta": 0.3, "gamma": 0.5,
          "min_child_weight": 2, "subsample": 0.8, "colsample_bytree": 0.8,
          "lambda": 1.5, "alpha": 0.2, "base_score": 1.25, "tree_method": "hist",
          "seed": 3, "nthread": 1}
booster = xgb.train(params, xgb.DMatrix(X, label=y), num_boost_round=12)
booster.save_model(os.path.join(HERE, "xgboost-model.json"))

Xq = rng.normal(size=(40, f)).astype(np.float32)
Xq[rng.random(size=(40, f)) < 0.2] = np.nan
pred = booster.predict(xgb.DMatrix(Xq))
with open(os.path.join(HERE, "xgboost-predictions.json"), "w") as fh:
    json.dump({
        "xgboost": xgb.__version__,
        "params": params,
        "num_boost_round": 12,
        # null marks a missing value (JSON has no NaN)
        "inputs": [[None if np.isnan(v) else float(v) for v in row] for row in Xq],
        "predictions": [float(p) for p in pred],
    }, fh, indent=1)
print("wrote fixtures with", len(pred), "predictions")
