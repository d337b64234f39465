import { InfoCard } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { Deployment } from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import { useDeployments } from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import { MlopsTable, textColumn, type TableColumn } from '../common/MlopsTable';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatTime, shortRef } from '../common/format';

const deploymentColumns: TableColumn<Deployment>[] = [
  { title: 'When', render: d => formatTime(d.deployedAt) },
  {
    title: 'Version',
    render: d => `${d.modelVersion}${d.current ? ' (current)' : ''}`,
  },
  { title: 'Status', render: d => <StatusIndicator status={d.status} /> },
  { title: 'Who', render: d => shortRef(d.deployedBy) },
  textColumn('Why', d => d.reason),
];

/**
 * The endpoint and its deployment history (who deployed which version, when,
 * why). The data layer polls while the endpoint is being created or updated.
 */
export const DeploymentsCard = withMlopsEntityData(
  function DeploymentsCardContent() {
    const deployments = useDeployments();
    return (
      <InfoCard title="Deployments">
        <AsyncContent
          state={deployments}
          isEmpty={v => !v.endpoint && v.deployments.length === 0}
          empty={{
            title: 'Nothing deployed yet',
            description: 'Approve a model version to deploy it.',
          }}
        >
          {({ endpoint, deployments: history }) => (
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
                  No endpoint right now.
                </Typography>
              )}
              {history.length > 0 && (
                <MlopsTable
                  label="Deployment history"
                  columns={deploymentColumns}
                  data={history}
                />
              )}
            </>
          )}
        </AsyncContent>
      </InfoCard>
    );
  },
);
