import {
  Content,
  ContentHeader,
  Header,
  Link,
  Page,
  Progress,
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
import Typography from '@material-ui/core/Typography';
import {
  useCallback,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  ANNOTATION_PIPELINE,
  isMlopsEntity,
  type DriftStatus,
  type MlopsSummary,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { AsyncContent } from '../common/AsyncContent';
import { CellText, MlopsTable, type TableColumn } from '../common/MlopsTable';
import { metricLabel, taskOf, TASK_METRICS } from '../common/metrics';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatMetric } from '../common/format';
import { DriftStatusChip } from '../Monitoring/MonitoringParts';

type Loaded<T> = { value?: T; error?: Error };
type SummaryState = Loaded<MlopsSummary>;
type SystemRow = {
  entity: Entity;
  ref: string;
  summary: SummaryState;
  health: Loaded<DriftStatus>;
};

/** Loads `load(ref)` for each row on its own; one failing keeps the others. */
function usePerEntity<T>(
  refs: string[],
  load: (ref: string) => Promise<T>,
): Record<string, Loaded<T>> {
  const [states, setStates] = useState<Record<string, Loaded<T>>>({});
  const key = refs.join('\n');
  useEffect(() => {
    // Answers arriving after the entity list changed are dropped.
    const current = { live: true };
    const put = (ref: string, state: Loaded<T>) =>
      current.live && setStates(s => ({ ...s, [ref]: state }));
    (key ? key.split('\n') : []).forEach(ref =>
      load(ref).then(
        value => put(ref, { value }),
        error => put(ref, { error }),
      ),
    );
    return () => {
      current.live = false;
    };
  }, [load, key]);
  return states;
}

/** The drift status of the last hour, the health column's chip. */
function HealthCell(props: { row: SystemRow }) {
  const { health, ref } = props.row;
  if (health.value) {
    return (
      <DriftStatusChip status={health.value} testId={`drift-health-${ref}`} />
    );
  }
  // Quietly "—": an engine without monitoring (501), nothing deployed (404)
  // or a failure; the entity's own tab says which.
  return (
    <span
      data-testid={`drift-health-${ref}`}
      title={health.error ? 'No monitoring for this system' : 'Loading'}
    >
      {health.error ? '—' : '…'}
    </span>
  );
}

/** A summary cell: progress while loading, the error in the first one. */
function summaryCell(
  render: (summary: MlopsSummary, ref: string) => ReactNode,
  first = false,
) {
  return ({ summary, ref }: SystemRow) => {
    if (summary.value) return render(summary.value, ref);
    if (!first) return null;
    if (!summary.error) return <Progress />;
    return (
      <Typography color="error" variant="body2" component="div">
        <CellText text={`Could not load: ${summary.error.message}`} />
      </Typography>
    );
  };
}

const summaryColumns: TableColumn<SystemRow>[] = [
  {
    title: 'Latest run',
    render: summaryCell(
      s =>
        s.latestExecution ? (
          <StatusIndicator status={s.latestExecution.status} />
        ) : (
          'No runs'
        ),
      true,
    ),
  },
  {
    title: 'Deployed version',
    render: summaryCell(s =>
      s.deployedVersion
        ? `Version ${s.deployedVersion.version}`
        : 'Nothing deployed',
    ),
  },
  {
    // each system's own headline metric (MSE, AUC, accuracy …), named in the cell
    title: 'Deployed metric',
    render: summaryCell(s => {
      const v = s.deployedVersion;
      const task = taskOf(v);
      const key = task ? TASK_METRICS[task][0] : undefined;
      if (!v || !key) return '—';
      return (
        <span data-testid={`deployed-metric-${s.entityRef}`}>
          {metricLabel(key)} {formatMetric(v.metrics?.[key])}
        </span>
      );
    }),
  },
  {
    title: 'Pending approvals',
    render: summaryCell((s, ref) => (
      <span data-testid={`pending-approvals-${ref}`}>{s.pendingApprovals}</span>
    )),
  },
];

export function MlopsSystemsTable(props: { entities: Entity[] }) {
  const entityRoute = useRouteRef(entityRouteRef);
  const refs = useMemo(
    () => props.entities.map(e => stringifyEntityRef(e)),
    [props.entities],
  );
  const api = useApi(mlopsApiRef);
  const loadSummary = useCallback((ref: string) => api.getSummary(ref), [api]);
  const loadHealth = useCallback(
    (ref: string) => api.getMonitoring(ref, '1h').then(m => m.drift.status),
    [api],
  );
  const summaries = usePerEntity(refs, loadSummary);
  const healths = usePerEntity(refs, loadHealth);
  const columns = useMemo<TableColumn<SystemRow>[]>(
    () => [
      {
        title: 'Name',
        render: ({ entity }) => (
          <Link
            to={`${entityRoute({
              kind: entity.kind.toLocaleLowerCase('en-US'),
              namespace: entity.metadata.namespace ?? 'default',
              name: entity.metadata.name,
            })}/mlops`}
          >
            {entity.metadata.title ?? entity.metadata.name}
          </Link>
        ),
      },
      {
        title: 'Owner',
        render: ({ entity }) => (
          <EntityRefLinks
            entityRefs={getEntityRelations(entity, 'ownedBy')}
            defaultKind="group"
          />
        ),
      },
      ...summaryColumns,
      { title: 'Drift (1h)', render: row => <HealthCell row={row} /> },
    ],
    [entityRoute],
  );
  const data = props.entities.map((entity, i) => ({
    entity,
    ref: refs[i],
    summary: summaries[refs[i]] ?? {},
    health: healths[refs[i]] ?? {},
  }));
  return <MlopsTable label="ML systems" columns={columns} data={data} />;
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
        <AsyncContent
          state={{ value, loading, error }}
          isEmpty={v => v.length === 0}
          empty={{
            title: 'No ML systems in the catalog yet',
            description: `Annotate a component with ${ANNOTATION_PIPELINE}, mlops.io/model-package-group and mlops.io/endpoint to see it here.`,
          }}
        >
          {entities => <MlopsSystemsTable entities={entities} />}
        </AsyncContent>
      </Content>
    </Page>
  );
}
