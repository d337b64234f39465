"""Tests of the SageMaker step scripts, run locally with
`python3 -m unittest discover -s infra/ml/tests -t infra/ml` (scripts/test-python.sh).
They skip, naming the module, when pandas/scikit-learn/xgboost are missing.
"""
import importlib.util
import io
import json
import os
import sys
import tarfile
import tempfile
import unittest

ML_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ML_DIR)


def missing(*modules):
    return [m for m in modules if importlib.util.find_spec(m) is None]


def synthetic_abalone(n, seed=1, header=False, missing_every=0):
    """Rows shaped like UCI Abalone (sex, 7 measurements, rings), rings tied to shell weight."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lines = ["sex,length,diameter,height,wholeWeight,shuckedWeight,visceraWeight,shellWeight,rings"] if header else []
    for i in range(n):
        length = rng.uniform(0.1, 0.8)
        shell = length * 0.35 + rng.normal(0, 0.02)
        rings = int(max(1, round(3 + 25 * shell + rng.normal(0, 1))))
        values = [length, length * 0.8, length * 0.25, length * 1.5, length * 0.6, length * 0.3, shell]
        cells = [f"{v:.4f}" for v in values]
        if missing_every and i % missing_every == 0:
            cells[2] = ""
        lines.append(",".join([rng.choice(["M", "F", "I"])] + cells + [str(rings)]))
    return "\n".join(lines) + "\n"


@unittest.skipIf(missing("pandas", "sklearn", "joblib"), f"missing modules: {missing('pandas', 'sklearn', 'joblib')}")
class PreprocessTest(unittest.TestCase):
    def run_preprocess(self, files, seed=0):
        import preprocess

        base = tempfile.mkdtemp()
        data = os.path.join(base, "input", "data")
        os.makedirs(data)
        for name, text in files.items():
            with open(os.path.join(data, name), "w") as f:
                f.write(text)
        preprocess.main(["--seed", str(seed), "--base-dir", base])
        return base

    def read(self, base, name):
        import pandas as pd

        return pd.read_csv(os.path.join(base, name, f"{name}.csv"), header=None)

    def test_split_70_15_15_label_first_ten_features(self):
        base = self.run_preprocess({"a.data": synthetic_abalone(150), "b.csv": synthetic_abalone(50, seed=2, header=True)})
        train, val, test = (self.read(base, n) for n in ("train", "validation", "test"))
        self.assertEqual((len(train), len(val), len(test)), (140, 30, 30))
        for part in (train, val, test):
            self.assertEqual(part.shape[1], 11)  # rings + 7 scaled numerics + one-hot F, I, M
            self.assertTrue((part.iloc[:, 0] >= 1).all())
            self.assertTrue(part.iloc[:, 8:].isin([0.0, 1.0]).all().all())
            self.assertTrue((part.iloc[:, 8:].sum(axis=1) == 1).all())
        # Scaler fitted on train: train numerics have mean 0, std 1.
        self.assertLess(abs(train.iloc[:, 1:8].mean()).max(), 1e-6)
        self.assertLess(abs(train.iloc[:, 1:8].std(ddof=0) - 1).max(), 1e-6)

    def test_imputes_missing_numerics_with_the_median(self):
        base = self.run_preprocess({"a.data": synthetic_abalone(100, missing_every=5)})
        for name in ("train", "validation", "test"):
            self.assertFalse(self.read(base, name).isna().any().any())

    def test_same_seed_same_split_other_seed_differs(self):
        text = synthetic_abalone(100)
        a = self.read(self.run_preprocess({"a.data": text}, seed=7), "test")
        b = self.read(self.run_preprocess({"a.data": text}, seed=7), "test")
        c = self.read(self.run_preprocess({"a.data": text}, seed=8), "test")
        self.assertTrue(a.equals(b))
        self.assertFalse(a.equals(c))

    def test_packages_preprocessor_with_serving_code(self):
        base = self.run_preprocess({"a.data": synthetic_abalone(60)})
        with tarfile.open(os.path.join(base, "preprocessor", "model.tar.gz")) as tar:
            self.assertEqual(sorted(tar.getnames()), ["code/abalone_common.py", "code/inference.py", "preprocessor.joblib"])

    def test_names_the_row_with_a_bad_label(self):
        text = synthetic_abalone(30).splitlines()
        text[4] = text[4].rsplit(",", 1)[0] + ",x"
        with self.assertRaisesRegex(ValueError, r"a.data: row 5: column rings"):
            self.run_preprocess({"a.data": "\n".join(text)})

    def test_inference_script_turns_raw_csv_into_the_training_features(self):
        import inference
        import pandas as pd

        base = self.run_preprocess({"a.data": synthetic_abalone(80)})
        model_dir = tempfile.mkdtemp()
        with tarfile.open(os.path.join(base, "preprocessor", "model.tar.gz")) as tar:
            tar.extractall(model_dir)
        model = inference.model_fn(model_dir)
        raw = "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nI,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055\n"
        body, content_type = inference.output_fn(
            inference.predict_fn(inference.input_fn(raw.encode(), "text/csv"), model), "text/csv"
        )
        self.assertEqual(content_type, "text/csv")
        rows = pd.read_csv(io.StringIO(body), header=None)
        self.assertEqual(rows.shape, (2, 10))
        self.assertEqual(list(rows.iloc[0, 7:]), [0.0, 0.0, 1.0])  # M
        self.assertEqual(list(rows.iloc[1, 7:]), [0.0, 1.0, 0.0])  # I
        with self.assertRaisesRegex(ValueError, "expected 8 columns"):
            inference.input_fn(b"M,0.4,0.3\n", "text/csv")
        with self.assertRaisesRegex(ValueError, "unsupported content type"):
            inference.input_fn(b"{}", "application/json")


@unittest.skipIf(missing("pandas", "numpy", "xgboost"), f"missing modules: {missing('pandas', 'numpy', 'xgboost')}")
class EvaluateTest(unittest.TestCase):
    def test_writes_regression_metrics_that_match_numpy(self):
        import numpy as np
        import xgboost

        import evaluate

        rng = np.random.default_rng(3)
        x = rng.normal(size=(200, 10))
        y = 10 + 3 * x[:, 0] + rng.normal(0, 0.5, size=200)
        booster = xgboost.train({"max_depth": 3, "eta": 0.3, "objective": "reg:squarederror"}, xgboost.DMatrix(x, label=y), 20)

        base = tempfile.mkdtemp()
        os.makedirs(os.path.join(base, "model"))
        os.makedirs(os.path.join(base, "test"))
        model_file = os.path.join(base, "xgboost-model")
        booster.save_model(model_file)
        with tarfile.open(os.path.join(base, "model", "model.tar.gz"), "w:gz") as tar:
            tar.add(model_file, arcname="xgboost-model")
        np.savetxt(os.path.join(base, "test", "test.csv"), np.column_stack([y, x]), delimiter=",")

        evaluate.main(["--base-dir", base])
        with open(os.path.join(base, "evaluation", "evaluation.json")) as f:
            report = json.load(f)
        pred = booster.predict(xgboost.DMatrix(x))
        m = report["regression_metrics"]
        self.assertAlmostEqual(m["mse"]["value"], float(np.mean((y - pred) ** 2)), places=5)
        self.assertAlmostEqual(m["rmse"]["value"], float(np.sqrt(np.mean((y - pred) ** 2))), places=5)
        self.assertAlmostEqual(m["mae"]["value"], float(np.mean(np.abs(y - pred))), places=5)
        self.assertGreater(m["r2"]["value"], 0.8)
        self.assertIn("standard_deviation", m["mse"])

    def test_metrics_of_a_perfect_and_a_constant_prediction(self):
        import evaluate

        perfect = evaluate.regression_metrics([1, 2, 3], [1, 2, 3])["regression_metrics"]
        self.assertEqual((perfect["mse"]["value"], perfect["r2"]["value"]), (0.0, 1.0))
        constant = evaluate.regression_metrics([1, 2, 3], [2, 2, 2])["regression_metrics"]
        self.assertAlmostEqual(constant["mse"]["value"], 2 / 3)
        self.assertAlmostEqual(constant["r2"]["value"], 0.0)


if __name__ == "__main__":
    unittest.main()
