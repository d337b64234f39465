import type { FeatureRecord } from '@mlops-portal/plugin-mlops-common';
import type { CaptureSample, MonitoringStore } from './monitoringStore';

/** What drift reads of a captured row. */
export interface CapturedRow {
  features: FeatureRecord;
  /** The predicted value or class. */
  prediction?: number | string;
}

interface Ring {
  /** Epoch ms, ascending (rows are appended in capture order). */
  times: number[];
  rows: CapturedRow[];
}

/**
 * Drift reads what the endpoint's callers sent: predictions tried from the
 * portal's own widget (`source: 'portal'`) are stored, tagged, but left out.
 */
function forDrift(s: CaptureSample): boolean {
  return s.source !== 'portal';
}

const rowOf = (s: CaptureSample): CapturedRow =>
  s.prediction === undefined
    ? { features: s.features }
    : { features: s.features, prediction: s.prediction };

function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The captured rows of each endpoint that drift reads, in memory, mirroring the database's
 * ring buffer: drift over 100k rows must not re-read and re-parse them from
 * the database on every monitoring read. An endpoint is loaded from the
 * database on first use; later flushes append to it.
 */
export class SampleCache {
  private readonly buffers = new Map<string, Ring>();

  constructor(
    private readonly store: MonitoringStore,
    private readonly maxRows: number,
  ) {}

  /** Loads an endpoint once (call it serialised with flushes). */
  async ensureLoaded(endpointName: string, fromMs: number): Promise<void> {
    if (this.buffers.has(endpointName)) return;
    // The stored ring may run up to a trim over its size; keep the newest.
    const samples = (await this.store.samplesSince(endpointName, fromMs)).slice(
      -this.maxRows,
    );
    const analysed = samples.filter(forDrift);
    this.buffers.set(endpointName, {
      times: analysed.map(s => s.inferenceTime),
      rows: analysed.map(rowOf),
    });
  }

  /** Rows just written; endpoints not loaded yet read them from the DB later. */
  append(samples: readonly CaptureSample[]): void {
    for (const s of samples) {
      const ring = this.buffers.get(s.endpointName);
      if (!ring || !forDrift(s)) continue;
      ring.times.push(s.inferenceTime);
      ring.rows.push(rowOf(s));
    }
    for (const ring of this.buffers.values()) {
      const excess = ring.times.length - this.maxRows;
      if (excess > 0) {
        ring.times.splice(0, excess);
        ring.rows.splice(0, excess);
      }
    }
  }

  /** Rows captured at or after `fromMs`, oldest first. */
  since(endpointName: string, fromMs: number): CapturedRow[] {
    const ring = this.buffers.get(endpointName);
    if (!ring) return [];
    return ring.rows.slice(lowerBound(ring.times, fromMs));
  }
}
