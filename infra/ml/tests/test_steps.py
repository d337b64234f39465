"""Tests of the SageMaker step scripts on the demo systems' specs, run locally with
`bash infra/scripts/test-python.sh`. They skip, naming the module, when
pandas/scikit-learn/xgboost are missing.
"""
import io
import json
import os
import tarfile
import tempfile
import unittest

from tests.support import breast_cancer_csv, missing, synthetic_abalone, synthetic_penguins, system_json, write_system

STEP_MODULES = ("pandas", "sklearn", "joblib")


def run_preprocess(system, files, seed=0):
    import preprocess

    base = tempfile.mkdtemp()
    data = os.path.join(base, "input", "data")
    os.makedirs(data)
    for name, text in files.items():
        with open(os.path.join(data, name), "w") as f:
            f.write(text)
    write_system(base, system)
    preprocess.main(["--seed", str(seed), "--base-dir", base])
    return base


def read_part(base, name):
    import pandas as pd

    return pd.read_csv(os.path.join(base, name, f"{name}.csv"), header=None)


def read_json(*parts):
    with open(os.path.join(*parts)) as f:
        return json.load(f)


@unittest.skipIf(missing(*STEP_MODULES), f"missing modules: {missing(*STEP_MODULES)}")
class RegressionPreprocessTest(unittest.TestCase):
    """The Abalone spec: no header, one categorical among numerics, a numeric target."""

    @classmethod
    def setUpClass(cls):
        cls.system = system_json("abalone")

    def test_split_fractions_label_first_scaled_numerics_and_one_hot(self):
        base = run_preprocess(self.system, {"a.data": synthetic_abalone(150), "b.data": synthetic_abalone(50, seed=2)})
        train, val, test = (read_part(base, n) for n in ("train", "validation", "test"))
        self.assertEqual((len(train), len(val), len(test)), (140, 30, 30))
        # Features in signature order: sex one-hot (M, F, I as the spec lists them), then 7 numerics.
        sig = read_json(base, "signature", "signature.json")
        self.assertEqual([i["name"] for i in sig["inputs"]], ["sex", "length", "diameter", "height", "wholeWeight", "shuckedWeight", "visceraWeight", "shellWeight"])
        for part in (train, val, test):
            self.assertEqual(part.shape[1], 11)
            self.assertTrue(part.iloc[:, 1:4].isin([0.0, 1.0]).all().all())
            self.assertTrue((part.iloc[:, 1:4].sum(axis=1) == 1).all())
        self.assertLess(abs(train.iloc[:, 4:].mean()).max(), 1e-6)
        self.assertLess(abs(train.iloc[:, 4:].std(ddof=0) - 1).max(), 1e-6)

    def test_signature_has_the_spec_ranges_observed_ranges_and_missing_rates(self):
        base = run_preprocess(self.system, {"a.data": synthetic_abalone(100, missing_every=5)})
        sig = read_json(base, "signature", "signature.json")
        self.assertEqual((sig["format"], sig["version"]), ("mlops-portal/signature", 1))
        self.assertEqual(sig["outputs"], {"task": "regression", "target": "rings", "display": {"name": "age", "label": "Age", "unit": "years", "offset": 1.5}})
        sex, length, _, height = sig["inputs"][:4]
        self.assertEqual((sex["datatype"], sex["categories"]), ("BYTES", ["M", "F", "I"]))
        self.assertEqual((length["datatype"], length["min"], length["max"], length["unit"], length["scale"]), ("FP64", 0, 1.0, "mm", 200))
        self.assertLess(length["observedMin"], length["observedMax"])
        self.assertGreater(height["missingRate"], 0.1)  # every 5th row
        self.assertEqual(length["missingRate"], 0.0)
        self.assertEqual(len(sig["examples"]), 3)
        for name in ("train", "validation", "test"):
            self.assertFalse(read_part(base, name).isna().any().any())

    def test_same_seed_same_split_other_seed_differs(self):
        text = synthetic_abalone(100)
        a = read_part(run_preprocess(self.system, {"a.data": text}, seed=7), "test")
        b = read_part(run_preprocess(self.system, {"a.data": text}, seed=7), "test")
        c = read_part(run_preprocess(self.system, {"a.data": text}, seed=8), "test")
        self.assertTrue(a.equals(b))
        self.assertFalse(a.equals(c))

    def test_packages_preprocessor_signature_and_serving_code(self):
        base = run_preprocess(self.system, {"a.data": synthetic_abalone(60)})
        with tarfile.open(os.path.join(base, "preprocessor", "model.tar.gz")) as tar:
            self.assertEqual(sorted(tar.getnames()), ["code/inference.py", "code/ml_schema.py", "preprocessor.joblib", "signature.json"])

    def test_names_the_row_with_a_bad_label(self):
        text = synthetic_abalone(30).splitlines()
        text[4] = text[4].rsplit(",", 1)[0] + ",x"
        with self.assertRaisesRegex(ValueError, r"row 5: column rings is not a number"):
            run_preprocess(self.system, {"a.data": "\n".join(text)})

    def test_refuses_a_file_with_the_wrong_column_count(self):
        with self.assertRaisesRegex(ValueError, r"a.data: 3 columns, the schema has 9"):
            run_preprocess(self.system, {"a.data": "M,0.4,0.3\n" * 30})

    def test_inference_turns_raw_csv_into_the_training_features(self):
        import pandas as pd

        import inference

        base = run_preprocess(self.system, {"a.data": synthetic_abalone(80)})
        model_dir = tempfile.mkdtemp()
        with tarfile.open(os.path.join(base, "preprocessor", "model.tar.gz")) as tar:
            tar.extractall(model_dir)
        model = inference.model_fn(model_dir)
        raw = "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nX,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055\n"
        body, content_type = inference.output_fn(inference.predict_fn(inference.input_fn(raw.encode(), "text/csv"), model), "text/csv")
        self.assertEqual(content_type, "text/csv")
        rows = pd.read_csv(io.StringIO(body), header=None)
        self.assertEqual(rows.shape, (2, 10))
        self.assertEqual(list(rows.iloc[0, :3]), [1.0, 0.0, 0.0])  # M
        self.assertEqual(list(rows.iloc[1, :3]), [0.0, 0.0, 0.0])  # unknown category → zeros
        with self.assertRaisesRegex(ValueError, "expected 8 columns"):
            inference.predict_fn(inference.input_fn(b"M,0.4,0.3\n", "text/csv"), model)
        with self.assertRaisesRegex(ValueError, "unsupported content type"):
            inference.input_fn(b"{}", "application/json")


