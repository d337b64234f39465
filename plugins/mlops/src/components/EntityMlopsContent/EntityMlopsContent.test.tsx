import { screen, waitFor, within } from '@testing-library/react';
import { mlopsEntity, plainEntity } from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import {
  EntityMlopsContent,
  EntityMlopsModelVersionsCard,
  EntityMlopsPredictionCard,
} from './EntityMlopsContent';

describe('EntityMlopsContent', () => {
  it('renders every view of an annotated entity', async () => {
    const { api } = await renderWithEntity(<EntityMlopsContent />);
    expect(
      await screen.findByRole('list', { name: 'Release pipeline' }),
    ).toBeInTheDocument();
    expect(await screen.findByTestId('dag-step-Train')).toHaveAttribute(
      'data-status',
      'Executing',
    );
    expect(
      await screen.findByRole('table', { name: 'Pipeline runs' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Model versions' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Compare versions' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Predict' })).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Upload dataset' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Deployment history' }),
    ).toBeInTheDocument();
    // Every call is scoped to the entity on the page.
    const ref = 'component:default/abalone-age-predictor';
    expect(api.getRelease).toHaveBeenCalledWith(ref);
    expect(api.listRuns).toHaveBeenCalledWith(ref, expect.anything());
    expect(api.listModelVersions).toHaveBeenCalledWith(ref, { limit: 50 });
    expect(api.getDeployments).toHaveBeenCalledWith(ref);
    expect(api.getMonitoring).toHaveBeenCalledWith(ref, '1h');
    expect(
      await screen.findByRole('table', { name: 'Feature drift' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByTestId('endpoint-total-invocations'),
    ).toHaveTextContent('80');
  });

  it('shows which annotations are missing on an entity without them', async () => {
    const api = createMockMlopsApi();
    await renderWithEntity(<EntityMlopsContent />, {
      api,
      entity: plainEntity,
    });
    expect(await screen.findByText(/Missing Annotation/i)).toBeInTheDocument();
    expect(screen.getAllByText(/mlops\.io\/pipeline/).length).toBeGreaterThan(
      0,
    );
    expect(api.listRuns).not.toHaveBeenCalled();
  });

  it('names only the missing annotation when some are present', async () => {
    const entity = {
      ...mlopsEntity,
      metadata: {
        ...mlopsEntity.metadata,
        annotations: {
          'mlops.io/pipeline': 'p',
          'mlops.io/model-package-group': 'g',
        },
      },
    };
    await renderWithEntity(<EntityMlopsModelVersionsCard />, { entity });
    expect(await screen.findByText(/Missing Annotation/i)).toBeInTheDocument();
    expect(screen.getAllByText(/mlops\.io\/endpoint/).length).toBeGreaterThan(
      0,
    );
    expect(
      screen.queryByText(/mlops\.io\/model-package-group/),
    ).not.toBeInTheDocument();
  });

  it('exports cards that work on their own', async () => {
    await renderWithEntity(
      <>
        <EntityMlopsModelVersionsCard />
        <EntityMlopsPredictionCard />
      </>,
    );
    const table = await screen.findByRole('table', { name: 'Model versions' });
    expect(within(table).getByTestId('approval-status-3')).toHaveTextContent(
      'Pending approval',
    );
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Predict' })).toBeEnabled(),
    );
  });
});
