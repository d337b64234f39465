import { screen, waitFor, within } from '@testing-library/react';
import {
  CATALOG_FILTER_EXISTS,
  catalogApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  entityRef,
  mlopsEntity,
  monitoring,
  summary,
} from '../../__fixtures__';
import {
  createMockMlopsApi,
  httpError,
  type MockMlopsApi,
} from '../../__testUtils__/testApp';
import { mlopsApiRef } from '../../api';
import { MlopsOverviewPage } from './MlopsOverviewPage';

const secondEntity = {
  ...mlopsEntity,
  metadata: { ...mlopsEntity.metadata, name: 'churn-model', title: undefined },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/data-analysts' }],
};

async function render(
  catalogApi: { getEntities: jest.Mock },
  api: MockMlopsApi,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [catalogApiRef, catalogApi],
        [mlopsApiRef, api],
      ]}
    >
      <MlopsOverviewPage />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('MlopsOverviewPage', () => {
  it('lists ML entities with owner, latest run, deployed version, MSE and pending approvals', async () => {
    const catalogApi = {
      getEntities: jest.fn(async () => ({
        items: [mlopsEntity, secondEntity],
      })),
    };
    const api = createMockMlopsApi({
      getSummary: jest.fn(async (ref: string) =>
        ref === entityRef
          ? summary
          : { entityRef: ref, pendingApprovals: 0, versionCount: 0 },
      ),
    });
    await render(catalogApi, api);
    expect(catalogApi.getEntities).toHaveBeenCalledWith({
      filter: {
        'metadata.annotations.mlops.io/pipeline': CATALOG_FILTER_EXISTS,
      },
    });
    const table = await screen.findByRole('table', { name: 'ML systems' });
    const link = within(table).getByRole('link', {
      name: 'Abalone age predictor',
    });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/component/abalone-age-predictor/mlops',
    );
    await waitFor(() =>
      expect(
        within(table).getByTestId(`pending-approvals-${entityRef}`),
      ).toHaveTextContent('1'),
    );
    const row = link.closest('tr')!;
    expect(row).toHaveTextContent('ml-platform');
    expect(row).toHaveTextContent('Running');
    expect(row).toHaveTextContent('Version 2');
    expect(row).toHaveTextContent('4.850');
    // the deployed version's own headline metric, named
    expect(row).toHaveTextContent('MSE 4.850');
    const other = within(table)
      .getByRole('link', { name: 'churn-model' })
      .closest('tr')!;
    await waitFor(() => expect(other).toHaveTextContent('No runs'));
    expect(other).toHaveTextContent('Nothing deployed');
    expect(other).toHaveTextContent('data-analysts');
  });

  it('keeps other rows when one summary fails', async () => {
    const catalogApi = {
      getEntities: jest.fn(async () => ({
        items: [mlopsEntity, secondEntity],
      })),
    };
    const api = createMockMlopsApi({
      getSummary: jest.fn(async (ref: string) => {
        if (ref === entityRef) return summary;
        throw new Error('pipeline churn not found');
      }),
    });
    await render(catalogApi, api);
    expect(
      await screen.findByText(/Could not load: pipeline churn not found/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.getByTestId(`pending-approvals-${entityRef}`),
      ).toHaveTextContent('1'),
    );
  });

  it('shows an empty state when no entity is annotated', async () => {
    await render(
      { getEntities: jest.fn(async () => ({ items: [] })) },
      createMockMlopsApi(),
    );
    expect(
      await screen.findByText('No ML systems in the catalog yet'),
    ).toBeInTheDocument();
  });

  it('shows catalog errors', async () => {
    await render(
      {
        getEntities: jest.fn(async () => {
          throw new Error('catalog unavailable');
        }),
      },
      createMockMlopsApi(),
    );
    expect(
      (await screen.findAllByText(/catalog unavailable/))[0],
    ).toBeInTheDocument();
  });

  it('shows each system\'s drift of the last hour, "—" where the engine has no monitoring (501)', async () => {
    const catalogApi = {
      getEntities: jest.fn(async () => ({
        items: [mlopsEntity, secondEntity],
      })),
    };
    const otherRef = 'component:default/churn-model';
    const api = createMockMlopsApi({
      getMonitoring: jest.fn(async (ref: string) => {
        if (ref === otherRef) throw httpError(501);
        return monitoring;
      }),
    });
    await render(catalogApi, api);
    const table = await screen.findByRole('table', { name: 'ML systems' });
    await waitFor(() =>
      expect(
        within(table).getByTestId(`drift-health-${entityRef}`),
      ).toHaveAttribute('data-status', 'drift'),
    );
    await waitFor(() =>
      expect(
        within(table).getByTestId(`drift-health-${otherRef}`),
      ).toHaveTextContent('—'),
    );
    expect(api.getMonitoring).toHaveBeenCalledWith(entityRef, '1h');
    // Quietly: no error text in the row of the engine without monitoring.
    expect(within(table).queryByText(/Could not load/)).not.toBeInTheDocument();
  });
});
