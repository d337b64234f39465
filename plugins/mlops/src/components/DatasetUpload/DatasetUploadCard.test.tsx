import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mlopsDatasetUploadPermission } from '@mlops-portal/plugin-mlops-common';
import { entityRef, systemSpec } from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { DatasetUploadCard } from './DatasetUploadCard';

const csv =
  'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nF,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21,9\n';

describe('DatasetUploadCard', () => {
  it('uploads a dropped CSV and reports the started run', async () => {
    const { api } = await renderWithEntity(<DatasetUploadCard />);
    const file = new File([csv], 'abalone-2.csv', { type: 'text/csv' });
    fireEvent.drop(screen.getByTestId('dataset-dropzone'), {
      dataTransfer: { files: [file] },
    });
    await waitFor(() =>
      expect(api.uploadDataset).toHaveBeenCalledWith(
        entityRef,
        'abalone-2.csv',
        file,
      ),
    );
    expect(
      await screen.findByText(
        /Stored as manifest manifest-new \(4177 rows\); run exec-0007 started/,
      ),
    ).toBeInTheDocument();
  });

  it('uploads a file picked with the button', async () => {
    const { api } = await renderWithEntity(<DatasetUploadCard />);
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Upload dataset' }),
      ).toBeEnabled(),
    );
    const file = new File([csv], 'more.csv', { type: 'text/csv' });
    await userEvent.upload(screen.getByTestId('dataset-file-input'), file);
    await waitFor(() =>
      expect(api.uploadDataset).toHaveBeenCalledWith(
        entityRef,
        'more.csv',
        file,
      ),
    );
  });

  it("lists the server's row-level errors", async () => {
    const error = Object.assign(
      new Error('Request failed with 400 Bad Request: 2 invalid rows'),
      {
        rowErrors: [
          { row: 2, column: 'length', value: 'abc', reason: 'not a number' },
          {
            row: 5,
            column: 'sex',
            value: 'X',
            reason: 'must be one of M, F, I',
          },
        ],
      },
    );
    const api = createMockMlopsApi({
      uploadDataset: jest.fn(async () => {
        throw error;
      }),
    });
    await renderWithEntity(<DatasetUploadCard />, { api });
    fireEvent.drop(screen.getByTestId('dataset-dropzone'), {
      dataTransfer: { files: [new File(['x'], 'bad.csv')] },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      '2 invalid rows',
    );
    const table = screen.getByRole('table', { name: 'Dataset row errors' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('2lengthabcnot a number');
    expect(rows[2]).toHaveTextContent('5sexXmust be one of M, F, I');
    expect(screen.getByText(/nothing was stored/)).toBeInTheDocument();
  });

  it('shows row errors once: a count in the alert, each reason whole in the table', async () => {
    const reason =
      'must be one of M, F, I (the sex column takes the UCI codes for male, female and infant)';
    const error = Object.assign(
      new Error(
        `Request failed with 400 Bad Request: row 5, column sex: ${reason}`,
      ),
      { rowErrors: [{ row: 5, column: 'sex', value: 'X', reason }] },
    );
    const api = createMockMlopsApi({
      uploadDataset: jest.fn(async () => {
        throw error;
      }),
    });
    await renderWithEntity(<DatasetUploadCard />, { api });
    fireEvent.drop(screen.getByTestId('dataset-dropzone'), {
      dataTransfer: { files: [new File(['x'], 'bad.csv')] },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'bad.csv: 1 invalid row (listed below); nothing was stored.',
    );
    expect(screen.getAllByText(reason, { exact: false })).toHaveLength(1);
    const table = screen.getByRole('table', { name: 'Dataset row errors' });
    const cell = within(table).getByText(reason);
    expect(cell.closest('td')).toHaveStyle({ whiteSpace: 'normal' });
    expect(
      within(table).queryByTestId('mlops-cell-text'),
    ).not.toBeInTheDocument();
  });

  it('disables the drop zone with the reason for a viewer; a drop uploads nothing', async () => {
    const { api } = await renderWithEntity(<DatasetUploadCard />, {
      allowed: name => name !== mlopsDatasetUploadPermission.name,
    });
    expect(
      await screen.findByTestId('dataset-dropzone-denied'),
    ).toHaveTextContent(
      'You are not allowed to upload datasets for this entity (only its owners can).',
    );
    const zone = screen.getByTestId('dataset-dropzone');
    expect(zone).toHaveAttribute('aria-disabled', 'true');
    fireEvent.drop(zone, {
      dataTransfer: { files: [new File(['x'], 'data.csv')] },
    });
    expect(api.uploadDataset).not.toHaveBeenCalled();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByText(/mlops\.dataset\.upload/)).toBeNull();
  });

  it('refuses files that are not CSV before uploading', async () => {
    const { api } = await renderWithEntity(<DatasetUploadCard />);
    fireEvent.drop(screen.getByTestId('dataset-dropzone'), {
      dataTransfer: { files: [new File(['x'], 'model.pkl')] },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'model.pkl: expected a .csv file',
    );
    expect(api.uploadDataset).not.toHaveBeenCalled();
  });

  it('disables the upload with the reason for non-owners', async () => {
    await renderWithEntity(<DatasetUploadCard />, {
      allowed: name => name !== mlopsDatasetUploadPermission.name,
    });
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Upload dataset' }),
      ).toBeDisabled(),
    );
    expect(
      screen.getByLabelText(/not allowed to upload datasets/),
    ).toBeInTheDocument();
  });
});

describe('DatasetUploadCard wording from the spec', () => {
  const withDataset = (dataset: Record<string, unknown>) =>
    createMockMlopsApi({
      getSpec: jest.fn(async () => ({
        ...systemSpec,
        spec: { ...systemSpec.spec, spec: { dataset } },
      })),
    });

  it("names the spec's columns for a file without a header, and a header row otherwise", async () => {
    const { unmount } = await renderWithEntity(<DatasetUploadCard />, {
      api: withDataset({
        header: false,
        target: 'y',
        columns: [{ name: 'colour' }, { name: 'size' }, { name: 'y' }],
      }),
    });
    expect(
      await screen.findByText(/columns colour, size, y; no header/),
    ).toBeInTheDocument();
    unmount();
    await renderWithEntity(<DatasetUploadCard />, {
      api: withDataset({ header: true, target: 'species' }),
    });
    expect(
      await screen.findByText(
        /a header row naming the columns \(target: species\)/,
      ),
    ).toBeInTheDocument();
  });

  it('falls back to generic wording when the spec cannot be read', async () => {
    await renderWithEntity(<DatasetUploadCard />, {
      api: createMockMlopsApi({
        getSpec: jest.fn(async () => {
          throw Object.assign(new Error('no spec'), { statusCode: 404 });
        }),
      }),
    });
    expect(
      await screen.findByText(/the columns of this system's spec/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Abalone/)).toBeNull();
  });
});
