"""Unit tests of the extension's state machines (no moto, no server):
python3 -m unittest discover -s plugins/mlops-backend-module-aws/src/testing/moto"""
import json
import unittest

from simulation import Definition, PipelineRun, ReleaseRun, percentile

ARN = "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p/execution/abc123"

# The shape of infra's definition: data refs, a property file, a Condition with both branches.
DEFINITION = json.dumps({
    "Version": "2020-12-01",
    "Parameters": [{"Name": "MseThreshold", "Type": "Float", "DefaultValue": 6.0}],
    "Steps": [
        {"Name": "Prep", "Type": "Processing", "Arguments": {"ProcessingOutputConfig": {"Outputs": [
            {"OutputName": "train", "S3Output": {"S3Uri": {"Std:Join": {"On": "/", "Values": [
                "s3://b/runs", {"Get": "Execution.PipelineExecutionId"}, "train"]}}}}]}}},
        {"Name": "Train", "Type": "Training", "Arguments": {"In": {
            "Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}}},
        {"Name": "Eval", "Type": "Processing", "Arguments": {
            "Model": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": "evaluation", "S3Output": {"S3Uri": "s3://b/eval"}}]}},
         "PropertyFiles": [{"PropertyFileName": "Report", "OutputName": "evaluation", "FilePath": "evaluation.json"}]},
        {"Name": "Check", "Type": "Condition", "Arguments": {
            "Conditions": [{"Type": "LessThanOrEqualTo",
                            "LeftValue": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Report"},
                                                          "Path": "regression_metrics.mse.value"}},
                            "RightValue": {"Get": "Parameters.MseThreshold"}}],
            "IfSteps": [{"Name": "Register", "Type": "RegisterModel", "Arguments": {}}],
            "ElseSteps": [{"Name": "TooHigh", "Type": "Fail", "Arguments": {"ErrorMessage": {"Std:Join": {
                "On": " ", "Values": ["MSE above", {"Get": "Parameters.MseThreshold"}]}}}}]}},
    ],
})


class Effects:
    """Records what ran; Processing outputs echo the resolved arguments."""

    def __init__(self, mse=4.0):
        self.mse = mse
        self.completed = []
        self.read = []

    def complete(self, run, step_def):
        self.completed.append(step_def.name)
        args = run.resolve(step_def.arguments)
        if step_def.type == "Processing":
            outs = {o["OutputName"]: {"S3Output": {"S3Uri": o["S3Output"]["S3Uri"]}}
                    for o in args.get("ProcessingOutputConfig", {}).get("Outputs", [])}
            return {}, {"ProcessingOutputConfig": {"Outputs": outs}}
        if step_def.type == "Training":
            return {}, {"ModelArtifacts": {"S3ModelArtifacts": args["In"] + "/model.tar.gz"}}
        if step_def.type == "RegisterModel":
            return {"RegisterModel": {"Arn": "arn:pkg/1"}}, {}
        return {}, {}

    def read_json(self, uri):
        self.read.append(uri)
        return {"regression_metrics": {"mse": {"value": self.mse}}}


def statuses(run):
    return {name: s.status for name, s in run.steps.items()}


class DefinitionTest(unittest.TestCase):
    def test_edges_from_data_references_and_condition_branches(self):
        d = Definition(DEFINITION)
        self.assertEqual(d.steps["Train"].depends_on, {"Prep"})
        self.assertEqual(d.steps["Eval"].depends_on, {"Train"})
        self.assertEqual(d.steps["Check"].depends_on, {"Eval"})
        self.assertEqual(d.steps["Register"].depends_on, {"Check"})
        self.assertEqual((d.steps["TooHigh"].condition, d.steps["TooHigh"].branch), ("Check", False))


class PipelineRunTest(unittest.TestCase):
    def run_at(self, effects=None, failures=None, params=None):
        return PipelineRun(ARN, Definition(DEFINITION), params or {}, 0.0, 1.0, effects or Effects(), failures)

    def test_advances_one_step_per_step_duration_in_dependency_order(self):
        effects = Effects()
        run = self.run_at(effects)
        self.assertEqual(statuses(run), {"Prep": "Executing"})
        run.advance(0.5)
        self.assertEqual(statuses(run), {"Prep": "Executing"})
        run.advance(1.0)
        self.assertEqual(statuses(run), {"Prep": "Succeeded", "Train": "Executing"})
        run.advance(3.5)
        self.assertEqual(run.steps["Check"].status, "Executing")
        run.advance(10)
        self.assertEqual(run.status, "Succeeded")
        self.assertEqual(effects.completed, ["Prep", "Train", "Eval", "Register"])
        self.assertNotIn("TooHigh", run.steps)  # the branch not taken never runs
        self.assertEqual(run.steps["Check"].metadata, {"Condition": {"Outcome": "True"}})
        self.assertEqual(effects.read, ["s3://b/eval/evaluation.json"])
        self.assertEqual(run.steps["Register"].metadata["RegisterModel"]["Arn"], "arn:pkg/1")
        # Train read Prep's output location, resolved with the execution id.
        self.assertEqual(run.steps["Train"].properties["ModelArtifacts"]["S3ModelArtifacts"],
                         "s3://b/runs/abc123/train/model.tar.gz")
        self.assertEqual(run.modified, 5.0)

    def test_else_branch_runs_the_fail_step_with_its_message(self):
        run = self.run_at(Effects(mse=9.0), params={"MseThreshold": "6.5"})
        run.advance(100)
        self.assertEqual(run.status, "Failed")
        self.assertNotIn("Register", run.steps)
        self.assertEqual(run.steps["TooHigh"].status, "Failed")
        self.assertEqual(run.failure_reason, "MSE above 6.5")

    def test_a_requested_failure_fails_the_step_and_the_execution_then_retry_reruns_it(self):
        run = self.run_at(failures={"Train": "ClientError: out of memory"})
        run.advance(2.0)
        self.assertEqual(run.status, "Failed")
        self.assertEqual(run.failure_reason, "ClientError: out of memory")
        self.assertEqual(run.steps["Train"].failure, "ClientError: out of memory")
        self.assertNotIn("Eval", run.steps)
        run.retry(3.0)
        self.assertEqual(run.status, "Executing")
        self.assertEqual(run.steps["Train"].attempts, 2)
        run.advance(100)
        self.assertEqual(run.status, "Succeeded")
        names = [s["StepName"] for s in run.step_summaries()]
        self.assertEqual(names.count("Train"), 2)  # both attempts are listed
        self.assertEqual(names[0], "Register")  # newest first

    def test_stop_moves_through_stopping_to_stopped(self):
        run = self.run_at()
        run.stop(0.2)
        self.assertEqual(run.status, "Stopping")
        run.advance(1.0)
        self.assertEqual(run.status, "Stopping")
        run.advance(1.2)
        self.assertEqual(run.status, "Stopped")
        self.assertEqual(run.steps["Prep"].status, "Stopped")
        with self.assertRaises(ValueError):
            run.stop(2.0)

    def test_succeeded_cannot_be_retried_or_stopped(self):
        run = self.run_at()
        run.advance(100)
        with self.assertRaises(ValueError):
            run.retry(101)
        with self.assertRaises(ValueError):
            run.stop(101)


class ReleaseEffects:
    def __init__(self):
        self.polls = {"ml": [None, ("Succeeded", "ran")], "deploy": [("Succeeded", "deployed v1")]}

    def start_stage(self, release, stage):
        return stage["kind"]

    def poll_stage(self, release, stage, handle):
        return self.polls[handle].pop(0)


STAGES = [{"name": "Source", "kind": "action"}, {"name": "MLPipeline", "kind": "ml"},
          {"name": "Approval", "kind": "approval"}, {"name": "Deploy", "kind": "deploy"}]


class ReleaseRunTest(unittest.TestCase):
    def test_waits_for_its_approval_token_then_deploys(self):
        r = ReleaseRun("rel-1", STAGES, 0.0, 1.0, ReleaseEffects())
        r.advance(0.5)
        self.assertEqual(r.stage_state["Source"]["status"], "InProgress")
        r.advance(1.0)
        self.assertEqual(r.stage_state["MLPipeline"]["status"], "InProgress")  # first poll: running
        r.advance(1.1)
        token = r.stage_state["Approval"]["token"]
        self.assertTrue(token)
        r.advance(50)
        self.assertEqual(r.status, "InProgress")  # an approval waits for as long as it takes
        with self.assertRaises(ValueError):
            r.answer("Approval", "not-the-token", "Approved", "x", 51)
        r.answer("Approval", token, "Approved", "ok by me", 52)
        self.assertIsNone(r.stage_state["Approval"]["token"])
        r.advance(53)
        self.assertEqual(r.status, "Succeeded")
        self.assertEqual(r.stage_state["Deploy"]["summary"], "deployed v1")

    def test_a_rejection_fails_the_release(self):
        r = ReleaseRun("rel-2", STAGES, 0.0, 1.0, ReleaseEffects())
        r.advance(2)
        r.advance(3)  # the ML stage answers on its second poll
        r.answer("Approval", r.stage_state["Approval"]["token"], "Rejected", "no", 3)
        self.assertEqual(r.status, "Failed")
        self.assertNotIn("Deploy", r.stage_state)


class PercentileTest(unittest.TestCase):
    def test_nearest_rank(self):
        values = list(range(1, 101))
        self.assertEqual(percentile(values, 50), 50)
        self.assertEqual(percentile(values, 99), 99)
        self.assertEqual(percentile([7.0], 99), 7.0)
        self.assertIsNone(percentile([], 50))


if __name__ == "__main__":
    unittest.main()
