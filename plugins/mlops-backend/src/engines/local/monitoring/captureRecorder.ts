import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  FeatureRecord,
  Prediction,
} from '@mlops-portal/plugin-mlops-common';
import type { PredictionSource } from '@mlops-portal/plugin-mlops-node';
import { randomUUID } from 'crypto';
import { errorMessage } from '../format';
import { boundedRecord } from './captureRecord';
import { emptyHistogram, latencyBucket } from './latencyHistogram';
import type {
  CaptureSample,
  MinuteRollup,
  MonitoringStore,
} from './monitoringStore';

/** One served prediction request, as the serving paths report it. */
export interface Invocation {
  endpointName: string;
  /** The version that answered; undefined when none was deployed. */
  modelVersion?: number;
  latencyMs: number;
  /** HTTP status of the answer. */
  status: number;
  /** The parsed input records (absent when the body was rejected). */
  instances?: readonly FeatureRecord[];
  /** The model's predictions, one per instance. */
  predictions?: readonly Prediction[];
  /** Epoch ms; default now. */
  time?: number;
  /**
   * `public`: the anonymous public route; `portal`: the portal's own
   * prediction widget (kept out of traffic, error rates and drift).
   */
  source?: PredictionSource;
}

export interface CaptureOptions {
  /** Captured rows kept per endpoint (ring buffer). */
  sampleSize: number;
  retentionDays: number;
  flushIntervalMs: number;
  /**
   * Input rows kept per endpoint and flush period at most (a reservoir
   * sample of the period's rows, like Data Capture's sampling percentage).
   */
  samplesPerFlush: number;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Records served predictions in memory (O(1) per request, never touches the
 * database on the request path) and writes them in batches from a timer:
 * per-minute roll-ups and captured input rows.
 */
export class CaptureRecorder {
  private rollups = new Map<string, MinuteRollup>();
  /** Per endpoint: rows seen since the last flush and the sample kept of them. */
  private reservoirs = new Map<
    string,
    { seen: number; kept: CaptureSample[] }
  >();
  private storedSinceTrim = 0;
  private trimEndpoints = new Set<string>();
  private lastTrim = 0;
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private lastPrune = 0;

  constructor(
    private readonly store: MonitoringStore,
    private readonly options: CaptureOptions,
    private readonly logger: LoggerService,
    /** Told about samples once they are stored. */
    private readonly onStored?: (samples: readonly CaptureSample[]) => void,
  ) {}

  record(inv: Invocation): void {
    const time = inv.time ?? Date.now();
    // Traffic and error rates are the endpoint's callers': people trying the
    // model from the portal would read as traffic (and their slips as errors).
    if (inv.source !== 'portal') this.countInvocation(inv, time);
    this.sample(inv, time);
  }

  private countInvocation(inv: Invocation, time: number): void {
    const minute = Math.floor(time / 60_000);
    const modelVersion = inv.modelVersion ?? 0;
    const key = `${inv.endpointName}|${minute}|${modelVersion}`;
    let r = this.rollups.get(key);
    if (!r) {
      r = {
        endpointName: inv.endpointName,
        minute,
        modelVersion,
        invocations: 0,
        errors4xx: 0,
        errors5xx: 0,
        latencyHistogram: emptyHistogram(),
      };
      this.rollups.set(key, r);
    }
    r.invocations++;
    if (inv.status >= 500) r.errors5xx++;
    else if (inv.status >= 400) r.errors4xx++;
    r.latencyHistogram[latencyBucket(inv.latencyMs)]++;
  }

  private sample(inv: Invocation, time: number): void {
    if (!inv.instances || inv.status >= 400) return;
    let res = this.reservoirs.get(inv.endpointName);
    if (!res) {
      res = { seen: 0, kept: [] };
      this.reservoirs.set(inv.endpointName, res);
    }
    const cap = this.options.samplesPerFlush;
    let eventId: string | undefined;
    for (let i = 0; i < inv.instances.length; i++) {
      // Reservoir sampling (Algorithm R): every row of the period has the
      // same chance to be kept, and memory stays at `cap` rows.
      res.seen++;
      let slot = res.kept.length;
      if (slot >= cap) {
        slot = Math.floor(Math.random() * res.seen);
        if (slot >= cap) continue;
      }
      // An oversized record is not kept (dropping fields instead would
      // read as missing values and bias drift).
      const features = boundedRecord(inv.instances[i]);
      if (!features) continue;
      eventId ??= randomUUID();
      const p = inv.predictions?.[i];
      res.kept[slot] = {
        eventId,
        endpointName: inv.endpointName,
        inferenceTime: time,
        modelVersion: inv.modelVersion,
        features,
        ...(p ? { prediction: p.value } : {}),
        ...(p?.probabilities ? { probabilities: p.probabilities } : {}),
        ...(inv.source ? { source: inv.source } : {}),
      };
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.flush();
    }, this.options.flushIntervalMs);
    // Monitoring never keeps the process alive.
    this.timer.unref();
  }

  /** Writes what was recorded so far; flushes run one at a time. */
  flush(): Promise<void> {
    return this.exclusive(() => this.writeBatch());
  }

  /** Runs `fn` between flushes (never during one). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.flushing.then(fn);
    this.flushing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async writeBatch(): Promise<void> {
    const rollups = [...this.rollups.values()];
    const samples = [...this.reservoirs.values()]
      .flatMap(r => r.kept)
      .sort((a, b) => a.inferenceTime - b.inferenceTime);
    this.rollups = new Map();
    this.reservoirs = new Map();
    try {
      await this.store.addRollups(rollups);
      await this.store.addSamples(samples);
      this.onStored?.(samples);
      const now = Date.now();
      // Trimming scans the endpoint's rows: do it once a tenth of the
      // buffer was added (or every minute), not on every flush.
      this.storedSinceTrim += samples.length;
      this.trimEndpoints = new Set([
        ...this.trimEndpoints,
        ...samples.map(s => s.endpointName),
      ]);
      if (
        this.storedSinceTrim > this.options.sampleSize / 10 ||
        now - this.lastTrim >= 60_000
      ) {
        await this.store.trimSamples(
          [...this.trimEndpoints],
          this.options.sampleSize,
        );
        this.storedSinceTrim = 0;
        this.trimEndpoints = new Set();
        this.lastTrim = now;
      }
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now;
        await this.store.prune(
          now - this.options.retentionDays * 24 * 3600_000,
        );
      }
    } catch (e) {
      // Monitoring data is best effort; serving must not fail because of it.
      this.logger.warn(
        `MLOps monitoring: could not write ${rollups.length} roll-up(s) and ${
          samples.length
        } captured row(s): ${errorMessage(e)}`,
      );
    }
  }
}
