import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { mlopsApiRef, type MlopsApi } from '../api';
import { useEntityRef, useMlopsLive } from './useMlopsLive';

/**
 * Loads MLOps data of the current entity and reloads it whenever the live tick
 * changes. The previous value stays available while reloading, so live updates
 * do not flash a spinner.
 */
export function useMlopsData<T>(
  load: (api: MlopsApi, entityRef: string) => Promise<T>,
  deps: unknown[] = [],
) {
  const api = useApi(mlopsApiRef);
  const entityRef = useEntityRef();
  const { tick } = useMlopsLive();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useAsyncRetry(
    () => load(api, entityRef),
    [api, entityRef, tick, ...deps],
  );
}
