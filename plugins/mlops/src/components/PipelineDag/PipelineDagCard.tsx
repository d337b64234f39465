import { InfoCard } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import { useLatestRun } from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import { ExecutionWarnings } from '../common/ExecutionWarnings';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatDuration } from '../common/format';
import { PipelineDag } from './PipelineDag';

/** The latest execution's DAG, refreshed live while it runs. */
export const PipelineDagCard = withMlopsEntityData(
  function PipelineDagCardContent() {
    const latest = useLatestRun();
    return (
      <InfoCard title="ML pipeline" subheader="Latest execution">
        <AsyncContent
          state={latest}
          empty={{
            title: 'No pipeline runs yet',
            description: 'Upload a dataset or press “Train now” to start one.',
          }}
        >
          {run => (
            <>
              <Typography variant="body2" component="div">
                <StatusIndicator status={run.status} />{' '}
                {run.displayName ?? run.executionId}
                {' · '}
                {formatDuration(run.startTime ?? run.createdAt, run.endTime)}
                {run.currentStep ? ` · current step: ${run.currentStep}` : ''}
              </Typography>
              {run.failureReason && (
                <Typography color="error" variant="body2">
                  {run.failureReason}
                </Typography>
              )}
              <ExecutionWarnings run={run} />
              <PipelineDag steps={run.steps} />
            </>
          )}
        </AsyncContent>
      </InfoCard>
    );
  },
);
