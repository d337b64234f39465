"""Preprocess step (SageMaker SKLearn processing container), for any ML system.

Reads system.json (processing input `system`) and every data file under the
input directory, splits the rows (seeded; stratified by class for
classifiers unless the spec says otherwise), fits the preprocessor on the
training split only — numeric: median impute + standard scale; categorical:
most-frequent impute + one-hot, unknown categories → all zeros (ml-core's
recipe) — and writes:
  train/, validation/, test/  CSV, label first (class index for classifiers), no header (XGBoost's format)
  preprocessor/model.tar.gz   fitted preprocessor + signature.json + code/ (the serving container's hooks)
  signature/signature.json    the version's ModelSignature (Register links it from the model package)
  baseline/statistics.json, constraints.json
                              Model Monitor's drift baseline of the raw training inputs.
"""
import argparse
import json
import os
import sys
import tarfile

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ml_schema  # noqa: E402
from monitoring_baseline import write_baseline  # noqa: E402

BASE_DIR = "/opt/ml/processing"
MIN_ROWS = 20


def split(df, seed, fractions=(0.7, 0.15, 0.15), strata=None):
    """Shuffled train/validation/test parts; with strata, each class is cut in the same fractions."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(df))
    groups = [order] if strata is None else [order[strata[order] == s] for s in np.unique(strata)]
    parts = ([], [], [])
    for group in groups:
        n_train = int(round(fractions[0] * len(group)))
        n_val = int(round(fractions[1] * len(group)))
        for part, chunk in zip(parts, np.split(group, [n_train, n_train + n_val])):
            part.append(chunk)
    # Stratified parts are re-shuffled so classes are not in blocks.
    out = []
    for chunks in parts:
        index = np.concatenate(chunks)
        if strata is not None:
            index = rng.permutation(index)
        out.append(df.iloc[index].reset_index(drop=True))
    return tuple(out)


def learned_categories(system, train_inputs):
    """Categories per categorical input: the spec's, or those seen in training (sorted)."""
    out = {}
    for c in ml_schema.input_columns(system):
        if ml_schema.is_categorical(c):
            if c.get("categories"):
                out[c["name"]] = list(c["categories"])
            elif c["type"] == "boolean":
                out[c["name"]] = ["false", "true"]
            else:
                out[c["name"]] = sorted(str(v) for v in train_inputs[c["name"]].dropna().unique())
    return out


def build_preprocessor(system, categories):
    """One transformer per input, in schema order, so feature names follow the signature."""
    transformers = []
    for c in ml_schema.input_columns(system):
        name = c["name"]
        if ml_schema.is_categorical(c):
            steps = [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("onehot", OneHotEncoder(categories=[categories[name]], handle_unknown="ignore")),
            ]
        else:
            steps = [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        transformers.append((name, Pipeline(steps), [name]))
    return ColumnTransformer(transformers, sparse_threshold=0)


def write_labeled(labels, features, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pd.DataFrame(np.column_stack([labels, features])).to_csv(path, header=False, index=False)


def write_json(obj, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f)


def package_preprocessor(preprocessor, sig, out_dir, code_dir):
    os.makedirs(out_dir, exist_ok=True)
    model_path = os.path.join(out_dir, "preprocessor.joblib")
    joblib.dump(preprocessor, model_path)
    sig_path = os.path.join(out_dir, "signature.json")
    write_json(sig, sig_path)
    tar_path = os.path.join(out_dir, "model.tar.gz")
    with tarfile.open(tar_path, "w:gz") as tar:
        tar.add(model_path, arcname="preprocessor.joblib")
        tar.add(sig_path, arcname="signature.json")
        # The SKLearn serving container runs code/inference.py from the model.
        for name in ("inference.py", "ml_schema.py"):
            tar.add(os.path.join(code_dir, name), arcname=f"code/{name}")
    os.remove(model_path)
    os.remove(sig_path)
    return tar_path


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base-dir", default=BASE_DIR)
    args = parser.parse_args(argv)
    base = args.base_dir

    system = ml_schema.load_system(os.path.join(base, "input", "system"))
    schema = system["schema"]
    df = ml_schema.read_dataset(os.path.join(base, "input", "data"), system)
    if len(df) < MIN_ROWS:
        raise ValueError(f"need at least {MIN_ROWS} rows to split, got {len(df)}")
    labels = ml_schema.encode_target(df[schema["target"]], system)
    inputs = ml_schema.coerce_inputs(df, system)
    s = system.get("split") or {}
    fractions = (s.get("train", 0.7), s.get("validation", 0.15), s.get("test", 0.15))
    stratify = s.get("stratify", schema["task"] != "regression") and schema["task"] != "regression"
    frame = inputs.assign(__label__=labels)
    train, validation, test = split(frame, args.seed, fractions, labels if stratify else None)

    categories = learned_categories(system, train)
    preprocessor = build_preprocessor(system, categories)
    names = [c["name"] for c in ml_schema.input_columns(system)]
    preprocessor.fit(train[names])
    for part_name, part in (("train", train), ("validation", validation), ("test", test)):
        write_labeled(part["__label__"].to_numpy(), preprocessor.transform(part[names]), os.path.join(base, part_name, f"{part_name}.csv"))
    sig = ml_schema.signature(system, train[names], categories)
    write_json(sig, os.path.join(base, "signature", "signature.json"))
    package_preprocessor(preprocessor, sig, os.path.join(base, "preprocessor"), os.path.dirname(os.path.abspath(__file__)))
    write_baseline(train[names], sig, os.path.join(base, "baseline"))
    print(f"system={system['name']} rows={len(df)} train={len(train)} validation={len(validation)} test={len(test)} seed={args.seed}")


if __name__ == "__main__":
    main()
