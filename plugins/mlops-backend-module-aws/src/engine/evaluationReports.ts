import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import { LRUCache } from 'lru-cache';
import type { ClientContext } from './clientContext';
import {
  parseEvaluationJson,
  parseS3Uri,
  type EvaluationReport,
} from './mappers';

/** A report with no readable metrics is remembered too, as this marker. */
const NO_METRICS = Symbol('no metrics');

/** evaluation.json reports in S3 (a model package's ModelQuality statistics), any task. */
export class EvaluationReports {
  /** A report never changes once written, so it is kept (bounded, no TTL). */
  private readonly byUri = new LRUCache<
    string,
    EvaluationReport | typeof NO_METRICS
  >({ max: 1000 });

  constructor(private readonly ctx: ClientContext) {}

  async readReport(
    r: MlopsResources,
    uri: string,
  ): Promise<EvaluationReport | undefined> {
    const known = this.byUri.get(uri);
    if (known !== undefined) return known === NO_METRICS ? undefined : known;
    const loc = parseS3Uri(uri);
    if (!loc) return undefined;
    try {
      const { s3 } = await this.ctx.clients(r);
      const obj = await this.ctx.call('s3:GetObject', () =>
        s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key })),
      );
      const text = obj?.Body ? await obj.Body.transformToString('utf-8') : '';
      const report = parseEvaluationJson(text);
      this.byUri.set(uri, report ?? NO_METRICS);
      return report;
    } catch (e) {
      // Metrics are a nice-to-have on a version; a missing report must not hide it.
      this.ctx.logger.warn(`Could not read evaluation report ${uri}: ${e}`);
      return undefined;
    }
  }
}
