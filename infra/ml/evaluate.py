"""Evaluate step (SageMaker XGBoost container), for any ML system.

Scores the trained model on the test split and writes evaluation.json, the
task's SageMaker Model Quality report (regression_metrics,
binary_classification_metrics or multiclass_classification_metrics; each
metric {value, standard_deviation}); the gate step reads the metric the spec
names from it. Regression also gets evaluation-plots.json (predicted vs
actual, residuals, feature importance) for the portal. Every task gets
prediction-baseline.json (prediction_baseline.py), which the Register step links
from the model package for the rollout drift publisher.
Scores the model the endpoint serves: after early stopping the XGBoost
container predicts with the trees up to the best iteration only, so the
metrics (and the quality gate) must too.
"""
import argparse
import json
import os
import pickle
import sys
import tarfile

import numpy as np
import pandas as pd
import xgboost

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ml_schema  # noqa: E402
from evaluation_plots import evaluation_plots  # noqa: E402
from prediction_baseline import BASELINE_FILE, prediction_baseline  # noqa: E402

BASE_DIR = "/opt/ml/processing"
# Bootstrap resamples for the standard deviations (SageMaker's Model Quality reports them the same way).
BOOTSTRAP = 30


def load_model(model_dir):
    tar_path = os.path.join(model_dir, "model.tar.gz")
    if os.path.exists(tar_path):
        with tarfile.open(tar_path) as tar:
            tar.extractall(model_dir)
    path = os.path.join(model_dir, "xgboost-model")
    booster = xgboost.Booster()
    try:
        booster.load_model(path)
    except xgboost.core.XGBoostError:
        # Older containers pickle the booster.
        with open(path, "rb") as f:
            booster = pickle.load(f)
    return booster


def served_predictions(booster, dmatrix):
    """Predictions as the SageMaker XGBoost container serves them.

    Training with early stopping keeps every tree but records best_iteration
    (saved with the model); the container predicts with the trees up to it.
    """
    best = booster.attr("best_iteration")
    if best is None:
        return booster.predict(dmatrix)
    return booster.predict(dmatrix, iteration_range=(0, int(best) + 1))


def _bootstrap_std(fn, n, seed=0):
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(BOOTSTRAP):
        index = rng.integers(0, n, n)
        v = fn(index)
        if v is not None and np.isfinite(v):
            values.append(v)
    return float(np.std(values)) if values else 0.0


def _metric(fn, n):
    return {"value": float(fn(np.arange(n))), "standard_deviation": _bootstrap_std(fn, n)}


