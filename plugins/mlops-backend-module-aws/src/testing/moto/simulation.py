"""What moto lacks, as plain objects with no moto import (unit-tested alone):

- ``PipelineRun``: a SageMaker pipeline execution that advances step by step
  over time, following the real definition (schema 2020-12-01): ``DependsOn``,
  ``{"Get": "Steps.X..."}`` references, Condition steps and their If/Else
  branches, Fail steps, Stop and Retry. What a step *does* (write its outputs,
  register a package) is delegated to an ``effects`` object.
- ``ReleaseRun``: a CodePipeline release whose stages run in order; a manual
  approval waits for ``PutApprovalResult`` with its token.
- ``percentile``: CloudWatch's pNN statistic.

Time is passed in (``now``, seconds), so a run is advanced lazily whenever the
server is asked about it, and a test can reason about it without sleeping.
"""
import json
import math
import re
import uuid

TERMINAL = {"Succeeded", "Failed", "Stopped"}


class StepFailure(Exception):
    """A step's effect failed: the step (and the execution) fail with this reason."""


# --- the definition ---------------------------------------------------------

def _step_refs(value, into):
    if isinstance(value, list):
        for v in value:
            _step_refs(v, into)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k == "Get" and isinstance(v, str):
                m = re.match(r"^Steps\.([^.\[\]]+)", v)
                if m:
                    into.add(m.group(1))
            else:
                _step_refs(v, into)


class StepDef:
    def __init__(self, raw, condition=None, branch=None):
        self.name = raw["Name"]
        self.type = raw.get("Type", "Unknown")
        self.raw = raw
        self.arguments = raw.get("Arguments", {})
        self.condition = condition  # name of the Condition step it is a branch of
        self.branch = branch  # True (IfSteps) / False (ElseSteps)
        deps = set(raw.get("DependsOn", []))
        if self.type == "Condition":
            rest = {k: v for k, v in self.arguments.items() if k not in ("IfSteps", "ElseSteps")}
            _step_refs(rest, deps)
        else:
            _step_refs(self.arguments, deps)
        if condition:
            deps.add(condition)
        deps.discard(self.name)
        self.depends_on = deps


class Definition:
    def __init__(self, text):
        doc = json.loads(text)
        self.parameters = {p["Name"]: p.get("DefaultValue") for p in doc.get("Parameters", [])}
        self.steps = {}

        def visit(raw, condition=None, branch=None):
            step = StepDef(raw, condition, branch)
            self.steps[step.name] = step
            if step.type == "Condition":
                for child in step.arguments.get("IfSteps", []):
                    visit(child, step.name, True)
                for child in step.arguments.get("ElseSteps", []):
                    visit(child, step.name, False)

        for raw in doc.get("Steps", []):
            visit(raw)
        for step in self.steps.values():
            step.depends_on &= set(self.steps)


# --- one execution --------------------------------------------------------------

class StepRun:
    def __init__(self, name, start):
        self.name = name
        self.status = "Executing"
        self.start = start
        self.end = None
        self.failure = None
        self.metadata = {}
        self.properties = {}
        self.attempts = 1


_PATH_TOKEN = re.compile(r"\.?([A-Za-z0-9_]+)|\['([^']+)'\]|\[(\d+)\]")


def walk_path(value, path):
    """``a.b['c'][0]`` over nested dicts/lists; KeyError when absent."""
    pos = 0
    while pos < len(path):
        m = _PATH_TOKEN.match(path, pos)
        if not m or m.end() == pos:
            raise KeyError(path)
        key = m.group(1) or m.group(2)
        value = value[int(m.group(3))] if m.group(3) is not None else value[key]
        pos = m.end()
    return value


