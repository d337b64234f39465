#!/usr/bin/env python3
"""Writes xgboost-importance.json: real XGBoost's Booster.get_score for the
model in xgboost-model.json (made by generate_fixture.py), for the
feature-importance test of src/monitoring/evaluationPlots.ts.

Run once (needs Debian's python3-xgboost):
  /usr/bin/python3 packages/ml-core/src/__fixtures__/generate_importance.py
"""
import json
import os

import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, "xgboost-model.json")) as fh:
    model = json.load(fh)
# The committed fixture went through a JSON formatter that wrote e.g. 100.0
# as 100; XGBoost's reader wants floats in these arrays.
for tree in model["learner"]["gradient_booster"]["model"]["trees"]:
    for key in ("base_weights", "loss_changes", "split_conditions", "sum_hessian"):
        tree[key] = [float(v) for v in tree[key]]
booster = xgb.Booster()
booster.load_model(bytearray(json.dumps(model), "utf-8"))
scores = {t: booster.get_score(importance_type=t) for t in ("gain", "total_gain", "weight")}
with open(os.path.join(HERE, "xgboost-importance.json"), "w") as fh:
    json.dump({"xgboost": xgb.__version__, **scores}, fh, indent=1)
print("wrote importance for", len(scores["gain"]), "features")
