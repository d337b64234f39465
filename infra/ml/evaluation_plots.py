"""evaluation-plots.json in the shape of the portal's ml-core evaluationPlots
(packages/ml-core/src/monitoring/evaluationPlots.ts): predicted vs actual
(at most 500 evenly spaced points), a 20-bin residual histogram
(actual − predicted) and feature importance by gain from the booster.
"""
import numpy as np

from monitoring_baseline import equal_width_histogram

MAX_POINTS = 500
RESIDUAL_BINS = 20


def feature_importance(booster, feature_names):
    """XGBoost's get_score for gain, total_gain and weight; f<i> mapped to names."""
    gain = booster.get_score(importance_type="gain")
    total = booster.get_score(importance_type="total_gain")
    weight = booster.get_score(importance_type="weight")

    def name(key):
        if key.startswith("f") and key[1:].isdigit():
            i = int(key[1:])
            if i >= len(feature_names):
                raise ValueError(f"split on feature {i} but only {len(feature_names)} feature names")
            return feature_names[i]
        return key

    features = [
        {"feature": name(k), "gain": float(gain[k]), "totalGain": float(total[k]), "weight": float(weight[k])}
        for k in weight
    ]
    return sorted(features, key=lambda f: -f["gain"])


def evaluation_plots(actual, predicted, booster, feature_names):
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    n = len(actual)
    if n != len(predicted):
        raise ValueError(f"{n} actual values but {len(predicted)} predictions")
    if n == 0:
        raise ValueError("no rows")
    take = min(n, MAX_POINTS)
    # Evenly spaced indices, as ml-core: deterministic, the test split is already shuffled.
    index = [(k * n) // take for k in range(take)]
    return {
        "format": "mlops-portal/evaluation-plots",
        "version": 1,
        "predictedVsActual": {
            "total": n,
            "points": [{"actual": float(actual[i]), "predicted": float(predicted[i])} for i in index],
        },
        "residualHistogram": {"bins": equal_width_histogram(actual - predicted, RESIDUAL_BINS)},
        "featureImportance": {"importanceType": "gain", "features": feature_importance(booster, feature_names)},
    }
