import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  SupportButton,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import {
  CATALOG_FILTER_EXISTS,
  EntityRefLinks,
  catalogApiRef,
  entityRouteRef,
  getEntityRelations,
} from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  ANNOTATION_PIPELINE,
  isMlopsEntity,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatMetric } from '../common/format';

function SummaryCells(props: { entityRef: string }) {
  const api = useApi(mlopsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getSummary(props.entityRef),
    [api, props.entityRef],
  );
  if (loading) {
    return (
      <TableCell colSpan={4}>
        <Progress />
      </TableCell>
    );
  }
  if (error || !value) {
    return (
      <TableCell colSpan={4}>
        <Typography color="error" variant="body2">
          Could not load: {error?.message ?? 'no data'}
        </Typography>
      </TableCell>
    );
  }
  return (
    <>
      <TableCell>
        {value.latestExecution ? (
          <StatusIndicator status={value.latestExecution.status} />
        ) : (
          'No runs'
        )}
      </TableCell>
      <TableCell>
        {value.deployedVersion
          ? `Version ${value.deployedVersion.version}`
          : 'Nothing deployed'}
      </TableCell>
      <TableCell>{formatMetric(value.deployedVersion?.metrics?.mse)}</TableCell>
      <TableCell data-testid={`pending-approvals-${props.entityRef}`}>
        {value.pendingApprovals}
      </TableCell>
    </>
  );
}

export function MlopsSystemsTable(props: { entities: Entity[] }) {
  const entityRoute = useRouteRef(entityRouteRef);
  return (
    <Table aria-label="ML systems">
      <TableHead>
        <TableRow>
          <TableCell>Name</TableCell>
          <TableCell>Owner</TableCell>
          <TableCell>Latest run</TableCell>
          <TableCell>Deployed version</TableCell>
          <TableCell>Deployed MSE</TableCell>
          <TableCell>Pending approvals</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.entities.map(entity => {
          const ref = stringifyEntityRef(entity);
          const route = entityRoute({
            kind: entity.kind.toLocaleLowerCase('en-US'),
            namespace: entity.metadata.namespace ?? 'default',
            name: entity.metadata.name,
          });
          return (
            <TableRow key={ref}>
              <TableCell>
                <Link to={`${route}/mlops`}>
                  {entity.metadata.title ?? entity.metadata.name}
                </Link>
              </TableCell>
              <TableCell>
                <EntityRefLinks
                  entityRefs={getEntityRelations(entity, 'ownedBy')}
                  defaultKind="group"
                />
              </TableCell>
              <SummaryCells entityRef={ref} />
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** `/mlops`: every ML system in the catalog, the page an ML engineer opens first. */
export function MlopsOverviewPage() {
  const catalogApi = useApi(catalogApiRef);
  const { value, loading, error } = useAsync(async () => {
    const res = await catalogApi.getEntities({
      filter: {
        [`metadata.annotations.${ANNOTATION_PIPELINE}`]: CATALOG_FILTER_EXISTS,
      },
    });
    // The filter only checks one annotation; the tab needs all of them.
    return res.items.filter(isMlopsEntity);
  }, [catalogApi]);

  let content;
  if (error) content = <ResponseErrorPanel error={error} />;
  else if (loading) content = <Progress />;
  else if (!value || value.length === 0) {
    content = (
      <EmptyState
        missing="data"
        title="No ML systems in the catalog yet"
        description={`Annotate a component with ${ANNOTATION_PIPELINE}, mlops.io/model-package-group and mlops.io/endpoint to see it here.`}
      />
    );
  } else content = <MlopsSystemsTable entities={value} />;

  return (
    <Page themeId="tool">
      <Header
        title="MLOps"
        subtitle="Pipelines, model versions and endpoints of every ML system"
      />
      <Content>
        <ContentHeader title="ML systems">
          <SupportButton>
            Each row is a catalog entity with MLOps annotations; open it for
            runs, approvals and predictions.
          </SupportButton>
        </ContentHeader>
        {content}
      </Content>
    </Page>
  );
}
