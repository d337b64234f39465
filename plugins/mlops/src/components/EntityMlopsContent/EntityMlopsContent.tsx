import { MissingAnnotationEmptyState } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import Box from '@material-ui/core/Box';
import type { ComponentType, ReactNode } from 'react';
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
import { CompareBar } from '../Compare/CompareVersions';
import { VersionSelectionProvider } from '../Compare/selection';
import { ReviewPanel } from '../Review/ReviewPanel';
import { RunDetailDrawer } from '../Runs/RunDetailDrawer';
import { StatusCard, StatusStrip } from '../StatusStrip/StatusStrip';
import {
  CARD_ANCHORS,
  MlopsTabContext,
  useDeepLink,
  useScrollToCard,
  type CardAnchor,
} from '../../hooks/useDeepLink';

function MissingAnnotations() {
  const { entity } = useEntity();
  const present = entity.metadata.annotations ?? {};
  const missing = REQUIRED_ANNOTATIONS.filter(a => !present[a]?.trim());
  return <MissingAnnotationEmptyState annotation={[...missing]} />;
}

/** A card's place in the tab, with the anchor id `#<card>` links scroll to. */
function Slot(props: { id: CardAnchor; md?: 6 | 12; children: ReactNode }) {
  return (
    <Grid item xs={12} md={props.md ?? 12} id={props.id}>
      {props.children}
    </Grid>
  );
}

/** `?run=` opens that run's detail; `#<card>` scrolls to the card, also when opened cold. */
function DeepLinkedViews() {
  const link = useDeepLink();
  useScrollToCard(link.card);
  return (
    <>
      <ReviewPanel />
      <RunDetailDrawer
        executionId={link.run}
        onClose={() => link.close('run')}
      />
    </>
  );
}

/**
 * The whole "MLOps" tab of an entity. The first screen answers the daily
 * questions (what serves, is it healthy, what waits for me): the status
 * strip, then registry, deployments and monitoring; the graphs of how it got
 * there (release, pipeline, runs) follow.
 */
export function EntityMlopsContent() {
  const { entity } = useEntity();
  if (!isMlopsEntity(entity)) return <MissingAnnotations />;
  return (
    <MlopsEntityDataProvider>
      <MlopsTabContext.Provider value>
        <VersionSelectionProvider>
          <SpecStatus />
          <Box mb={2}>
            <StatusStrip />
          </Box>
          <Grid container spacing={3} alignItems="stretch">
            <Slot id={CARD_ANCHORS.modelVersions}>
              <ModelVersionsCard />
            </Slot>
            <Slot id={CARD_ANCHORS.deployments} md={6}>
              <DeploymentsCard />
            </Slot>
            <Slot id={CARD_ANCHORS.release} md={6}>
              <ReleasePipelineCard />
            </Slot>
            <Slot id={CARD_ANCHORS.endpointMonitoring}>
              <EndpointMonitoringCard />
            </Slot>
            <Slot id={CARD_ANCHORS.drift}>
              <DriftCard />
            </Slot>
            <Slot id={CARD_ANCHORS.pipeline}>
              <PipelineDagCard />
            </Slot>
            <Slot id={CARD_ANCHORS.runs}>
              <RunsCard />
            </Slot>
            <Slot id={CARD_ANCHORS.metrics} md={6}>
              <MetricsTrendCard />
            </Slot>
            <Slot id={CARD_ANCHORS.prediction} md={6}>
              <PredictionCard />
            </Slot>
            <Slot id={CARD_ANCHORS.datasetUpload} md={6}>
              <DatasetUploadCard />
            </Slot>
          </Grid>
          <CompareBar />
          <DeepLinkedViews />
        </VersionSelectionProvider>
      </MlopsTabContext.Provider>
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

/** The status strip as a card, e.g. for the entity's Overview tab. */
export const EntityMlopsStatusCard = standalone(
  StatusCard,
  'EntityMlopsStatusCard',
);
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
