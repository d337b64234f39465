"""moto's server plus the extension in ./simulation.py (see README.md).

Run:  python3 server.py [--host 127.0.0.1] [--port 0] [--step-seconds 1]
Prints ``MOTO_HARNESS_PORT=<port>`` once it listens (port 0 = a free one).

What moto already serves is used as is. The extension (a) patches a few moto
response handlers (SageMaker pipeline executions, InvokeEndpoint, CodePipeline,
CloudWatch percentiles) and (b) answers control requests under ``/moto-ext/``
that a test uses to describe what a pipeline's steps produce, to bind a
release pipeline to its data prefix, to make a step fail, and to read which
operations were served. Everything advances lazily: before each request, the
runs move to where the clock says they are.
"""
import argparse
import base64
import json
import sys
import threading
import time
import urllib.request
import uuid
from datetime import datetime, timezone

from moto.backends import get_backend
from moto.cloudwatch import models as cw_models
from moto.cloudwatch.responses import CloudWatchResponse
from moto.codepipeline.responses import CodePipelineResponse
from moto.core.common_models import CloudFormationModel  # noqa: F401  (loads moto's core first)
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.sagemaker import models as sm_models
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from simulation import Definition, PipelineRun, ReleaseRun, StepFailure, percentile

ACCOUNT = "123456789012"
MODEL_PACKAGE_TAG = "mlops:model-package-arn"


def _dt(seconds):
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _sagemaker(region):
    return get_backend("sagemaker")[ACCOUNT][region]


def _s3():
    return get_backend("s3")[ACCOUNT]["aws"]


def _split_s3(uri):
    rest = uri[len("s3://"):]
    bucket, _, key = rest.partition("/")
    return bucket, key


class State:
    """Everything the extension knows, behind one lock."""

    def __init__(self, step_seconds):
        self.lock = threading.RLock()
        self.step_seconds = step_seconds
        self.runs = {}  # execution arn -> PipelineRun
        self.regions = {}  # execution arn -> region
        self.tokens = {}  # (pipeline, ClientRequestToken) -> arn
        self.pipelines = {}  # pipeline name -> {"outputs": {...}, "failures": {...}}
        self.releases = {}  # release name -> {"binding", "runs", "seen"}
        self.monitoring = []  # ListMonitoringExecutions summaries
        self.model_host = None
        self.operations = {}  # "service:Operation" -> count
        self.updates = {}  # (region, endpoint) -> a blue/green update baking (see update_endpoint)
        self.shadow_credit = {}  # (region, endpoint) -> share of a request owed to the shadow

    def now(self):
        return time.time()

    def tick(self):
        now = self.now()
        for run in self.runs.values():
            run.advance(now)
        for name, release in self.releases.items():
            self._watch_data(name, release, now)
            for r in release["runs"]:
                r.advance(now)
        for key in list(self.updates):
            _advance_update(key, now)

    def _watch_data(self, name, release, now):
        """The data bucket's event rule: a new object under the prefix starts a release."""
        prefix = release["binding"].get("dataUri")
        if not prefix:
            return
        bucket, key_prefix = _split_s3(prefix)
        try:
            keys = [k for k in _s3().get_bucket(bucket).keys.keys() if k.startswith(key_prefix)]
        except Exception:  # bucket not made yet
            return
        for key in keys:
            if key not in release["seen"]:
                release["seen"].add(key)
                self.start_release(name, {"inputDataUrl": f"s3://{bucket}/{key}"}, now)

    def start_release(self, name, trigger, now):
        release = self.releases[name]
        run = ReleaseRun(str(uuid.uuid4()), release["binding"]["stages"], now, self.step_seconds,
                         ReleaseEffects(self, release["binding"]), trigger)
        release["runs"].append(run)
        return run


STATE = State(1.0)


# --- what pipeline steps do -----------------------------------------------------------

