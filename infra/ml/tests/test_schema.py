"""The step scripts keep a Python copy of the Abalone schema (abalone_common.py);
this fails when it drifts from the TypeScript one (@mlops-portal/abalone-schema),
read through its JSON export packages/abalone-schema/schema.json."""
import json
import os
import unittest

import abalone_common

SCHEMA_JSON = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "packages", "abalone-schema", "schema.json"
)


@unittest.skipIf(not os.path.exists(SCHEMA_JSON), "packages/abalone-schema/schema.json not found (infra/ copied alone)")
class SchemaCopyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(SCHEMA_JSON, encoding="utf-8") as f:
            cls.schema = json.load(f)

    def test_feature_columns_and_order(self):
        self.assertEqual(abalone_common.FEATURE_COLUMNS, self.schema["featureColumns"])
        self.assertEqual(abalone_common.NUMERIC_COLUMNS, self.schema["numericFeatures"])

    def test_label_column(self):
        self.assertEqual(abalone_common.LABEL_COLUMN, self.schema["labelColumn"])

    def test_sex_one_hot_categories(self):
        self.assertEqual(abalone_common.SEX_CATEGORIES, self.schema["sexCategories"])


if __name__ == "__main__":
    unittest.main()
