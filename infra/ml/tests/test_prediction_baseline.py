"""prediction_baseline.py's buckets, which must match the local engine's rule
(predictionBaseline.ts) and what the drift publisher counts live predictions into."""
import unittest

from tests.support import missing

REGRESSION = {"schema": {"task": "regression", "target": "y"}}
BINARY = {"schema": {"task": "binary", "target": "y", "classes": ["no", "yes"]}}
MULTICLASS = {"schema": {"task": "multiclass", "target": "y", "classes": ["a", "b", "c"]}}


@unittest.skipIf(missing("numpy"), "missing modules: numpy")
class PredictionBaselineTest(unittest.TestCase):
    def test_regression_deciles_with_values_on_edges_in_the_bin_above(self):
        from prediction_baseline import prediction_baseline

        b = prediction_baseline(REGRESSION, [float(v) for v in range(20)] + [float("nan")])
        self.assertEqual(b["kind"], "bins")
        self.assertEqual(b["edges"], [2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0])
        self.assertEqual(b["shares"], [0.1] * 10)
        self.assertEqual(b["count"], 20)

    def test_regression_ties_merge_edges(self):
        from prediction_baseline import prediction_baseline

        b = prediction_baseline(REGRESSION, [1.0] * 15 + [2.0] * 5)
        # values[floor(k*20/10)] for k=1..9 are 1,1,1,1,1,1,1,2,2 → distinct edges 1, 2.
        self.assertEqual(b["edges"], [1.0, 2.0])
        self.assertEqual(b["shares"], [0.0, 0.75, 0.25])

    def test_too_few_regression_predictions_are_no_baseline(self):
        from prediction_baseline import prediction_baseline

        b = prediction_baseline(REGRESSION, [1.0, 2.0, 3.0])
        self.assertEqual((b["kind"], b["count"]), ("none", 3))
        self.assertIn("at least 10", b["reason"])
        self.assertNotIn("shares", b)

    def test_binary_threshold_ties_go_to_the_first_class(self):
        from prediction_baseline import prediction_baseline

        b = prediction_baseline(BINARY, [0.1, 0.5, 0.51, 0.9])
        self.assertEqual((b["kind"], b["labels"], b["shares"]), ("classes", ["no", "yes"], [0.5, 0.5]))

    def test_multiclass_most_probable_class(self):
        from prediction_baseline import prediction_baseline

        rows = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.1, 0.6, 0.3]]
        b = prediction_baseline(MULTICLASS, rows)
        self.assertEqual(b["labels"], ["a", "b", "c"])
        self.assertEqual(b["shares"], [0.25, 0.5, 0.25])
        # A class never predicted keeps its bucket at 0.
        self.assertEqual(prediction_baseline(MULTICLASS, rows[:2])["shares"], [0.5, 0.5, 0.0])


if __name__ == "__main__":
    unittest.main()
