import { useCallback, useContext, createContext, useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { useEntity, entityRouteRef } from '@backstage/plugin-catalog-react';
import { useRouteRef } from '@backstage/core-plugin-api';

/**
 * Anchor ids of the MLOps tab's cards: `#drift` on the tab's URL scrolls to
 * that card (the backend's notification links use the same names).
 */
export const CARD_ANCHORS = {
  status: 'status',
  release: 'release',
  modelVersions: 'model-versions',
  deployments: 'deployments',
  endpointMonitoring: 'endpoint-monitoring',
  drift: 'drift',
  pipeline: 'pipeline',
  runs: 'runs',
  metrics: 'metrics',
  prediction: 'prediction',
  datasetUpload: 'dataset-upload',
} as const;
export type CardAnchor = (typeof CARD_ANCHORS)[keyof typeof CARD_ANCHORS];

/** True inside the MLOps tab; false on other pages (the Overview card). */
export const MlopsTabContext = createContext(false);

/** What the URL opens on the MLOps tab. */
export interface DeepLink {
  /** `?version=3`: that version's review panel. */
  version?: number;
  /** `?run=<executionId>`: that run's detail. */
  run?: string;
  /** `#drift`: the card scrolled to. */
  card?: string;
}

export function parseDeepLink(search: string, hash: string): DeepLink {
  const params = new URLSearchParams(search);
  const v = params.get('version');
  const version = v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
  const run = params.get('run') || undefined;
  const card = hash.replace(/^#/, '') || undefined;
  return { version, run, card };
}

/** The search + hash string of a deep link (`?version=3#model-versions`). */
export function deepLinkHref(link: DeepLink): string {
  const params = new URLSearchParams();
  if (link.version !== undefined) params.set('version', String(link.version));
  if (link.run) params.set('run', link.run);
  const search = params.toString();
  return `${search ? `?${search}` : ''}${link.card ? `#${link.card}` : ''}`;
}

/** Path of the current entity's MLOps tab (for links from other pages). */
function useEntityTabPath(): string {
  const { entity } = useEntity();
  const params = {
    kind: entity.kind.toLocaleLowerCase('en-US'),
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  let entityPath: string | undefined;
  try {
    // eslint-disable-next-line react-hooks/rules-of-hooks -- called on every render; only its failure is caught
    entityPath = useRouteRef(entityRouteRef)(params);
  } catch {
    // An app without the catalog's entity route mounted: the default catalog path.
  }
  return `${(
    entityPath ?? `/catalog/${params.namespace}/${params.kind}/${params.name}`
  ).replace(/\/$/, '')}/mlops`;
}

/**
 * Reads and writes the MLOps tab's deep links. Inside the tab, `open` only
 * changes the URL (the tab reacts); elsewhere `href` leads to the tab.
 */
export function useDeepLink() {
  const location = useLocation();
  const navigate = useNavigate();
  const inTab = useContext(MlopsTabContext);
  const tabPath = useEntityTabPath();
  const current = parseDeepLink(location.search, location.hash);

  const href = useCallback(
    (link: DeepLink) => (inTab ? '' : tabPath) + deepLinkHref(link),
    [inTab, tabPath],
  );
  const open = useCallback(
    (link: DeepLink) => {
      if (!inTab) {
        navigate(tabPath + deepLinkHref(link));
        return;
      }
      navigate({
        search: deepLinkHref({ version: link.version, run: link.run }).split(
          '#',
        )[0],
        hash: link.card ? `#${link.card}` : '',
      });
    },
    [inTab, navigate, tabPath],
  );
  /** Drops `?version=` / `?run=` (a dialog closed), keeping the rest. */
  const close = useCallback(
    (key: 'version' | 'run') => {
      const params = new URLSearchParams(location.search);
      params.delete(key);
      const search = params.toString();
      navigate(
        { search: search ? `?${search}` : '', hash: location.hash },
        { replace: true },
      );
    },
    [location.search, location.hash, navigate],
  );
  return { ...current, inTab, href, open, close };
}

/**
 * Scrolls to the card named by the URL's hash, also when the tab is opened
 * cold: cards render after their data loads, so it looks again for a while.
 */
export function useScrollToCard(card: string | undefined) {
  // a chip clicked twice names the same card: each navigation scrolls again
  const { key } = useLocation();
  useEffect(() => {
    if (!card) return undefined;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = () => {
      const el = document.getElementById(card);
      if (el) {
        el.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
        // Keyboard and screen-reader users land where the link pointed.
        if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
        el.focus?.({ preventScroll: true });
        return;
      }
      if (++tries < 50) timer = setTimeout(attempt, 200);
    };
    attempt();
    return () => {
      if (timer) clearTimeout(timer);
    };
  }, [card, key]);
}