class StepEffects:
    """Writes a step's outputs where the definition says (content given by the test),
    and registers the model package of a RegisterModel step in moto's registry."""

    def __init__(self, region, pipeline_name):
        self.region = region
        self.pipeline_name = pipeline_name

    def _outputs(self, step):
        return STATE.pipelines.get(self.pipeline_name, {}).get("outputs", {}).get(step, {})

    def _write(self, uri, content):
        bucket, key = _split_s3(uri)
        body = content if isinstance(content, str) else json.dumps(content)
        _s3().put_object(bucket, key, body.encode("utf-8"))

    def read_json(self, uri):
        bucket, key = _split_s3(uri)
        return json.loads(_s3().get_object(bucket, key).value)

    def complete(self, run, step_def):
        kind = step_def.type
        job = f"pipelines-{run.id}-{step_def.name}".lower()
        arn_base = f"arn:aws:sagemaker:{self.region}:{ACCOUNT}"
        if kind == "Processing":
            args = run.resolve(step_def.arguments)
            outputs = {}
            for out in args.get("ProcessingOutputConfig", {}).get("Outputs", []):
                uri = out["S3Output"]["S3Uri"].rstrip("/")
                outputs[out["OutputName"]] = {"S3Output": {"S3Uri": uri}}
                for file_name, content in self._outputs(step_def.name).get(out["OutputName"], {}).items():
                    self._write(f"{uri}/{file_name}", content)
            return ({"ProcessingJob": {"Arn": f"{arn_base}:processing-job/{job}"}},
                    {"ProcessingJobName": job, "ProcessingOutputConfig": {"Outputs": outputs}})
        if kind == "Training":
            args = run.resolve(step_def.arguments)
            artifact = f"{args['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{job}/output/model.tar.gz"
            content = self._outputs(step_def.name).get("model.tar.gz")
            if content is not None:
                self._write(artifact, content)
            return ({"TrainingJob": {"Arn": f"{arn_base}:training-job/{job}"}},
                    {"TrainingJobName": job, "ModelArtifacts": {"S3ModelArtifacts": artifact}})
        if kind == "RegisterModel":
            args = run.resolve(step_def.arguments)
            try:
                arn = _sagemaker(self.region).create_model_package(
                    model_package_name=None,
                    model_package_group_name=args["ModelPackageGroupName"],
                    model_package_description=args.get("ModelPackageDescription"),
                    inference_specification=args.get("InferenceSpecification"),
                    validation_specification=None,
                    source_algorithm_specification=None,
                    certify_for_marketplace=False,
                    tags=None,
                    model_approval_status=args.get("ModelApprovalStatus", "PendingManualApproval"),
                    metadata_properties={"GeneratedBy": run.arn},
                    model_metrics=args.get("ModelMetrics"),
                    client_token=None,
                    customer_metadata_properties=args.get("CustomerMetadataProperties"),
                    drift_check_baselines=None,
                    domain=None,
                    task=None,
                    sample_payload_url=None,
                    additional_inference_specifications=None,
                )
            except Exception as e:  # e.g. the group does not exist
                raise StepFailure(f"RegisterModel failed: {e}")
            return {"RegisterModel": {"Arn": arn}}, {"ModelPackageArn": arn}
        return {}, {}


class ReleaseEffects:
    """The release's own stages: run the SageMaker pipeline; deploy the approved version."""

    def __init__(self, state, binding):
        self.state = state
        self.binding = binding

    def start_stage(self, release, stage):
        if stage["kind"] == "sagemaker-pipeline":
            params = []
            if release.trigger.get("inputDataUrl"):
                params.append({"Name": "InputDataUrl", "Value": release.trigger["inputDataUrl"]})
            return start_execution(self.binding["region"], self.binding["pipeline"], None, params,
                                   "Started by the release pipeline", str(uuid.uuid4()))
        return {"at": self.state.now()}

    def poll_stage(self, release, stage, handle):
        now = self.state.now()
        if stage["kind"] == "sagemaker-pipeline":
            run = self.state.runs[handle]
            run.advance(now)
            if run.status == "Succeeded":
                return "Succeeded", f"Pipeline execution {run.id} succeeded"
            if run.status in ("Failed", "Stopped"):
                return "Failed", run.failure_reason or f"Pipeline execution {run.id} {run.status}"
            return None
        if stage["kind"] == "deploy":
            if handle["at"] + self.state.step_seconds > now:
                return None
            return deploy_latest_approved(self.binding)
        return "Failed", f"unknown stage kind {stage['kind']}"


def deploy_latest_approved(binding):
    """What the release's Deploy stage does (infra/scripts/deploy-model.ts): a model and a
    tagged endpoint config for the newest Approved package; the endpoint moves to it."""
    sm = _sagemaker(binding["region"])
    approved = [p for p in sm.model_packages.values()
                if p.model_package_group_name == binding["modelPackageGroup"]
                and p.model_approval_status == "Approved"]
    if not approved:
        return "Failed", "No Approved model version to deploy"
    pkg = max(approved, key=lambda p: p.model_package_version)
    suffix = f"v{pkg.model_package_version}-{uuid.uuid4().hex[:8]}"
    model_name = f"{binding['endpoint']}-model-{suffix}"
    config_name = f"{binding['endpoint']}-config-{suffix}"
    containers = [{"ModelPackageName": pkg.arn}]
    sm.create_model(model_name, f"arn:aws:iam::{ACCOUNT}:role/emulated", None, None, containers, [])
    variants = [{"VariantName": "AllTraffic", "ModelName": model_name, "InitialInstanceCount": 1,
                 "InstanceType": "ml.m5.large", "InitialVariantWeight": 1.0}]
    sm.create_endpoint_config(config_name, variants, None, None,
                              [{"Key": MODEL_PACKAGE_TAG, "Value": pkg.arn}], None)
    if binding["endpoint"] in sm.endpoints:
        endpoint = sm.endpoints[binding["endpoint"]]
        endpoint.endpoint_config_name = config_name
        endpoint.last_modified_time = str(datetime.now(timezone.utc))
    else:
        sm.create_endpoint(binding["endpoint"], config_name, [])
    return "Succeeded", f"Deployed model version {pkg.model_package_version}"


