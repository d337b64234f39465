"""Drift baseline in SageMaker Model Monitor's statistics.json / constraints.json shapes.

Same output as the portal's ml-core (packages/ml-core/src/monitoring/statistics.ts):
features in signature order (categorical inputs as String, with the known
categories first in their order; numeric inputs as Fractional),
population std_dev, 10 equal-width KLL buckets, one sketch level holding every
present value (or k evenly spaced order statistics when there are more than k).
Computed on the raw training rows, before imputing and scaling, because Model
Monitor compares them with the raw requests Data Capture records.
"""
import json
import os

import numpy as np

KLL_BUCKETS = 10
KLL_PARAMETERS = {"c": 0.64, "k": 2048}


def equal_width_histogram(values, bins):
    """ml-core's equalWidthHistogram: min..max, last bin includes the maximum."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return []
    lo, hi = float(values.min()), float(values.max())
    if lo == hi:
        return [{"lower": lo, "upper": hi, "count": int(values.size)}]
    width = (hi - lo) / bins
    index = np.minimum(bins - 1, np.floor((values - lo) / width).astype(int))
    counts = np.bincount(index, minlength=bins)
    return [
        {"lower": lo + b * width, "upper": hi if b == bins - 1 else lo + (b + 1) * width, "count": int(counts[b])}
        for b in range(bins)
    ]


def _sketch_level(sorted_values):
    n, k = len(sorted_values), KLL_PARAMETERS["k"]
    if n <= k:
        return [float(v) for v in sorted_values]
    return [float(sorted_values[int(np.floor(i * (n - 1) / (k - 1) + 0.5))]) for i in range(k)]


def _numeric(df, name):
    column = df[name].to_numpy(dtype=float)
    present = np.sort(column[np.isfinite(column)])
    n = int(present.size)
    mean = float(present.mean()) if n else 0.0
    return {
        "name": name,
        "inferred_type": "Fractional",
        "numerical_statistics": {
            "common": {"num_present": n, "num_missing": int(len(df) - n)},
            "mean": mean,
            "sum": float(present.sum()),
            "std_dev": float(np.sqrt(np.mean((present - mean) ** 2))) if n else 0.0,
            "min": float(present[0]) if n else 0.0,
            "max": float(present[-1]) if n else 0.0,
            "distribution": {
                "kll": {
                    "buckets": [
                        {"lower_bound": h["lower"], "upper_bound": h["upper"], "count": h["count"]}
                        for h in equal_width_histogram(present, KLL_BUCKETS)
                    ],
                    "sketch": {"parameters": dict(KLL_PARAMETERS), "data": [_sketch_level(present)]},
                }
            },
        },
    }


def _categorical(df, name, categories):
    values = df[name].astype("string").str.strip().fillna("")
    missing = int((values == "").sum())
    counts = {v: 0 for v in categories}
    for value in values[values != ""]:
        counts[value] = counts.get(value, 0) + 1
    buckets = [{"value": v, "count": c} for v, c in counts.items()]
    return {
        "name": name,
        "inferred_type": "String",
        "string_statistics": {
            "common": {"num_present": int(len(df) - missing), "num_missing": missing},
            "distinct_count": sum(1 for b in buckets if b["count"] > 0),
            "distribution": {"categorical": {"buckets": buckets}},
        },
    }


def baseline_statistics(df, signature):
    """statistics.json of the raw training inputs, features in signature order."""
    if len(df) == 0:
        raise ValueError("baseline_statistics: no rows")
    features = []
    for i in signature["inputs"]:
        if i.get("categories") is not None:
            features.append(_categorical(df, i["name"], i["categories"]))
        else:
            features.append(_numeric(df, i["name"]))
    return {"version": 0, "dataset": {"item_count": int(len(df))}, "features": features}


def baseline_constraints(statistics, drift_threshold=0.1):
    """constraints.json as Model Monitor's suggest_baseline writes it, for the same features.

    Missing values are tolerated (the preprocessor imputes them); a categorical
    input must be one of the training values; drift is checked per feature at drift_threshold.
    """
    features = []
    for f in statistics["features"]:
        entry = {"name": f["name"], "inferred_type": f["inferred_type"], "completeness": 0.0}
        if f["inferred_type"] == "String":
            values = [b["value"] for b in f["string_statistics"]["distribution"]["categorical"]["buckets"]]
            entry["string_constraints"] = {"domains": values}
        else:
            entry["num_constraints"] = {"is_non_negative": f["numerical_statistics"]["min"] >= 0}
        features.append(entry)
    return {
        "version": 0,
        "features": features,
        "monitoring_config": {
            "evaluate_constraints": "Enabled",
            "emit_metrics": "Enabled",
            "datatype_check_threshold": 1.0,
            "domain_content_threshold": 1.0,
            "distribution_constraints": {
                "perform_comparison": "Enabled",
                "comparison_threshold": drift_threshold,
                "comparison_method": "Robust",
                "categorical_comparison_threshold": drift_threshold,
                "categorical_drift_method": "LInfinity",
            },
        },
    }


def write_baseline(df, signature, out_dir):
    """Writes statistics.json and constraints.json into out_dir; returns the statistics."""
    os.makedirs(out_dir, exist_ok=True)
    statistics = baseline_statistics(df, signature)
    with open(os.path.join(out_dir, "statistics.json"), "w") as f:
        json.dump(statistics, f)
    with open(os.path.join(out_dir, "constraints.json"), "w") as f:
        json.dump(baseline_constraints(statistics), f)
    return statistics
