"""Drift baseline, evaluation plots and the Model Monitor record preprocessor.

The baseline is compared with what the portal's ml-core computes for the same
rows, run live (ml-core's baselineStatistics through tsx on
tests/fixtures/abalone-rows.json), so a change on either side fails here.
"""
import json
import os
import shutil
import subprocess
import tempfile
import types
import unittest

from tests.support import INFRA_DIR, missing, synthetic_abalone, system_json, write_system

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
ML_CORE = os.path.join(os.path.dirname(INFRA_DIR), "packages", "ml-core", "src", "monitoring", "statistics.ts")


def ml_core_statistics(rows_file):
    """ml-core's baselineStatistics of the rows, computed now by the TypeScript code itself."""
    run = subprocess.run(
        [shutil.which("npx"), "--no-install", "tsx", "scripts/ml-core-baseline.ts", rows_file],
        cwd=INFRA_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode != 0:
        raise RuntimeError(f"ml-core baselineStatistics: {run.stderr.strip()[:2000]}")
    return json.loads(run.stdout)


def abalone_signature(df):
    import ml_schema

    system = system_json("abalone")
    categories = {c["name"]: c["categories"] for c in ml_schema.input_columns(system) if c.get("categories")}
    return ml_schema.signature(system, df, categories)


def load_fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return json.load(f)


def assert_same_json(test, actual, expected, path="$"):
    """Same keys and types everywhere; numbers equal to 1e-9 relative."""
    if isinstance(expected, dict):
        test.assertIsInstance(actual, dict, path)
        test.assertEqual(sorted(actual), sorted(expected), path)
        for k in expected:
            assert_same_json(test, actual[k], expected[k], f"{path}.{k}")
    elif isinstance(expected, list):
        test.assertIsInstance(actual, list, path)
        test.assertEqual(len(actual), len(expected), path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same_json(test, a, e, f"{path}[{i}]")
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
        test.assertAlmostEqual(actual, expected, delta=1e-9 * max(1.0, abs(expected)), msg=path)
    else:
        test.assertEqual(actual, expected, path)


@unittest.skipIf(missing("pandas", "numpy"), f"missing modules: {missing('pandas', 'numpy')}")
class BaselineTest(unittest.TestCase):
    def rows(self):
        import pandas as pd

        return pd.DataFrame(load_fixture("abalone-rows.json")).drop(columns=["rings"])

    @unittest.skipIf(not os.path.exists(ML_CORE), "packages/ml-core not found (infra/ copied alone)")
    def test_statistics_match_ml_core(self):
        import monitoring_baseline

        rows = self.rows()
        stats = monitoring_baseline.baseline_statistics(rows, abalone_signature(rows))
        expected = ml_core_statistics(os.path.join(FIXTURES, "abalone-rows.json"))
        self.assertEqual(len(expected["features"]), 8)
        assert_same_json(self, stats, expected)
        whole = next(f for f in stats["features"] if f["name"] == "wholeWeight")
        self.assertEqual(whole["numerical_statistics"]["common"], {"num_present": 9, "num_missing": 1})

    def test_sketch_is_k_evenly_spaced_order_statistics_above_k(self):
        import numpy as np
        import pandas as pd

        import monitoring_baseline

        n = 5000
        numeric = ["length", "diameter", "height", "wholeWeight", "shuckedWeight", "visceraWeight", "shellWeight"]
        df = pd.DataFrame({"sex": ["M"] * n, **{c: np.arange(n, dtype=float) for c in numeric}})
        f = monitoring_baseline.baseline_statistics(df, abalone_signature(df))["features"][1]["numerical_statistics"]
        level = f["distribution"]["kll"]["sketch"]["data"][0]
        self.assertEqual(len(level), 2048)
        self.assertEqual((level[0], level[-1]), (0.0, float(n - 1)))
        self.assertEqual(sum(b["count"] for b in f["distribution"]["kll"]["buckets"]), n)

    def test_writes_statistics_and_constraints_for_the_same_features(self):
        import monitoring_baseline

        out = tempfile.mkdtemp()
        monitoring_baseline.write_baseline(self.rows(), abalone_signature(self.rows()), out)
        with open(os.path.join(out, "statistics.json")) as f:
            stats = json.load(f)
        with open(os.path.join(out, "constraints.json")) as f:
            constraints = json.load(f)
        self.assertEqual([f["name"] for f in constraints["features"]], [f["name"] for f in stats["features"]])
        sex = constraints["features"][0]
        self.assertEqual(sex["string_constraints"]["domains"], ["M", "F", "I"])
        self.assertEqual(constraints["monitoring_config"]["distribution_constraints"]["comparison_threshold"], 0.1)
        self.assertTrue(all(f["completeness"] == 0.0 for f in constraints["features"]))

    def test_refuses_an_empty_training_split(self):
        import monitoring_baseline

        with self.assertRaisesRegex(ValueError, "no rows"):
            monitoring_baseline.baseline_statistics(self.rows().iloc[0:0], abalone_signature(self.rows()))

    def test_categorical_inputs_of_any_name_with_unseen_values_counted(self):
        import pandas as pd

        import monitoring_baseline

        df = pd.DataFrame({"island": ["Dream", "Biscoe", None, "Mars"], "mass": [1.0, 2.0, None, 4.0]})
        sig = {"inputs": [{"name": "island", "categories": ["Biscoe", "Dream", "Torgersen"]}, {"name": "mass"}]}
        island, mass = monitoring_baseline.baseline_statistics(df, sig)["features"]
        self.assertEqual(island["inferred_type"], "String")
        self.assertEqual(
            island["string_statistics"]["distribution"]["categorical"]["buckets"],
            [{"value": "Biscoe", "count": 1}, {"value": "Dream", "count": 1}, {"value": "Torgersen", "count": 0}, {"value": "Mars", "count": 1}],
        )
        self.assertEqual(island["string_statistics"]["common"], {"num_present": 3, "num_missing": 1})
        self.assertEqual(mass["numerical_statistics"]["common"], {"num_present": 3, "num_missing": 1})


@unittest.skipIf(missing("numpy", "xgboost"), f"missing modules: {missing('numpy', 'xgboost')}")
class EvaluationPlotsTest(unittest.TestCase):
    def setUp(self):
        import numpy as np
        import xgboost

        rng = np.random.default_rng(5)
        self.x = rng.normal(size=(800, 10))
        self.y = 10 + 3 * self.x[:, 0] + self.x[:, 9] + rng.normal(0, 0.5, size=800)
        self.booster = xgboost.train(
            {"max_depth": 3, "eta": 0.3, "objective": "reg:squarederror"}, xgboost.DMatrix(self.x, label=self.y), 15
        )
        self.pred = self.booster.predict(xgboost.DMatrix(self.x))

    def test_plots_shape_points_histogram_and_importance(self):
        import evaluation_plots

        names = ["length"] + [f"x{i}" for i in range(1, 10)]
        plots = evaluation_plots.evaluation_plots(self.y, self.pred, self.booster, names)
        self.assertEqual((plots["format"], plots["version"]), ("mlops-portal/evaluation-plots", 1))
        points = plots["predictedVsActual"]["points"]
        self.assertEqual(plots["predictedVsActual"]["total"], 800)
        self.assertEqual(len(points), 500)
        # Evenly spaced: point k is row floor(k * 800 / 500).
        self.assertEqual(points[3], {"actual": float(self.y[4]), "predicted": float(self.pred[4])})
        bins = plots["residualHistogram"]["bins"]
        self.assertEqual(len(bins), 20)
        self.assertEqual(sum(b["count"] for b in bins), 800)
        residuals = self.y - self.pred
        self.assertAlmostEqual(bins[0]["lower"], float(residuals.min()))
        self.assertAlmostEqual(bins[-1]["upper"], float(residuals.max()))
        features = plots["featureImportance"]["features"]
        self.assertEqual(plots["featureImportance"]["importanceType"], "gain")
        self.assertEqual(features[0]["feature"], "length")  # f0 carries most of the signal
        self.assertEqual(sorted(features[0]), ["feature", "gain", "totalGain", "weight"])
        gains = [f["gain"] for f in features]
        self.assertEqual(gains, sorted(gains, reverse=True))
        for f in features:
            self.assertAlmostEqual(f["gain"] * f["weight"], f["totalGain"], delta=1e-3 * f["totalGain"])
        score = self.booster.get_score(importance_type="weight")
        self.assertEqual(sum(f["weight"] for f in features), sum(score.values()))

    def test_fewer_rows_than_max_points_keeps_them_all(self):
        import evaluation_plots

        plots = evaluation_plots.evaluation_plots(self.y[:7], self.pred[:7], self.booster, [f"x{i}" for i in range(10)])
        self.assertEqual([p["actual"] for p in plots["predictedVsActual"]["points"]], [float(v) for v in self.y[:7]])

    def test_rejects_mismatched_lengths_and_too_few_names(self):
        import evaluation_plots

        with self.assertRaisesRegex(ValueError, "800 actual values but 799 predictions"):
            evaluation_plots.evaluation_plots(self.y, self.pred[:-1], self.booster, ["a"] * 10)
        with self.assertRaisesRegex(ValueError, "only 2 feature names"):
            evaluation_plots.feature_importance(self.booster, ["a", "b"])


@unittest.skipIf(missing("pandas", "sklearn", "joblib", "xgboost"), "missing modules for the step scripts")
class StepOutputsTest(unittest.TestCase):
    def test_preprocess_writes_the_baseline_of_the_raw_training_rows(self):
        import preprocess

        base = tempfile.mkdtemp()
        os.makedirs(os.path.join(base, "input", "data"))
        with open(os.path.join(base, "input", "data", "a.data"), "w") as f:
            f.write(synthetic_abalone(100))
        write_system(base, system_json("abalone"))
        preprocess.main(["--base-dir", base])
        with open(os.path.join(base, "baseline", "statistics.json")) as f:
            stats = json.load(f)
        self.assertEqual(stats["dataset"]["item_count"], 70)
        self.assertEqual([f["name"] for f in stats["features"]], ["sex", "length", "diameter", "height", "wholeWeight", "shuckedWeight", "visceraWeight", "shellWeight"])
        # Raw, not standard-scaled: measurements stay positive.
        self.assertGreater(stats["features"][1]["numerical_statistics"]["min"], 0)
        self.assertTrue(os.path.exists(os.path.join(base, "baseline", "constraints.json")))

    def test_evaluate_writes_plots_beside_evaluation_json(self):
        import numpy as np
        import tarfile
        import xgboost

        import evaluate

        rng = np.random.default_rng(1)
        x = rng.normal(size=(120, 10))
        y = 9 + 2 * x[:, 2] + rng.normal(0, 0.3, size=120)
        booster = xgboost.train({"max_depth": 2, "objective": "reg:squarederror"}, xgboost.DMatrix(x, label=y), 10)
        base = tempfile.mkdtemp()
        for d in ("model", "test", "signature"):
            os.makedirs(os.path.join(base, d))
        write_system(base, system_json("abalone"))
        # The signature's inputs give the feature names: sex one-hot (3), then 7 numerics.
        with open(os.path.join(base, "signature", "signature.json"), "w") as f:
            json.dump({"inputs": [{"name": "sex", "categories": ["M", "F", "I"]}] + [{"name": n} for n in ("length", "diameter", "height", "wholeWeight", "shuckedWeight", "visceraWeight", "shellWeight")]}, f)
        booster.save_model(os.path.join(base, "xgboost-model"))
        with tarfile.open(os.path.join(base, "model", "model.tar.gz"), "w:gz") as tar:
            tar.add(os.path.join(base, "xgboost-model"), arcname="xgboost-model")
        np.savetxt(os.path.join(base, "test", "test.csv"), np.column_stack([y, x]), delimiter=",")
        evaluate.main(["--base-dir", base])
        with open(os.path.join(base, "evaluation", "evaluation-plots.json")) as f:
            plots = json.load(f)
        self.assertEqual(plots["predictedVsActual"]["total"], 120)
        self.assertEqual(plots["featureImportance"]["features"][0]["feature"], "sex_I")  # column 2


class RecordPreprocessorTest(unittest.TestCase):
    def rendered(self, inputs):
        import monitor_record_preprocessor as mrp

        with open(mrp.__file__) as f:
            namespace = {}
            exec(compile(mrp.render(f.read(), inputs), "rendered.py", "exec"), namespace)
        return namespace

    def test_names_each_captured_csv_line_like_the_baseline(self):
        inputs = [["sex", "categorical"]] + [[n, "numeric"] for n in ("length", "diameter", "height", "wholeWeight", "shuckedWeight", "visceraWeight", "shellWeight")]
        mrp = self.rendered(inputs)
        record = types.SimpleNamespace(
            endpoint_input=types.SimpleNamespace(data="M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nF,0.53,x,0.135,0.677,0.2565,0.1415,0.21\n")
        )
        rows = mrp["preprocess_handler"](record)
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[0]["sex"], "M")
        self.assertEqual(rows[0]["shellWeight"], 0.15)
        self.assertIsNone(rows[1]["diameter"])
        self.assertEqual(list(rows[1]), [n for n, _ in inputs])

    def test_boolean_and_missing_categorical_cells(self):
        mrp = self.rendered([["island", "categorical"], ["smoker", "boolean"], ["mass", "numeric"]])
        rows = mrp["parse_rows"]("Dream,TRUE,3.5\n,false,\n")
        self.assertEqual(rows, [{"island": "Dream", "smoker": "true", "mass": 3.5}, {"island": None, "smoker": "false", "mass": None}])

    def test_render_needs_the_placeholder(self):
        import monitor_record_preprocessor as mrp

        with self.assertRaisesRegex(ValueError, "no single INPUTS line"):
            mrp.render("print(1)\n", [["a", "numeric"]])