def start_execution(region, pipeline_name, display_name, parameters, description, token):
    """StartPipelineExecution with SageMaker's idempotency: one execution per token."""
    known = STATE.tokens.get((pipeline_name, token)) if token else None
    if known:
        return known
    sm = _sagemaker(region)
    arn = sm.start_pipeline_execution(pipeline_name, display_name, parameters or [], description,
                                      None, token)["PipelineExecutionArn"]
    fake = sm.pipelines[pipeline_name].pipeline_executions[arn]
    settings = STATE.pipelines.get(pipeline_name, {})
    failures = settings.get("failures", {})
    run = PipelineRun(arn, Definition(fake.pipeline_definition_for_execution),
                      {p["Name"]: p["Value"] for p in parameters or []}, STATE.now(),
                      STATE.step_seconds, StepEffects(region, pipeline_name), failures)
    settings["failures"] = {}  # a requested failure hits the next run only
    STATE.runs[arn] = run
    STATE.regions[arn] = region
    if token:
        STATE.tokens[(pipeline_name, token)] = arn
    return arn


# --- SageMaker handlers moto lacks or answers too simply ---------------------------------

def _run_of(arn):
    run = STATE.runs.get(arn)
    if not run:
        from moto.sagemaker.exceptions import ResourceNotFound
        raise ResourceNotFound(f"Pipeline execution {arn} does not exist.")
    return run


def _with_run(fake_fields, run):
    fake_fields["PipelineExecutionStatus"] = run.status
    fake_fields["LastModifiedTime"] = _dt(run.modified)
    fake_fields["CreationTime"] = _dt(run.created)
    if run.failure_reason:
        fake_fields["FailureReason"] = run.failure_reason
    else:
        fake_fields.pop("FailureReason", None)
    return fake_fields


_orig_describe = SageMakerResponse.describe_pipeline_execution


def describe_pipeline_execution(self):
    result = _orig_describe(self)
    run = STATE.runs.get(self._get_param("PipelineExecutionArn"))
    if run:
        _with_run(result.result, run)
    return result


def start_pipeline_execution(self):
    from moto.core.responses import ActionResult
    arn = start_execution(self.region, self._get_param("PipelineName"),
                          self._get_param("PipelineExecutionDisplayName"),
                          self._get_param("PipelineParameters"),
                          self._get_param("PipelineExecutionDescription"),
                          self._get_param("ClientRequestToken"))
    return ActionResult({"PipelineExecutionArn": arn})


def _page(items, max_results, token, default=50):
    start = int(token) if token else 0
    end = start + int(max_results or default)
    return items[start:end], (str(end) if end < len(items) else None)


def list_pipeline_executions(self):
    from moto.core.responses import ActionResult
    pipeline = self.sagemaker_backend.describe_pipeline(self._get_param("PipelineName"))
    name = pipeline["PipelineName"]
    fakes = self.sagemaker_backend.pipelines[name].pipeline_executions
    items = []
    for arn, fake in fakes.items():
        run = STATE.runs.get(arn)
        item = {
            "PipelineExecutionArn": arn,
            "StartTime": _dt(run.created) if run else fake.start_time,
            "PipelineExecutionStatus": run.status if run else fake.pipeline_execution_status,
            "PipelineExecutionDescription": fake.pipeline_execution_description,
            "PipelineExecutionDisplayName": fake.pipeline_execution_display_name,
        }
        if run and run.failure_reason:
            item["PipelineExecutionFailureReason"] = run.failure_reason
        items.append(item)
    items.sort(key=lambda i: i["StartTime"], reverse=self._get_param("SortOrder", "Descending") == "Descending")
    page, next_token = _page(items, self._get_param("MaxResults"), self._get_param("NextToken"))
    out = {"PipelineExecutionSummaries": page}
    if next_token:
        out["NextToken"] = next_token
    return ActionResult(out)


