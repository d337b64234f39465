#!/usr/bin/env python3
"""Real-XGBoost side of the ml-core parity benchmark.

Reads the train/validation/test CSVs that `mlops-ml train` wrote (label first,
no header), so both implementations see exactly the same split and the same
preprocessed features. Prints one JSON object.

  python3 xgb_reference.py --dir D [--params JSON] [--tree-method auto|hist]
                           [--nthread 1] [--repeat N] [--check-model D/model.json]
                           [--emit-pred] [--cold-dmatrix]

The objective (and num_class) come with --params; reg:squarederror by default.
--emit-pred adds the test predictions (probabilities for classifiers) to the
output, so the caller scores both sides with the same metric code.
"""
import argparse
import json
import sys
import time

try:
    import numpy as np
    import xgboost as xgb
except ImportError as e:  # the benchmark is optional
    print(json.dumps({"skipped": f"python3-xgboost not available: {e}"}))
    sys.exit(3)


def load(path):
    try:
        a = np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
    except ValueError:  # empty cells (missing values): slower, reads them as NaN
        a = np.atleast_2d(np.genfromtxt(path, delimiter=",", dtype=np.float32))
    return a[:, 1:], a[:, 0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--params", default="{}")
    ap.add_argument("--tree-method", default="auto")
    ap.add_argument("--nthread", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--check-model")
    ap.add_argument("--check-data", help="CSV whose features model.json is scored on")
    ap.add_argument("--check-pred", help="file with ml-core's predictions, one per line")
    ap.add_argument("--emit-pred", action="store_true")
    a = ap.parse_args()

    p = json.loads(a.params)
    num_round = int(p.pop("num_round", 50))
    esr = p.pop("early_stopping_rounds", None)
    p.pop("nthread", None)  # the thread count is --nthread
    params = {"objective": "reg:squarederror", "tree_method": a.tree_method,
              "nthread": a.nthread, "verbosity": 0, **p}

    xtr, ytr = load(f"{a.dir}/train.csv")
    xva, yva = load(f"{a.dir}/validation.csv")
    xte, yte = load(f"{a.dir}/test.csv")

    times = []
    cpu = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        c0 = time.process_time()
        # DMatrix construction is part of training cost, as ml-core's timing includes its binning/sorting.
        dtr = xgb.DMatrix(xtr, label=ytr, nthread=a.nthread)
        dva = xgb.DMatrix(xva, label=yva, nthread=a.nthread)
        bst = xgb.train(params, dtr, num_round, evals=[(dva, "validation")],
                        early_stopping_rounds=esr, verbose_eval=False)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    best = bst.best_iteration if esr else num_round - 1
    pred = bst.predict(xgb.DMatrix(xte), iteration_range=(0, best + 1))
    res = {
        "xgboost": xgb.__version__,
        "tree_method": a.tree_method,
        "objective": params["objective"],
        "mse": float(np.mean((yte - pred.reshape(yte.shape[0], -1)[:, 0]) ** 2)),
        "mae": float(np.mean(np.abs(yte - pred.reshape(yte.shape[0], -1)[:, 0]))),
        "best_iteration": int(best),
        "train_seconds": float(np.median(times)),
        "train_cpu_seconds": float(np.median(cpu)),
        "first_train_seconds": float(times[0]),
    }
    if a.emit_pred:
        res["pred"] = pred.ravel().tolist()
    if a.check_model:
        m = xgb.Booster()
        m.load_model(a.check_model)
        x, _ = load(a.check_data) if a.check_data else (xte, None)
        ours = np.loadtxt(a.check_pred, dtype=np.float64, ndmin=1)
        theirs = m.predict(xgb.DMatrix(x)).ravel()
        res["model_json_max_abs_diff"] = float(np.max(np.abs(theirs - ours)))
        res["model_json_trees"] = len(m.get_dump())
    print(json.dumps(res))


if __name__ == "__main__":
    main()
