import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  EVALUATION_PLOTS_FILE,
  STATISTICS_FILE,
  tableDrift,
  tableFromRecords,
} from '@mlops-portal/ml-core';
import type { BaselineStatistics, DatasetSchema } from '@mlops-portal/ml-core';
import type {
  DriftSummary,
  EvaluationPlots,
  FeatureRecord,
  ModelSignature,
  MonitoringResponse,
  MonitoringWindow,
} from '@mlops-portal/plugin-mlops-common';
import fs from 'fs/promises';
import type { Knex } from 'knex';
import path from 'path';
import type { DataLayout } from '../dataLayout';
import { CaptureRecorder, Invocation } from './captureRecorder';
import { captureRecordOf } from './captureRecord';
import {
  driftSummaryOf,
  featureTypeOf,
  predictionSharesOf,
  trafficOf,
  WINDOWS,
} from './monitoringReport';
import type { MonitoringSettings } from './monitoringSettings';
import { MonitoringStore } from './monitoringStore';
import { SampleCache } from './sampleCache';

/** The version an endpoint serves now. */
export interface DeployedVersion {
  modelPackageGroupName: string;
  version: number;
  /** Its signature (drift reads columns by it; classifiers get class shares). */
  signature?: ModelSignature;
}

/**
 * The captured records as a Table with the baseline's features as columns,
 * typed by the signature, so ml-core's tableDrift reads any system.
 */
function recentTable(
  baseline: BaselineStatistics,
  signature: ModelSignature | undefined,
  rows: readonly FeatureRecord[],
) {
  const schema: DatasetSchema = {
    header: true,
    columns: baseline.features.map(f => ({
      name: f.name,
      type: featureTypeOf(f, signature),
    })),
    // Not one of the columns: records are read, never labelled.
    target: '',
    task: signature?.outputs.task ?? 'regression',
    missingValues: [''],
    maxCategories: Number.MAX_SAFE_INTEGER,
  };
  return tableFromRecords(schema, rows);
}

async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * The local engine's monitoring: capture (through the recorder), traffic
 * reports from the roll-ups, and drift of the captured rows against the
 * deployed version's statistics.json.
 */
export class LocalMonitoring {
  private readonly store: MonitoringStore;
  private readonly recorder?: CaptureRecorder;
  private readonly samples: SampleCache;
  /** Baselines are immutable per version directory; parse each once. */
  private readonly baselines = new Map<string, BaselineStatistics | null>();
  /** Test-split predicted-class counts per version directory (classifiers). */
  private readonly predictedAtTraining = new Map<
    string,
    Map<string, number> | null
  >();

  constructor(
    db: Knex,
    private readonly layout: DataLayout,
    private readonly settings: MonitoringSettings,
    logger: LoggerService,
  ) {
    this.store = new MonitoringStore(db);
    this.samples = new SampleCache(this.store, settings.capture.sampleSize);
    if (settings.enabled) {
      this.recorder = new CaptureRecorder(
        this.store,
        settings.capture,
        logger,
        stored => this.samples.append(stored),
      );
    }
  }

  /** Whether served predictions are captured. */
  get capturing(): boolean {
    return !!this.recorder;
  }

  start() {
    this.recorder?.start();
  }

  /** Called on the request path: memory only. */
  record(invocation: Invocation) {
    this.recorder?.record(invocation);
  }

  /** Writes pending captures now (reads call it, so they see every request). */
  async flush() {
    await this.recorder?.flush();
  }

  async close() {
    await this.recorder?.close();
  }