def list_pipeline_execution_steps(self):
    from moto.core.responses import ActionResult
    run = _run_of(self._get_param("PipelineExecutionArn"))
    steps = run.step_summaries()
    if self._get_param("SortOrder") == "Ascending":
        steps.reverse()
    for s in steps:
        s["StartTime"] = _dt(s["StartTime"])
        if "EndTime" in s:
            s["EndTime"] = _dt(s["EndTime"])
    page, next_token = _page(steps, self._get_param("MaxResults"), self._get_param("NextToken"))
    out = {"PipelineExecutionSteps": page}
    if next_token:
        out["NextToken"] = next_token
    return ActionResult(out)


def _change(self, verb):
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ConflictException
    arn = self._get_param("PipelineExecutionArn")
    run = _run_of(arn)
    try:
        getattr(run, verb)(STATE.now())
    except ValueError as e:
        raise ConflictException(str(e))
    return ActionResult({"PipelineExecutionArn": arn})


def list_monitoring_executions(self):
    from moto.core.responses import ActionResult
    endpoint = self._get_param("EndpointName")
    kind = self._get_param("MonitoringTypeEquals")
    items = [dict(m) for m in STATE.monitoring
             if (not endpoint or m.get("EndpointName") == endpoint)
             and (not kind or m.get("MonitoringType", "DataQuality") == kind)]
    for m in items:
        for k in ("ScheduledTime", "CreationTime", "LastModifiedTime"):
            if isinstance(m.get(k), (int, float)):
                m[k] = _dt(m[k])
    items.sort(key=lambda m: m["ScheduledTime"], reverse=self._get_param("SortOrder") != "Ascending")
    page, next_token = _page(items, self._get_param("MaxResults"), self._get_param("NextToken"), 10)
    out = {"MonitoringExecutionSummaries": page}
    if next_token:
        out["NextToken"] = next_token
    return ActionResult(out)


SageMakerResponse.describe_pipeline_execution = describe_pipeline_execution
SageMakerResponse.start_pipeline_execution = start_pipeline_execution
SageMakerResponse.list_pipeline_executions = list_pipeline_executions
SageMakerResponse.list_pipeline_execution_steps = list_pipeline_execution_steps
SageMakerResponse.stop_pipeline_execution = lambda self: _change(self, "stop")
SageMakerResponse.retry_pipeline_execution = lambda self: _change(self, "retry")
SageMakerResponse.list_monitoring_executions = list_monitoring_executions

# moto 5.2.1's UpdateModelPackage sets CustomerMetadataProperties to what the
# request carries, so an approval (which carries none) wipes them. SageMaker
# merges: given keys are set, CustomerMetadataPropertiesToRemove removed, the
# rest kept. The aws engine reads the version's signature from them.
_orig_update_model_package = sm_models.SageMakerModelBackend.update_model_package


def update_model_package(self, model_package_arn, model_approval_status, approval_description,
                         customer_metadata_properties, customer_metadata_properties_to_remove,
                         additional_inference_specifications_to_add):
    name = self.model_package_name_mapping.get(model_package_arn, model_package_arn)
    pkg = self.model_packages.get(name)
    kept = dict((pkg.customer_metadata_properties or {}) if pkg else {})
    kept.update(customer_metadata_properties or {})
    return _orig_update_model_package(
        self, model_package_arn, model_approval_status, approval_description,
        kept or None, customer_metadata_properties_to_remove or [],
        additional_inference_specifications_to_add)


sm_models.SageMakerModelBackend.update_model_package = update_model_package


# --- InvokeEndpoint: the deployed model answers -------------------------------------------

def invoke_endpoint(self):
    """Forwards the request to the model host (set by the test) with the deployed
    package's container artifacts, and records SageMaker's endpoint metrics."""
    name = self.path.split("/")[2]
    sm = _sagemaker(self.region)
    endpoint = sm.endpoints.get(name)
    if endpoint is None:
        return 400, {"Content-Type": "application/json"}, json.dumps(
            {"__type": "ValidationError", "message": f"Endpoint {name} of account {ACCOUNT} not found."})
    config = sm.endpoint_configs[endpoint.endpoint_config_name]
    variant = config.production_variants[0]
    body_bytes = self.body if isinstance(self.body, bytes) else self.body.encode()
    status, body, ctype = _answer(sm, self.region, name, variant, self.headers, body_bytes)
    shadows = getattr(config, "shadow_production_variants", None) or []
    if shadows:
        # ShadowProductionVariants: a copy of a share (shadow weight / production weight) of the
        # requests goes to the candidate; its answer is recorded, never returned.
        key = (self.region, name)
        share = float(shadows[0].get("InitialVariantWeight", 1.0)) / float(variant.get("InitialVariantWeight", 1.0))
        STATE.shadow_credit[key] = STATE.shadow_credit.get(key, 0.0) + min(share, 1.0)
        if STATE.shadow_credit[key] >= 1.0 - 1e-9:
            STATE.shadow_credit[key] -= 1.0
            _answer(sm, self.region, name, shadows[0], self.headers, body_bytes)
    if status != 200:
        # SageMaker's ModelError: the container answered with an error.
        return 424, {"Content-Type": "application/json"}, json.dumps({
            "__type": "ModelError", "Message": f"Received server error ({status}) from model: "
            f"{body[:500].decode('utf-8', 'replace')}", "OriginalStatusCode": status})
    return 200, {"Content-Type": ctype, "x-Amzn-Invoked-Production-Variant": variant["VariantName"]}, body


