"""Serving script of the preprocessor container (first container of the
registered pipeline model, run by the SageMaker SKLearn serving stack).

Input: CSV rows sex,length,...,shellWeight (the API's mapping writes them;
a trailing rings column is ignored). Output: CSV of the 10 model features
for the XGBoost container that follows.
"""
import io
import os
import sys

import joblib
import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from abalone_common import FEATURE_COLUMNS, LABEL_COLUMN  # noqa: E402


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "preprocessor.joblib"))


def input_fn(body, content_type):
    if content_type != "text/csv":
        raise ValueError(f"unsupported content type {content_type}; send text/csv")
    text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
    df = pd.read_csv(io.StringIO(text), header=None, dtype=str, skipinitialspace=True, skip_blank_lines=True)
    if df.shape[1] == len(FEATURE_COLUMNS) + 1:
        df = df.iloc[:, : len(FEATURE_COLUMNS)]
    if df.shape[1] != len(FEATURE_COLUMNS):
        raise ValueError(f"expected {len(FEATURE_COLUMNS)} columns ({','.join(FEATURE_COLUMNS)}), got {df.shape[1]}")
    df.columns = FEATURE_COLUMNS
    for col in FEATURE_COLUMNS[1:]:
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df["sex"] = df["sex"].str.strip().str.upper()
    return df


def predict_fn(input_data, model):
    return model.transform(input_data[FEATURE_COLUMNS])


def output_fn(prediction, accept):
    if accept not in ("text/csv", "*/*", None):
        raise ValueError(f"unsupported accept type {accept}; use text/csv")
    out = io.StringIO()
    np.savetxt(out, np.asarray(prediction, dtype=float), delimiter=",", fmt="%.10g")
    return out.getvalue(), "text/csv"


__all__ = ["model_fn", "input_fn", "predict_fn", "output_fn", "LABEL_COLUMN"]
