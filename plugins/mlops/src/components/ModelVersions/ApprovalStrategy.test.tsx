import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { canaryStrategy, entityRef } from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { ModelVersionsCard } from './ModelVersionsCard';

const governance = {
  qualityGate: { metric: 'mse', comparison: 'LessThanOrEqualTo', threshold: 6 },
  task: 'regression',
  approval: { preApprove: false, fourEyes: false },
  deployment: canaryStrategy,
};

async function openApprove() {
  const api = createMockMlopsApi({
    getGovernance: jest.fn(async () => governance),
  });
  await renderWithEntity(<ModelVersionsCard />, { api });
  await userEvent.click(await screen.findByTestId('approve-version-3'));
  const dialog = await screen.findByRole('dialog', {
    name: 'Approve version 3',
  });
  await userEvent.type(
    within(dialog).getByRole('textbox', { name: /Comment/ }),
    'looks good',
  );
  return { api, dialog };
}

describe('ApprovalDialog: how to deploy', () => {
  it("describes the system's default and sends no override when unchanged", async () => {
    const { api, dialog } = await openApprove();
    const group = within(dialog).getByRole('radiogroup', {
      name: 'How to deploy',
    });
    expect(
      within(group).getByRole('radio', {
        name: 'System default: Canary 20 % for 60 s, then all; rolls back on errors > 5 %, p99 > 500 ms',
      }),
    ).toBeChecked();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    await waitFor(() =>
      expect(api.setApproval).toHaveBeenCalledWith(entityRef, 3, {
        status: 'Approved',
        comment: 'looks good',
      }),
    );
  });

  it('does not count picking what the system does anyway as an override', async () => {
    const { api, dialog } = await openApprove();
    await userEvent.click(
      within(dialog).getByRole('radio', { name: /^Canary/ }),
    );
    // prefilled with the system's canary: 20 %, 60 s
    expect(within(dialog).getByLabelText('Canary share')).toHaveValue(20);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    await waitFor(() => expect(api.setApproval).toHaveBeenCalledTimes(1));
    expect(api.setApproval.mock.calls[0][2]).not.toHaveProperty('deployment');
  });

  it("validates an override with the schema's message and sends it once valid", async () => {
    const { api, dialog } = await openApprove();
    await userEvent.click(
      within(dialog).getByRole('radio', { name: /^Linear/ }),
    );
    const step = within(dialog).getByLabelText('Step');
    await userEvent.clear(step);
    await userEvent.type(step, '60');
    expect(
      await within(dialog).findByText('Step must be at most 50 %'),
    ).toBeInTheDocument();
    const approve = within(dialog).getByRole('button', { name: 'Approve' });
    expect(approve).toBeDisabled();
    await userEvent.clear(step);
    await userEvent.type(step, '25');
    const interval = within(dialog).getByLabelText('Interval');
    await userEvent.clear(interval);
    await userEvent.type(interval, '30');
    await waitFor(() => expect(approve).toBeEnabled());
    await userEvent.click(approve);
    await waitFor(() =>
      expect(api.setApproval).toHaveBeenCalledWith(entityRef, 3, {
        status: 'Approved',
        comment: 'looks good',
        deployment: {
          trafficRouting: {
            type: 'LINEAR',
            waitIntervalInSeconds: 30,
            linearStepSize: { type: 'CAPACITY_PERCENT', value: 25 },
          },
        },
      }),
    );
  });

  it('sends all at once as an override of a canary default', async () => {
    const { api, dialog } = await openApprove();
    await userEvent.click(
      within(dialog).getByRole('radio', { name: 'All at once' }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    await waitFor(() =>
      expect(api.setApproval.mock.calls[0][2].deployment).toEqual({
        trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
      }),
    );
  });

  it('names a canary bake time out of range', async () => {
    const { dialog } = await openApprove();
    await userEvent.click(
      within(dialog).getByRole('radio', { name: /^Canary/ }),
    );
    const bake = within(dialog).getByLabelText('Bake time');
    await userEvent.clear(bake);
    await userEvent.type(bake, '4000');
    expect(
      await within(dialog).findByText('Bake time must be at most 3600 s'),
    ).toBeInTheDocument();
  });

  it('offers no strategy when rejecting', async () => {
    await renderWithEntity(<ModelVersionsCard />, {
      api: createMockMlopsApi({
        getGovernance: jest.fn(async () => governance),
      }),
    });
    await userEvent.click(await screen.findByTestId('reject-version-3'));
    const dialog = await screen.findByRole('dialog', {
      name: 'Reject version 3',
    });
    expect(
      within(dialog).queryByRole('radiogroup', { name: 'How to deploy' }),
    ).not.toBeInTheDocument();
  });
});

describe('ModelVersionsCard: shadow test', () => {
  it('starts a shadow test of a version that does not serve', async () => {
    const { api, alertApi } = await renderWithEntity(<ModelVersionsCard />);
    // version 2 serves: nothing to shadow
    await screen.findByTestId('shadow-version-3');
    expect(screen.queryByTestId('shadow-version-2')).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId('shadow-version-3'));
    const dialog = await screen.findByRole('dialog', {
      name: 'Shadow test version 3',
    });
    const share = within(dialog).getByLabelText('Sample share');
    await userEvent.clear(share);
    await userEvent.type(share, '150');
    expect(within(dialog).getByTestId('shadow-start')).toBeDisabled();
    expect(dialog).toHaveTextContent(
      'Sample share must be a whole percent from 1 to 100',
    );
    await userEvent.clear(share);
    await userEvent.type(share, '25');
    await userEvent.click(within(dialog).getByTestId('shadow-start'));
    await waitFor(() =>
      expect(api.startShadowTest).toHaveBeenCalledWith(entityRef, {
        modelVersion: 3,
        samplePercent: 25,
      }),
    );
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Shadow test of version 3 started' }),
    );
  });

  it('keeps Shadow disabled for viewers', async () => {
    await renderWithEntity(<ModelVersionsCard />, { allowed: false });
    const button = await screen.findByTestId('shadow-version-3');
    await waitFor(() => expect(button).toBeDisabled());
  });
});
