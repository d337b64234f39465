import type { FeatureRecord } from '@mlops-portal/plugin-mlops-common';
import type { PredictionSource } from '@mlops-portal/plugin-mlops-node';
import type { Knex } from 'knex';
import { mergeHistogram } from './latencyHistogram';

const T_TRAFFIC = 'mlops_local_traffic_minutes';
const T_SAMPLES = 'mlops_local_capture_samples';

/** Traffic of one endpoint, minute and model version. */
export interface MinuteRollup {
  endpointName: string;
  /** Minutes since the epoch. */
  minute: number;
  /** 0 when no model was deployed (e.g. a 503). */
  modelVersion: number;
  invocations: number;
  errors4xx: number;
  errors5xx: number;
  latencyHistogram: number[];
}

/** One captured input (a row of a request) with what the model answered. */
export interface CaptureSample {
  eventId: string;
  endpointName: string;
  /** Epoch ms. */
  inferenceTime: number;
  modelVersion?: number;
  /** The request row, keyed by input name (bounded: see boundedRecord). */
  features: FeatureRecord;
  /** The predicted value (regression) or class label (classification). */
  prediction?: number | string;
  /** Classification: probability per class label. */
  probabilities?: Record<string, number>;
  /** `public`: an anonymous caller of the public route; absent: a signed-in user or service. */
  source?: PredictionSource;
}

const rollupKey = (r: {
  endpointName: string;
  minute: number;
  modelVersion: number;
}) => `${r.endpointName}|${r.minute}|${r.modelVersion}`;

function rollupFromRow(row: any): MinuteRollup {
  return {
    endpointName: row.endpoint_name,
    minute: Number(row.minute),
    modelVersion: Number(row.model_version),
    invocations: Number(row.invocations),
    errors4xx: Number(row.errors4xx),
    errors5xx: Number(row.errors5xx),
    latencyHistogram: JSON.parse(row.latency_histogram),
  };
}

function parseJson<T>(text: unknown): T | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function sampleFromRow(row: any): CaptureSample {
  const probabilities = parseJson<Record<string, number>>(
    row.probabilities_json,
  );
  let prediction: number | string | undefined;
  if (row.predicted_class !== null && row.predicted_class !== undefined) {
    prediction = String(row.predicted_class);
  } else if (row.prediction !== null && row.prediction !== undefined) {
    prediction = Number(row.prediction);
  }
  return {
    eventId: row.event_id,
    endpointName: row.endpoint_name,
    inferenceTime: Number(row.inference_time),
    modelVersion:
      row.model_version === null ? undefined : Number(row.model_version),
    features: parseJson<FeatureRecord>(row.record_json) ?? {},
    ...(prediction !== undefined ? { prediction } : {}),
    ...(probabilities ? { probabilities } : {}),
    ...(row.source === 'public' || row.source === 'portal'
      ? { source: row.source as PredictionSource }
      : {}),
  };
}

/**
 * Monitoring rows in the plugin database (migrations 20261201000000_monitoring
 * and 20261208000000_capture_records: captured rows as JSON records).
 */
export class MonitoringStore {
  constructor(private readonly db: Knex) {}

  /** Adds roll-ups to what is stored for the same minutes (one process writes). */
  async addRollups(rollups: MinuteRollup[]): Promise<void> {
    if (rollups.length === 0) return;
    await this.db.transaction(async trx => {
      const existing = await trx(T_TRAFFIC)
        .whereIn(
          ['endpoint_name', 'minute', 'model_version'],
          rollups.map(r => [r.endpointName, r.minute, r.modelVersion]),
        )
        .select();
      const stored = new Map(
        existing.map(row => {
          const r = rollupFromRow(row);
          return [rollupKey(r), r];
        }),
      );
      const rows = rollups.map(r => {
        const prev = stored.get(rollupKey(r));
        const hist = [...r.latencyHistogram];
        if (prev) mergeHistogram(hist, prev.latencyHistogram);
        return {
          endpoint_name: r.endpointName,
          minute: r.minute,
          model_version: r.modelVersion,
          invocations: r.invocations + (prev?.invocations ?? 0),
          errors4xx: r.errors4xx + (prev?.errors4xx ?? 0),
          errors5xx: r.errors5xx + (prev?.errors5xx ?? 0),
          latency_histogram: JSON.stringify(hist),
        };
      });
      await trx(T_TRAFFIC)
        .insert(rows)
        .onConflict(['endpoint_name', 'minute', 'model_version'])
        .merge();
    });
  }

  async rollupsSince(
    endpointName: string,
    fromMinute: number,
  ): Promise<MinuteRollup[]> {
    const rows = await this.db(T_TRAFFIC)
      .where('endpoint_name', endpointName)
      .andWhere('minute', '>=', fromMinute)
      .orderBy('minute', 'asc')
      .select();
    return rows.map(rollupFromRow);
  }

  async addSamples(samples: CaptureSample[]): Promise<void> {
    if (samples.length === 0) return;
    const rows = samples.map(s => ({
      event_id: s.eventId,
      endpoint_name: s.endpointName,
      inference_time: s.inferenceTime,
      model_version: s.modelVersion ?? null,
      record_json: JSON.stringify(s.features),
      prediction: typeof s.prediction === 'number' ? s.prediction : null,
      predicted_class: typeof s.prediction === 'string' ? s.prediction : null,
      probabilities_json: s.probabilities
        ? JSON.stringify(s.probabilities)
        : null,
      source: s.source ?? null,
    }));
    // Chunks keep SQLite under its bound-parameter limit.
    await this.db.batchInsert(T_SAMPLES, rows, 500);
  }

  /** The endpoint's captured rows since `fromMs`, oldest first. */
  async samplesSince(
    endpointName: string,
    fromMs: number,
  ): Promise<CaptureSample[]> {
    const rows = await this.db(T_SAMPLES)
      .where('endpoint_name', endpointName)
      .andWhere('inference_time', '>=', fromMs)
      .orderBy('id', 'asc')
      .select();
    return rows.map(sampleFromRow);
  }

  /** Ring buffer: keeps the newest `keep` samples of each given endpoint. */
  async trimSamples(endpointNames: string[], keep: number): Promise<void> {
    for (const endpointName of endpointNames) {
      const cut = await this.db(T_SAMPLES)
        .where('endpoint_name', endpointName)
        .orderBy('id', 'desc')
        .offset(keep)
        .first('id');
      if (cut) {
        await this.db(T_SAMPLES)
          .where('endpoint_name', endpointName)
          .andWhere('id', '<=', cut.id)
          .delete();
      }
    }
  }

  /** Drops everything older than the retention. */
  async prune(beforeMs: number): Promise<void> {
    await this.db(T_SAMPLES).where('inference_time', '<', beforeMs).delete();
    await this.db(T_TRAFFIC)
      .where('minute', '<', Math.floor(beforeMs / 60_000))
      .delete();
  }
}
