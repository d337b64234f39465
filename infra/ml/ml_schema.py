"""The ML system as the step scripts see it: system.json (written by the CDK
app from the system's spec file, a processing input) and the signature.json
preprocess writes. Nothing here knows a particular data set.

system.json: {"format": "mlops-portal/system", "version": 1, "name",
"schema": DatasetSchema, "split": SplitSpec, "gate": GateSpec, "display"}
with the field names of packages/ml-core/src/spec/types.ts.
"""
import glob
import json
import os

import numpy as np
import pandas as pd

SYSTEM_FORMAT = "mlops-portal/system"
SIGNATURE_FORMAT = "mlops-portal/signature"
REPORT_SECTIONS = {
    "regression": "regression_metrics",
    "binary": "binary_classification_metrics",
    "multiclass": "multiclass_classification_metrics",
}
DATATYPES = {"numeric": "FP64", "categorical": "BYTES", "boolean": "BOOL"}


def load_system(path):
    """Reads system.json (a file or the folder holding it); fails naming what is wrong."""
    if os.path.isdir(path):
        path = os.path.join(path, "system.json")
    with open(path, encoding="utf-8") as f:
        system = json.load(f)
    if system.get("format") != SYSTEM_FORMAT or system.get("version") != 1:
        raise ValueError(f"{path}: not a {SYSTEM_FORMAT} v1 document")
    schema = system["schema"]
    if schema["task"] not in REPORT_SECTIONS:
        raise ValueError(f"{path}: schema.task {schema['task']!r} is not regression, binary or multiclass")
    if schema["task"] != "regression" and not schema.get("classes"):
        raise ValueError(f"{path}: schema.classes is required for a {schema['task']} task")
    return system


def input_columns(system):
    """Model inputs (every column but the target), in schema order = CSV order at the endpoint."""
    schema = system["schema"]
    return [c for c in schema["columns"] if c["name"] != schema["target"]]


def is_categorical(column):
    return column["type"] in ("categorical", "boolean")


def read_dataset(input_dir, system):
    """Every file under input_dir as one raw frame (strings; missing cells NaN), columns by name."""
    schema = system["schema"]
    files = sorted(f for f in glob.glob(os.path.join(input_dir, "**", "*"), recursive=True) if os.path.isfile(f))
    if not files:
        raise ValueError(f"no data files under {input_dir}")
    names = [c["name"] for c in schema["columns"]]
    frames = []
    for path in files:
        options = dict(dtype=str, skipinitialspace=True, na_values=schema["missingValues"], keep_default_na=False)
        if schema["header"]:
            df = pd.read_csv(path, **options)
            df.columns = [str(c).strip() for c in df.columns]
            absent = [n for n in names if n not in df.columns]
            if absent:
                raise ValueError(f"{os.path.basename(path)}: header lacks column(s) {', '.join(absent)}")
            df = df[names]
        else:
            df = pd.read_csv(path, header=None, **options)
            if df.shape[1] != len(names):
                raise ValueError(f"{os.path.basename(path)}: {df.shape[1]} columns, the schema has {len(names)}")
            df.columns = names
        frames.append((path, df))
    out = []
    for path, df in frames:
        target = df[schema["target"]]
        if target.isna().any():
            row = int(np.flatnonzero(target.isna().to_numpy())[0]) + (2 if schema["header"] else 1)
            raise ValueError(f"{os.path.basename(path)}: row {row}: column {schema['target']} is missing")
        out.append(df)
    return pd.concat(out, ignore_index=True)


def coerce_inputs(df, system):
    """Numeric inputs as float (unparseable → NaN), categorical ones as stripped strings."""
    out = pd.DataFrame(index=df.index)
    for c in input_columns(system):
        values = df[c["name"]]
        if is_categorical(c):
            text = values.astype("string").str.strip()
            out[c["name"]] = (text.str.lower() if c["type"] == "boolean" else text).astype(object).where(text.notna(), np.nan)
        else:
            out[c["name"]] = pd.to_numeric(values, errors="coerce")
    return out


def encode_target(values, system, where="data"):
    """Regression: float labels. Classification: class indices in schema.classes order."""
    schema = system["schema"]
    if schema["task"] == "regression":
        y = pd.to_numeric(values, errors="coerce")
        if y.isna().any():
            row = int(np.flatnonzero(y.isna().to_numpy())[0]) + 1
            raise ValueError(f"{where}: row {row}: column {schema['target']} is not a number")
        return y.to_numpy(dtype=float)
    index = {label: i for i, label in enumerate(schema["classes"])}
    text = values.astype(str).str.strip()
    unknown = ~text.isin(list(index))
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0]) + 1
        raise ValueError(f"{where}: row {row}: {schema['target']} {text[unknown].iloc[0][:64]!r} is not one of the classes {schema['classes']}")
    return text.map(index).to_numpy(dtype=float)


def signature_inputs(system, train_inputs, categories):
    """SignatureInput per model input, from the schema and the training rows."""
    inputs = []
    for c in input_columns(system):
        values = train_inputs[c["name"]]
        entry = {"name": c["name"], "type": c["type"], "datatype": DATATYPES[c["type"]]}
        for key in ("label", "description", "unit", "scale", "min", "max", "categoryLabels"):
            if c.get(key) is not None:
                entry[key] = c[key]
        if is_categorical(c):
            entry["categories"] = categories[c["name"]]
        elif values.notna().any():
            entry["observedMin"] = float(values.min())
            entry["observedMax"] = float(values.max())
        entry["missingRate"] = float(values.isna().mean()) if len(values) else 0.0
        inputs.append(entry)
    return inputs


def signature(system, train_inputs, categories, examples=3):
    schema = system["schema"]
    outputs = {"task": schema["task"], "target": schema["target"]}
    if schema["task"] != "regression":
        outputs["classes"] = list(schema["classes"])
    if system.get("display"):
        outputs["display"] = system["display"]
    rows = train_inputs.head(examples).astype(object).where(train_inputs.head(examples).notna(), None)
    return {
        "format": SIGNATURE_FORMAT,
        "version": 1,
        "inputs": signature_inputs(system, train_inputs, categories),
        "outputs": outputs,
        "examples": rows.to_dict(orient="records"),
    }


def model_feature_names(sig):
    """Names of the model's features: numerics as is, one column per category (name_category)."""
    names = []
    for i in sig["inputs"]:
        if i.get("categories") is not None:
            names.extend(f"{i['name']}_{c}" for c in i["categories"])
        else:
            names.append(i["name"])
    return names
