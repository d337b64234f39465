import { PipelineStep } from '@mlops-portal/plugin-mlops-common';
import {
  MAX_STEP_LOG_LINES,
  StepFailure,
  appendLog,
  markFailed,
} from './pipelineRunner';
import { stageOf, stepOf } from './releaseStages';
import { WorkerKilledError } from './workerClient';
import { testExecution } from './__testUtils__/parts';

const running = (step: string, stage = 'MLPipeline') => {
  const rec = testExecution({ currentStep: step });
  stepOf(rec, step).status = 'Executing';
  stageOf(rec, stage).status = 'InProgress';
  return rec;
};
const live = { stopRequested: false, closing: false };

describe('markFailed', () => {
  it('fails the running step and its stage with a reason naming the step', () => {
    const rec = running('Train');
    const r = markFailed(rec, 'MLPipeline', new Error('out of memory'), live);
    expect(r).toEqual({ stopped: false, interrupted: false });
    expect(rec.status).toBe('Failed');
    expect(rec.failureReason).toBe('Train: out of memory');
    expect(rec.currentStep).toBeUndefined();
    expect(stepOf(rec, 'Train')).toMatchObject({
      status: 'Failed',
      failureReason: 'out of memory',
    });
    expect(stageOf(rec, 'MLPipeline')).toMatchObject({
      status: 'Failed',
      summary: 'Train: out of memory',
    });
  });

  it('names a stage when no step was running (Source, Validate)', () => {
    const rec = testExecution();
    markFailed(rec, 'Source', new StepFailure('Source', 'no data'), live);
    expect(rec.failureReason).toBe('Source: no data');
    expect(stageOf(rec, 'Source').status).toBe('Failed');
  });

  it('keeps a step that failed itself (CheckMSE) as it set itself', () => {
    const rec = running('CheckMSE');
    stepOf(rec, 'CheckMSE').status = 'Failed';
    stepOf(rec, 'CheckMSE').failureReason = 'test MSE 7.0 > threshold 6.0';
    markFailed(rec, 'MLPipeline', new StepFailure('CheckMSE', 'gate'), {
      stopRequested: true,
      closing: false,
    });
    // A gate failure is a failure even if Stop came in meanwhile.
    expect(rec.status).toBe('Failed');
    expect(stepOf(rec, 'CheckMSE').failureReason).toBe(
      'test MSE 7.0 > threshold 6.0',
    );
  });

  it('ends Stopped on Stop, "interrupted" on shutdown', () => {
    const stopped = running('Train');
    const s = markFailed(stopped, 'MLPipeline', new WorkerKilledError(), {
      stopRequested: true,
      closing: false,
    });
    expect(s.stopped).toBe(true);
    expect(stopped.status).toBe('Stopped');
    expect(stopped.failureReason).toBeUndefined();
    expect(stepOf(stopped, 'Train').status).toBe('Stopped');
    expect(stageOf(stopped, 'MLPipeline')).toMatchObject({
      status: 'Stopped',
      summary: 'stopped',
    });

    const shut = running('Preprocess');
    const i = markFailed(shut, 'MLPipeline', new WorkerKilledError(), {
      stopRequested: false,
      closing: true,
    });
    expect(i.interrupted).toBe(true);
    expect(shut.failureReason).toBe(
      'Preprocess: interrupted: backend shut down',
    );
  });
});

describe('appendLog', () => {
  it('keeps the newest lines only', () => {
    const step = { name: 'Train', logs: [] } as unknown as PipelineStep;
    for (let i = 0; i < MAX_STEP_LOG_LINES + 20; i++) {
      appendLog(step, 'info', `line ${i}`);
    }
    expect(step.logs).toHaveLength(MAX_STEP_LOG_LINES);
    expect(step.logs![0].message).toBe('line 20');
    expect(step.logs![MAX_STEP_LOG_LINES - 1]).toMatchObject({
      level: 'info',
      message: `line ${MAX_STEP_LOG_LINES + 19}`,
    });
  });
});
