import { InputError, NotImplementedError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import {
  abortDatasetUploadRequestSchema,
  completeDatasetUploadRequestSchema,
  createDatasetUploadRequestSchema,
  mlopsDatasetUploadPermission,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import type { Request, RequestHandler, Router } from 'express';
import { parseBody } from '../service/parseBody';
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

/** The engine's direct-upload methods, or 501 when it has none (the client then sends the file itself). */
function directUploads(engine: MlopsEngine) {
  const { createDatasetUpload, completeDatasetUpload, abortDatasetUpload } =
    engine;
  if (!createDatasetUpload || !completeDatasetUpload || !abortDatasetUpload) {
    throw new NotImplementedError(
      `The ${engine.type} engine takes uploads through POST /datasets only`,
    );
  }
  return {
    create: createDatasetUpload.bind(engine),
    complete: completeDatasetUpload.bind(engine),
    abort: abortDatasetUpload.bind(engine),
  };
}

/**
 * Direct-to-storage uploads (e.g. presigned S3 multipart): open, complete,
 * abort. Same permission and audit event as POST /datasets.
 */
export function registerDatasetUploadRoutes(
  entity: Router,
  deps: DatasetUploadRouteDeps,
) {
  const { service, json, caller } = deps;
  const { engine } = service;
  const write = (meta: JsonObject) => ({
    eventId: 'dataset-upload',
    permission: mlopsDatasetUploadPermission,
    meta,
  });

  entity.post('/datasets/uploads', json, async (req, res) => {
    const ctx = await caller(req);
    const uploads = directUploads(engine);
    const session = await service.guardedWrite(
      ctx,
      write({ direct: 'create' }),
      async actor => {
        const { resources } = ctx;
        const body = parseBody(createDatasetUploadRequestSchema, req.body);
        const result = await uploads.create(resources, { ...body, actor });
        return {
          result,
          meta: {
            fileName: body.fileName,
            sizeBytes: body.sizeBytes,
            uploadId: result.uploadId,
            parts: result.parts.length,
          },
        };
      },
    );
    res.status(201).json(session);
  });

  entity.post(
    '/datasets/uploads/:uploadId/complete',
    json,
    async (req, res) => {
      const uploadId = parseUploadId(req.params.uploadId);
      const ctx = await caller(req);
      const uploads = directUploads(engine);
      const uploaded = await service.guardedWrite(
        ctx,
        write({ direct: 'complete', uploadId }),
        async actor => {
          const { resources } = ctx;
          const body = parseBody(completeDatasetUploadRequestSchema, req.body);
          const result = await uploads.complete(resources, {
            uploadId,
            ...body,
            actor,
          });
          return {
            result,
            meta: {
              key: body.key,
              manifestId: result.manifest.manifestId,
              executionId: result.execution?.executionId ?? null,
            },
          };
        },
      );
      res.status(201).json(uploaded);
    },
  );

  entity.delete('/datasets/uploads/:uploadId', json, async (req, res) => {
    const uploadId = parseUploadId(req.params.uploadId);
    const ctx = await caller(req);
    const uploads = directUploads(engine);
    await service.guardedWrite(
      ctx,
      write({ direct: 'abort', uploadId }),
      async actor => {
        const { resources } = ctx;
        const body = parseBody(abortDatasetUploadRequestSchema, req.body);
        await uploads.abort(resources, { uploadId, ...body, actor });
        return { result: undefined, meta: { key: body.key } };
      },
    );
    res.status(204).end();
  });
}
