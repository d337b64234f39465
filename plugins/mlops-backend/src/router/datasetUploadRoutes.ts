import { InputError } from '@backstage/errors';
import type { Request, RequestHandler, Router } from 'express';
import type { MlopsCaller, MlopsService } from '../service/MlopsService';

/** What createRouter lends these routes: the service, its body parser and the caller of a request. */
export interface DatasetUploadRouteDeps {
  service: MlopsService;
  json: RequestHandler;
  caller(req: Request): Promise<MlopsCaller>;
}

// S3 upload ids are opaque URL-safe tokens; bound them like other ids.
const UPLOAD_ID_PATTERN = /^[A-Za-z0-9._~+/=-]{1,1024}$/;

function parseUploadId(raw: string | undefined): string {
  if (!raw || !UPLOAD_ID_PATTERN.test(raw)) {
    throw new InputError('uploadId: must be the id the upload was opened with');
  }
  return raw;
}

/**
 * Direct-to-storage uploads (e.g. presigned S3 multipart): open, complete,
 * abort. The rules (permission, audit, 501 without engine support) are
 * MlopsService's; these routes parse the path and map the result.
 */
export function registerDatasetUploadRoutes(
  entity: Router,
  deps: DatasetUploadRouteDeps,
) {
  const { service, json, caller } = deps;

  entity.post('/datasets/uploads', json, async (req, res) => {
    res
      .status(201)
      .json(await service.createDatasetUpload(await caller(req), req.body));
  });

  entity.post(
    '/datasets/uploads/:uploadId/complete',
    json,
    async (req, res) => {
      const uploadId = parseUploadId(req.params.uploadId);
      res
        .status(201)
        .json(
          await service.completeDatasetUpload(
            await caller(req),
            uploadId,
            req.body,
          ),
        );
    },
  );

  entity.delete('/datasets/uploads/:uploadId', json, async (req, res) => {
    const uploadId = parseUploadId(req.params.uploadId);
    await service.abortDatasetUpload(await caller(req), uploadId, req.body);
    res.status(204).end();
  });
}
