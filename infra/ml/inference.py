"""Serving hooks of the preprocessor container (first container of the
registered pipeline model, run by the SageMaker SKLearn serving stack).

Input: CSV rows with the signature's inputs in order (a trailing target
column is ignored). Output: CSV of the model features for the XGBoost
container that follows. The signature travels in the model archive.
"""
import io
import json
import os
import sys

import joblib
import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ml_schema  # noqa: E402


class Model:
    def __init__(self, preprocessor, signature):
        self.preprocessor = preprocessor
        self.signature = signature
        self.names = [i["name"] for i in signature["inputs"]]


def model_fn(model_dir):
    with open(os.path.join(model_dir, "signature.json"), encoding="utf-8") as f:
        sig = json.load(f)
    if sig.get("format") != ml_schema.SIGNATURE_FORMAT:
        raise ValueError("signature.json is not an mlops-portal signature")
    return Model(joblib.load(os.path.join(model_dir, "preprocessor.joblib")), sig)


def parse_rows(text, sig):
    """Raw CSV request → frame of the signature's inputs (numbers as float, categories as strings)."""
    names = [i["name"] for i in sig["inputs"]]
    df = pd.read_csv(io.StringIO(text), header=None, dtype=str, skipinitialspace=True, skip_blank_lines=True, keep_default_na=False)
    if df.shape[1] == len(names) + 1:
        df = df.iloc[:, : len(names)]
    if df.shape[1] != len(names):
        raise ValueError(f"expected {len(names)} columns ({','.join(names)}), got {df.shape[1]}")
    df.columns = names
    for i in sig["inputs"]:
        cells = df[i["name"]].str.strip()
        if i["type"] == "numeric":
            df[i["name"]] = pd.to_numeric(cells, errors="coerce")
        else:
            cells = cells.str.lower() if i["type"] == "boolean" else cells
            df[i["name"]] = cells.where(cells != "", np.nan).astype(object)
    return df


def input_fn(body, content_type):
    if content_type != "text/csv":
        raise ValueError(f"unsupported content type {content_type}; send text/csv")
    return body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body


def predict_fn(input_data, model):
    return model.preprocessor.transform(parse_rows(input_data, model.signature)[model.names])


def output_fn(prediction, accept):
    if accept not in ("text/csv", "*/*", None):
        raise ValueError(f"unsupported accept type {accept}; use text/csv")
    out = io.StringIO()
    np.savetxt(out, np.asarray(prediction, dtype=float), delimiter=",", fmt="%.10g")
    return out.getvalue(), "text/csv"
