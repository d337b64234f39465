import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import { Fragment } from 'react';
import type { ReleaseStage } from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import { useRelease } from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatDuration } from '../common/format';

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
  // Engines write long summaries (validation details); the full text is in the tooltip.
  summary: {
    display: '-webkit-box',
    WebkitLineClamp: 3,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
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

export const ReleasePipelineCard = withMlopsEntityData(
  function ReleasePipelineCardContent() {
    const release = useRelease();
    return (
      <InfoCard title="Release pipeline">
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
