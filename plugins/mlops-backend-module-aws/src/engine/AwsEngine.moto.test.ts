/**
 * The aws engine over real HTTP: the engine contract suite, then what the
 * contract leaves to each engine (a run observed step by step, stop, a failed
 * step and its retry, the direct multipart upload, monitoring), against moto's
 * server and the extension in src/testing/moto (README.md there). Needs
 * python3 with moto 5.2.1 (scripts/moto/ensure-moto.sh). In CI (MLOPS_CI=true,
 * set by scripts/test-all.sh when the caller runs in CI) a missing moto fails;
 * elsewhere these tests are skipped and say why.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { ABALONE_RECORD, ABALONE_SIGNATURE } from './__fixtures__/signatures';
import { runEngineContract } from '@mlops-portal/plugin-mlops-node/testUtils';
import { AwsEngine } from './AwsEngine';
import { createAwsMonitoring } from './monitoring';
import { motoProblem } from '../testing/moto/motoHarness';
import {
  ARTIFACT_BUCKET,
  demoCsv,
  startMotoAccount,
  type MotoAccount,
} from './__testUtils__/motoAccount';
import { PIPELINE, ROLE_ARN } from './__fixtures__/sagemaker';
import {
  DATA_BUCKET,
  abaloneContractSystem,
  actor,
  resources,
} from './__testUtils__/helpers';
import { MODEL_PACKAGE_TAG } from './endpoint';
import {
  ListMultipartUploadsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { baselineStatistics, parseAbaloneCsv } from '@mlops-portal/ml-core';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateProcessingJobCommand,
  DeleteTagsCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { rolloutAlarmNames } from './rolloutMapping';

const STEP_SECONDS = 0.3;

function engineOver(account: MotoAccount) {
  const logger = mockServices.logger.mock();
  return new AwsEngine({
    logger,
    clients: async () => account.clients,
    defaultRegion: resources.region!,
    // The emulator changes state behind the engine's back (a release deploys).
    listCacheTtlSeconds: 0,
    monitoring: (_ctx, served) =>
      createAwsMonitoring({
        logger,
        clients: async () => account.clients,
        servedModelVersion: r => served.modelVersion(r),
        cacheTtlSeconds: 0,
      }),
  });
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/** Every operation the emulator served, across the suites of this file. */
const served: Record<string, number> = {};
const started = Date.now();

async function collect(account: MotoAccount) {
  for (const [op, n] of Object.entries(await account.harness.operations())) {
    served[op] = (served[op] ?? 0) + n;
  }
}

const MISSING = motoProblem();
if (MISSING && process.env.MLOPS_CI === 'true') {
  it(`moto is installed (required in CI): ${MISSING}`, () => {
    expect(MISSING).toBeUndefined();
  });
}

