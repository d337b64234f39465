"""Validates JSON values against AWS service models (botocore's service-2.json).

    validate(service, operation, kind, value) -> ["Path.To[0].Member: problem", ...]

`kind` is "input" or "output" (the operation's request or response shape).
Checks what the model declares: unknown and required members, types, enums,
patterns, string/list/map lengths, numeric ranges, unions, timestamps, with
recursion through structures, lists and maps. JSON has no dates or bytes, so
a timestamp is an ISO 8601 string or epoch seconds and a blob is a string.

CLI: JSON lines {"service","operation","kind","value","label"} on stdin, one
problem per line on stdout ("label: path: message"); exit 1 if any.
"""
import datetime
import gzip
import json
import os
import re
import sys

# The oldest botocore whose service models our fixtures fit (requirements.txt
# beside this file): Debian's python3-botocore 1.29 lacks members the fixtures
# use, e.g. DescribePipelineExecution's PipelineVersionId.
MIN_BOTOCORE = (1, 43, 11)
_HINT = "bash scripts/ensure-python-deps.sh installs it (pip, scripts/aws-models/requirements.txt)"

try:
    import botocore
except ImportError:
    # Exit 2, not 1: 1 means "problems found" to the callers.
    print(f"validate.py: {sys.executable} has no botocore; {_HINT}", file=sys.stderr)
    sys.exit(2)

if tuple(int(p) for p in botocore.__version__.split(".")[:3]) < MIN_BOTOCORE:
    print(
        f"validate.py: {sys.executable} has botocore {botocore.__version__}, older than "
        f"{'.'.join(map(str, MIN_BOTOCORE))} whose service models the checks need; {_HINT}",
        file=sys.stderr,
    )
    sys.exit(2)

DATA_DIR = os.path.join(os.path.dirname(botocore.__file__), "data")

# Java regex classes the models use that Python's re lacks, as ranges usable
# inside [...]. Non-ASCII code points are accepted leniently (a model check
# should not reject what AWS accepts); ASCII is classified exactly.
_NON_ASCII = "\u0080-\U0010ffff"
_CLASSES = {
    "L": "A-Za-z" + _NON_ASCII,
    "M": _NON_ASCII,
    "N": "0-9" + _NON_ASCII,
    "Z": " " + _NON_ASCII,
    "P": "!-#%-*,-/:;?@\\[-\\]_{}" + _NON_ASCII,
    "S": "$+<->^`|~" + _NON_ASCII,
    "Alnum": "A-Za-z0-9",
    "Alpha": "A-Za-z",
    "Digit": "0-9",
    "Print": " -~",
    "ASCII": "\\x00-\\x7f",
}
_models = {}
_patterns = {}


def load_model(service):
    if service not in _models:
        root = os.path.join(DATA_DIR, service)
        if not os.path.isdir(root):
            raise KeyError(f"unknown service {service!r} (no {root})")
        version = sorted(os.listdir(root))[-1]
        path = os.path.join(root, version, "service-2.json")
        if os.path.exists(path + ".gz"):
            with gzip.open(path + ".gz", "rt") as f:
                _models[service] = json.load(f)
        else:
            with open(path) as f:
                _models[service] = json.load(f)
    return _models[service]


