import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
} from '@backstage/frontend-plugin-api';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import type { Entity } from '@backstage/catalog-model';
import TimelineIcon from '@material-ui/icons/Timeline';
import { isMlopsEntity } from '@mlops-portal/plugin-mlops-common';
import { MlopsClient, mlopsApiRef } from './api';
import { rootRouteRef } from './routes';
import {
  mlopsDatasetUploadCard,
  mlopsDeploymentsCard,
  mlopsDriftCard,
  mlopsEndpointMonitoringCard,
  mlopsMetricsCard,
  mlopsModelVersionsCard,
  mlopsPipelineCard,
  mlopsPredictionCard,
  mlopsReleaseCard,
  mlopsRunsCard,
  mlopsStatusCard,
} from './alpha/entityCards';

export * from './alpha/entityCards';

const overviewRouteRef = convertLegacyRouteRef(rootRouteRef);

/** The MLOps API client (backend plugin id `mlops`). */
export const mlopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: mlopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MlopsClient({ discoveryApi, fetchApi }),
    }),
});

/** The "MLOps" tab on entities that carry the MLOps annotations. */
export const mlopsEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'mlops',
    title: 'MLOps',
    filter: (entity: Entity) => isMlopsEntity(entity),
    loader: () =>
      import('./components/EntityMlopsContent/EntityMlopsContent').then(m => (
        <m.EntityMlopsContent />
      )),
  },
});

/**
 * `/mlops`. In this release line the sidebar is built from pages that have a
 * title and icon, so this page is also the "MLOps" nav item.
 */
export const mlopsOverviewPage = PageBlueprint.make({
  params: {
    path: '/mlops',
    title: 'MLOps',
    icon: <TimelineIcon />,
    routeRef: overviewRouteRef,
    // The page brings its own Backstage Header; the plugin header would repeat it.
    noHeader: true,
    loader: () =>
      import('./components/MlopsOverviewPage/MlopsOverviewPage').then(m => (
        <m.MlopsOverviewPage />
      )),
  },
});

/** The MLOps plugin for apps on the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'mlops',
  title: 'MLOps',
  icon: <TimelineIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: overviewRouteRef },
  extensions: [
    mlopsApi,
    mlopsEntityContent,
    mlopsOverviewPage,
    // Listed one by one so the plugin's type knows each card's id.
    mlopsStatusCard,
    mlopsReleaseCard,
    mlopsPipelineCard,
    mlopsRunsCard,
    mlopsModelVersionsCard,
    mlopsMetricsCard,
    mlopsPredictionCard,
    mlopsDatasetUploadCard,
    mlopsDeploymentsCard,
    mlopsEndpointMonitoringCard,
    mlopsDriftCard,
  ],
});
