"""Evaluate step (SageMaker XGBoost container).

Scores the trained model on the test split and writes evaluation.json in
SageMaker's regression metrics schema; CheckMSE reads
regression_metrics.mse.value from it. Also writes evaluation-plots.json beside it
(predicted vs actual, residuals, feature importance) for the portal. Scores the model the endpoint serves:
after early stopping the XGBoost container predicts with the trees up to the
best iteration only, so the metrics (and the quality gate) must too.
"""
import argparse
import json
import os
import pickle
import tarfile

import numpy as np
import pandas as pd
import xgboost

from abalone_common import NUMERIC_COLUMNS, SEX_CATEGORIES
from evaluation_plots import evaluation_plots

BASE_DIR = "/opt/ml/processing"
# The model's inputs as preprocess.py builds them (ml-core's preprocessor featureNames).
MODEL_FEATURES = NUMERIC_COLUMNS + [f"sex_{c}" for c in SEX_CATEGORIES]


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


def regression_metrics(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    residuals = y_true - y_pred
    mse = float(np.mean(residuals**2))
    total = float(np.sum((y_true - y_true.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residuals**2)) / total if total > 0 else 0.0
    return {
        "regression_metrics": {
            "mse": {"value": mse, "standard_deviation": float(np.std(residuals))},
            "rmse": {"value": float(np.sqrt(mse))},
            "mae": {"value": float(np.mean(np.abs(residuals)))},
            "r2": {"value": r2},
        }
    }


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-dir", default=BASE_DIR)
    args = parser.parse_args(argv)
    base = args.base_dir

    booster = load_model(os.path.join(base, "model"))
    test = pd.read_csv(os.path.join(base, "test", "test.csv"), header=None)
    y = test.iloc[:, 0].to_numpy()
    x = xgboost.DMatrix(test.iloc[:, 1:].to_numpy())
    predicted = served_predictions(booster, x)
    report = regression_metrics(y, predicted)
    out_dir = os.path.join(base, "evaluation")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "evaluation.json"), "w") as f:
        json.dump(report, f)
    with open(os.path.join(out_dir, "evaluation-plots.json"), "w") as f:
        json.dump(evaluation_plots(y, predicted, booster, MODEL_FEATURES), f)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
