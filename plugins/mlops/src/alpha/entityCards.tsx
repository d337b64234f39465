import type { ComponentType } from 'react';
import type { Entity } from '@backstage/catalog-model';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isMlopsEntity } from '@mlops-portal/plugin-mlops-common';

const cards = () =>
  import('../components/EntityMlopsContent/EntityMlopsContent');
type Cards = Awaited<ReturnType<typeof cards>>;

/**
 * One entity card extension, `entity-card:mlops/<name>`, shown only on
 * entities with the MLOps annotations. Disabled until an app enables it in
 * `app.extensions`: the MLOps tab already shows every card, so the overview
 * page gets only those an adopter picks.
 */
function mlopsCard<TName extends string>(
  name: TName,
  pick: (m: Cards) => ComponentType<{}>,
  options: { disabled?: boolean } = {},
) {
  return EntityCardBlueprint.make({
    name,
    disabled: options.disabled ?? true,
    params: {
      filter: (entity: Entity) => isMlopsEntity(entity),
      type: 'content',
      loader: () =>
        cards().then(m => {
          const Card = pick(m);
          return <Card />;
        }),
    },
  });
}

/**
 * The daily questions at a glance (what serves, health, what waits for me,
 * last run); its chips lead to the MLOps tab's cards. On by default: the
 * Overview tab is where people land, and it is one line.
 */
export const mlopsStatusCard = mlopsCard(
  'status',
  m => m.EntityMlopsStatusCard,
  { disabled: false },
);
/** Source → Validate → ML pipeline → Approval → Deploy strip. */
export const mlopsReleaseCard = mlopsCard(
  'release',
  m => m.EntityMlopsReleaseCard,
);
/** The latest execution's DAG, live while it runs. */
export const mlopsPipelineCard = mlopsCard(
  'pipeline',
  m => m.EntityMlopsPipelineCard,
);
/** Pipeline runs, "Train now" and the run detail drawer. */
export const mlopsRunsCard = mlopsCard('runs', m => m.EntityMlopsRunsCard);
/** Model versions with approve/reject and the approval history. */
export const mlopsModelVersionsCard = mlopsCard(
  'model-versions',
  m => m.EntityMlopsModelVersionsCard,
);
/** Metric trend with the quality gate and a version compare. */
export const mlopsMetricsCard = mlopsCard(
  'metrics',
  m => m.EntityMlopsMetricsCard,
);
/** Prediction widget against the entity's endpoint. */
export const mlopsPredictionCard = mlopsCard(
  'prediction',
  m => m.EntityMlopsPredictionCard,
);
/** CSV upload that starts a release. */
export const mlopsDatasetUploadCard = mlopsCard(
  'dataset-upload',
  m => m.EntityMlopsDatasetUploadCard,
);
/** The endpoint and its deployment history. */
export const mlopsDeploymentsCard = mlopsCard(
  'deployments',
  m => m.EntityMlopsDeploymentsCard,
);
/** Endpoint requests per minute, latency p50/p99 and error rate. */
export const mlopsEndpointMonitoringCard = mlopsCard(
  'endpoint-monitoring',
  m => m.EntityMlopsEndpointMonitoringCard,
);
/** Per-feature data drift of captured inputs against the training baseline. */
export const mlopsDriftCard = mlopsCard('drift', m => m.EntityMlopsDriftCard);
