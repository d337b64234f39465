"""Shared by the step tests: system.json made from the repository's spec files
by the CDK app's own code (scripts/system-json.ts), and data shaped like each
demo system's."""
import importlib.util
import json
import os
import shutil
import subprocess
import sys

ML_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INFRA_DIR = os.path.dirname(ML_DIR)
DEMO_DIR = os.path.join(os.path.dirname(INFRA_DIR), "packages", "demo-systems")
sys.path.insert(0, ML_DIR)

_systems = {}


def missing(*modules):
    return [m for m in modules if importlib.util.find_spec(m) is None]


def spec_path(system):
    return os.path.join(DEMO_DIR, system, "ml-system.yaml")


def system_json(system, data_file=None):
    """system.json of a demo system as the CDK app deploys it (resolved by lib/spec.ts)."""
    key = (system, data_file)
    if key not in _systems:
        _systems[key] = _run_system_json([spec_path(system)] + ([data_file] if data_file else []))
    return json.loads(json.dumps(_systems[key]))


def train_view(system, data_file=None):
    """The Train step's HyperParameters (parameter defaults resolved) and the gate, from the pipeline definition."""
    key = ("--train", system, data_file)
    if key not in _systems:
        _systems[key] = _run_system_json(["--train", spec_path(system)] + ([data_file] if data_file else []))
    return json.loads(json.dumps(_systems[key]))


def _run_system_json(args):
    npx = shutil.which("npx")
    if npx is None:
        raise RuntimeError("npx not found: the step tests resolve specs with the CDK app's code (Node.js)")
    run = subprocess.run([npx, "--no-install", "tsx", "scripts/system-json.ts"] + args, cwd=INFRA_DIR, capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        raise RuntimeError(f"system-json.ts {' '.join(args)}: {run.stderr.strip()}")
    return json.loads(run.stdout)


def write_system(base, system):
    os.makedirs(os.path.join(base, "input", "system"), exist_ok=True)
    with open(os.path.join(base, "input", "system", "system.json"), "w") as f:
        json.dump(system, f)


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


def breast_cancer_csv():
    """The Wisconsin diagnostic data scikit-learn ships, with the demo CSV's header (diagnosis last)."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    names = [n.replace(" ", "_") for n in data.feature_names]
    lines = [",".join(names + ["diagnosis"])]
    for row, target in zip(data.data, data.target):
        lines.append(",".join(f"{v:.6g}" for v in row) + "," + str(data.target_names[target]))
    return "\n".join(lines) + "\n"


def synthetic_penguins(n, seed=3):
    """Rows with the penguins spec's columns: categorical island and sex ('.' and NA missing), species by size."""
    import numpy as np

    rng = np.random.default_rng(seed)
    species = ["Adelie", "Chinstrap", "Gentoo"]
    lines = ["species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex"]
    for i in range(n):
        k = int(rng.integers(0, 3))
        bill = [38.8, 48.8, 47.5][k] + rng.normal(0, 2.5)
        depth = [18.3, 18.4, 15.0][k] + rng.normal(0, 1)
        flipper = [190, 196, 217][k] + rng.normal(0, 6)
        mass = [3700, 3733, 5076][k] + rng.normal(0, 400)
        island = ["Torgersen", "Dream", "Biscoe"][k] if rng.random() < 0.6 else str(rng.choice(["Biscoe", "Dream", "Torgersen"]))
        sex = "." if i % 37 == 0 else ("NA" if i % 41 == 0 else str(rng.choice(["MALE", "FEMALE"])))
        cells = [f"{bill:.1f}", f"{depth:.1f}", "NA" if i % 29 == 0 else f"{flipper:.0f}", f"{mass:.0f}"]
        lines.append(",".join([species[k], island] + cells + [sex]))
    return "\n".join(lines) + "\n"
