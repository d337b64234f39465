"""Model Monitor record preprocessor (the data-quality job's RecordPreprocessorSourceUri).

Data Capture records the raw CSV request (one line per instance, columns in
FEATURE_COLUMNS order, no header). Without names Model Monitor would call the
columns _c0, _c1, … and find none of the baseline's features, so each captured
line becomes one record named like the baseline (sex, length, …). The analyzer
prints the returned value as one JSON line for Spark, which reads a top-level
array as one row per element (an empty list drops the record, as AWS's
sampling example does), so a 1000-instance request counts as 1000 rows.
It runs alone in the analyzer container: no imports from this folder.
"""
import csv
import io

FEATURE_COLUMNS = ["sex", "length", "diameter", "height", "wholeWeight", "shuckedWeight", "visceraWeight", "shellWeight"]


def _value(name, raw):
    raw = raw.strip()
    if name == "sex":
        return raw.upper()
    try:
        return float(raw)
    except ValueError:
        # Unparseable → missing; the data-type check counts it against the baseline.
        return None


def parse_rows(text):
    """Records of one captured request body (CSV text)."""
    rows = []
    for line in csv.reader(io.StringIO(text)):
        if not line or all(not cell.strip() for cell in line):
            continue
        rows.append({name: _value(name, line[i]) if i < len(line) else None for i, name in enumerate(FEATURE_COLUMNS)})
    return rows


def preprocess_handler(inference_record, logger=None):
    """Entry point Model Monitor calls per captured record; a list yields one row per instance."""
    return parse_rows(inference_record.endpoint_input.data)
