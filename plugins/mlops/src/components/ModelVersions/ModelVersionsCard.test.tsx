import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mlopsModelApprovePermission } from '@mlops-portal/plugin-mlops-common';
import { identityApiRef } from '@backstage/core-plugin-api';
import { entityRef, modelVersions } from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { ModelVersionsCard } from './ModelVersionsCard';

describe('ModelVersionsCard', () => {
  it('shows versions with status chips, metrics, run and the deployed marker', async () => {
    await renderWithEntity(<ModelVersionsCard />);
    const table = await screen.findByRole('table', { name: 'Model versions' });
    const v3 = within(table).getByTestId('model-version-row-3');
    expect(within(v3).getByTestId('approval-status-3')).toHaveTextContent(
      'Pending approval',
    );
    expect(within(v3).getByTestId('approval-status-3')).toHaveAttribute(
      'data-status',
      'PendingManualApproval',
    );
    expect(v3).toHaveTextContent('4.620');
    expect(v3).toHaveTextContent('1.520');
    expect(v3).toHaveTextContent('0.551');
    expect(v3).toHaveTextContent('exec-0003');
    expect(within(table).getByTestId('approval-status-2')).toHaveTextContent(
      'Approved',
    );
    expect(within(table).getByTestId('deployed-2')).toHaveTextContent(
      'Deployed',
    );
    expect(within(table).queryByTestId('deployed-3')).not.toBeInTheDocument();
    // An approved version can only be rejected, a rejected one only approved.
    expect(
      within(table).queryByTestId('approve-version-2'),
    ).not.toBeInTheDocument();
    expect(
      within(table).queryByTestId('reject-version-1'),
    ).not.toBeInTheDocument();
  });

  it('lists the approval history with who, when and why', async () => {
    await renderWithEntity(<ModelVersionsCard />);
    const history = await screen.findByRole('table', {
      name: 'Approval history',
    });
    const rows = within(history).getAllByRole('row');
    // header + 3 registrations + 2 decisions, newest first
    expect(rows).toHaveLength(6);
    expect(rows[1]).toHaveTextContent('pipeline');
    expect(
      within(history)
        .getByText('MSE below gate, residuals look fine')
        .closest('tr'),
    ).toHaveTextContent('guest');
    expect(
      within(history).getByText('Trained on a partial upload').closest('tr'),
    ).toHaveTextContent('Rejected');
  });

  it('keeps Approve/Reject, chips and times on one line; the tables scroll in a narrow card', async () => {
    await renderWithEntity(<ModelVersionsCard />);
    const table = await screen.findByRole('table', { name: 'Model versions' });
    const decisions = within(table).getByTestId('decisions-3');
    expect(decisions).toHaveStyle({ display: 'flex', flexWrap: 'nowrap' });
    expect(
      within(decisions).getByRole('button', { name: 'Approve' }),
    ).toBeInTheDocument();
    expect(
      within(decisions).getByRole('button', { name: 'Reject' }),
    ).toBeInTheDocument();
    for (const inCell of [
      decisions,
      within(table).getByTestId('approval-status-3'),
      within(within(table).getByTestId('model-version-row-3')).getByText(
        /UTC$/,
      ),
    ]) {
      expect(inCell.closest('td')).toHaveStyle({
        whiteSpace: 'nowrap',
        wordBreak: 'normal',
      });
    }
    const history = screen.getByRole('table', { name: 'Approval history' });
    for (const t of [table, history]) {
      expect(t.closest('[data-testid="mlops-table-scroll"]')).toHaveStyle({
        overflowX: 'auto',
      });
    }
    // The comment is free text: it may wrap between words, with a tooltip.
    const why = within(history).getByText('Trained on a partial upload');
    expect(why.closest('td')).toHaveStyle({ whiteSpace: 'normal' });
    expect(why).toHaveAttribute('title', 'Trained on a partial upload');
  });

  it('approves with a required comment', async () => {
    const { api, alertApi } = await renderWithEntity(<ModelVersionsCard />);
    const table = await screen.findByRole('table', { name: 'Model versions' });
    const approve = within(table).getByTestId('approve-version-3');
    await waitFor(() => expect(approve).toBeEnabled());
    expect(approve).toHaveAccessibleName('Approve');
    await userEvent.click(approve);
    const dialog = await screen.findByRole('dialog', {
      name: 'Approve version 3',
    });
    // Submitting without a comment is refused in place.
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    expect(
      within(dialog).getByText(/A comment is required/),
    ).toBeInTheDocument();
    expect(api.setApproval).not.toHaveBeenCalled();
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Comment/ }),
      'MSE 4.62 beats v2',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    await waitFor(() =>
      expect(api.setApproval).toHaveBeenCalledWith(entityRef, 3, {
        status: 'Approved',
        comment: 'MSE 4.62 beats v2',
      }),
    );
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Version 3 approved' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('rejects, and keeps the dialog open with the server error on failure', async () => {
    const api = createMockMlopsApi({
      setApproval: jest.fn(async () => {
        throw new Error('Request failed with 403 Forbidden: not an owner');
      }),
    });
    await renderWithEntity(<ModelVersionsCard />, { api });
    const table = await screen.findByRole('table', { name: 'Model versions' });
    await waitFor(() =>
      expect(within(table).getByTestId('reject-version-3')).toBeEnabled(),
    );
    await userEvent.click(within(table).getByTestId('reject-version-3'));
    const dialog = await screen.findByRole('dialog', {
      name: 'Reject version 3',
    });
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Comment/ }),
      'residuals skewed',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Reject' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'not an owner',
    );
    expect(api.setApproval).toHaveBeenCalledWith(entityRef, 3, {
      status: 'Rejected',
      comment: 'residuals skewed',
    });
  });

  it('disables Approve/Reject with the reason for non-owners', async () => {
    const { permissionApi } = await renderWithEntity(<ModelVersionsCard />, {
      allowed: name => name !== mlopsModelApprovePermission.name,
    });
    const table = await screen.findByRole('table', { name: 'Model versions' });
    await waitFor(() =>
      expect(within(table).getByTestId('approve-version-3')).toBeDisabled(),
    );
    expect(within(table).getByTestId('reject-version-3')).toBeDisabled();
    expect(
      within(table).getAllByLabelText(/not allowed to approve or reject/)
        .length,
    ).toBeGreaterThan(0);
    expect(permissionApi.authorize).toHaveBeenCalledWith(
      expect.objectContaining({ resourceRef: entityRef }),
    );
    await userEvent.hover(
      within(table).getAllByTestId('permission-denied-reason')[0],
    );
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'only its owners can',
    );
  });

  it('four-eyes: disables Approve with the reason for whoever trained the version or uploaded its data', async () => {
    const me = 'user:default/guest';
    const api = createMockMlopsApi({
      getGovernance: jest.fn(async () => ({
        qualityGate: {
          metric: 'mse',
          comparison: 'LessThanOrEqualTo',
          threshold: 6,
        },
        approval: { preApprove: false, fourEyes: true },
      })),
      listModelVersions: jest.fn(async () => ({
        items: [
          { ...modelVersions[0], createdBy: me },
          modelVersions[1],
          {
            ...modelVersions[2],
            dataManifest: {
              manifestId: 'm-1',
              files: [],
              createdAt: '2026-11-23T08:00:00.000Z',
              createdBy: me,
            },
          },
        ],
      })),
    });
    await renderWithEntity(<ModelVersionsCard />, {
      api,
      apis: [
        [
          identityApiRef,
          {
            getBackstageIdentity: async () => ({
              type: 'user',
              userEntityRef: me,
              ownershipEntityRefs: [me],
            }),
          },
        ],
      ],
    });
    const table = await screen.findByRole('table', { name: 'Model versions' });
    await waitFor(() =>
      expect(within(table).getByTestId('approve-version-3')).toBeDisabled(),
    );
    expect(within(table).getByTestId('approve-version-1')).toBeDisabled();
    // Rejecting your own version stays possible.
    expect(within(table).getByTestId('reject-version-3')).toBeEnabled();
    const reason = within(within(table).getByTestId('decisions-3')).getByTestId(
      'permission-denied-reason',
    );
    expect(reason).toHaveAttribute(
      'aria-label',
      'Four-eyes rule: user:default/guest started the run that produced it, so someone else must approve version 3',
    );
    await userEvent.hover(reason);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Four-eyes rule',
    );
    expect(
      within(within(table).getByTestId('decisions-1')).getByTestId(
        'permission-denied-reason',
      ),
    ).toHaveAttribute(
      'aria-label',
      expect.stringContaining('uploaded its data'),
    );
  });

  it('four-eyes off: the trainer may approve', async () => {
    const api = createMockMlopsApi({
      listModelVersions: jest.fn(async () => ({
        items: [{ ...modelVersions[0], createdBy: 'user:default/guest' }],
      })),
    });
    await renderWithEntity(<ModelVersionsCard />, { api });
    const table = await screen.findByRole('table', { name: 'Model versions' });
    await waitFor(() => expect(api.getGovernance).toHaveBeenCalled());
    await waitFor(() =>
      expect(within(table).getByTestId('approve-version-3')).toBeEnabled(),
    );
  });

  it('shows empty and error states', async () => {
    const empty = createMockMlopsApi({
      listModelVersions: jest.fn(async () => ({ items: [] })),
    });
    const { unmount } = await renderWithEntity(<ModelVersionsCard />, {
      api: empty,
    });
    expect(
      await screen.findByText(/No model versions yet/),
    ).toBeInTheDocument();
    unmount();
    const failing = createMockMlopsApi({
      listModelVersions: jest.fn(async () => {
        throw new Error('registry unreachable');
      }),
    });
    await renderWithEntity(<ModelVersionsCard />, { api: failing });
    expect(
      (await screen.findAllByText(/registry unreachable/))[0],
    ).toBeInTheDocument();
  });
});

describe('ModelVersionsCard columns by task', () => {
  it('shows a binary classifier with AUC / accuracy / F1 / log loss and no regression metric', async () => {
    await renderWithEntity(<ModelVersionsCard />, {
      api: createMockMlopsApi({
        listModelVersions: jest.fn(async () => ({
          items: [
            {
              ...modelVersions[0],
              task: 'binary',
              metrics: { auc: 0.991, accuracy: 0.956, f1: 0.94, logloss: 0.12 },
            },
          ],
        })),
        getGovernance: jest.fn(async () => ({
          qualityGate: {
            metric: 'auc',
            comparison: 'GreaterThanOrEqualTo',
            threshold: 0.9,
          },
          task: 'binary',
          approval: { preApprove: false, fourEyes: false },
        })),
      }),
    });
    const table = await screen.findByRole('table', { name: 'Model versions' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map(h => h.textContent);
    expect(headers).toEqual(
      expect.arrayContaining(['AUC', 'Accuracy', 'F1', 'Log loss']),
    );
    expect(headers).not.toContain('MSE');
    expect(within(table).getByTestId('model-version-row-3')).toHaveTextContent(
      '0.9910.9560.9400.120',
    );
  });
});