def _answer(sm, region, endpoint_name, variant, headers, body_bytes):
    """One variant's answer from the model host, with SageMaker's endpoint metrics for that variant."""
    started = time.time()
    model = sm._models[variant["ModelName"]]
    containers = list(model.containers or []) or [model.primary_container]
    urls = []
    for c in containers:
        if c.get("ModelPackageName"):
            pkg = sm.describe_model_package(c["ModelPackageName"])
            urls += [x.get("ModelDataUrl") for x in pkg.inference_specification["Containers"]]
        elif c.get("ModelDataUrl"):
            urls.append(c["ModelDataUrl"])
    status, body, ctype = 500, b"no model host configured", "text/plain"
    if STATE.model_host:
        request = urllib.request.Request(STATE.model_host, method="POST", data=json.dumps({
            "modelDataUrls": urls,
            "contentType": headers.get("Content-Type"),
            "accept": headers.get("Accept"),
            "body": base64.b64encode(body_bytes).decode(),
        }).encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as res:
                status, body, ctype = res.status, res.read(), res.headers.get("Content-Type", "text/csv")
        except urllib.error.HTTPError as e:
            status, body, ctype = e.code, e.read(), "text/plain"
    dims = [{"Name": "EndpointName", "Value": endpoint_name}, {"Name": "VariantName", "Value": variant["VariantName"]}]
    latency_us = (time.time() - started) * 1e6
    cw = get_backend("cloudwatch")[ACCOUNT][region]
    data = [{"MetricName": "Invocations", "Value": 1, "Unit": "None", "Dimensions": dims},
            {"MetricName": "Invocation4XXErrors", "Value": 1 if 400 <= status < 500 else 0, "Dimensions": dims},
            {"MetricName": "Invocation5XXErrors", "Value": 1 if status >= 500 else 0, "Dimensions": dims},
            {"MetricName": "ModelLatency", "Value": latency_us, "Unit": "Microseconds", "Dimensions": dims}]
    cw.put_metric_data("AWS/SageMaker", data)
    return status, body, ctype


SageMakerRuntimeResponse.invoke_endpoint = invoke_endpoint


# --- Endpoint updates: blue/green, auto-rollback alarms, shadow variants ------------------------
# moto 5.2.1 has no UpdateEndpoint, drops CreateEndpointConfig's ShadowProductionVariants and has
# no DescribeAlarmHistory.

_orig_create_endpoint_config = SageMakerResponse.create_endpoint_config


def create_endpoint_config(self):
    shadows = self._get_param("ShadowProductionVariants")
    sm = _sagemaker(self.region)
    if shadows:
        sm.validate_production_variants(shadows)  # the shadow's model must exist
    result = _orig_create_endpoint_config(self)
    if shadows:
        # moto's response object is built from the attributes: DescribeEndpointConfig echoes it.
        sm.endpoint_configs[self._get_param("EndpointConfigName")].shadow_production_variants = shadows
    return result


def _move(endpoint, config):
    endpoint.endpoint_config_name = config.endpoint_config_name
    endpoint.production_variants = endpoint._process_production_variants(config.production_variants)
    endpoint.endpoint_status = "InService"
    endpoint.pending_deployment_summary = None
    endpoint.last_modified_time = datetime.now(timezone.utc)


def update_endpoint(self):
    """UpdateEndpoint. Without a DeploymentConfig, or ALL_AT_ONCE, the endpoint moves at once.
    With a CANARY or LINEAR BlueGreenUpdatePolicy it stays Updating with a PendingDeploymentSummary
    whose green variant is Baking (CurrentWeight = the canary or first linear share) for
    WaitIntervalInSeconds, then moves; an alarm of its AutoRollbackConfiguration in ALARM during
    the bake rolls it back to InService on the old config. One bake only (linear steps are not
    walked), no instances, no split of real traffic, no RollingBack phase."""
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ValidationError
    sm = _sagemaker(self.region)
    name = self._get_param("EndpointName")
    config_name = self._get_param("EndpointConfigName")
    endpoint = sm.endpoints.get(name)
    if endpoint is None:
        raise ValidationError(message=f"Could not find endpoint \"{name}\".")
    config = sm.endpoint_configs.get(config_name)
    if config is None:
        raise ValidationError(message=f"Could not find endpoint configuration \"{config_name}\".")
    if endpoint.endpoint_status != "InService":
        raise ValidationError(message=f"Cannot update in-progress endpoint \"{name}\".")
    deployment = self._get_param("DeploymentConfig")
    endpoint.last_deployment_config = deployment
    routing = ((deployment or {}).get("BlueGreenUpdatePolicy") or {}).get("TrafficRoutingConfiguration") or {}
    if routing.get("Type") not in ("CANARY", "LINEAR"):
        _move(endpoint, config)
        return ActionResult({"EndpointArn": endpoint.arn})
    now = datetime.now(timezone.utc)
    wait = float(routing.get("WaitIntervalInSeconds", 0))
    share = float((routing.get("CanarySize") or routing.get("LinearStepSize") or {}).get("Value", 100))
    endpoint.endpoint_status = "Updating"
    endpoint.last_modified_time = now
    endpoint.pending_deployment_summary = {
        "EndpointConfigName": config_name,
        "StartTime": now,
        "ProductionVariants": [{
            "VariantName": v["VariantName"],
            "CurrentWeight": share / 100.0,
            "DesiredWeight": 1.0,
            "CurrentInstanceCount": v.get("InitialInstanceCount", 1),
            "DesiredInstanceCount": v.get("InitialInstanceCount", 1),
            "VariantStatus": [{"Status": "Baking", "StatusMessage": f"Baking for {int(wait)} seconds",
                               "StartTime": now}],
        } for v in config.production_variants],
    }
    alarms = [a["AlarmName"] for a in ((deployment.get("AutoRollbackConfiguration") or {}).get("Alarms") or [])]
    STATE.updates[(self.region, name)] = {"until": time.time() + wait, "config": config_name, "alarms": alarms}
    return ActionResult({"EndpointArn": endpoint.arn})


def _advance_update(key, now):
    region, name = key
    update = STATE.updates[key]
    sm = _sagemaker(region)
    endpoint = sm.endpoints.get(name)
    if endpoint is None:
        del STATE.updates[key]
        return
    cw = get_backend("cloudwatch")[ACCOUNT][region]
    tripped = [a for a in update["alarms"] if a in cw.alarms and cw.alarms[a].state_value == "ALARM"]
    if tripped:
        endpoint.endpoint_status = "InService"
        endpoint.pending_deployment_summary = None
        endpoint.last_modified_time = datetime.now(timezone.utc)
        del STATE.updates[key]
    elif now >= update["until"]:
        _move(endpoint, sm.endpoint_configs[update["config"]])
        del STATE.updates[key]


SageMakerResponse.create_endpoint_config = create_endpoint_config
SageMakerResponse.update_endpoint = update_endpoint


def describe_alarm_history(self):
    """DescribeAlarmHistory's StateUpdate items from moto's own record of each alarm's states."""
    from moto.core.responses import ActionResult
    backend = get_backend("cloudwatch")[ACCOUNT][self.region]
    names = [self._get_param("AlarmName")] if self._get_param("AlarmName") else list(backend.alarms)
    start, end = self._get_param("StartDate"), self._get_param("EndDate")
    items = []
    for alarm_name in names:
        alarm = backend.alarms.get(alarm_name)
        if alarm is None:
            continue
        # moto keeps each update's previous state; the new one is the next entry (or the current).
        states = [(h[3], h[1], h[2], h[4]) for h in alarm.history if h[0] == "StateUpdate"]
        states.append((alarm.state_value, alarm.state_reason, alarm.state_reason_data,
                       alarm.state_updated_timestamp))
        for old, new in zip(states, states[1:]):
            at = new[3]
            if isinstance(at, str):
                at = datetime.fromisoformat(at.replace("Z", "+00:00"))
            if at.tzinfo is None:
                at = at.replace(tzinfo=timezone.utc)
            items.append({
                "AlarmName": alarm_name, "AlarmType": "MetricAlarm", "Timestamp": at,
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old[0]} to {new[0]}",
                "HistoryData": json.dumps({"version": "1.0",
                                           "oldState": {"stateValue": old[0], "stateReason": old[1]},
                                           "newState": {"stateValue": new[0], "stateReason": new[1],
                                                        "stateReasonData": new[2]}}),
            })

    def within(item):
        t = item["Timestamp"]
        return (not start or t >= _as_dt(start)) and (not end or t <= _as_dt(end))
    items = [i for i in items if within(i)]
    items.sort(key=lambda i: i["Timestamp"], reverse=self._get_param("ScanBy") != "TimestampAscending")
    return ActionResult({"AlarmHistoryItems": items[: int(self._get_param("MaxRecords") or 100)]})


