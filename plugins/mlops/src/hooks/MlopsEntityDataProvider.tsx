import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  type ComponentType,
  type ReactNode,
} from 'react';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { mlopsApiRef } from '../api';
import type {
  MlopsEntityStore,
  ResourceKey,
  ResourceState,
  ResourceValue,
} from './mlopsEntityStore';
import { getEntityStore, retainEntityStore } from './mlopsEntityStores';
import { useEntityRef } from './useEntityRef';

export { POLL_INTERVAL_MS } from './mlopsEntityStores';

const StoreContext = createContext<MlopsEntityStore | undefined>(undefined);

/**
 * One data layer for every MLOps card of the current entity: each resource is
 * loaded once and shared, a signal refetches what it names, and a 5 s poll
 * runs while something executes. All providers of one entity on a page share
 * the same store, so cards placed one by one do not double the requests.
 */
export function MlopsEntityDataProvider(props: { children: ReactNode }) {
  const outer = useContext(StoreContext);
  const entityRef = useEntityRef();
  if (outer && outer.entityRef === entityRef) return <>{props.children}</>;
  return <SharedStore entityRef={entityRef}>{props.children}</SharedStore>;
}

function SharedStore(props: { entityRef: string; children: ReactNode }) {
  const api = useApi(mlopsApiRef);
  // Signals are optional: without the plugin, polling alone keeps views fresh.
  const signalApi = useApiHolder().get(signalApiRef);
  const store = useMemo(
    () => getEntityStore(api, props.entityRef),
    [api, props.entityRef],
  );
  useEffect(
    () => retainEntityStore(api, store, signalApi),
    [api, store, signalApi],
  );
  return (
    <StoreContext.Provider value={store}>
      {props.children}
    </StoreContext.Provider>
  );
}

/** Re-renders the caller whenever the store changes. */
function useStoreVersion(store: MlopsEntityStore) {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => store.subscribe(bump), [store]);
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
  return (keys: ResourceKey[]) => {
    // A change that moves the release (upload, approval, train, stop/retry) is followed until it settles.
    if (keys.includes('release')) store.followRelease();
    void store.refresh(keys);
  };
}
