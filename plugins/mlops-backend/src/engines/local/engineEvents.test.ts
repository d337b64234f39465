import { mockServices } from '@backstage/backend-test-utils';
import type { MlopsEngineEvent } from '@mlops-portal/plugin-mlops-node';
import { EngineEventBus } from './engineEvents';
import { RESOURCES } from './__testUtils__/localEngine';
import { testExecution } from './__testUtils__/parts';

describe('EngineEventBus', () => {
  it('delivers to every listener, survives a throwing one, and unsubscribes', () => {
    const logger = mockServices.logger.mock();
    const bus = new EngineEventBus(logger);
    const got: MlopsEngineEvent[] = [];
    bus.subscribe(() => {
      throw new Error('listener broke');
    });
    const off = bus.subscribe(e => got.push(e));
    const event: MlopsEngineEvent = {
      type: 'deployment',
      resources: RESOURCES,
      version: 2,
    };
    bus.emit(event);
    expect(got).toEqual([event]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/listener failed: listener broke/),
    );
    off();
    bus.emit(event);
    expect(got).toHaveLength(1);
  });

  it('emits an execution in its public shape', () => {
    const bus = new EngineEventBus(mockServices.logger.mock());
    const got: MlopsEngineEvent[] = [];
    bus.subscribe(e => got.push(e));
    const rec = testExecution({ clientRequestToken: 'secret-token' });
    bus.emitExecution(rec);
    expect(got).toHaveLength(1);
    const e = got[0] as Extract<MlopsEngineEvent, { type: 'execution' }>;
    expect(e.type).toBe('execution');
    expect(e.resources).toBe(RESOURCES);
    expect(e.execution.executionId).toBe(rec.executionId);
    expect(e.execution).not.toHaveProperty('clientRequestToken');
    expect(e.execution).not.toHaveProperty('steps');
  });
});
