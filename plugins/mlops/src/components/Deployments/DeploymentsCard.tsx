import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useEffect } from 'react';
import { useMlopsData } from '../../hooks/useMlopsData';
import { useMlopsLive } from '../../hooks/useMlopsLive';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatTime, shortRef } from '../common/format';

/** The endpoint and its deployment history (who deployed which version, when, why). */
export function DeploymentsCard() {
  const { value, loading, error } = useMlopsData((api, ref) =>
    api.getDeployments(ref),
  );
  const { setExecuting } = useMlopsLive();
  const status = value?.endpoint?.status;
  const changing = status === 'Creating' || status === 'Updating';
  // A deployment settles within minutes; poll meanwhile in case signals are off.
  useEffect(
    () => setExecuting('deployment', changing),
    [changing, setExecuting],
  );
  let content;
  if (error) content = <ResponseErrorPanel error={error} />;
  else if (loading && !value) content = <Progress />;
  else {
    const endpoint = value?.endpoint;
    const deployments = value?.deployments ?? [];
    content = (
      <>
        {endpoint ? (
          <Typography
            variant="body2"
            component="div"
            data-testid="endpoint-summary"
          >
            Endpoint <strong>{endpoint.endpointName}</strong>:{' '}
            <StatusIndicator status={endpoint.status} />
            {endpoint.modelVersion !== undefined
              ? ` serving version ${endpoint.modelVersion}`
              : ''}
            {endpoint.failureReason ? ` — ${endpoint.failureReason}` : ''}
          </Typography>
        ) : (
          <Typography color="textSecondary">
            Nothing deployed yet: approve a model version to deploy it.
          </Typography>
        )}
        {deployments.length > 0 && (
          <Table size="small" aria-label="Deployment history">
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>Version</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Who</TableCell>
                <TableCell>Why</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {deployments.map(d => (
                <TableRow key={d.deploymentId}>
                  <TableCell>{formatTime(d.deployedAt)}</TableCell>
                  <TableCell>
                    {d.modelVersion}
                    {d.current ? ' (current)' : ''}
                  </TableCell>
                  <TableCell>
                    <StatusIndicator status={d.status} />
                  </TableCell>
                  <TableCell>{shortRef(d.deployedBy)}</TableCell>
                  <TableCell>{d.reason ?? '—'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </>
    );
  }
  return <InfoCard title="Deployments">{content}</InfoCard>;
}