def _translate(pattern):
    """Java regex → Python re: \\p{X} classes, UTF-16 surrogate ranges, \\z."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and pattern.startswith("\\p{", i):
            end = pattern.index("}", i)
            ranges = _CLASSES[pattern[i + 3 : end]]
            out.append(ranges if in_class else f"[{ranges}]")
            i = end + 1
            continue
        if c == "\\" and i + 1 < len(pattern):
            out.append("\\Z" if pattern[i + 1] == "z" else pattern[i : i + 2])
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        out.append(c)
        i += 1
    return "".join(out).replace("\\uD800\\uDC00-\\uDBFF\\uDFFF", "\\U00010000-\\U0010ffff")


def compiled(pattern):
    """The compiled pattern, or None when even the translation is not valid Python re (then unchecked)."""
    if pattern not in _patterns:
        try:
            _patterns[pattern] = re.compile(_translate(pattern))
        except (re.error, KeyError, ValueError):
            _patterns[pattern] = None
    return _patterns[pattern]


def _is_timestamp(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    if not isinstance(value, str):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


class _Checker:
    def __init__(self, model):
        self.shapes = model["shapes"]
        self.problems = []

    def fail(self, path, message):
        self.problems.append(f"{path or '(root)'}: {message}")

    def check(self, name, value, path):
        shape = self.shapes[name]
        kind = shape["type"]
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            raise ValueError(f"shape {name} has unsupported type {kind}")
        handler(shape, value, path)

    def _length(self, shape, size, path, what):
        if "min" in shape and size < shape["min"]:
            self.fail(path, f"{what} {size} is below the minimum {shape['min']}")
        if "max" in shape and size > shape["max"]:
            self.fail(path, f"{what} {size} is above the maximum {shape['max']}")

    def _structure(self, shape, value, path):
        if not isinstance(value, dict):
            return self.fail(path, f"expected an object, got {json.dumps(value)[:60]}")
        members = shape.get("members", {})
        for key in value:
            if key not in members:
                names = sorted(members)
                known = ", ".join(names[:20]) + (f", … ({len(names)} members)" if len(names) > 20 else "") or "none"
                self.fail(_join(path, key), f"unknown member (known: {known})")
        for key in shape.get("required", []):
            if value.get(key) is None:
                self.fail(_join(path, key), "required member is missing")
        present = [k for k in value if k in members and value[k] is not None]
        if shape.get("union") and len(present) != 1:
            self.fail(path, f"a union needs exactly one member set, got {len(present)}")
        for key in present:
            self.check(members[key]["shape"], value[key], _join(path, key))

    def _list(self, shape, value, path):
        if not isinstance(value, list):
            return self.fail(path, f"expected a list, got {json.dumps(value)[:60]}")
        self._length(shape, len(value), path, "length")
        for i, item in enumerate(value):
            self.check(shape["member"]["shape"], item, f"{path}[{i}]")

    def _map(self, shape, value, path):
        if not isinstance(value, dict):
            return self.fail(path, f"expected an object (map), got {json.dumps(value)[:60]}")
        self._length(shape, len(value), path, "entry count")
        for key, item in value.items():
            self.check(shape["key"]["shape"], key, f"{path}(key {key!r})")
            self.check(shape["value"]["shape"], item, f"{path}[{key!r}]")

    def _string(self, shape, value, path):
        if not isinstance(value, str):
            return self.fail(path, f"expected a string, got {json.dumps(value)[:60]}")
        if "enum" in shape and value not in shape["enum"]:
            options = shape["enum"]
            listed = ", ".join(options[:12]) + (f", … ({len(options)} values)" if len(options) > 12 else "")
            return self.fail(path, f"{value!r} is not one of {listed}")
        self._length(shape, len(value), path, "length")
        regex = compiled(shape["pattern"]) if "pattern" in shape else None
        # AWS services check patterns against the whole value ("Member must satisfy regular
        # expression pattern"), so anchor them even where the model does not.
        if regex is not None and not regex.fullmatch(value):
            self.fail(path, f"{value!r} does not match the pattern {shape['pattern']}")

    def _number(self, shape, value, path, integral):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or (integral and isinstance(value, float) and not value.is_integer()):
            return self.fail(path, f"expected {'an integer' if integral else 'a number'}, got {json.dumps(value)[:60]}")
        self._length(shape, value, path, "value")

    def _integer(self, shape, value, path):
        self._number(shape, value, path, True)

    _long = _integer

    def _float(self, shape, value, path):
        self._number(shape, value, path, False)

    _double = _float

    def _boolean(self, shape, value, path):
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, got {json.dumps(value)[:60]}")

    def _timestamp(self, shape, value, path):
        if not _is_timestamp(value):
            self.fail(path, f"expected an ISO 8601 timestamp or epoch seconds, got {json.dumps(value)[:60]}")

    def _blob(self, shape, value, path):
        if not isinstance(value, str):
            return self.fail(path, f"expected a string (blob), got {json.dumps(value)[:60]}")
        self._length(shape, len(value), path, "length")


def _join(path, key):
    return f"{path}.{key}" if path else key


def validate(service, operation, kind, value):
    """Problems of `value` against the input or output shape of service's operation (empty when valid)."""
    model = load_model(service)
    op = model["operations"].get(operation)
    if op is None:
        raise KeyError(f"{service} has no operation {operation!r}")
    if kind not in ("input", "output"):
        raise ValueError(f"kind must be input or output, got {kind!r}")
    ref = op.get(kind)
    if ref is None:
        return [] if value in (None, {}) else [f"(root): {operation} has no {kind} shape, got a value"]
    checker = _Checker(model)
    checker.check(ref["shape"], value, "")
    return checker.problems


def validate_item(item, line_no=None):
    """One JSON-lines item → problem lines prefixed with its label (or service.operation)."""
    where = f"line {line_no}" if line_no is not None else "item"
    if not isinstance(item, dict):
        return [f"{where}: expected an object with service, operation, kind, value"]
    missing = [k for k in ("service", "operation", "kind") if not isinstance(item.get(k), str)]
    if missing:
        return [f"{where}: missing {', '.join(missing)}"]
    label = item.get("label") or f"{item['service']}.{item['operation']} {item['kind']}"
    try:
        problems = validate(item["service"], item["operation"], item["kind"], item.get("value"))
    except (KeyError, ValueError) as e:
        return [f"{label}: {e.args[0] if e.args else e}"]
    return [f"{label}: {p}" for p in problems]


def main(stdin=sys.stdin, stdout=sys.stdout):
    count = 0
    for line_no, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            problems = [f"line {line_no}: not JSON ({e.msg})"]
        else:
            problems = validate_item(item, line_no)
        for p in problems:
            print(p, file=stdout)
        count += len(problems)
    return 1 if count else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # a bug or a model shape not understood: a crash (2), never "problems" (1)
        import traceback

        traceback.print_exc()
        sys.exit(2)
