import { mlopsSignalChannel } from '@mlops-portal/plugin-mlops-common';
import { deployments, entityRef } from '../__fixtures__';
import { createMockMlopsApi } from '../__testUtils__/testApp';
import {
  POLL_INTERVAL_MS,
  getEntityStore,
  retainEntityStore,
} from './mlopsEntityStores';

function createSignalApi() {
  const unsubscribe = jest.fn();
  const listeners: Array<(message: any) => void> = [];
  const subscribe = jest.fn((_channel: string, onMessage: (m: any) => void) => {
    listeners.push(onMessage);
    return { unsubscribe };
  });
  return { api: { subscribe }, subscribe, unsubscribe, listeners };
}

const flush = () => new Promise(r => setTimeout(r, 0));

describe('shared entity stores', () => {
  it('gives every view of one entity and one API client the same store', () => {
    const api = createMockMlopsApi();
    const store = getEntityStore(api, entityRef);
    expect(getEntityStore(api, entityRef)).toBe(store);
    expect(getEntityStore(api, 'component:default/other')).not.toBe(store);
    expect(getEntityStore(createMockMlopsApi(), entityRef)).not.toBe(store);
  });

  it('subscribes to the entity channel once however many views hold it, and drops the store after the last', () => {
    const api = createMockMlopsApi();
    const signals = createSignalApi();
    const store = getEntityStore(api, entityRef);
    const releaseA = retainEntityStore(api, store, signals.api);
    const releaseB = retainEntityStore(api, store, signals.api);
    expect(signals.subscribe).toHaveBeenCalledTimes(1);
    expect(signals.subscribe).toHaveBeenCalledWith(
      mlopsSignalChannel(entityRef),
      expect.any(Function),
    );
    releaseA();
    expect(signals.unsubscribe).not.toHaveBeenCalled();
    releaseB();
    expect(signals.unsubscribe).toHaveBeenCalledTimes(1);
    expect(getEntityStore(api, entityRef)).not.toBe(store);
  });

  it('stops polling when nothing is live any more', async () => {
    jest.useFakeTimers();
    try {
      const api = createMockMlopsApi({
        getDeployments: jest.fn(async () => ({
          ...deployments,
          endpoint: { ...deployments.endpoint!, status: 'Updating' as const },
        })),
      });
      const store = getEntityStore(api, entityRef);
      const release = retainEntityStore(api, store, undefined);
      store.ensure('deployments');
      await jest.advanceTimersByTimeAsync(0);
      api.getDeployments.mockResolvedValue(deployments);
      await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
      expect(api.getDeployments).toHaveBeenCalledTimes(2);
      expect(store.isLive()).toBe(false);
      await jest.advanceTimersByTimeAsync(3 * POLL_INTERVAL_MS);
      expect(api.getDeployments).toHaveBeenCalledTimes(2);
      release();
    } finally {
      jest.useRealTimers();
    }
  });

  it('routes signals to the store', async () => {
    const api = createMockMlopsApi();
    const signals = createSignalApi();
    const store = getEntityStore(api, entityRef);
    const release = retainEntityStore(api, store, signals.api);
    store.ensure('versions');
    await flush();
    signals.listeners[0]({ type: 'model-version', version: 3 });
    signals.listeners[0]({ type: 'something-new' });
    await flush();
    expect(api.listModelVersions).toHaveBeenCalledTimes(2);
    expect(api.listRuns).not.toHaveBeenCalled();
    release();
  });

  it('polls while something is live, and not after release', async () => {
    jest.useFakeTimers();
    try {
      const api = createMockMlopsApi({
        getDeployments: jest.fn(async () => ({
          ...deployments,
          endpoint: { ...deployments.endpoint!, status: 'Creating' as const },
        })),
      });
      const store = getEntityStore(api, entityRef);
      const release = retainEntityStore(api, store, undefined);
      store.ensure('deployments');
      await jest.advanceTimersByTimeAsync(0);
      expect(store.isLive()).toBe(true);
      await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
      expect(api.getDeployments).toHaveBeenCalledTimes(2);
      // Released while still live: no more polls.
      release();
      await jest.advanceTimersByTimeAsync(3 * POLL_INTERVAL_MS);
      expect(api.getDeployments).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('polls monitoring every interval while a view watches it, and stops when none does', async () => {
    jest.useFakeTimers();
    try {
      const api = createMockMlopsApi();
      const store = getEntityStore(api, entityRef);
      const release = retainEntityStore(api, store, undefined);
      const unwatch = store.watch('monitoring:1h');
      store.ensure('monitoring:1h');
      await jest.advanceTimersByTimeAsync(0);
      expect(api.getMonitoring).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(2 * POLL_INTERVAL_MS);
      expect(api.getMonitoring).toHaveBeenCalledTimes(3);
      unwatch();
      await jest.advanceTimersByTimeAsync(3 * POLL_INTERVAL_MS);
      expect(api.getMonitoring).toHaveBeenCalledTimes(3);
      release();
    } finally {
      jest.useRealTimers();
    }
  });
});
