import type {
  AuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ENDPOINT,
  getMlopsResources,
  type MlopsResources,
  type MonitoringResponse,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import type { OwnerNotification } from './events';

export interface MonitoringAlertSettings {
  /** (4xx + 5xx) / invocations above this is a breach. */
  errorRateThreshold: number;
  /** Below this many invocations the error rate is not judged. */
  minInvocations: number;
  intervalMs: number;
}

export function readMonitoringAlertSettings(
  config: RootConfigService,
): MonitoringAlertSettings {
  const read = (key: string, fallback: number, max = Infinity) => {
    const v = config.getOptionalNumber(`mlops.monitoring.${key}`) ?? fallback;
    if (!Number.isFinite(v) || v < 0 || v > max) {
      throw new Error(
        `Invalid config: mlops.monitoring.${key} must be a number between 0 and ${max}, got ${v}`,
      );
    }
    return v;
  };
  return {
    errorRateThreshold: read('errorRateThreshold', 0.05, 1),
    minInvocations: read('errorRateMinInvocations', 20),
    intervalMs: read('evaluationIntervalSeconds', 300) * 1000,
  };
}

type Breach = 'drift' | 'errors';

/** The breaches a report shows, with what the notification says about each. */
function breachesOf(
  r: MonitoringResponse,
  s: MonitoringAlertSettings,
): Map<Breach, string> {
  const out = new Map<Breach, string>();
  if (r.drift.status === 'drift') {
    const features = r.drift.features
      .filter(f => f.status === 'drift')
      .map(f => f.feature);
    out.set(
      'drift',
      `Inputs of endpoint ${
        r.endpointName
      } drifted from the training baseline of version ${
        r.drift.baselineVersion ?? '?'
      } (${features.join(', ')}; ${r.drift.sampleCount} captured rows).`,
    );
  }
  const { invocations, errors4xx, errors5xx } = r.totals;
  const rate = invocations > 0 ? (errors4xx + errors5xx) / invocations : 0;
  if (invocations >= s.minInvocations && rate > s.errorRateThreshold) {
    out.set(
      'errors',
      `Endpoint ${
        r.endpointName
      } answered ${errors4xx} 4xx and ${errors5xx} 5xx of ${invocations} invocations in the last ${
        r.window
      } (${(rate * 100).toFixed(1)} % > ${(s.errorRateThreshold * 100).toFixed(
        1,
      )} %).`,
    );
  }
  return out;
}

/**
 * Breach notifications: drift, or an error rate above the threshold, notifies
 * the entity's owners once per episode; an episode ends when a later check
 * finds that breach gone. Judged on the last hour, periodically and on reads.
 */
export class MonitoringAlerts {
  /** `${entityRef}|${breach}` of the episodes in progress. */
  private readonly open = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly engine: MlopsEngine,
    private readonly notify: (
      entityRef: string,
      payload: OwnerNotification,
    ) => Promise<void>,
    private readonly settings: MonitoringAlertSettings,
    private readonly logger: LoggerService,
  ) {}

  /**
   * Looks at a last-hour report (other windows neither open nor close
   * episodes, so switching windows in the UI cannot re-notify). Never throws.
   */
  async observe(resources: MlopsResources, report: MonitoringResponse) {
    if (report.window !== '1h') return;
    const breaches = breachesOf(report, this.settings);
    for (const kind of ['drift', 'errors'] as const) {
      const key = `${resources.entityRef}|${kind}`;
      const description = breaches.get(kind);
      if (!description) {
        this.open.delete(key);
        continue;
      }
      if (this.open.has(key)) continue;
      this.open.add(key);
      try {
        await this.notify(resources.entityRef, {
          title:
            kind === 'drift'
              ? `Data drift on ${report.endpointName}`
              : `High error rate on ${report.endpointName}`,
          description,
          severity: 'high',
          scope: `mlops:${resources.entityRef}:monitoring:${kind}`,
          // straight to the card that shows it
          link: { card: kind === 'drift' ? 'drift' : 'endpoint-monitoring' },
        });
      } catch (e) {
        // Not sent: the next check tries again.
        this.open.delete(key);
        this.logger.warn(
          `MLOps: could not notify owners of ${resources.entityRef} about ${kind}: ${e}`,
        );
      }
    }
  }

  /** One check of an entity (errors are logged: monitoring is best effort). */
  async check(resources: MlopsResources) {
    if (!this.engine.getMonitoring) return;
    try {
      const report = await this.engine.getMonitoring(resources, {
        window: '1h',
      });
      await this.observe(resources, report);
    } catch (e) {
      this.logger.warn(
        `MLOps monitoring check of ${resources.entityRef} failed: ${e}`,
      );
    }
  }

  /**
   * Checks every catalog entity that names an endpoint, every interval;
   * `holds` (the resource claims) skips entities naming another's endpoint,
   * whose owners must not hear about it. `withSystem` attaches the
   * entity's spec (drift thresholds, columns), as for an API read; an
   * entity whose spec cannot be read is skipped and logged.
   */
  start(
    catalog: CatalogService,
    auth: AuthService,
    holds: (resources: MlopsResources) => Promise<boolean> = async () => true,
    withSystem: (
      resources: MlopsResources,
      entity: Entity,
    ) => Promise<MlopsResources> = async r => r,
  ) {
    if (!this.engine.getMonitoring || this.timer) return;
    const run = async () => {
      const { items } = await catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${ANNOTATION_ENDPOINT}`]:
              CATALOG_FILTER_EXISTS,
          },
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      for (const entity of items) {
        const resources = getMlopsResources(entity);
        if (!resources || !(await holds(resources))) continue;
        let checked: MlopsResources;
        try {
          checked = await withSystem(resources, entity);
        } catch (e) {
          this.logger.warn(
            `MLOps monitoring check of ${resources.entityRef} skipped: ${e}`,
          );
          continue;
        }
        await this.check(checked);
      }
    };
    this.timer = setInterval(() => {
      run().catch(e =>
        this.logger.warn(`MLOps monitoring checks failed: ${e}`),
      );
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
