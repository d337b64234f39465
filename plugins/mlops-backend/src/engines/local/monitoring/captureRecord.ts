import type {
  FeatureRecord,
  FeatureValue,
} from '@mlops-portal/plugin-mlops-common';
import type { CaptureSample } from './monitoringStore';

/** Longest text cell kept in a captured record (longer ones are cut). */
export const MAX_CAPTURED_TEXT = 256;
/** Largest captured record, as JSON; a bigger one is not sampled. */
export const MAX_CAPTURED_RECORD_BYTES = 16 * 1024;

/**
 * A request record as it is stored for monitoring: JSON-safe cells only
 * (non-finite numbers become missing), text cut to MAX_CAPTURED_TEXT, and
 * undefined when the whole would exceed MAX_CAPTURED_RECORD_BYTES, so one
 * caller's huge row cannot fill the database.
 */
export function boundedRecord(
  record: FeatureRecord | undefined,
): FeatureRecord | undefined {
  if (!record || typeof record !== 'object') return undefined;
  const out: FeatureRecord = {};
  let bytes = 2;
  for (const [key, v] of Object.entries(record)) {
    let cell: FeatureValue;
    if (typeof v === 'string') cell = v.slice(0, MAX_CAPTURED_TEXT);
    else if (typeof v === 'number') cell = Number.isFinite(v) ? v : null;
    else if (typeof v === 'boolean' || v === null) cell = v;
    else continue;
    out[key] = cell;
    bytes += key.length + 4 + (typeof cell === 'string' ? cell.length : 8);
    if (bytes > MAX_CAPTURED_RECORD_BYTES) return undefined;
  }
  return Buffer.byteLength(JSON.stringify(out)) > MAX_CAPTURED_RECORD_BYTES
    ? undefined
    : out;
}

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
        predictions: [
          {
            value: s.prediction,
            ...(s.probabilities ? { probabilities: s.probabilities } : {}),
          },
        ],
      }),
      encoding: 'JSON',
    };
  }
  return record;
}
