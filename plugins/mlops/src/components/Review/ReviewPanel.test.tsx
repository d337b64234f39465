import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { identityApiRef } from '@backstage/core-plugin-api';
import { canaryStrategy, entityRef, modelVersions } from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { MlopsTabContext } from '../../hooks/useDeepLink';
import { ReviewPanel } from './ReviewPanel';

const mseGate = {
  qualityGate: { metric: 'mse', comparison: 'LessThanOrEqualTo', threshold: 6 },
  approval: { preApprove: false, fourEyes: false },
};
const identity = (userEntityRef: string) => ({
  getBackstageIdentity: async () => ({
    type: 'user',
    userEntityRef,
    ownershipEntityRefs: [userEntityRef],
  }),
  getCredentials: async () => ({}),
  getProfileInfo: async () => ({}),
  signOut: async () => {},
});

function renderPanel(
  url: string,
  api = createMockMlopsApi({ getGovernance: jest.fn(async () => mseGate) }),
  user = 'user:default/ada',
) {
  return renderWithEntity(
    <MlopsTabContext.Provider value>
      <ReviewPanel />
    </MlopsTabContext.Provider>,
    { api, routeEntries: [url], apis: [[identityApiRef, identity(user)]] },
  );
}

describe('ReviewPanel', () => {
  it('opens cold from ?version= with the candidate beside the serving version', async () => {
    await renderPanel('/?version=3');
    const panel = await screen.findByRole('dialog');
    expect(within(panel).getByText(/Review version 3/)).toBeInTheDocument();
    await waitFor(() =>
      expect(
        within(panel).getByTestId('review-effect-Approved'),
      ).toHaveTextContent(
        'Approving version 3 deploys it, replacing version 2 now serving.',
      ),
    );
    // lower mse is better: 4.62 vs 4.85 is an improvement; the gate is named
    const mse = within(panel).getByTestId('review-metric-mse');
    expect(mse).toHaveTextContent('4.620');
    expect(mse).toHaveTextContent('4.850');
    expect(mse).toHaveTextContent('−0.230 better');
    expect(mse).toHaveTextContent('gate mse ≤ 6: passes');
    expect(within(panel).getByTestId('review-metric-r2')).toHaveTextContent(
      /better/,
    );
    expect(
      within(panel).getByTestId('review-parameter-summary'),
    ).toHaveTextContent(/Same \d+ hyperparameters/);
  });

  it('names the version a rejection of the serving one restores', async () => {
    const versions = [
      { ...modelVersions[0], approvalStatus: 'Approved' as const },
      ...modelVersions.slice(1),
    ];
    const api = createMockMlopsApi({
      getGovernance: jest.fn(async () => mseGate),
      listModelVersions: jest.fn(async () => ({ items: versions })),
    });
    await renderPanel('/?version=2', api);
    const panel = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        within(panel).getByTestId('review-effect-Rejected'),
      ).toHaveTextContent(
        'Rejecting version 2 takes it off the endpoint and restores version 3.',
      ),
    );
    // an approved version can only be rejected
    expect(
      within(panel).queryByTestId('review-approve'),
    ).not.toBeInTheDocument();
  });

  it('approves with a required comment and closes', async () => {
    const { api } = await renderPanel('/?version=3');
    const panel = await screen.findByRole('dialog');
    const approve = await within(panel).findByTestId('review-approve');
    await waitFor(() => expect(approve).toBeEnabled());
    fireEvent.click(approve);
    expect(await within(panel).findByRole('alert')).toHaveTextContent(
      'A comment is required',
    );
    expect(api.setApproval).not.toHaveBeenCalled();
    fireEvent.change(within(panel).getByLabelText(/Comment/), {
      target: { value: 'mse down, residuals fine' },
    });
    fireEvent.click(approve);
    await waitFor(() =>
      expect(api.setApproval).toHaveBeenCalledWith(
        'component:default/abalone-age-predictor',
        3,
        { status: 'Approved', comment: 'mse down, residuals fine' },
      ),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('keeps Approve disabled, saying why, under the four-eyes rule for whoever started the run', async () => {
    const versions = [
      { ...modelVersions[0], createdBy: 'user:default/ada' },
      ...modelVersions.slice(1),
    ];
    const api = createMockMlopsApi({
      getGovernance: jest.fn(async () => ({
        ...mseGate,
        approval: { preApprove: false, fourEyes: true },
      })),
      listModelVersions: jest.fn(async () => ({ items: versions })),
    });
    await renderPanel('/?version=3', api, 'user:default/ada');
    const panel = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(within(panel).getByTestId('review-approve')).toBeDisabled(),
    );
    expect(within(panel).getByTestId('review-reject')).toBeEnabled();
  });

  it('loads a version older than the loaded page on its own', async () => {
    const old = { ...modelVersions[2], version: 1 };
    const api = createMockMlopsApi({
      getGovernance: jest.fn(async () => mseGate),
      listModelVersions: jest.fn(async () => ({
        items: modelVersions.slice(0, 2),
      })),
      getModelVersion: jest.fn(async () => old),
    });
    await renderPanel('/?version=1', api);
    const panel = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(api.getModelVersion).toHaveBeenCalledWith(
        'component:default/abalone-age-predictor',
        1,
      ),
    );
    expect(
      await within(panel).findByTestId('review-approve'),
    ).toBeInTheDocument();
  });
  it('approves with a canary override chosen under "How to deploy"', async () => {
    const api = createMockMlopsApi({
      getGovernance: jest.fn(async () => ({
        ...mseGate,
        deployment: canaryStrategy,
      })),
    });
    await renderPanel('/?version=3', api);
    const panel = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        within(panel).getByRole('radio', {
          name: /^System default: Canary 20 %/,
        }),
      ).toBeChecked(),
    );
    fireEvent.click(within(panel).getByRole('radio', { name: /^Canary/ }));
    fireEvent.change(within(panel).getByLabelText('Canary share'), {
      target: { value: '10' },
    });
    fireEvent.change(within(panel).getByLabelText(/Comment/), {
      target: { value: 'smaller canary first' },
    });
    await waitFor(() =>
      expect(within(panel).getByTestId('review-approve')).toBeEnabled(),
    );
    fireEvent.click(within(panel).getByTestId('review-approve'));
    await waitFor(() =>
      expect(api.setApproval).toHaveBeenCalledWith(entityRef, 3, {
        status: 'Approved',
        comment: 'smaller canary first',
        deployment: {
          trafficRouting: {
            type: 'CANARY',
            waitIntervalInSeconds: 60,
            canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
          },
        },
      }),
    );
  });
});
