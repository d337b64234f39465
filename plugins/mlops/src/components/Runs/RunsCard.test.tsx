import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { entityRef, runs } from '../../__fixtures__';
import { RunsCard } from './RunsCard';
import { validateParameter } from './TrainNowDialog';
import { PIPELINE_PARAMETERS } from '@mlops-portal/plugin-mlops-common';

const param = (name: string) => PIPELINE_PARAMETERS.find(p => p.name === name)!;

describe('RunsCard', () => {
  it('lists runs with status, trigger, who, manifest, duration and metrics', async () => {
    await renderWithEntity(<RunsCard />);
    const table = await screen.findByRole('table', { name: 'Pipeline runs' });
    const failed = within(table).getByTestId('run-row-exec-0002');
    expect(failed).toHaveTextContent('Failed');
    expect(failed).toHaveTextContent('Retry');
    expect(failed).toHaveTextContent('guest');
    expect(failed).toHaveTextContent('manifest-2026-11-24 (4177 rows)');
    expect(failed).toHaveTextContent('1m 20s');
    expect(failed).toHaveTextContent('4.710 / 1.550 / 0.540');
    const running = within(table).getByTestId('run-row-exec-0004');
    expect(running).toHaveTextContent('Running');
    expect(running).toHaveTextContent('Train');
    // Many columns: the table scrolls sideways in a narrow card; statuses and
    // metrics stay on one line, a manifest wraps only before its row count.
    expect(table.closest('[data-testid="mlops-table-scroll"]')).toHaveStyle({
      overflowX: 'auto',
    });
    for (const text of ['Failed', '4.710 / 1.550 / 0.540']) {
      expect(within(failed).getByText(text).closest('td')).toHaveStyle({
        whiteSpace: 'nowrap',
      });
    }
    const rowCount = within(failed).getByText('(4177 rows)');
    expect(rowCount).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(rowCount.closest('td')).toHaveStyle({
      whiteSpace: 'normal',
      wordBreak: 'normal',
    });
  });

  it('opens a run: parameters, failure reason, logs, and Retry calls the API', async () => {
    const { api, alertApi } = await renderWithEntity(<RunsCard />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Open run exec-0002' }),
    );
    expect(await screen.findByTestId('run-failure-reason')).toHaveTextContent(
      'CheckMSE: test MSE 4.71 > MseThreshold 3',
    );
    const params = screen.getByRole('table', { name: 'Run parameters' });
    expect(
      within(params).getByText('MseThreshold').closest('tr'),
    ).toHaveTextContent('3');
    await userEvent.click(screen.getByRole('button', { name: /^Preprocess/ }));
    expect(await screen.findByLabelText('Preprocess logs')).toHaveTextContent(
      'Preprocess started',
    );
    expect(screen.getByRole('button', { name: 'Stop' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(api.retryRun).toHaveBeenCalledWith(entityRef, 'exec-0002'),
    );
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Retry started as exec-0006' }),
    );
  });

  it('stops an executing run', async () => {
    const { api } = await renderWithEntity(<RunsCard />);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open run upload abalone-4.csv',
      }),
    );
    const stop = await screen.findByRole('button', { name: 'Stop' });
    expect(screen.getByRole('button', { name: 'Retry' })).toBeDisabled();
    await userEvent.click(stop);
    await waitFor(() =>
      expect(api.stopRun).toHaveBeenCalledWith(entityRef, 'exec-0004'),
    );
  });

  it('starts a run with only the overridden hyperparameters; the gate and approval are not offered', async () => {
    const { api } = await renderWithEntity(<RunsCard />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Train now' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Train now' });
    expect(within(dialog).queryByLabelText('MseThreshold')).toBeNull();
    expect(within(dialog).queryByLabelText('ModelApprovalStatus')).toBeNull();
    fireEvent.change(within(dialog).getByLabelText('Eta'), {
      target: { value: '0.1' },
    });
    fireEvent.change(within(dialog).getByLabelText('MaxDepth'), {
      target: { value: '7' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start run' }),
    );
    await waitFor(() =>
      expect(api.startRun).toHaveBeenCalledWith(entityRef, {
        parameters: { Eta: 0.1, MaxDepth: 7 },
      }),
    );
  });

  it('validates parameters inline and blocks the start', async () => {
    const { api } = await renderWithEntity(<RunsCard />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Train now' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Train now' });
    fireEvent.change(within(dialog).getByLabelText('MaxDepth'), {
      target: { value: '2.5' },
    });
    fireEvent.change(within(dialog).getByLabelText('Eta'), {
      target: { value: '3' },
    });
    expect(
      within(dialog).getByText('Must be a whole number'),
    ).toBeInTheDocument();
    expect(within(dialog).getByText('Must be ≤ 1')).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Start run' }),
    ).toBeDisabled();
    expect(api.startRun).not.toHaveBeenCalled();
  });

  it('shows the server error inside the dialog', async () => {
    const api = createMockMlopsApi({
      startRun: jest.fn(async () => {
        throw new Error(
          'Request failed with 409 Conflict: a run is already executing',
        );
      }),
    });
    await renderWithEntity(<RunsCard />, { api });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Train now' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Train now' });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start run' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'a run is already executing',
    );
  });

  it('disables Train now with the reason when permission is denied', async () => {
    await renderWithEntity(<RunsCard />, { allowed: false });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Train now' })).toBeDisabled(),
    );
    expect(
      screen.getByLabelText(/not allowed to run pipelines/),
    ).toBeInTheDocument();
  });

  it('shows empty and error states', async () => {
    const empty = createMockMlopsApi({
      listRuns: jest.fn(async () => ({ items: [] })),
    });
    const { unmount } = await renderWithEntity(<RunsCard />, { api: empty });
    expect(await screen.findByText(/No pipeline runs yet/)).toBeInTheDocument();
    unmount();
    const failing = createMockMlopsApi({
      listRuns: jest.fn(async () => {
        throw new Error('engine unavailable');
      }),
    });
    await renderWithEntity(<RunsCard />, { api: failing });
    expect(
      (await screen.findAllByText(/engine unavailable/))[0],
    ).toBeInTheDocument();
  });
});

