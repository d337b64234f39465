import { useApi } from '@backstage/core-plugin-api';
import { useCallback, useMemo, useRef, useState } from 'react';
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

  // Every version a first page showed: when a new version pushes one off
  // the first page after older pages were loaded, it stays listed.
  const seen = useRef(new Map<number, ModelVersion>());
  const items = useMemo(() => {
    first.items.forEach(v => seen.current.set(v.version, v));
    if (!older) return first.items;
    const all = new Map(seen.current);
    older.items.forEach(v => {
      if (!all.has(v.version)) all.set(v.version, v);
    });
    return [...all.values()].sort((a, b) => b.version - a.version);
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
