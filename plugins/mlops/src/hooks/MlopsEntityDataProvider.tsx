import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  type ComponentType,
  type ReactNode,
} from 'react';
import useInterval from 'react-use/esm/useInterval';
import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  mlopsSignalChannel,
  type MlopsSignal,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../api';
import {
  MlopsEntityStore,
  type ResourceKey,
  type ResourceState,
  type ResourceValue,
} from './mlopsEntityStore';
import { useEntityRef } from './useEntityRef';

/** How often the page refreshes while a run executes (signals may be off). */
export const POLL_INTERVAL_MS = 5000;

const StoreContext = createContext<MlopsEntityStore | undefined>(undefined);

function useNewStore(): MlopsEntityStore {
  const api = useApi(mlopsApiRef);
  const entityRef = useEntityRef();
  return useMemo(() => new MlopsEntityStore(api, entityRef), [api, entityRef]);
}

/** Re-renders the caller whenever the store changes. */
function useStoreVersion(store: MlopsEntityStore) {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => store.subscribe(bump), [store]);
}

function LiveStore(props: { store: MlopsEntityStore; children: ReactNode }) {
  const { store } = props;
  useStoreVersion(store);
  const { lastSignal } = useSignal<MlopsSignal & Record<string, any>>(
    mlopsSignalChannel(store.entityRef),
  );
  useEffect(() => {
    if (lastSignal) void store.onSignal(lastSignal);
  }, [lastSignal, store]);
  useInterval(
    () => void store.tick(),
    store.isLive() ? POLL_INTERVAL_MS : null,
  );
  return (
    <StoreContext.Provider value={store}>
      {props.children}
    </StoreContext.Provider>
  );
}

/**
 * One data layer for every MLOps card of the current entity: each resource is
 * loaded once and shared, a signal refetches what it names, and a 5 s poll
 * runs while something executes. Nested providers of the same entity reuse
 * the outer one, so a card can wrap itself without doubling requests.
 */
export function MlopsEntityDataProvider(props: { children: ReactNode }) {
  const outer = useContext(StoreContext);
  const entityRef = useEntityRef();
  if (outer && outer.entityRef === entityRef) return <>{props.children}</>;
  return <OwnStore>{props.children}</OwnStore>;
}

function OwnStore(props: { children: ReactNode }) {
  const store = useNewStore();
  return <LiveStore store={store}>{props.children}</LiveStore>;
}

/**
 * Wraps a card in the entity's data layer unless it already sits in one, so
 * every card works on its own and shares the tab's data inside the tab.
 */
export function withMlopsEntityData<P extends {}>(
  Card: ComponentType<P>,
): ComponentType<P> {
  const Wrapped = (props: P) => (
    <MlopsEntityDataProvider>
      <Card {...props} />
    </MlopsEntityDataProvider>
  );
  Wrapped.displayName = Card.displayName ?? Card.name;
  return Wrapped;
}

export function useMlopsEntityStore(): MlopsEntityStore {
  const store = useContext(StoreContext);
  if (!store) {
    throw new Error(
      'MLOps views need an MlopsEntityDataProvider (or withMlopsEntityData) around them',
    );
  }
  return store;
}

/** One resource of the entity, loaded on first use; `undefined` key = idle. */
export function useMlopsResource<K extends ResourceKey>(
  key: K | undefined,
): ResourceState<ResourceValue<K>> {
  const store = useMlopsEntityStore();
  useStoreVersion(store);
  useEffect(() => {
    if (key) store.ensure(key);
  }, [store, key]);
  if (!key) return { loading: false };
  const state = store.get(key);
  // Not asked for yet (first render): report loading, not "empty".
  return store.has(key) ? state : { loading: true };
}

/** Refetch after a mutation made on the page: only what it changed. */
export function useMlopsRefresh(): (keys: ResourceKey[]) => void {
  const store = useMlopsEntityStore();
  return (keys: ResourceKey[]) => void store.refresh(keys);
}
