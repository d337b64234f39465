import { MissingAnnotationEmptyState } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import type { ComponentType } from 'react';
import {
  REQUIRED_ANNOTATIONS,
  isMlopsEntity,
} from '@mlops-portal/plugin-mlops-common';
import { MlopsEntityDataProvider } from '../../hooks/MlopsEntityDataProvider';
import { DatasetUploadCard } from '../DatasetUpload/DatasetUploadCard';
import { DeploymentsCard } from '../Deployments/DeploymentsCard';
import { MetricsTrendCard } from '../Metrics/MetricsTrendCard';
import { DriftCard } from '../Monitoring/DriftCard';
import { EndpointMonitoringCard } from '../Monitoring/EndpointMonitoringCard';
import { ModelVersionsCard } from '../ModelVersions/ModelVersionsCard';
import { PipelineDagCard } from '../PipelineDag/PipelineDagCard';
import { PredictionCard } from '../Prediction/PredictionCard';
import { ReleasePipelineCard } from '../ReleasePipeline/ReleasePipelineCard';
import { RunsCard } from '../Runs/RunsCard';
import { SpecStatus } from '../SystemSpec/SpecStatus';

function MissingAnnotations() {
  const { entity } = useEntity();
  const present = entity.metadata.annotations ?? {};
  const missing = REQUIRED_ANNOTATIONS.filter(a => !present[a]?.trim());
  return <MissingAnnotationEmptyState annotation={[...missing]} />;
}

/** The whole "MLOps" tab of an entity. */
export function EntityMlopsContent() {
  const { entity } = useEntity();
  if (!isMlopsEntity(entity)) return <MissingAnnotations />;
  return (
    <MlopsEntityDataProvider>
      <SpecStatus />
      <Grid container spacing={3} alignItems="stretch">
        <Grid item xs={12}>
          <ReleasePipelineCard />
        </Grid>
        <Grid item xs={12}>
          <PipelineDagCard />
        </Grid>
        <Grid item xs={12}>
          <RunsCard />
        </Grid>
        <Grid item xs={12}>
          <ModelVersionsCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <MetricsTrendCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <PredictionCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <DatasetUploadCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <DeploymentsCard />
        </Grid>
        <Grid item xs={12}>
          <EndpointMonitoringCard />
        </Grid>
        <Grid item xs={12}>
          <DriftCard />
        </Grid>
      </Grid>
    </MlopsEntityDataProvider>
  );
}

/**
 * A card usable on its own on an entity page: checks the annotations; the
 * card brings its own data layer unless it sits in one.
 */
function standalone(Card: ComponentType<{}>, name: string) {
  const Wrapped = () => {
    const { entity } = useEntity();
    if (!isMlopsEntity(entity)) return <MissingAnnotations />;
    return <Card />;
  };
  Wrapped.displayName = name;
  return Wrapped;
}

export const EntityMlopsReleaseCard = standalone(
  ReleasePipelineCard,
  'EntityMlopsReleaseCard',
);
export const EntityMlopsPipelineCard = standalone(
  PipelineDagCard,
  'EntityMlopsPipelineCard',
);
export const EntityMlopsRunsCard = standalone(RunsCard, 'EntityMlopsRunsCard');
export const EntityMlopsModelVersionsCard = standalone(
  ModelVersionsCard,
  'EntityMlopsModelVersionsCard',
);
export const EntityMlopsMetricsCard = standalone(
  MetricsTrendCard,
  'EntityMlopsMetricsCard',
);
export const EntityMlopsPredictionCard = standalone(
  PredictionCard,
  'EntityMlopsPredictionCard',
);
export const EntityMlopsDatasetUploadCard = standalone(
  DatasetUploadCard,
  'EntityMlopsDatasetUploadCard',
);
export const EntityMlopsDeploymentsCard = standalone(
  DeploymentsCard,
  'EntityMlopsDeploymentsCard',
);
export const EntityMlopsEndpointMonitoringCard = standalone(
  EndpointMonitoringCard,
  'EntityMlopsEndpointMonitoringCard',
);
export const EntityMlopsDriftCard = standalone(
  DriftCard,
  'EntityMlopsDriftCard',
);
