"""The ML chain as SageMaker runs it, for a regression (Abalone), a binary
(breast cancer) and a multiclass (penguins) system, from their spec files:
preprocess → XGBoost training as the built-in container does it (the Train
step's string hyperparameters as the pipeline definition has them, so the
task's objective; early stopping on the validation channel; model saved as
xgboost-model) → evaluate → the registered pipeline model's serving path
(inference.py hooks, then the XGBoost container's prediction). Asserts
evaluate scores exactly what the endpoint would serve on the test split, and
that the gate's JsonGet path names a metric evaluate wrote, and that the
prediction baseline evaluate wrote describes the served predictions.
"""
import io
import json
import os
import tarfile
import tempfile
import unittest
import warnings

from tests.support import breast_cancer_csv, missing, synthetic_abalone, synthetic_penguins, system_json, train_view, write_system

NEEDED = ("pandas", "sklearn", "joblib", "xgboost")


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


def json_get(document, path):
    """SageMaker's JsonGet on a property file (dotted path)."""
    for key in path.split("."):
        document = document[key]
    return document


@unittest.skipIf(missing(*NEEDED), f"missing modules: {missing(*NEEDED)}")
class ChainTest(unittest.TestCase):
    def run_chain(self, name, files, data_file=None):
        import numpy as np
        import pandas as pd
        import xgboost

        import evaluate
        import inference
        import ml_schema
        import preprocess

        system = system_json(name, data_file)
        view = train_view(name, data_file)
        base = tempfile.mkdtemp()
        os.makedirs(os.path.join(base, "input", "data"))
        for file, text in files.items():
            with open(os.path.join(base, "input", "data", file), "w") as f:
                f.write(text)
        write_system(base, system)
        preprocess.main(["--seed", view["seed"], "--base-dir", base])
        container_train(
            view["hyperparameters"],
            os.path.join(base, "train", "train.csv"),
            os.path.join(base, "validation", "validation.csv"),
            os.path.join(base, "model"),
        )
        evaluate.main(["--base-dir", base])
        with open(os.path.join(base, "evaluation", "evaluation.json")) as f:
            report = json.load(f)

        # Serving path of the registered pipeline model, on the raw test rows as a client sends them.
        schema = system["schema"]
        raw = ml_schema.read_dataset(os.path.join(base, "input", "data"), system)
        labels = ml_schema.encode_target(raw[schema["target"]], system)
        s = system["split"]
        strata = labels if schema["task"] != "regression" and s.get("stratify") else None
        _, _, raw_test = preprocess.split(raw.assign(__label__=labels), int(view["seed"]), (s["train"], s["validation"], s["test"]), strata)
        names = [c["name"] for c in ml_schema.input_columns(system)]
        body = raw_test[names].to_csv(header=False, index=False)
        pre_dir = tempfile.mkdtemp()
        with tarfile.open(os.path.join(base, "preprocessor", "model.tar.gz")) as tar:
            tar.extractall(pre_dir)
        model = inference.model_fn(pre_dir)
        features, content_type = inference.output_fn(inference.predict_fn(inference.input_fn(body.encode(), "text/csv"), model), "text/csv")
        self.assertEqual(content_type, "text/csv")
        booster, served = container_serve(os.path.join(base, "model", "model.tar.gz"), features)

        # evaluate.py's predictions are exactly the served ones (same rows, same features, same trees).
        test = pd.read_csv(os.path.join(base, "test", "test.csv"), header=None)
        np.testing.assert_allclose(test.iloc[:, 0].to_numpy(), raw_test["__label__"].to_numpy())
        evaluated = evaluate.served_predictions(booster, xgboost.DMatrix(test.iloc[:, 1:].to_numpy()))
        np.testing.assert_allclose(evaluated, served, rtol=1e-5, atol=1e-7)
        expected = evaluate.quality_report(system, raw_test["__label__"].to_numpy(), served)
        section = ml_schema.REPORT_SECTIONS[schema["task"]]
        self.assertEqual(list(report), [section])
        for metric, entry in report[section].items():
            if metric != "confusion_matrix":
                self.assertAlmostEqual(entry["value"], expected[section][metric]["value"], places=5, msg=metric)
        self.assertEqual(report[section].get("confusion_matrix"), expected[section].get("confusion_matrix"))

        # The gate reads the metric it names, at the path the pipeline definition gives.
        gate = view["gate"]
        self.assertEqual(gate["path"], f"{section}.{system['gate']['metric']}.value")
        self.assertEqual(gate["stepName"], "Check" + system["gate"]["metric"].upper().replace("_", ""))
        self.assertEqual(json_get(report, gate["path"]), report[section][system["gate"]["metric"]]["value"])
        with open(os.path.join(base, "evaluation", "prediction-baseline.json")) as f:
            self.baseline = json.load(f)
        self.assertEqual((self.baseline["format"], self.baseline["task"]), ("mlops-portal/prediction-baseline", schema["task"]))
        self.assertEqual(self.baseline["count"], len(test))
        self.assertAlmostEqual(sum(self.baseline["shares"]), 1.0, places=9)
        return view, booster, served, report[section]

    def test_regression_abalone(self):
        view, booster, served, metrics = self.run_chain("abalone", {"abalone.data": synthetic_abalone(400, seed=5)})
        self.assertEqual(view["hyperparameters"]["objective"], "reg:squarederror")
        self.assertEqual(served.ndim, 1)
        # Early stopping kept extra trees, so serving the best iteration is what is being checked (issue #15).
        self.assertLess(int(booster.attr("best_iteration")) + 1, booster.num_boosted_rounds())
        self.assertLess(metrics["mse"]["value"], 6.0)
        # Deciles of the served values: nine distinct ascending edges, a tenth of the split in each bin.
        b = self.baseline
        self.assertEqual(b["kind"], "bins")
        self.assertEqual(len(b["edges"]), 9)
        self.assertEqual(b["edges"], sorted(set(b["edges"])))
        counts = [int(((served >= lo) & (served < hi)).sum()) for lo, hi in zip([-float("inf")] + b["edges"], b["edges"] + [float("inf")])]
        self.assertEqual([round(s * len(served)) for s in b["shares"]], counts)
        self.assertTrue(all(abs(s - 0.1) <= 0.05 for s in b["shares"]), b["shares"])

    def test_binary_breast_cancer(self):
        data = os.path.join(tempfile.mkdtemp(), "breast-cancer.csv")
        with open(data, "w") as f:
            f.write(breast_cancer_csv())
        with open(data) as f:
            view, _, served, metrics = self.run_chain("breast-cancer", {"breast-cancer.csv": f.read()}, data)
        self.assertEqual(view["hyperparameters"]["objective"], "binary:logistic")
        self.assertEqual(view["gate"]["path"], "binary_classification_metrics.auc.value")
        self.assertEqual(served.ndim, 1)
        self.assertTrue(((served >= 0) & (served <= 1)).all())
        self.assertGreater(metrics["auc"]["value"], 0.95)
        # Shares of the predicted classes, as the confusion matrix's columns count them.
        b = self.baseline
        self.assertEqual((b["kind"], b["labels"]), ("classes", list(metrics["confusion_matrix"])))
        predicted = [sum(row[label] for row in metrics["confusion_matrix"].values()) for label in b["labels"]]
        self.assertEqual([round(s * len(served)) for s in b["shares"]], predicted)
        self.assertTrue(0 < b["shares"][1] < 1)

    def test_multiclass_penguins(self):
        view, _, served, metrics = self.run_chain("penguins", {"penguins.csv": synthetic_penguins(400)})
        self.assertEqual((view["hyperparameters"]["objective"], view["hyperparameters"]["num_class"]), ("multi:softprob", "3"))
        self.assertEqual(served.shape[1], 3)
        self.assertTrue(abs(served.sum(axis=1) - 1).max() < 1e-5)
        self.assertGreater(metrics["accuracy"]["value"], 0.8)
        b = self.baseline
        self.assertEqual(b["kind"], "classes")
        predicted = [sum(row[label] for row in metrics["confusion_matrix"].values()) for label in b["labels"]]
        self.assertEqual([round(s * len(served)) for s in b["shares"]], predicted)
        self.assertEqual(len(b["shares"]), 3)


if __name__ == "__main__":
    unittest.main()
