import { fireEvent, screen, waitFor } from '@testing-library/react';
import { entityRef } from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { DatasetUploadCard } from './DatasetUploadCard';

const MiB = 1024 * 1024;
const bigFile = () =>
  new File([new Uint8Array(9 * MiB).fill(65)], 'big.csv', {
    type: 'text/csv',
  });
const session = {
  uploadId: 'up-1',
  key: 'staging/2026-12-01T15-30-00-000Z-big.csv',
  partSizeBytes: 8 * MiB,
  parts: [
    { partNumber: 1, url: 'https://bucket.s3.example/staging/k?partNumber=1' },
    { partNumber: 2, url: 'https://bucket.s3.example/staging/k?partNumber=2' },
  ],
  expiresAt: '2026-12-01T15:45:00.000Z',
};
const stored = {
  manifest: {
    manifestId: 'upload-direct',
    files: [],
    rowCount: 200000,
    createdAt: '2026-12-01T15:40:00.000Z',
  },
};
const s3Answer = (etag: string) => ({
  ok: true,
  status: 200,
  statusText: 'OK',
  headers: { get: (name: string) => (name === 'ETag' ? etag : null) },
});

function drop(file: File) {
  fireEvent.drop(screen.getByTestId('dataset-dropzone'), {
    dataTransfer: { files: [file] },
  });
}

const realFetch = global.fetch;
afterEach(() => {
  global.fetch = realFetch;
});

describe('DatasetUploadCard, large files', () => {
  it('falls back to the single upload when the engine answers 501', async () => {
    global.fetch = jest.fn();
    const api = createMockMlopsApi({
      createDatasetUpload: jest.fn(async () => {
        throw Object.assign(new Error('Not implemented'), { statusCode: 501 });
      }),
      completeDatasetUpload: jest.fn(),
      abortDatasetUpload: jest.fn(),
    });
    await renderWithEntity(<DatasetUploadCard />, { api });
    const file = bigFile();
    drop(file);
    await waitFor(() =>
      expect(api.uploadDataset).toHaveBeenCalledWith(
        entityRef,
        'big.csv',
        file,
      ),
    );
    expect(api.createDatasetUpload).toHaveBeenCalledWith(entityRef, {
      fileName: 'big.csv',
      sizeBytes: 9 * MiB,
    });
    expect(global.fetch).not.toHaveBeenCalled();
    expect(api.completeDatasetUpload).not.toHaveBeenCalled();
  });

  it('PUTs the parts straight to their URLs without the Backstage token, shows progress, then completes', async () => {
    let releaseLast: () => void = () => {};
    const put = jest.fn(async (url: string) =>
      url.endsWith('partNumber=2')
        ? new Promise(r => {
            releaseLast = () => r(s3Answer('"e2"'));
          })
        : s3Answer('"e1"'),
    );
    global.fetch = put as any;
    const api = createMockMlopsApi({
      createDatasetUpload: jest.fn(async () => session),
      completeDatasetUpload: jest.fn(async () => stored),
      abortDatasetUpload: jest.fn(),
    });
    await renderWithEntity(<DatasetUploadCard />, { api });
    drop(bigFile());
    expect(
      await screen.findByText('Uploading… 8.0 MiB of 9.0 MiB'),
    ).toBeInTheDocument();
    releaseLast();
    expect(
      await screen.findByText(
        /Stored as manifest upload-direct \(200000 rows\)/,
      ),
    ).toBeInTheDocument();
    expect(put).toHaveBeenCalledTimes(2);
    for (const [url, init] of put.mock.calls as any[]) {
      expect(session.parts.map(p => p.url)).toContain(url);
      expect(init.method).toBe('PUT');
      expect(init.headers).toBeUndefined();
    }
    const sizes = (put.mock.calls as any[]).map(([, init]) => init.body.size);
    expect(sizes.sort()).toEqual([1 * MiB, 8 * MiB]);
    expect(api.completeDatasetUpload).toHaveBeenCalledWith(entityRef, 'up-1', {
      key: session.key,
      parts: [
        { partNumber: 1, etag: '"e1"' },
        { partNumber: 2, etag: '"e2"' },
      ],
    });
    expect(api.uploadDataset).not.toHaveBeenCalled();
    expect(api.abortDatasetUpload).not.toHaveBeenCalled();
  });

  it('aborts the upload when a part fails, and says why', async () => {
    global.fetch = jest.fn(async () => ({
      ok: false,
      status: 403,
      statusText: 'Forbidden',
      headers: { get: () => null },
    })) as any;
    const api = createMockMlopsApi({
      createDatasetUpload: jest.fn(async () => session),
      completeDatasetUpload: jest.fn(),
      abortDatasetUpload: jest.fn(async () => undefined),
    });
    await renderWithEntity(<DatasetUploadCard />, { api });
    drop(bigFile());
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /Part \d upload failed with 403 Forbidden/,
    );
    expect(api.abortDatasetUpload).toHaveBeenCalledWith(entityRef, 'up-1', {
      key: session.key,
    });
    expect(api.completeDatasetUpload).not.toHaveBeenCalled();
  });

  it('cancels: stops the part uploads and aborts the upload', async () => {
    global.fetch = jest.fn(
      (_url: string, init: RequestInit) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
        }),
    ) as any;
    const api = createMockMlopsApi({
      createDatasetUpload: jest.fn(async () => session),
      completeDatasetUpload: jest.fn(),
      abortDatasetUpload: jest.fn(async () => undefined),
    });
    await renderWithEntity(<DatasetUploadCard />, { api });
    drop(bigFile());
    await waitFor(() => expect(global.fetch).toHaveBeenCalledTimes(2));
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'big.csv: upload cancelled',
    );
    expect(api.abortDatasetUpload).toHaveBeenCalledWith(entityRef, 'up-1', {
      key: session.key,
    });
    expect(api.completeDatasetUpload).not.toHaveBeenCalled();
  });
});
