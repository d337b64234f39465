import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { useEffect } from 'react';
import { useMlopsData } from '../../hooks/useMlopsData';
import { useMlopsLive } from '../../hooks/useMlopsLive';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatDuration } from '../common/format';
import { PipelineDag } from './PipelineDag';

export function isActive(status?: string): boolean {
  return status === 'Executing' || status === 'Stopping';
}

/** The latest execution's DAG, refreshed live while it runs. */
export function PipelineDagCard() {
  const { setExecuting } = useMlopsLive();
  const { value, loading, error } = useMlopsData(async (api, ref) => {
    const { items } = await api.listRuns(ref, { limit: 1 });
    return items.length ? api.getRun(ref, items[0].executionId) : null;
  });
  const active = isActive(value?.status);
  useEffect(() => setExecuting('dag', active), [active, setExecuting]);

  let content;
  if (error) content = <ResponseErrorPanel error={error} />;
  else if (loading && value === undefined) content = <Progress />;
  else if (!value) {
    content = (
      <Typography color="textSecondary">
        No pipeline runs yet. Upload a dataset or press “Train now” to start
        one.
      </Typography>
    );
  } else {
    content = (
      <>
        <Typography variant="body2" component="div">
          <StatusIndicator status={value.status} />{' '}
          {value.displayName ?? value.executionId}
          {' · '}
          {formatDuration(value.startTime ?? value.createdAt, value.endTime)}
          {value.currentStep ? ` · current step: ${value.currentStep}` : ''}
        </Typography>
        {value.failureReason && (
          <Typography color="error" variant="body2">
            {value.failureReason}
          </Typography>
        )}
        <PipelineDag steps={value.steps} />
      </>
    );
  }
  return (
    <InfoCard title="ML pipeline" subheader="Latest execution">
      {content}
    </InfoCard>
  );
}