@unittest.skipIf(missing(*STEP_MODULES), f"missing modules: {missing(*STEP_MODULES)}")
class ClassifierPreprocessTest(unittest.TestCase):
    def test_binary_header_file_columns_inferred_classes_indexed_and_stratified(self):
        import numpy as np

        data = os.path.join(tempfile.mkdtemp(), "breast-cancer.csv")
        with open(data, "w") as f:
            f.write(breast_cancer_csv())
        system = system_json("breast-cancer", data)
        with open(data) as f:
            base = run_preprocess(system, {"breast-cancer.csv": f.read()})
        train, test = read_part(base, "train"), read_part(base, "test")
        self.assertEqual(train.shape[1], 31)
        self.assertEqual(sorted(train.iloc[:, 0].unique()), [0.0, 1.0])
        # Stratified: the malignant (index 1) share is the same in each part, to a row.
        share = lambda part: float(np.mean(part.iloc[:, 0]))  # noqa: E731
        self.assertAlmostEqual(share(train), share(test), delta=0.02)
        sig = read_json(base, "signature", "signature.json")
        self.assertEqual(sig["outputs"], {"task": "binary", "target": "diagnosis", "classes": ["benign", "malignant"], "display": {"label": "Diagnosis"}})

    def test_multiclass_with_categorical_inputs_and_missing_markers(self):
        system = system_json("penguins")
        base = run_preprocess(system, {"penguins.csv": synthetic_penguins(300)})
        sig = read_json(base, "signature", "signature.json")
        self.assertEqual([i["name"] for i in sig["inputs"]], ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"])
        sex = sig["inputs"][-1]
        self.assertEqual(sex["categories"], ["FEMALE", "MALE"])
        self.assertGreater(sex["missingRate"], 0)  # "." and "NA" are the spec's missing markers
        train = read_part(base, "train")
        self.assertEqual(train.shape[1], 1 + 3 + 4 + 2)
        self.assertEqual(sorted(train.iloc[:, 0].unique()), [0.0, 1.0, 2.0])
        self.assertFalse(train.isna().any().any())
        # Most-frequent imputation: every row has exactly one sex column set.
        self.assertTrue((train.iloc[:, 8:10].sum(axis=1) == 1).all())

    def test_names_an_unknown_class(self):
        text = synthetic_penguins(40).splitlines()
        text[3] = "Emperor" + text[3][text[3].index(","):]
        with self.assertRaisesRegex(ValueError, r"row 3: species 'Emperor' is not one of the classes"):
            run_preprocess(system_json("penguins"), {"p.csv": "\n".join(text) + "\n"})


@unittest.skipIf(missing("pandas", "numpy", "xgboost"), f"missing modules: {missing('pandas', 'numpy', 'xgboost')}")
class MetricsTest(unittest.TestCase):
    def test_regression_metrics_match_numpy(self):
        import numpy as np

        import evaluate

        rng = np.random.default_rng(3)
        y = rng.normal(10, 3, size=200)
        pred = y + rng.normal(0, 1, size=200)
        m = evaluate.regression_metrics(y, pred)["regression_metrics"]
        self.assertAlmostEqual(m["mse"]["value"], float(np.mean((y - pred) ** 2)))
        self.assertAlmostEqual(m["rmse"]["value"], float(np.sqrt(np.mean((y - pred) ** 2))))
        self.assertAlmostEqual(m["mae"]["value"], float(np.mean(np.abs(y - pred))))
        self.assertAlmostEqual(m["r2"]["value"], 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2))
        for metric in m.values():
            self.assertEqual(sorted(metric), ["standard_deviation", "value"])
            self.assertGreater(metric["standard_deviation"], 0)

    def test_binary_metrics_match_scikit_learn(self):
        import numpy as np
        from sklearn import metrics

        import evaluate

        rng = np.random.default_rng(4)
        y = rng.integers(0, 2, size=300)
        p = np.clip(y * 0.6 + rng.uniform(0, 0.5, size=300), 0, 1)
        m = evaluate.binary_metrics(y, p, ["no", "yes"])["binary_classification_metrics"]
        hard = (p >= 0.5).astype(int)
        self.assertAlmostEqual(m["auc"]["value"], metrics.roc_auc_score(y, p))
        self.assertAlmostEqual(m["accuracy"]["value"], metrics.accuracy_score(y, hard))
        self.assertAlmostEqual(m["precision"]["value"], metrics.precision_score(y, hard))
        self.assertAlmostEqual(m["recall"]["value"], metrics.recall_score(y, hard))
        self.assertAlmostEqual(m["f1"]["value"], metrics.f1_score(y, hard))
        tn, fp, fn, tp = metrics.confusion_matrix(y, hard).ravel()
        self.assertAlmostEqual(m["false_positive_rate"]["value"], fp / (fp + tn))
        self.assertEqual(m["confusion_matrix"], {"no": {"no": tn, "yes": fp}, "yes": {"no": fn, "yes": tp}})
        self.assertAlmostEqual(m["pr_auc"]["value"], metrics.average_precision_score(y, p))
        self.assertAlmostEqual(m["logloss"]["value"], metrics.log_loss(y, np.clip(p, 1e-16, 1 - 1e-16)))

    def test_multiclass_metrics_match_scikit_learn(self):
        import numpy as np
        from sklearn import metrics

        import evaluate

        rng = np.random.default_rng(5)
        y = rng.integers(0, 3, size=300)
        probs = rng.dirichlet([1, 1, 1], size=300)
        probs[np.arange(300), y] += rng.uniform(0, 0.8, size=300)
        probs /= probs.sum(axis=1, keepdims=True)
        m = evaluate.multiclass_metrics(y, probs, ["a", "b", "c"])["multiclass_classification_metrics"]
        hard = probs.argmax(axis=1)
        self.assertAlmostEqual(m["accuracy"]["value"], metrics.accuracy_score(y, hard))
        for name, fn in (("weighted_precision", metrics.precision_score), ("weighted_recall", metrics.recall_score), ("weighted_f1", metrics.f1_score)):
            self.assertAlmostEqual(m[name]["value"], fn(y, hard, average="weighted"), msg=name)
        self.assertAlmostEqual(m["macro_f1"]["value"], metrics.f1_score(y, hard, average="macro"))
        self.assertAlmostEqual(m["logloss"]["value"], metrics.log_loss(y, probs))

    def test_every_gate_metric_the_cdk_app_accepts_is_in_the_report(self):
        """lib/spec.ts refuses a gate on a metric outside ml/report_metrics.json; evaluate writes each."""
        import numpy as np

        import evaluate

        with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "report_metrics.json")) as f:
            accepted = json.load(f)
        y2, y3 = np.array([0, 1, 1, 0]), np.array([0, 1, 2, 1])
        reports = {
            "regression": evaluate.regression_metrics([1.0, 2, 3, 4], [1.1, 2, 2.9, 4.2])["regression_metrics"],
            "binary": evaluate.binary_metrics(y2, [0.2, 0.7, 0.4, 0.1], ["a", "b"])["binary_classification_metrics"],
            "multiclass": evaluate.multiclass_metrics(y3, np.eye(3)[[0, 1, 2, 2]], ["a", "b", "c"])["multiclass_classification_metrics"],
        }
        for task, names in accepted.items():
            for name in names:
                self.assertIsInstance(reports[task][name]["value"], float, f"{task}.{name}")


if __name__ == "__main__":
    unittest.main()
