import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import { Fragment } from 'react';
import type { ReleaseStage } from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import {
  useDeployments,
  useModelVersions,
  useRelease,
} from '../../hooks/useMlopsEntityData';
import { pendingVersions, servingVersionNumber } from '../StatusStrip/glance';
import { statusLabel } from '../common/statusLabels';
import { AsyncContent } from '../common/AsyncContent';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatDuration, formatTime } from '../common/format';

const useStyles = makeStyles(theme => ({
  strip: {
    display: 'flex',
    alignItems: 'stretch',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  stage: {
    flex: '1 1 140px',
    padding: theme.spacing(1, 1.5),
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
  arrow: { alignSelf: 'center', color: theme.palette.text.secondary },
  // The reason is the point of a failed or rolled-back stage: shown whole.
  summary: { display: 'block', overflowWrap: 'anywhere' },
}));

const STAGE_LABELS: Record<string, string> = { MLPipeline: 'ML pipeline' };

/** Source → Validate → ML pipeline → Approval → Deploy, as one strip. */
export function ReleasePipelineStrip(props: { stages: ReleaseStage[] }) {
  const classes = useStyles();
  return (
    <Box className={classes.strip} role="list" aria-label="Release pipeline">
      {props.stages.map((stage, i) => (
        <Fragment key={stage.name}>
          {i > 0 && <ArrowForwardIcon className={classes.arrow} aria-hidden />}
          <Box
            className={classes.stage}
            role="listitem"
            data-testid={`release-stage-${stage.name}`}
            data-status={stage.status}
          >
            <Typography variant="subtitle2">
              {STAGE_LABELS[stage.name] ?? stage.name}
            </Typography>
            <Typography variant="body2" component="div">
              <StatusIndicator status={stage.status} />
            </Typography>
            {stage.startTime && (
              <Typography variant="caption" display="block">
                {formatDuration(stage.startTime, stage.endTime)}
              </Typography>
            )}
            {stage.summary && (
              <Typography
                variant="caption"
                color="textSecondary"
                className={classes.summary}
                title={stage.summary}
              >
                {stage.summary}
              </Typography>
            )}
          </Box>
        </Fragment>
      ))}
    </Box>
  );
}

/**
 * What serves now, from the endpoint, not from the stages: the stages tell
 * the latest release run, and a version approved while another waited (or
 * restored by a rollback) serves without that run's Deploy stage moving.
 */
export function ServingNow() {
  const deployments = useDeployments();
  const versions = useModelVersions();
  if (!deployments.value && !versions.value) return null;
  const serving = servingVersionNumber(
    deployments.value,
    versions.value?.items,
  );
  const endpoint = deployments.value?.endpoint;
  const current = deployments.value?.deployments.find(d => d.current);
  const waiting = pendingVersions(versions.value?.items);
  return (
    <Box mb={1} data-testid="release-serving" data-version={serving ?? 'none'}>
      <Typography variant="body2">
        {serving === undefined ? (
          'Nothing serves yet.'
        ) : (
          <>
            Serving now: <strong>version {serving}</strong>
            {endpoint ? ` (endpoint ${statusLabel(endpoint.status)})` : ''}
            {current?.reason ? ` — ${current.reason}` : ''}
            {current?.deployedAt ? `, ${formatTime(current.deployedAt)}` : ''}.
          </>
        )}
        {waiting.length > 0 &&
          ` Waiting for approval: version ${waiting
            .map(v => v.version)
            .join(', ')}.`}
      </Typography>
      <Typography variant="caption" color="textSecondary">
        The stages below are those of the latest release run.
      </Typography>
    </Box>
  );
}

export const ReleasePipelineCard = withMlopsEntityData(
  function ReleasePipelineCardContent() {
    const release = useRelease();
    return (
      <InfoCard title="Release pipeline">
        <ServingNow />
        <AsyncContent
          state={release}
          isEmpty={v => !v.stages || v.stages.length === 0}
          empty={{
            title: 'No release pipeline yet',
            description:
              'No release pipeline is configured for this entity (annotation mlops.io/release-pipeline), or it has not run yet.',
          }}
        >
          {v => <ReleasePipelineStrip stages={v.stages ?? []} />}
        </AsyncContent>
      </InfoCard>
    );
  },
);
