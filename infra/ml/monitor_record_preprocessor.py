"""Model Monitor record preprocessor (the data-quality job's RecordPreprocessorSourceUri).

Data Capture records the raw CSV request (one line per instance, the
signature's inputs in order, no header). Without names Model Monitor would
call the columns _c0, _c1, … and find none of the baseline's features, so each
captured line becomes one record named like the baseline. The analyzer prints
the returned value as one JSON line for Spark, which reads a top-level array as
one row per element (an empty list drops the record, as AWS's sampling
example does), so a 1000-instance request counts as 1000 rows.
It runs alone in the analyzer container (no imports from this folder), so the
CDK app writes the system's inputs into INPUTS when it deploys the file
(render(), and lib/record-preprocessor.ts does the same).
"""
import csv
import io

# [name, type] per model input, in CSV order; replaced per system at deploy.
INPUTS = []
INPUTS_LINE = "INPUTS = []"


def render(source, inputs):
    """This file's source with the system's inputs in place of the empty list."""
    if source.count(INPUTS_LINE + "\n") != 1:
        raise ValueError("record preprocessor source has no single INPUTS line")
    rendered = "INPUTS = " + repr([[str(n), str(t)] for n, t in inputs])
    return source.replace(INPUTS_LINE + "\n", rendered + "\n", 1)


def _value(kind, raw):
    raw = raw.strip()
    if kind == "numeric":
        try:
            return float(raw)
        except ValueError:
            # Unparseable → missing; the data-type check counts it against the baseline.
            return None
    if raw == "":
        return None
    return raw.lower() if kind == "boolean" else raw


def parse_rows(text, inputs=None):
    """Records of one captured request body (CSV text)."""
    inputs = INPUTS if inputs is None else inputs
    rows = []
    for line in csv.reader(io.StringIO(text)):
        if not line or all(not cell.strip() for cell in line):
            continue
        rows.append({name: _value(kind, line[i]) if i < len(line) else None for i, (name, kind) in enumerate(inputs)})
    return rows


def preprocess_handler(inference_record, logger=None):
    """Entry point Model Monitor calls per captured record; a list yields one row per instance."""
    return parse_rows(inference_record.endpoint_input.data)