def regression_metrics(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    residuals = y_true - y_pred
    n = len(y_true)

    def r2(i):
        total = float(np.sum((y_true[i] - y_true[i].mean()) ** 2))
        return 1.0 - float(np.sum(residuals[i] ** 2)) / total if total > 0 else 0.0

    mse = float(np.mean(residuals**2))
    return {
        "regression_metrics": {
            # mse keeps the residuals' spread as its deviation (what the portal has shown since v1).
            "mse": {"value": mse, "standard_deviation": float(np.std(residuals))},
            "rmse": _metric(lambda i: np.sqrt(np.mean(residuals[i] ** 2)), n),
            "mae": _metric(lambda i: np.mean(np.abs(residuals[i])), n),
            "r2": _metric(r2, n),
        }
    }


def _auc(y, p):
    """Area under the ROC curve (Mann–Whitney, ties counted half); None with one class."""
    pos, neg = p[y == 1], p[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return None
    ranks = pd.Series(np.concatenate([pos, neg])).rank().to_numpy()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


# Probabilities are clipped for log loss as XGBoost and ml-core do.
EPS = 1e-16


def _clip(p):
    return np.clip(p, EPS, 1 - EPS)


def _average_precision(y, p):
    """Area under the precision-recall curve as average precision (tied scores step together); None without positives."""
    positives = int(np.sum(y == 1))
    if positives == 0:
        return None
    order = np.argsort(-p, kind="stable")
    ys, ps = y[order], p[order]
    # the last row of each run of tied scores closes a threshold
    last = np.r_[ps[1:] != ps[:-1], True]
    tp = np.cumsum(ys == 1)[last]
    seen = (np.arange(len(ys)) + 1)[last]
    recall_step = np.diff(np.r_[0, tp]) / positives
    return float(np.sum(recall_step * tp / seen))


def _ratio(a, b):
    return float(a) / float(b) if b else 0.0


def _confusion(y, predicted, classes):
    return {
        actual: {label: int(np.sum((y == a) & (predicted == p))) for p, label in enumerate(classes)}
        for a, actual in enumerate(classes)
    }


def binary_metrics(y_true, probability, classes, threshold=0.5):
    """binary_classification_metrics; class index 1 is the positive class."""
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(probability, dtype=float)
    n = len(y)

    def counts(i):
        pred = p[i] >= threshold
        t = y[i] == 1
        return (np.sum(pred & t), np.sum(pred & ~t), np.sum(~pred & ~t), np.sum(~pred & t))

    def precision(i):
        tp, fp, _, _ = counts(i)
        return _ratio(tp, tp + fp)

    def recall(i):
        tp, _, _, fn = counts(i)
        return _ratio(tp, tp + fn)

    def f1(i):
        pr, rc = precision(i), recall(i)
        return _ratio(2 * pr * rc, pr + rc)

    metrics = {
        "accuracy": lambda i: _ratio(counts(i)[0] + counts(i)[2], len(i)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "auc": lambda i: _auc(y[i], p[i]),
        "true_positive_rate": recall,
        "true_negative_rate": lambda i: _ratio(counts(i)[2], counts(i)[2] + counts(i)[1]),
        "false_positive_rate": lambda i: _ratio(counts(i)[1], counts(i)[1] + counts(i)[2]),
        "false_negative_rate": lambda i: _ratio(counts(i)[3], counts(i)[3] + counts(i)[0]),
        # Beyond Model Monitor's set, as ml-core reports them (a spec may gate on either).
        "pr_auc": lambda i: _average_precision(y[i], p[i]),
        "logloss": lambda i: float(np.mean(-np.log(np.where(y[i] == 1, _clip(p[i]), 1 - _clip(p[i]))))),
    }
    report = {name: _metric(fn, n) for name, fn in metrics.items()}
    report["confusion_matrix"] = _confusion(y, (p >= threshold).astype(int), classes)
    return {"binary_classification_metrics": report}


def multiclass_metrics(y_true, probabilities, classes):
    """multiclass_classification_metrics; the predicted class is the most probable one."""
    y = np.asarray(y_true, dtype=int)
    probabilities = np.asarray(probabilities, dtype=float)
    predicted = np.argmax(probabilities, axis=1)
    n = len(y)

    def per_class(i):
        out = []
        for k in range(len(classes)):
            tp = np.sum((predicted[i] == k) & (y[i] == k))
            pr = _ratio(tp, np.sum(predicted[i] == k))
            rc = _ratio(tp, np.sum(y[i] == k))
            out.append((np.sum(y[i] == k), pr, rc, _ratio(2 * pr * rc, pr + rc)))
        return out

    def weighted(column):
        def fn(i):
            rows = per_class(i)
            return _ratio(sum(r[0] * r[column] for r in rows), sum(r[0] for r in rows))

        return fn

    metrics = {
        "accuracy": lambda i: float(np.mean(predicted[i] == y[i])),
        "weighted_precision": weighted(1),
        "weighted_recall": weighted(2),
        "weighted_f1": weighted(3),
        # Beyond Model Monitor's set, as ml-core reports them (a spec may gate on either).
        "macro_f1": lambda i: float(np.mean([r[3] for r in per_class(i)])),
        "logloss": lambda i: float(np.mean(-np.log(_clip(probabilities[i, y[i]])))),
    }
    report = {name: _metric(fn, n) for name, fn in metrics.items()}
    report["confusion_matrix"] = _confusion(y, predicted, classes)
    return {"multiclass_classification_metrics": report}


def quality_report(system, y, predicted):
    schema = system["schema"]
    if schema["task"] == "regression":
        return regression_metrics(y, predicted)
    if schema["task"] == "binary":
        return binary_metrics(y, predicted, schema["classes"])
    return multiclass_metrics(y, np.asarray(predicted).reshape(len(y), len(schema["classes"])), schema["classes"])


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-dir", default=BASE_DIR)
    args = parser.parse_args(argv)
    base = args.base_dir

    system = ml_schema.load_system(os.path.join(base, "input", "system"))
    booster = load_model(os.path.join(base, "model"))
    test = pd.read_csv(os.path.join(base, "test", "test.csv"), header=None)
    y = test.iloc[:, 0].to_numpy()
    predicted = served_predictions(booster, xgboost.DMatrix(test.iloc[:, 1:].to_numpy()))
    report = quality_report(system, y, predicted)
    out_dir = os.path.join(base, "evaluation")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "evaluation.json"), "w") as f:
        json.dump(report, f)
    with open(os.path.join(out_dir, BASELINE_FILE), "w") as f:
        json.dump(prediction_baseline(system, predicted), f)
    if system["schema"]["task"] == "regression":
        with open(os.path.join(base, "signature", "signature.json"), encoding="utf-8") as f:
            names = ml_schema.model_feature_names(json.load(f))
        with open(os.path.join(out_dir, "evaluation-plots.json"), "w") as f:
            json.dump(evaluation_plots(y, predicted, booster, names), f)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