class PipelineRun:
    """One execution. ``effects`` does what the steps do:

    - ``complete(run, step_def) -> (metadata, properties)`` may raise StepFailure;
    - ``read_json(s3_uri) -> object`` (property files of Condition steps).
    """

    def __init__(self, arn, definition, parameters, now, step_seconds, effects, failures=None):
        self.arn = arn
        self.id = arn.rsplit("/", 1)[-1]
        self.definition = definition
        self.parameters = dict(definition.parameters)
        self.parameters.update(parameters or {})
        self.step_seconds = step_seconds
        self.effects = effects
        # step name -> reason: the next attempt of that step fails (once).
        self.failures = dict(failures or {})
        self.status = "Executing"
        self.failure_reason = None
        self.created = now
        self.modified = now
        self.steps = {}  # name -> StepRun (latest attempt)
        self.history = []  # every StepRun, attempts included (ListPipelineExecutionSteps)
        self.stop_requested_at = None
        self._start_ready(now)

    # expressions ---------------------------------------------------------------
    def resolve(self, expr):
        if isinstance(expr, list):
            return [self.resolve(v) for v in expr]
        if not isinstance(expr, dict):
            return expr
        if "Get" in expr and len(expr) == 1:
            return self._get(expr["Get"])
        if "Std:Join" in expr:
            j = expr["Std:Join"]
            return j.get("On", "").join(str(self.resolve(v)) for v in j.get("Values", []))
        if "Std:JsonGet" in expr:
            j = expr["Std:JsonGet"]
            uri = self.resolve(j["PropertyFile"])
            return walk_path(self.effects.read_json(uri), j["Path"])
        return {k: self.resolve(v) for k, v in expr.items()}

    def _get(self, ref):
        if ref.startswith("Parameters."):
            return self.parameters[ref[len("Parameters."):]]
        if ref == "Execution.PipelineExecutionId":
            return self.id
        if ref == "Execution.PipelineExecutionArn":
            return self.arn
        m = re.match(r"^Steps\.([^.\[\]]+)\.(.+)$", ref)
        if not m:
            raise KeyError(ref)
        step = self.steps.get(m.group(1))
        if not step or step.status != "Succeeded":
            raise KeyError(f"{ref}: step {m.group(1)} has not succeeded")
        pf = re.match(r"^PropertyFiles\.(.+)$", m.group(2))
        if pf:
            return self._property_file_uri(m.group(1), pf.group(1))
        return walk_path(step.properties, m.group(2))

    def _property_file_uri(self, step_name, file_name):
        step_def = self.definition.steps[step_name]
        for pf in step_def.raw.get("PropertyFiles", []):
            if pf["PropertyFileName"] == file_name:
                outputs = self.steps[step_name].properties["ProcessingOutputConfig"]["Outputs"]
                base = outputs[pf["OutputName"]]["S3Output"]["S3Uri"].rstrip("/")
                return f"{base}/{pf['FilePath']}"
        raise KeyError(f"{step_name} has no property file {file_name}")

    # conditions ------------------------------------------------------------------
    _OPS = {
        "Equals": lambda a, b: a == b,
        "GreaterThan": lambda a, b: a > b,
        "GreaterThanOrEqualTo": lambda a, b: a >= b,
        "LessThan": lambda a, b: a < b,
        "LessThanOrEqualTo": lambda a, b: a <= b,
    }

    def evaluate_condition(self, step_def):
        outcome = True
        for c in step_def.arguments.get("Conditions", []):
            op = self._OPS.get(c.get("Type"))
            if op is None:
                raise StepFailure(f"Condition type {c.get('Type')} is not supported by the emulator")
            left, right = self.resolve(c["LeftValue"]), self.resolve(c["RightValue"])
            if isinstance(left, (int, float)) or isinstance(right, (int, float)):
                left, right = float(left), float(right)
            outcome = outcome and op(left, right)
        return outcome

    # advancing --------------------------------------------------------------------
    def _selected(self, step_def):
        """A branch step runs only if its Condition chose its branch."""
        if not step_def.condition:
            return True
        cond = self.steps.get(step_def.condition)
        if not cond or cond.status != "Succeeded":
            return False
        return cond.metadata["Condition"]["Outcome"] == ("True" if step_def.branch else "False")

    def _start_ready(self, now):
        for step_def in self.definition.steps.values():
            if step_def.name in self.steps or not self._selected(step_def):
                continue
            deps = [self.steps.get(d) for d in step_def.depends_on]
            if all(d and d.status == "Succeeded" for d in deps):
                start = max([d.end for d in deps] + [self.created])
                if start <= now:
                    self._add(StepRun(step_def.name, start))

    def _add(self, step):
        self.steps[step.name] = step
        self.history.append(step)

    def _finish(self, step, end):
        step_def = self.definition.steps[step.name]
        step.end = end
        reason = self.failures.pop(step.name, None)
        try:
            if reason:
                raise StepFailure(reason)
            if step_def.type == "Condition":
                step.metadata = {"Condition": {"Outcome": "True" if self.evaluate_condition(step_def) else "False"}}
            elif step_def.type == "Fail":
                message = self.resolve(step_def.arguments.get("ErrorMessage", ""))
                step.metadata = {"Fail": {"ErrorMessage": message}}
                raise StepFailure(message)
            else:
                step.metadata, step.properties = self.effects.complete(self, step_def)
            step.status = "Succeeded"
        except StepFailure as e:
            step.status = "Failed"
            step.failure = str(e)
        except KeyError as e:
            step.status = "Failed"
            step.failure = f"Could not resolve {e}"

    def advance(self, now):
        if self.status in TERMINAL:
            return
        while True:
            running = [s for s in self.steps.values() if s.status == "Executing"]
            if self.status == "Stopping":
                at = self.stop_requested_at + self.step_seconds
                if at <= now:
                    for s in running:
                        s.status, s.end = "Stopped", at
                    self._end("Stopped", at)
                return
            due = sorted((s for s in running if s.start + self.step_seconds <= now), key=lambda s: s.start)
            if due:
                for s in due:
                    self._finish(s, s.start + self.step_seconds)
                continue
            before = len(self.steps)
            self._start_ready(now)
            if len(self.steps) > before:
                continue
            if running:
                return
            failed = [s for s in self.steps.values() if s.status == "Failed"]
            end = max([s.end for s in self.steps.values()] + [self.created])
            if failed:
                self._end("Failed", end, failed[0].failure)
            else:
                self._end("Succeeded", end)
            return

    def _end(self, status, at, reason=None):
        self.status = status
        self.failure_reason = reason
        self.modified = at

    def stop(self, now):
        self.advance(now)
        if self.status != "Executing":
            raise ValueError(f"Pipeline execution is {self.status}, not Executing")
        self.status = "Stopping"
        self.stop_requested_at = now
        self.modified = now

    def retry(self, now):
        """SageMaker's retry: the same execution re-runs its failed/stopped steps."""
        self.advance(now)
        if self.status not in ("Failed", "Stopped"):
            raise ValueError(f"Pipeline execution is {self.status}; only Failed or Stopped can be retried")
        for name, s in list(self.steps.items()):
            if s.status in ("Failed", "Stopped"):
                again = StepRun(name, now)
                again.attempts = s.attempts + 1
                self._add(again)
        self.status = "Executing"
        self.failure_reason = None
        self.stop_requested_at = None
        self.modified = now

    def step_summaries(self):
        """ListPipelineExecutionSteps' items (newest first, as SageMaker's default)."""
        out = []
        for s in sorted(self.history, key=lambda x: x.start, reverse=True):
            item = {
                "StepName": s.name,
                "StepDisplayName": s.name,
                "StartTime": s.start,
                "StepStatus": s.status,
                "AttemptCount": s.attempts,
                "Metadata": s.metadata,
            }
            if s.end is not None and s.status != "Executing":
                item["EndTime"] = s.end
            if s.failure:
                item["FailureReason"] = s.failure
            out.append(item)
        return out


