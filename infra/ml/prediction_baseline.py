"""prediction-baseline.json: what a version predicted on its own test split.

The rollout drift publisher (infra/lambda/prediction-drift) counts the live
predictions of the endpoint into the same buckets and publishes their PSI
against these shares. The buckets follow the local engine's rule
(plugins/mlops-backend/src/engines/local/rollout/predictionBaseline.ts) so a
threshold means the same on both engines:

- classifiers ("kind": "classes"): the share of each class among the predicted
  classes, in schema.classes order. A binary prediction is classes[1] when its
  probability is above 0.5 (a tie goes to classes[0], as the prediction API
  does); a multiclass one is the most probable class (first on a tie).
- regression ("kind": "bins"): interior decile edges of the predicted values,
  ascending and distinct (a value equal to an edge falls in the bin above it),
  and the share of predictions per bin.

With no usable predictions (fewer than ten for regression) the file says
"kind": "none" and why, so the publisher skips the version instead of guessing.
"""
import math

import numpy as np

BASELINE_FILE = "prediction-baseline.json"
BASELINE_FORMAT = "mlops-portal/prediction-baseline"
BINS = 10


def predicted_classes(task, predicted, class_count):
    """Class index per row from the served output (binary: p(classes[1]); multiclass: k probabilities)."""
    p = np.asarray(predicted, dtype=float)
    if task == "binary":
        return (p.reshape(-1) > 0.5).astype(int)
    return np.argmax(p.reshape(-1, class_count), axis=1)


def _bin_of(edges, v):
    b = 0
    while b < len(edges) and v >= edges[b]:
        b += 1
    return b


def prediction_baseline(system, predicted):
    schema = system["schema"]
    task = schema["task"]
    base = {"format": BASELINE_FORMAT, "task": task}
    if task == "regression":
        values = sorted(float(v) for v in np.asarray(predicted, dtype=float).reshape(-1) if math.isfinite(v))
        if len(values) < BINS:
            return {**base, "kind": "none", "count": len(values), "reason": f"{len(values)} finite predictions; deciles need at least {BINS}"}
        edges = []
        for b in range(1, BINS):
            v = values[(b * len(values)) // BINS]
            if not edges or v > edges[-1]:
                edges.append(v)
        counts = [0] * (len(edges) + 1)
        for v in values:
            counts[_bin_of(edges, v)] += 1
        return {**base, "kind": "bins", "edges": edges, "shares": [c / len(values) for c in counts], "count": len(values)}
    classes = list(schema["classes"])
    index = predicted_classes(task, predicted, len(classes))
    if len(index) == 0:
        return {**base, "kind": "none", "count": 0, "reason": "no predictions on the test split"}
    counts = np.bincount(index, minlength=len(classes))
    return {**base, "kind": "classes", "labels": classes, "shares": [float(c) / len(index) for c in counts], "count": int(len(index))}