describe('validateParameter', () => {
  it('accepts defaults and empty, rejects out-of-range and wrong types', () => {
    for (const p of PIPELINE_PARAMETERS)
      expect(validateParameter(p, String(p.default))).toBeUndefined();
    expect(validateParameter(param('NumRound'), '')).toBeUndefined();
    expect(validateParameter(param('NumRound'), 'ten')).toBe(
      'Must be a number',
    );
    expect(validateParameter(param('NumRound'), '0')).toBe('Must be ≥ 1');
    expect(validateParameter(param('Subsample'), '1.5')).toBe('Must be ≤ 1');
    expect(validateParameter(param('ModelApprovalStatus'), 'Rejected')).toMatch(
      /Must be one of/,
    );
  });
});

describe('RunsCard metrics by task', () => {
  it("shows a multiclass system's runs with accuracy / macro F1 / log loss", async () => {
    await renderWithEntity(<RunsCard />, {
      api: createMockMlopsApi({
        listRuns: jest.fn(async () => ({
          items: [
            {
              ...runs[1],
              metrics: { accuracy: 0.981, macro_f1: 0.975, logloss: 0.08 },
            },
          ],
        })),
        getGovernance: jest.fn(async () => ({
          qualityGate: {
            metric: 'accuracy',
            comparison: 'GreaterThanOrEqualTo',
            threshold: 0.9,
          },
          task: 'multiclass',
          approval: { preApprove: false, fourEyes: false },
        })),
      }),
    });
    const table = await screen.findByRole('table', { name: 'Pipeline runs' });
    expect(
      within(table).getByRole('columnheader', {
        name: 'Accuracy / Macro F1 / Log loss',
      }),
    ).toBeInTheDocument();
    expect(table).toHaveTextContent('0.981 / 0.975 / 0.080');
    expect(table).not.toHaveTextContent('MSE');
  });
});