# --- a release (CodePipeline) ------------------------------------------------------

class ReleaseRun:
    """Stages in order. Each stage is ``{"name", "kind"}`` with kind one of
    ``action`` (takes step_seconds), ``approval`` (waits for its token),
    or a kind the ``effects`` object runs:
    ``effects.start_stage(release, stage) -> handle`` and
    ``effects.poll_stage(release, stage, handle) -> None (running) | (status, summary)``.
    """

    def __init__(self, execution_id, stages, now, step_seconds, effects, trigger=None):
        self.id = execution_id
        self.stages = stages
        self.step_seconds = step_seconds
        self.effects = effects
        self.trigger = trigger or {}
        self.status = "InProgress"
        self.start = now
        self.modified = now
        self.index = 0
        self.stage_state = {}  # name -> dict(status, start, end, token, summary, handle)
        self._enter(0, now)

    def _enter(self, i, now):
        self.index = i
        if i >= len(self.stages):
            self.status = "Succeeded"
            self.modified = now
            return
        stage = self.stages[i]
        state = {"status": "InProgress", "start": now, "end": None, "token": None, "summary": None}
        if stage["kind"] == "approval":
            state["token"] = str(uuid.uuid4())
        elif stage["kind"] != "action":
            state["handle"] = self.effects.start_stage(self, stage)
        self.stage_state[stage["name"]] = state

    def advance(self, now):
        while self.status == "InProgress":
            stage = self.stages[self.index]
            state = self.stage_state[stage["name"]]
            if stage["kind"] == "approval":
                return
            if stage["kind"] == "action":
                at = state["start"] + self.step_seconds
                if at > now:
                    return
                self._stage_done("Succeeded", at, None)
                continue
            polled = self.effects.poll_stage(self, stage, state.get("handle"))
            if polled is None:
                return
            self._stage_done(polled[0], max(now, state["start"]), polled[1])

    def _stage_done(self, status, at, summary):
        stage = self.stages[self.index]
        state = self.stage_state[stage["name"]]
        state.update(status=status, end=at, summary=summary, token=None)
        self.modified = at
        if status != "Succeeded":
            self.status = status
            return
        self._enter(self.index + 1, at)

    def answer(self, stage_name, token, status, summary, now):
        """PutApprovalResult: only the waiting approval's own token is accepted."""
        stage = self.stages[self.index] if self.status == "InProgress" else None
        state = self.stage_state.get(stage_name) if stage else None
        if not stage or stage["name"] != stage_name or not state or state["token"] != token:
            raise ValueError("The approval token is not valid for this pipeline and stage.")
        self._stage_done("Succeeded" if status == "Approved" else "Failed", now, summary)


def percentile(values, p):
    """CloudWatch's pNN over the raw values in a period (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(len(ordered) * p / 100)))
    return ordered[rank - 1]