  async report(
    endpointName: string,
    window: MonitoringWindow,
    deployed: DeployedVersion | undefined,
  ): Promise<MonitoringResponse> {
    await this.flush();
    const now = Date.now();
    const { minutes, bucket } = WINDOWS[window];
    const fromMinute =
      Math.floor(now / 60_000 / bucket) * bucket - (minutes - bucket);
    const retainedFrom =
      now - this.settings.capture.retentionDays * 24 * 3600_000;
    const fromMs = Math.max(now - minutes * 60_000, retainedFrom);
    // The cache holds every retained row, whichever window is read first.
    const load = () => this.samples.ensureLoaded(endpointName, retainedFrom);
    // Serialised with flushes, so a flush cannot slip between load and append.
    await (this.recorder ? this.recorder.exclusive(load) : load());
    const rollups = await this.store.rollupsSince(endpointName, fromMinute);
    const captured = this.samples.since(endpointName, fromMs);
    const rows = captured.map(r => r.features);
    const baseline = deployed && (await this.baselineOf(deployed));
    let driftSummary: DriftSummary;
    if (deployed && baseline) {
      const analyzedAt = new Date(now).toISOString();
      driftSummary = driftSummaryOf(
        tableDrift(
          baseline,
          recentTable(baseline, deployed.signature, rows),
          this.settings.drift,
        ),
        baseline,
        rows,
        deployed.version,
        analyzedAt,
        deployed.signature,
      );
    } else {
      // Nothing deployed, or a version trained before baselines existed.
      driftSummary = {
        status: 'insufficient_data',
        sampleCount: rows.length,
        baselineVersion: deployed?.version,
        features: [],
      };
    }
    const classes = deployed?.signature?.outputs.classes;
    if (
      deployed &&
      classes &&
      deployed.signature?.outputs.task !== 'regression'
    ) {
      driftSummary.predictions = predictionSharesOf(
        classes,
        await this.predictedAtTrainingOf(deployed),
        captured.map(r => r.prediction),
      );
    }
    return {
      endpointName,
      modelVersion: deployed?.version,
      window,
      ...trafficOf(rollups, window, now),
      drift: driftSummary,
    };
  }

  /** A version's evaluation-plots.json; NotFoundError when it has none. */
  async evaluationPlots(v: DeployedVersion): Promise<EvaluationPlots> {
    const plots = await readJsonIfExists<EvaluationPlots>(
      path.join(
        this.layout.modelPackageDir(v.modelPackageGroupName, v.version),
        EVALUATION_PLOTS_FILE,
      ),
    );
    if (!plots) {
      throw new NotFoundError(
        `version ${v.version} of ${v.modelPackageGroupName} has no evaluation plots (trained before they were recorded)`,
      );
    }
    return plots;
  }

  /** Captured rows since `fromMs` as Data Capture JSONL lines. */
  async captureRecords(endpointName: string, fromMs: number) {
    await this.flush();
    const samples = (await this.store.samplesSince(endpointName, fromMs)).slice(
      -this.settings.capture.sampleSize,
    );
    return samples.map(s => JSON.stringify(captureRecordOf(s)));
  }

  /**
   * The classes a version predicted on its test split (the confusion
   * matrix's column sums in evaluation-plots.json); undefined when the
   * version has no classifier plots.
   */
  private async predictedAtTrainingOf(v: DeployedVersion) {
    const dir = this.layout.modelPackageDir(v.modelPackageGroupName, v.version);
    if (!this.predictedAtTraining.has(dir)) {
      const plots = await readJsonIfExists<EvaluationPlots>(
        path.join(dir, EVALUATION_PLOTS_FILE),
      );
      let counts: Map<string, number> | null = null;
      if (plots && 'confusionMatrix' in plots) {
        const { labels, counts: matrix } = plots.confusionMatrix;
        counts = new Map(
          labels.map((label, c) => [
            label,
            matrix.reduce((sum, row) => sum + (row[c] ?? 0), 0),
          ]),
        );
      }
      this.predictedAtTraining.set(dir, counts);
    }
    return this.predictedAtTraining.get(dir) ?? undefined;
  }

  private async baselineOf(v: DeployedVersion) {
    const file = path.join(
      this.layout.modelPackageDir(v.modelPackageGroupName, v.version),
      STATISTICS_FILE,
    );
    if (!this.baselines.has(file)) {
      this.baselines.set(
        file,
        (await readJsonIfExists<BaselineStatistics>(file)) ?? null,
      );
    }
    return this.baselines.get(file) ?? undefined;
  }
}
