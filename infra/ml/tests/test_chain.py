"""The ML chain as SageMaker runs it, on a few hundred synthetic rows:
preprocess → XGBoost training as the built-in container does it (the
pipeline's string hyperparameters, early stopping on the validation channel,
model saved as xgboost-model) → evaluate → the registered pipeline model's
serving path (inference.py hooks, then the XGBoost container's prediction).
Asserts evaluate scores exactly the predictions the endpoint would serve.
"""
import io
import json
import os
import sys
import tarfile
import tempfile
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_steps import missing, synthetic_abalone  # noqa: E402

NEEDED = ("pandas", "sklearn", "joblib", "xgboost")

# HyperParameters of the Train step with the pipeline parameters' defaults
# (infra/lib/pipeline-definition.ts; SageMaker passes them as strings).
HYPERPARAMETERS = {
    "objective": "reg:squarederror",
    "eval_metric": "rmse",
    "max_depth": "5",
    "eta": "0.2",
    "gamma": "4",
    "min_child_weight": "6",
    "subsample": "0.7",
    "num_round": "50",
    "early_stopping_rounds": "10",
    "seed": "0",
}


def container_train(hyperparameters, train_csv, validation_csv, model_dir):
    """What the built-in XGBoost algorithm does with a train and a validation channel."""
    import pandas as pd
    import xgboost

    def dmatrix(path):
        df = pd.read_csv(path, header=None)
        return xgboost.DMatrix(df.iloc[:, 1:].to_numpy(), label=df.iloc[:, 0].to_numpy())

    params = {k: v for k, v in hyperparameters.items() if k not in ("num_round", "early_stopping_rounds")}
    dtrain, dval = dmatrix(train_csv), dmatrix(validation_csv)
    booster = xgboost.train(
        params,
        dtrain,
        num_boost_round=int(hyperparameters["num_round"]),
        evals=[(dtrain, "train"), (dval, "validation")],  # the last one drives early stopping
        early_stopping_rounds=int(hyperparameters["early_stopping_rounds"]),
        verbose_eval=False,
    )
    os.makedirs(model_dir, exist_ok=True)
    path = os.path.join(model_dir, "xgboost-model")
    booster.save_model(path)
    with tarfile.open(os.path.join(model_dir, "model.tar.gz"), "w:gz") as tar:
        tar.add(path, arcname="xgboost-model")
    os.remove(path)


def container_serve(model_tar, features_csv):
    """The XGBoost container's inference: load xgboost-model, predict with the best ntree limit."""
    import numpy as np
    import xgboost

    model_dir = tempfile.mkdtemp()
    with tarfile.open(model_tar) as tar:
        tar.extractall(model_dir)
    booster = xgboost.Booster()
    booster.load_model(os.path.join(model_dir, "xgboost-model"))
    rows = np.loadtxt(io.StringIO(features_csv), delimiter=",", ndmin=2)
    with warnings.catch_warnings():  # ntree_limit is deprecated in 1.7, but it is what the container passes
        warnings.simplefilter("ignore", UserWarning)
        return booster, booster.predict(xgboost.DMatrix(rows), ntree_limit=getattr(booster, "best_ntree_limit", 0))


@unittest.skipIf(missing(*NEEDED), f"missing modules: {missing(*NEEDED)}")
class ChainTest(unittest.TestCase):
    def test_evaluate_scores_the_model_the_endpoint_serves(self):
        import numpy as np
        import pandas as pd

        import evaluate
        import inference
        import preprocess

        base = tempfile.mkdtemp()
        os.makedirs(os.path.join(base, "input", "data"))
        with open(os.path.join(base, "input", "data", "abalone.data"), "w") as f:
            f.write(synthetic_abalone(400, seed=5))
        preprocess.main(["--seed", HYPERPARAMETERS["seed"], "--base-dir", base])
        container_train(
            HYPERPARAMETERS,
            os.path.join(base, "train", "train.csv"),
            os.path.join(base, "validation", "validation.csv"),
            os.path.join(base, "model"),
        )
        evaluate.main(["--base-dir", base])
        with open(os.path.join(base, "evaluation", "evaluation.json")) as f:
            reported = json.load(f)["regression_metrics"]

        # Serving path of the registered pipeline model, on the raw test rows.
        raw = preprocess.read_dataset(os.path.join(base, "input", "data"))
        _, _, raw_test = preprocess.split(raw, int(HYPERPARAMETERS["seed"]))
        body = raw_test[inference.FEATURE_COLUMNS].to_csv(header=False, index=False)
        pre_dir = tempfile.mkdtemp()
        with tarfile.open(os.path.join(base, "preprocessor", "model.tar.gz")) as tar:
            tar.extractall(pre_dir)
        pre = inference.model_fn(pre_dir)
        features, content_type = inference.output_fn(
            inference.predict_fn(inference.input_fn(body.encode(), "text/csv"), pre), "text/csv"
        )
        self.assertEqual(content_type, "text/csv")
        booster, served = container_serve(os.path.join(base, "model", "model.tar.gz"), features)

        # The repro of issue #15 needs early stopping to have kept extra trees.
        best = int(booster.attr("best_iteration"))
        self.assertLess(best + 1, booster.num_boosted_rounds())

        # evaluate.py's predictions are exactly the served ones (same rows, same trees).
        test = pd.read_csv(os.path.join(base, "test", "test.csv"), header=None)
        np.testing.assert_allclose(test.iloc[:, 0].to_numpy(), raw_test["rings"].to_numpy())
        import xgboost

        evaluated = evaluate.served_predictions(booster, xgboost.DMatrix(test.iloc[:, 1:].to_numpy()))
        np.testing.assert_allclose(evaluated, served, rtol=1e-5)
        expected = evaluate.regression_metrics(raw_test["rings"], served)["regression_metrics"]
        self.assertAlmostEqual(reported["mse"]["value"], expected["mse"]["value"], places=4)
        self.assertAlmostEqual(reported["mae"]["value"], expected["mae"]["value"], places=4)

        # And not the all-trees model, which scores differently.
        all_trees = booster.predict(xgboost.DMatrix(test.iloc[:, 1:].to_numpy()))
        self.assertGreater(float(np.max(np.abs(all_trees - served))), 1e-3)


if __name__ == "__main__":
    unittest.main()
