"""Preprocess step (SageMaker SKLearn processing container).

Reads every data file under the input directory (UCI Abalone: no header,
columns sex, 7 measurements, rings; a header row is tolerated), fits the
preprocessor on the training split only — median impute + standard scale
for the numerics, one-hot sex (F, I, M) — and writes:
  train/, validation/, test/  CSV, label (rings) first, no header (XGBoost's format)
  preprocessor/model.tar.gz   the fitted preprocessor + code/inference.py,
                              the first container of the registered model.
  baseline/statistics.json, constraints.json
                              Model Monitor's drift baseline of the raw training rows.
Shuffled 70/15/15 split with --seed.
"""
import argparse
import glob
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
from abalone_common import FEATURE_COLUMNS, LABEL_COLUMN, NUMERIC_COLUMNS, SEX_CATEGORIES  # noqa: E402
from monitoring_baseline import write_baseline  # noqa: E402

BASE_DIR = "/opt/ml/processing"


def read_dataset(input_dir):
    files = sorted(
        f for f in glob.glob(os.path.join(input_dir, "**", "*"), recursive=True) if os.path.isfile(f)
    )
    if not files:
        raise ValueError(f"no data files under {input_dir}")
    frames = []
    for path in files:
        df = pd.read_csv(path, header=None, names=FEATURE_COLUMNS + [LABEL_COLUMN], dtype=str, skipinitialspace=True)
        # Drop a header row if the file has one.
        if len(df) and str(df.iloc[0, 0]).strip().lower() == "sex":
            df = df.iloc[1:]
        frames.append((path, df))
    out = []
    for path, df in frames:
        for col in NUMERIC_COLUMNS + [LABEL_COLUMN]:
            df[col] = pd.to_numeric(df[col], errors="coerce")
        df["sex"] = df["sex"].str.strip().str.upper()
        bad_label = df[LABEL_COLUMN].isna()
        if bad_label.any():
            first = int(np.flatnonzero(bad_label.to_numpy())[0]) + 1
            raise ValueError(f"{os.path.basename(path)}: row {first}: column rings is missing or not a number")
        out.append(df)
    return pd.concat(out, ignore_index=True)


def split(df, seed, fractions=(0.7, 0.15, 0.15)):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(df))
    n_train = int(round(fractions[0] * len(df)))
    n_val = int(round(fractions[1] * len(df)))
    parts = np.split(order, [n_train, n_train + n_val])
    return tuple(df.iloc[p].reset_index(drop=True) for p in parts)


def build_preprocessor():
    numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
            ("onehot", OneHotEncoder(categories=[SEX_CATEGORIES], handle_unknown="ignore")),
        ]
    )
    return ColumnTransformer(
        [("numeric", numeric, NUMERIC_COLUMNS), ("sex", categorical, ["sex"])],
        sparse_threshold=0,
    )


def write_labeled(df, features, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = np.column_stack([df[LABEL_COLUMN].to_numpy(dtype=float), features])
    pd.DataFrame(data).to_csv(path, header=False, index=False)


def package_preprocessor(preprocessor, out_dir, code_dir):
    os.makedirs(out_dir, exist_ok=True)
    model_path = os.path.join(out_dir, "preprocessor.joblib")
    joblib.dump(preprocessor, model_path)
    tar_path = os.path.join(out_dir, "model.tar.gz")
    with tarfile.open(tar_path, "w:gz") as tar:
        tar.add(model_path, arcname="preprocessor.joblib")
        # The SKLearn serving container runs code/inference.py from the model.
        for name in ("inference.py", "abalone_common.py"):
            tar.add(os.path.join(code_dir, name), arcname=f"code/{name}")
    os.remove(model_path)
    return tar_path


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base-dir", default=BASE_DIR)
    args = parser.parse_args(argv)
    base = args.base_dir

    df = read_dataset(os.path.join(base, "input", "data"))
    if len(df) < 20:
        raise ValueError(f"need at least 20 rows to split 70/15/15, got {len(df)}")
    train, validation, test = split(df, args.seed)
    preprocessor = build_preprocessor()
    preprocessor.fit(train[FEATURE_COLUMNS])
    for name, part in (("train", train), ("validation", validation), ("test", test)):
        write_labeled(part, preprocessor.transform(part[FEATURE_COLUMNS]), os.path.join(base, name, f"{name}.csv"))
    code_dir = os.path.dirname(os.path.abspath(__file__))
    package_preprocessor(preprocessor, os.path.join(base, "preprocessor"), code_dir)
    write_baseline(train[FEATURE_COLUMNS], os.path.join(base, "baseline"))
    print(f"rows={len(df)} train={len(train)} validation={len(validation)} test={len(test)} seed={args.seed}")


if __name__ == "__main__":
    main()
