import { ageFromRings } from '@mlops-portal/plugin-mlops-common';
import type { CaptureSample } from './monitoringStore';

/** SageMaker Data Capture's JSONL record (one per captured row). */
export interface DataCaptureRecord {
  captureData: {
    endpointInput: DataCapturePayload<'INPUT'>;
    endpointOutput?: DataCapturePayload<'OUTPUT'>;
  };
  eventMetadata: {
    eventId: string;
    inferenceTime: string;
    /** SageMaker's CustomAttributes of the request; `source=public` tags the public route. */
    customAttributes?: string;
  };
  eventVersion: '0';
}

interface DataCapturePayload<M> {
  observedContentType: string;
  mode: M;
  data: string;
  encoding: 'JSON';
}

export function captureRecordOf(s: CaptureSample): DataCaptureRecord {
  const record: DataCaptureRecord = {
    captureData: {
      endpointInput: {
        observedContentType: 'application/json',
        mode: 'INPUT',
        data: JSON.stringify({ instances: [s.features] }),
        encoding: 'JSON',
      },
    },
    eventMetadata: {
      eventId: s.eventId,
      inferenceTime: new Date(s.inferenceTime).toISOString(),
      ...(s.source ? { customAttributes: `source=${s.source}` } : {}),
    },
    eventVersion: '0',
  };
  if (s.prediction !== undefined) {
    record.captureData.endpointOutput = {
      observedContentType: 'application/json',
      mode: 'OUTPUT',
      data: JSON.stringify({
        predictions: [{ rings: s.prediction, age: ageFromRings(s.prediction) }],
      }),
      encoding: 'JSON',
    };
  }
  return record;
}