def _as_dt(value):
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return _dt(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


CloudWatchResponse.describe_alarm_history = describe_alarm_history


# --- CloudWatch percentiles -----------------------------------------------------------------

_orig_stat = cw_models.Statistics.get_statistics_for_type


def get_statistics_for_type(self, stat):
    if len(stat) > 1 and stat[0] == "p":
        try:
            p = float(stat[1:])
        except ValueError:
            return None
        return percentile(self.metric_single_values_list, p)
    return _orig_stat(self, stat)


cw_models.Statistics.get_statistics_for_type = get_statistics_for_type


# --- CodePipeline: release state and the manual approval ---------------------------------------

def _release(self):
    name = self._get_param("name") or self._get_param("pipelineName")
    release = STATE.releases.get(name)
    if not release:
        from moto.codepipeline.exceptions import PipelineNotFoundException
        raise PipelineNotFoundException(f"Account '{ACCOUNT}' does not have a pipeline with name '{name}'")
    return name, release


def get_pipeline_state(self):
    name, release = _release(self)
    latest = release["runs"][-1] if release["runs"] else None
    stages = []
    for stage in release["binding"]["stages"]:
        # Like CodePipeline: each stage shows its own last run, which may be an older release's.
        owner = next((r for r in reversed(release["runs"]) if stage["name"] in r.stage_state), None)
        out = {"stageName": stage["name"], "actionStates": []}
        if owner:
            st = owner.stage_state[stage["name"]]
            out["latestExecution"] = {"pipelineExecutionId": owner.id, "status": st["status"]}
            action = {"status": st["status"], "lastStatusChange": st["end"] or st["start"]}
            if st.get("token"):
                action["token"] = st["token"]
            if st.get("summary"):
                if st["status"] == "Failed":
                    action["errorDetails"] = {"code": "JobFailed", "message": st["summary"]}
                else:
                    action["summary"] = st["summary"]
            out["actionStates"].append({"actionName": stage.get("action", stage["name"]),
                                        "latestExecution": action})
        stages.append(out)
    return json.dumps({"pipelineName": name, "pipelineVersion": 1, "stageStates": stages,
                       "created": latest.start if latest else time.time(),
                       "updated": latest.modified if latest else time.time()})


def list_release_executions(self):
    name, release = _release(self)
    runs = sorted(release["runs"], key=lambda r: r.start, reverse=True)
    page, next_token = _page(runs, self._get_param("maxResults"), self._get_param("nextToken"), 100)
    out = {"pipelineExecutionSummaries": [
        {"pipelineExecutionId": r.id, "status": r.status, "startTime": r.start, "lastUpdateTime": r.modified}
        for r in page]}
    if next_token:
        out["nextToken"] = next_token
    return json.dumps(out)


def put_approval_result(self):
    name, release = _release(self)
    run = release["runs"][-1] if release["runs"] else None
    result = self._get_param("result") or {}
    try:
        if not run:
            raise ValueError("no release is running")
        run.answer(self._get_param("stageName"), self._get_param("token"), result.get("status"),
                   result.get("summary"), STATE.now())
    except ValueError as e:
        from moto.core.exceptions import JsonRESTError
        raise JsonRESTError("InvalidApprovalTokenException", str(e))
    return json.dumps({"approvedAt": time.time()})


def start_release_execution(self):
    name, _ = _release(self)
    return json.dumps({"pipelineExecutionId": STATE.start_release(name, {}, STATE.now()).id})


CodePipelineResponse.get_pipeline_state = get_pipeline_state
CodePipelineResponse.list_pipeline_executions = list_release_executions
CodePipelineResponse.put_approval_result = put_approval_result
CodePipelineResponse.start_pipeline_execution = start_release_execution


# --- the WSGI front: control routes, the lazy clock, the operation log ---------------------------

TARGET_SERVICES = {"SageMaker": "sagemaker", "CodePipeline_20150709": "codepipeline",
                   "GraniteServiceVersion20100801": "cloudwatch"}


def _operation(request):
    target = request.headers.get("X-Amz-Target")
    if target:
        service, _, op = target.partition(".")
        return f"{TARGET_SERVICES.get(service, service.lower())}:{op}"
    if "/operation/" in request.path:  # Smithy RPC v2 (CloudWatch)
        return "cloudwatch:" + request.path.rsplit("/", 1)[-1]
    if request.path.startswith("/endpoints/") and request.path.endswith("/invocations"):
        return "sagemaker-runtime:InvokeEndpoint"
    form_action = request.args.get("Action")
    if form_action:
        return f"query:{form_action}"
    args = request.args
    m = request.method
    if m == "OPTIONS":
        return "s3:PreflightCORS"
    if "uploads" in args:
        return "s3:CreateMultipartUpload"
    if "uploadId" in args:
        return {"PUT": "s3:UploadPart", "POST": "s3:CompleteMultipartUpload",
                "DELETE": "s3:AbortMultipartUpload", "GET": "s3:ListParts"}.get(m, f"s3:{m}")
    if m == "PUT" and request.headers.get("x-amz-copy-source"):
        return "s3:CopyObject"
    key = request.path.strip("/").partition("/")[2]
    if not key:
        return {"PUT": "s3:CreateBucket", "GET": "s3:ListObjects"}.get(m, f"s3:{m}Bucket")
    return {"PUT": "s3:PutObject", "GET": "s3:GetObject", "HEAD": "s3:HeadObject",
            "DELETE": "s3:DeleteObject"}.get(m, f"s3:{m}Object")


def control(request):
    body = request.get_json(silent=True) or {}
    parts = request.path.strip("/").split("/")[1:]
    with STATE.lock:
        if parts == ["health"]:
            return {"status": "ok"}
        if parts == ["operations"]:
            return STATE.operations
        if len(parts) == 2 and parts[0] == "releases" and request.method == "GET":
            # What a test may want to see when a release does not move.
            STATE.tick()
            return [{"id": r.id, "status": r.status, "trigger": r.trigger,
                     "stages": {k: {"status": v["status"], "summary": v.get("summary")}
                                for k, v in r.stage_state.items()}}
                    for r in STATE.releases[parts[1]]["runs"]]
        if parts == ["clock"] and request.method == "POST":
            STATE.step_seconds = float(body["stepSeconds"])
            return {"stepSeconds": STATE.step_seconds}
        if parts == ["model-host"]:
            STATE.model_host = body.get("url")
            return {"url": STATE.model_host}
        if parts == ["monitoring-executions"]:
            STATE.monitoring.append(body)
            return {"count": len(STATE.monitoring)}
        if len(parts) == 2 and parts[0] == "pipelines":
            STATE.pipelines.setdefault(parts[1], {})["outputs"] = body.get("outputs", {})
            return {"pipeline": parts[1]}
        if len(parts) == 3 and parts[0] == "pipelines" and parts[2] == "fail":
            arn = body.get("executionArn")
            if arn:
                _run_of(arn).failures[body["step"]] = body["reason"]
            else:
                STATE.pipelines.setdefault(parts[1], {}).setdefault("failures", {})[body["step"]] = body["reason"]
            return {"step": body["step"]}
        if len(parts) == 2 and parts[0] == "releases":
            binding = dict(body)
            prefix = binding.get("dataUri")
            seen = set()
            if prefix:
                bucket, key_prefix = _split_s3(prefix)
                try:
                    seen = {k for k in _s3().get_bucket(bucket).keys.keys() if k.startswith(key_prefix)}
                except Exception:
                    pass
            STATE.releases[parts[1]] = {"binding": binding, "runs": [], "seen": seen}
            return {"release": parts[1]}
    return None


class Front:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/moto-ext/"):
            try:
                answer = control(request)
            except Exception as e:  # a test's mistake: say which
                answer = {"error": f"{type(e).__name__}: {e}"}
                return Response(json.dumps(answer), 400, content_type="application/json")(environ, start_response)
            if answer is None:
                return Response('{"error":"unknown control route"}', 404,
                                content_type="application/json")(environ, start_response)
            return Response(json.dumps(answer), 200, content_type="application/json")(environ, start_response)
        op = _operation(request)
        with STATE.lock:
            STATE.operations[op] = STATE.operations.get(op, 0) + 1
            STATE.tick()
            if op.split(":")[0] in ("sagemaker", "codepipeline"):
                # The extension's handlers read-modify-write the runs: one at a time.
                return self.app(environ, start_response)
        # Not under the lock: InvokeEndpoint waits on the model host, which reads S3 here.
        return self.app(environ, start_response)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--step-seconds", type=float, default=1.0)
    args = parser.parse_args()
    STATE.step_seconds = args.step_seconds
    app = Front(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True)
    print(f"MOTO_HARNESS_PORT={server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