(MISSING ? describe.skip : describe)(
  MISSING
    ? `aws engine over HTTP (SKIPPED: ${MISSING})`
    : 'aws engine over HTTP against moto',
  () => {
    runEngineContract(
      'aws over HTTP (moto)',
      async () => {
        const account = await startMotoAccount({ stepSeconds: STEP_SECONDS });
        const engine = engineOver(account);
        let uploads = 0;
        return {
          engine,
          resources,
          system: abaloneContractSystem,
          // Through the backend's upload path: PutObject into the data prefix
          // starts the release, whose ML stage runs the pipeline to Register.
          createPendingVersion: async () => {
            const before = new Set(
              (await engine.listModelVersions(resources)).items.map(
                v => v.version,
              ),
            );
            uploads += 1;
            await engine.uploadDataset(resources, {
              fileName: `contract-${uploads}.csv`,
              content: Buffer.from(demoCsv()),
              contentType: 'text/csv',
              actor,
            });
            return waitFor('a new version awaiting approval', async () => {
              const fresh = (
                await engine.listModelVersions(resources)
              ).items.find(v => !before.has(v.version));
              const stages = await engine.getReleaseState(resources);
              return fresh && stages?.some(s => s.approvalToken)
                ? fresh.version
                : undefined;
            });
          },
          settle: async () => {
            await waitFor('the release to finish', async () => {
              const stages = await engine.getReleaseState(resources);
              return stages?.every(s => s.status !== 'InProgress')
                ? true
                : undefined;
            });
          },
          countStoredDatasets: () => account.dataObjectCount(),
          close: async () => {
            await collect(account);
            await account.close();
          },
        };
      },
      { timeoutMs: 60_000 },
    );

    describe('aws engine over HTTP (moto): runs, uploads, monitoring', () => {
      jest.setTimeout(60_000);
      let account: MotoAccount;
      let engine: AwsEngine;

      beforeAll(async () => {
        account = await startMotoAccount({ stepSeconds: STEP_SECONDS });
        engine = engineOver(account);
      }, 60_000);

      afterAll(async () => {
        if (account) {
          await collect(account);
          await account.close();
        }
      });

      const start = (token: string) =>
        engine.startExecution(resources, {
          trigger: 'manual',
          actor,
          clientRequestToken: token,
        });

      it('shows a run advancing step by step along the definition', async () => {
        // 1 s steps here, so a poll (a few requests) under load cannot miss one.
        await account.harness.control('clock', { stepSeconds: 1 });
        const run = await start('observe-1');
        await account.harness.control('clock', { stepSeconds: STEP_SECONDS });
        expect(run.status).toBe('Executing');
        const seen: string[] = [];
        const done = await waitFor('the run to end', async () => {
          const d = await engine.getExecution(resources, run.executionId);
          if (d.currentStep && seen.at(-1) !== d.currentStep)
            seen.push(d.currentStep);
          return d.status === 'Executing' ? undefined : d;
        });
        expect(done.status).toBe('Succeeded');
        // Polled every 100 ms with 1 s steps: each step is seen running, in order.
        expect(seen).toEqual([
          'Preprocess',
          'Train',
          'Evaluate',
          'CheckMSE',
          'Register',
        ]);
        const byName = Object.fromEntries(done.steps.map(s => [s.name, s]));
        expect(byName.Train.dependsOn).toEqual(['Preprocess']);
        // A branch step follows its condition, and the steps whose outputs it reads.
        expect(byName.Register.dependsOn).toContain('CheckMSE');
        expect(byName.CheckMSE.outputs).toEqual({ conditionOutcome: 'True' });
        // The branch not taken never ran.
        const failStep = done.steps.find(s => s.type === 'Fail');
        expect(failStep?.status).toBe('NotStarted');
        expect(done.modelVersion).toBeGreaterThanOrEqual(1);
        expect(done.metrics?.mse).toBeCloseTo(account.trained.metrics.mse, 6);
      });

      it('stops an executing run: Stopping, then Stopped', async () => {
        const run = await start('stop-1');
        const stopping = await engine.stopExecution(
          resources,
          run.executionId,
          actor,
        );
        expect(stopping.status).toBe('Stopping');
        const stopped = await waitFor('Stopped', async () => {
          const d = await engine.getExecution(resources, run.executionId);
          return d.status === 'Stopped' ? d : undefined;
        });
        expect(stopped.steps.find(s => s.name === 'Preprocess')?.status).toBe(
          'Stopped',
        );
      });

      it('shows a failed step with its reason, and retries it in place', async () => {
        const reason = 'ClientError: training image exited with code 137';
        await account.harness.control(`pipelines/${PIPELINE}/fail`, {
          step: 'Train',
          reason,
        });
        const run = await start('fail-retry-1');
        const failed = await waitFor('Failed', async () => {
          const d = await engine.getExecution(resources, run.executionId);
          return d.status === 'Failed' ? d : undefined;
        });
        expect(failed.failureReason).toBe(reason);
        const train = failed.steps.find(s => s.name === 'Train')!;
        expect(train).toMatchObject({
          status: 'Failed',
          failureReason: reason,
        });
        expect(failed.steps.find(s => s.name === 'Evaluate')?.status).toBe(
          'NotStarted',
        );

        const retried = await engine.retryExecution(
          resources,
          run.executionId,
          actor,
        );
        expect(retried).toMatchObject({
          executionId: run.executionId,
          status: 'Executing',
        });
        const done = await waitFor('the retry to succeed', async () => {
          const d = await engine.getExecution(resources, run.executionId);
          return d.status === 'Executing' ? undefined : d;
        });
        expect(done.status).toBe('Succeeded');
        expect(
          done.steps.find(s => s.name === 'Train')?.metadata,
        ).toMatchObject({
          attemptCount: 2,
        });
      });

      it('takes a direct multipart upload through presigned URLs, then starts a release', async () => {
        // Two parts: the first at the engine's minimum part size.
        const row = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n';
        const text = row.repeat(Math.ceil((9 * 1024 * 1024) / row.length));
        const body = Buffer.from(text);
        const executionsBefore = (await engine.listExecutions(resources)).items
          .length;
        const session = await engine.createDatasetUpload(resources, {
          fileName: 'direct.csv',
          sizeBytes: body.length,
          actor,
        });
        expect(session.parts.length).toBe(2);
        const parts = [];
        for (const p of session.parts) {
          const from = (p.partNumber - 1) * session.partSizeBytes;
          const res = await fetch(p.url, {
            method: 'PUT',
            body: body.subarray(from, from + session.partSizeBytes),
          });
          expect(res.status).toBe(200);
          parts.push({
            partNumber: p.partNumber,
            etag: res.headers.get('etag')!,
          });
        }
        const before = await account.dataObjectCount();
        const uploaded = await engine.completeDatasetUpload(resources, {
          uploadId: session.uploadId,
          key: session.key,
          parts,
          actor,
        });
        expect(uploaded.manifest.rowCount).toBe(text.split('\n').length - 1);
        expect(await account.dataObjectCount()).toBe(before + 1);
        // The data prefix's event starts the release, whose ML stage starts a run.
        await waitFor('the release to start a run', async () =>
          (await engine.listExecutions(resources)).items.length >
          executionsBefore
            ? true
            : undefined,
        );
      });

      it('refuses to complete a direct upload with a bad row, and stores nothing', async () => {
        const body = Buffer.from(
          'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,abc\n',
        );
        const session = await engine.createDatasetUpload(resources, {
          fileName: 'bad.csv',
          sizeBytes: body.length,
          actor,
        });
        const res = await fetch(session.parts[0].url, { method: 'PUT', body });
        const before = await account.dataObjectCount();
        await expect(
          engine.completeDatasetUpload(resources, {
            uploadId: session.uploadId,
            key: session.key,
            parts: [{ partNumber: 1, etag: res.headers.get('etag')! }],
            actor,
          }),
        ).rejects.toMatchObject({ name: 'InputError' });
        expect(await account.dataObjectCount()).toBe(before);
      });

      it('aborts a direct upload: no parts are left in the bucket', async () => {
        const session = await engine.createDatasetUpload(resources, {
          fileName: 'abandoned.csv',
          sizeBytes: 1024,
          actor,
        });
        const open = () =>
          account.clients.s3
            .send(new ListMultipartUploadsCommand({ Bucket: DATA_BUCKET }))
            .then(r => (r.Uploads ?? []).map(u => u.UploadId));
        expect(await open()).toContain(session.uploadId);
        await engine.abortDatasetUpload(resources, {
          uploadId: session.uploadId,
          key: session.key,
          actor,
        });
        expect(await open()).not.toContain(session.uploadId);
      });

      it('deploys an approved version through the release and monitors its traffic', async () => {
        // The direct upload's release registered the newest version and waits on it.
        await waitFor('the release approval', async () =>
          (await engine.getReleaseState(resources))?.some(s => s.approvalToken)
            ? true
            : undefined,
        );
        const versions = (await engine.listModelVersions(resources)).items;
        expect(versions[0].approvalStatus).toBe('PendingManualApproval');
        const newest = versions[0];
        await engine.updateModelApproval(resources, newest.version, {
          status: 'Approved',
          comment: 'over HTTP',
          actor,
        });
        const stages = await waitFor('Deploy to succeed', async () => {
          const s = await engine.getReleaseState(resources);
          return s?.find(x => x.name === 'Deploy')?.status === 'Succeeded'
            ? s
            : undefined;
        });
        expect(stages.find(s => s.name === 'Approval')?.status).toBe(
          'Succeeded',
        );
        const prediction = await engine.predict(resources, [
          ABALONE_RECORD,
          { ...ABALONE_RECORD, shellWeight: 0.35 },
        ]);
        expect(prediction.modelVersion).toBe(newest.version);
        // ml-core's predictor over the registered artifacts: a heavier shell, more rings.
        expect(prediction.predictions[1].rings).toBeGreaterThan(
          prediction.predictions[0].rings as number,
        );
        // Register named the run's signature.json in CustomerMetadataProperties.
        await expect(
          engine.getModelSignature(resources, newest.version),
        ).resolves.toEqual(ABALONE_SIGNATURE);
        expect(prediction.predictions[0]).toMatchObject({
          value: prediction.predictions[0].rings,
          age: (prediction.predictions[0].rings as number) + 1.5,
        });
        for (let i = 0; i < 3; i++)
          await engine.predict(resources, [ABALONE_RECORD]);

        const monitoring = await engine.getMonitoring!(resources, {
          window: '1h',
        });
        expect(monitoring.modelVersion).toBe(newest.version);
        expect(monitoring.totals.invocations).toBe(4);
        expect(monitoring.totals.errors5xx).toBe(0);
        expect(monitoring.totals.p50Ms).toBeGreaterThan(0);
        expect(monitoring.totals.p99Ms).toBeGreaterThanOrEqual(
          monitoring.totals.p50Ms!,
        );
        // No Model Monitor schedule ran in the emulator: no verdict, not an alarm.
        expect(monitoring.drift.status).toBe('insufficient_data');
      });
      it('reads the served version from the model when the endpoint config has no tag', async () => {
        const { endpoint } = await engine.listDeployments(resources);
        const { sagemaker } = account.clients;
        const config = await sagemaker.send(
          new DescribeEndpointCommand({ EndpointName: resources.endpointName }),
        );
        const described = await sagemaker.send(
          new DescribeEndpointConfigCommand({
            EndpointConfigName: config.EndpointConfigName!,
          }),
        );
        // A config deployed before the deploy step tagged its configs.
        await sagemaker.send(
          new DeleteTagsCommand({
            ResourceArn: described.EndpointConfigArn!,
            TagKeys: [MODEL_PACKAGE_TAG],
          }),
        );
        const again = await engine.listDeployments(resources);
        expect(again.endpoint?.modelVersion).toBe(endpoint?.modelVersion);
        expect(again.endpoint?.modelPackageArn).toBe(endpoint?.modelPackageArn);
      });
      it('shadow-tests another version, then rolls a canary back on the manual alarm (UpdateEndpoint and alarms over HTTP)', async () => {
        const { sagemaker, cloudwatch } = account.clients;
        const names = rolloutAlarmNames(resources.endpointName);
        // What infra creates per endpoint (the manual one on a metric nothing publishes).
        for (const AlarmName of Object.values(names)) {
          await cloudwatch.send(
            new PutMetricAlarmCommand({
              AlarmName,
              Namespace: 'MLOps/Rollouts',
              MetricName: 'ManualRollback',
              Dimensions: [
                { Name: 'EndpointName', Value: resources.endpointName },
              ],
              Statistic: 'Maximum',
              Period: 60,
              EvaluationPeriods: 1,
              Threshold: 0,
              ComparisonOperator: 'GreaterThanThreshold',
              TreatMissingData: 'notBreaching',
            }),
          );
        }
        const before = await engine.listDeployments(resources);
        const serving = before.endpoint!.modelVersion!;
        const originalConfig = (
          await sagemaker.send(
            new DescribeEndpointCommand({
              EndpointName: resources.endpointName,
            }),
          )
        ).EndpointConfigName;
        const candidate = (
          await engine.listModelVersions(resources)
        ).items.find(v => v.version !== serving)!;
        await expect(
          engine.controlRollout(resources, { action: 'rollback', actor }),
        ).rejects.toMatchObject({ name: 'ConflictError' });

        // Shadow: half of the requests copied to the candidate, answers from the serving version.
        const test = await engine.startShadowTest(resources, {
          modelVersion: candidate.version,
          samplePercent: 50,
          actor,
        });
        const running = await engine.listDeployments(resources);
        expect(running.endpoint?.modelVersion).toBe(serving);
        expect(running.shadowTest).toMatchObject({
          shadowTestId: test.shadowTestId,
          servingVersion: serving,
          candidateVersion: candidate.version,
          samplePercent: 50,
          status: 'Running',
          startedBy: actor.ref,
        });
        for (let i = 0; i < 4; i++) {
          const p = await engine.predict(resources, [ABALONE_RECORD]);
          expect(p.modelVersion).toBe(serving);
        }
        const compared = (await engine.listDeployments(resources)).shadowTest!
          .comparison;
        const current = compared.variants.find(v => v.role === 'current')!;
        const shadow = compared.variants.find(v => v.role === 'candidate')!;
        // The serving variant's count includes the earlier test's calls in this minute.
        expect(current.invocations).toBeGreaterThanOrEqual(4);
        expect(shadow).toMatchObject({
          modelVersion: candidate.version,
          invocations: 2,
          errors: 0,
          weight: 0,
        });
        expect(compared.requests).toBe(2);
        expect(shadow.p99LatencyMs).toBeGreaterThan(0);
        expect(compared.agreement).toBeUndefined();
        const stopped = await engine.stopShadowTest(resources, { actor });
        expect(stopped).toMatchObject({ status: 'Stopped' });
        const afterStop = await sagemaker.send(
          new DescribeEndpointCommand({ EndpointName: resources.endpointName }),
        );
        expect(afterStop.EndpointConfigName).toBe(originalConfig);
        expect(
          (await engine.listDeployments(resources)).shadowTest,
        ).toBeUndefined();

        // A canary of the candidate, as the Deploy stage's DeploymentConfig starts it.
        const green = `${resources.endpointName}-canary-v${candidate.version}`;
        await sagemaker.send(
          new CreateModelCommand({
            ModelName: green,
            ExecutionRoleArn: ROLE_ARN,
            Containers: [{ ModelPackageName: candidate.modelPackageArn }],
          }),
        );
        await sagemaker.send(
          new CreateEndpointConfigCommand({
            EndpointConfigName: green,
            ProductionVariants: [
              {
                VariantName: 'AllTraffic',
                ModelName: green,
                InstanceType: 'ml.m5.large',
                InitialInstanceCount: 1,
                InitialVariantWeight: 1,
              },
            ],
            Tags: [
              { Key: MODEL_PACKAGE_TAG, Value: candidate.modelPackageArn },
            ],
          }),
        );
        await sagemaker.send(
          new UpdateEndpointCommand({
            EndpointName: resources.endpointName,
            EndpointConfigName: green,
            DeploymentConfig: {
              BlueGreenUpdatePolicy: {
                TrafficRoutingConfiguration: {
                  Type: 'CANARY',
                  WaitIntervalInSeconds: 600,
                  CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
                },
                TerminationWaitInSeconds: 0,
              },
              AutoRollbackConfiguration: {
                Alarms: Object.values(names).map(AlarmName => ({ AlarmName })),
              },
            },
          }),
        );
        const { rollout } = await engine.listDeployments(resources);
        expect(rollout).toMatchObject({
          rolloutId: green,
          status: 'InProgress',
          fromVersion: serving,
          toVersion: candidate.version,
          trafficPercent: 10,
          step: 1,
          totalSteps: 2,
        });
        expect(rollout!.alarms.map(a => [a.name, a.state])).toEqual([
          ['errorRate', 'OK'],
          ['p99LatencyMs', 'OK'],
          ['predictionDrift', 'OK'],
          ['manual', 'OK'],
        ]);
        const rolledBack = await engine.controlRollout(resources, {
          action: 'rollback',
          actor,
          comment: 'canary looks wrong',
        });
        // The emulator rolls back as soon as it sees the alarm; SageMaker within its next check.
        expect(rolledBack).toMatchObject({
          status: 'RolledBack',
          fromVersion: serving,
          toVersion: candidate.version,
          startedBy: actor.ref,
          reason: `manual alarm: Rollback requested by ${actor.ref}: canary looks wrong`,
        });
        const after = await engine.listDeployments(resources);
        expect(after.endpoint).toMatchObject({
          status: 'InService',
          modelVersion: serving,
        });
        expect(after.rollout?.status).toBe('RolledBack');
        expect(
          after.deployments.find(d => d.modelVersion === candidate.version),
        ).toMatchObject({
          current: false,
          status: 'Failed',
          rolloutId: after.rollout!.rolloutId,
          rollbackReason: after.rollout!.reason,
        });
      });

      it("reads the latest Model Monitor execution's report as the drift verdict", async () => {
        const { sagemaker, s3 } = account.clients;
        const output = `s3://${ARTIFACT_BUCKET}/monitoring/run-1`;
        const job = await sagemaker.send(
          new CreateProcessingJobCommand({
            ProcessingJobName: 'model-monitoring-run-1',
            RoleArn: ROLE_ARN,
            AppSpecification: { ImageUri: 'model-monitor-analyzer' },
            ProcessingResources: {
              ClusterConfig: {
                InstanceCount: 1,
                InstanceType: 'ml.m5.large',
                VolumeSizeInGB: 20,
              },
            },
            ProcessingOutputConfig: {
              Outputs: [
                {
                  OutputName: 'result',
                  S3Output: {
                    S3Uri: output,
                    LocalPath: '/opt/ml/processing/resultdata',
                    S3UploadMode: 'EndOfJob',
                  },
                },
              ],
            },
          }),
        );
        // What the analyzer writes: statistics of the captured inputs, and a violation.
        const captured = parseAbaloneCsv(demoCsv(300)).records;
        const put = (name: string, body: unknown) =>
          s3.send(
            new PutObjectCommand({
              Bucket: ARTIFACT_BUCKET,
              Key: `monitoring/run-1/${name}`,
              Body: JSON.stringify(body),
            }),
          );
        await put('statistics.json', baselineStatistics(captured));
        await put('constraint_violations.json', {
          violations: [
            {
              feature_name: 'length',
              constraint_check_type: 'baseline_drift_check',
              description:
                'Baseline drift distance: 0.52 exceeds threshold: 0.1',
            },
          ],
        });
        const now = Date.now() / 1000;
        await account.harness.control('monitoring-executions', {
          MonitoringScheduleName: 'abalone-data-quality',
          ScheduledTime: now - 3600,
          CreationTime: now - 3600,
          LastModifiedTime: now - 3000,
          MonitoringExecutionStatus: 'CompletedWithViolations',
          ProcessingJobArn: job.ProcessingJobArn,
          EndpointName: resources.endpointName,
          MonitoringType: 'DataQuality',
        });
        const { drift } = await engine.getMonitoring!(resources, {
          window: '1h',
        });
        expect(drift.sampleCount).toBe(300);
        expect(drift.status).toBe('drift');
        expect(drift.features.find(f => f.feature === 'length')).toMatchObject({
          status: 'drift',
          ks: 0.52,
        });
      });
    });

    afterAll(() => {
      const ops = Object.keys(served).sort();
      // The figures the aws module README quotes (time and operations over the wire).
      // eslint-disable-next-line no-console
      console.log(
        `moto suites: ${((Date.now() - started) / 1000).toFixed(1)} s, ${
          ops.length
        } distinct operations served:\n  ${ops
          .map(op => `${op} ×${served[op]}`)
          .join('\n  ')}`,
      );
    });
  },
);
