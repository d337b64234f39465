import { useApi } from '@backstage/core-plugin-api';
import { useCallback, useMemo, useState } from 'react';
import type {
  ListResponse,
  ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { VERSIONS_PAGE_SIZE } from '../../hooks/mlopsEntityStore';

interface Older {
  items: ModelVersion[];
  nextToken?: string;
}

/**
 * The shared newest page of versions plus older pages loaded on demand with
 * the API's nextToken. A backend that ignores `limit` sends everything and
 * no token: then there is simply nothing more to load.
 */
export function useVersionPages(
  entityRef: string,
  first: ListResponse<ModelVersion>,
) {
  const api = useApi(mlopsApiRef);
  const [older, setOlder] = useState<Older>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error>();
  const nextToken = older ? older.nextToken : first.nextToken;

  const items = useMemo(() => {
    // A refreshed first page may now hold versions an older page had too.
    const seen = new Set(first.items.map(v => v.version));
    return [
      ...first.items,
      ...(older?.items ?? []).filter(v => !seen.has(v.version)),
    ];
  }, [first.items, older]);

  const loadMore = useCallback(async () => {
    if (!nextToken) return;
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.listModelVersions(entityRef, {
        limit: VERSIONS_PAGE_SIZE,
        nextToken,
      });
      setOlder(o => ({
        items: [...(o?.items ?? []), ...page.items],
        nextToken: page.nextToken,
      }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setLoading(false);
    }
  }, [api, entityRef, nextToken]);

  return { items, hasMore: Boolean(nextToken), loadMore, loading, error };
}
