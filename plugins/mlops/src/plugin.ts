import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { MlopsClient, mlopsApiRef } from './api';
import { entityContentRouteRef, rootRouteRef } from './routes';

/** The MLOps frontend plugin for legacy (createApp from app-defaults) apps. */
export const mlopsPlugin = createPlugin({
  id: 'mlops',
  apis: [
    createApiFactory({
      api: mlopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MlopsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, entityContent: entityContentRouteRef },
});

const content = () =>
  import('./components/EntityMlopsContent/EntityMlopsContent');

/** The whole MLOps tab; use with `isMlopsAvailable` on an EntityLayout route. */
export const EntityMlopsContent: () => JSX.Element = mlopsPlugin.provide(
  createRoutableExtension({
    name: 'EntityMlopsContent',
    component: () => content().then(m => m.EntityMlopsContent),
    mountPoint: entityContentRouteRef,
  }),
);

/** `/mlops`: all ML systems in the catalog. */
export const MlopsOverviewPage: () => JSX.Element = mlopsPlugin.provide(
  createRoutableExtension({
    name: 'MlopsOverviewPage',
    component: () =>
      import('./components/MlopsOverviewPage/MlopsOverviewPage').then(
        m => m.MlopsOverviewPage,
      ),
    mountPoint: rootRouteRef,
  }),
);

const card = (
  name: string,
  pick: (m: Awaited<ReturnType<typeof content>>) => () => JSX.Element,
): (() => JSX.Element) =>
  mlopsPlugin.provide(
    createComponentExtension({
      name,
      component: { lazy: () => content().then(pick) },
    }),
  );

/** The status strip as a card (what serves, health, what waits, last run). */
export const EntityMlopsStatusCard = card(
  'EntityMlopsStatusCard',
  m => m.EntityMlopsStatusCard,
);
export const EntityMlopsReleaseCard = card(
  'EntityMlopsReleaseCard',
  m => m.EntityMlopsReleaseCard,
);
export const EntityMlopsPipelineCard = card(
  'EntityMlopsPipelineCard',
  m => m.EntityMlopsPipelineCard,
);
export const EntityMlopsRunsCard = card(
  'EntityMlopsRunsCard',
  m => m.EntityMlopsRunsCard,
);
export const EntityMlopsModelVersionsCard = card(
  'EntityMlopsModelVersionsCard',
  m => m.EntityMlopsModelVersionsCard,
);
export const EntityMlopsMetricsCard = card(
  'EntityMlopsMetricsCard',
  m => m.EntityMlopsMetricsCard,
);
export const EntityMlopsPredictionCard = card(
  'EntityMlopsPredictionCard',
  m => m.EntityMlopsPredictionCard,
);
export const EntityMlopsDatasetUploadCard = card(
  'EntityMlopsDatasetUploadCard',
  m => m.EntityMlopsDatasetUploadCard,
);
export const EntityMlopsDeploymentsCard = card(
  'EntityMlopsDeploymentsCard',
  m => m.EntityMlopsDeploymentsCard,
);
export const EntityMlopsEndpointMonitoringCard = card(
  'EntityMlopsEndpointMonitoringCard',
  m => m.EntityMlopsEndpointMonitoringCard,
);
export const EntityMlopsDriftCard = card(
  'EntityMlopsDriftCard',
  m => m.EntityMlopsDriftCard,
);
