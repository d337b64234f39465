import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import useInterval from 'react-use/esm/useInterval';
import { useSignal } from '@backstage/plugin-signals-react';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { mlopsSignalChannel } from '@mlops-portal/plugin-mlops-common';

/** How often views refresh while a run is executing (signals may be off). */
export const POLL_INTERVAL_MS = 5000;

interface LiveState {
  /** Changes whenever the entity's MLOps data may have changed. */
  tick: number;
  /** Bumps `tick` now (after a mutation made from this page). */
  refresh: () => void;
  /**
   * Views that see an executing run report it under their own key; polling
   * is on while any of them does.
   */
  setExecuting: (source: string, executing: boolean) => void;
  executing: boolean;
}

const LiveContext = createContext<LiveState | undefined>(undefined);

/**
 * Keeps every MLOps view of one entity fresh: a backend signal on the entity's
 * channel or a 5 s poll while a run executes bumps a shared tick that the
 * views' data hooks depend on.
 */
export function MlopsLiveProvider(props: { children: ReactNode }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  // Any MlopsSignal on the channel means "something changed": refetch.
  const { lastSignal } = useSignal(mlopsSignalChannel(entityRef));
  const [tick, setTick] = useState(0);
  const [sources, setSources] = useState<Record<string, boolean>>({});
  const refresh = useCallback(() => setTick(t => t + 1), []);
  const setExecuting = useCallback(
    (source: string, value: boolean) =>
      setSources(s => (s[source] === value ? s : { ...s, [source]: value })),
    [],
  );
  const executing = Object.values(sources).some(Boolean);

  useEffect(() => {
    if (lastSignal) refresh();
  }, [lastSignal, refresh]);
  useInterval(refresh, executing ? POLL_INTERVAL_MS : null);

  const value = useMemo(
    () => ({ tick, refresh, setExecuting, executing }),
    [tick, refresh, setExecuting, executing],
  );
  return (
    <LiveContext.Provider value={value}>{props.children}</LiveContext.Provider>
  );
}

const fallback: LiveState = {
  tick: 0,
  refresh: () => {},
  setExecuting: () => {},
  executing: false,
};

export function useMlopsLive(): LiveState {
  return useContext(LiveContext) ?? fallback;
}

/** The current entity's ref, e.g. `component:default/abalone-age-predictor`. */
export function useEntityRef(): string {
  const { entity } = useEntity();
  return stringifyEntityRef(entity);
}
