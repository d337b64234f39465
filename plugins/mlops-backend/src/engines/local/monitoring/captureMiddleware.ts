import type express from 'express';
import type {
  FeatureRecord,
  Prediction,
} from '@mlops-portal/plugin-mlops-common';
import type { Invocation } from './captureRecorder';

/** What a handler leaves in `res.locals.capture` after predicting. */
export interface CapturedPrediction {
  modelVersion: number;
  instances: readonly FeatureRecord[];
  predictions: readonly Prediction[];
}

const NAMED = /^\/endpoints\/([^/]+)\/invocations$/;

/**
 * Times every POST …/invocations and records it when the response is sent,
 * whatever its status. `resolve` maps the path's endpoint name (undefined:
 * the default one) to a known endpoint and the version it serves.
 */
export function captureInvocations(
  record: (inv: Invocation) => void,
  resolve: (
    name: string | undefined,
  ) => { endpointName: string; modelVersion?: number } | undefined,
): express.RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST') return next();
    const named = NAMED.exec(req.path);
    if (!named && req.path !== '/invocations') return next();
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      // A malformed escape (`%zz`) names no endpoint; it must not throw here,
      // after the response, where nothing would catch it.
      let name: string | undefined;
      if (named) {
        try {
          name = decodeURIComponent(named[1]);
        } catch {
          return;
        }
      }
      const target = resolve(name);
      if (!target) return;
      const captured = res.locals.capture as CapturedPrediction | undefined;
      const modelVersion = captured?.modelVersion ?? target.modelVersion;
      // Nothing deployed yet: no model answered, so no traffic to count.
      if (modelVersion === undefined && res.statusCode === 503) return;
      record({
        endpointName: target.endpointName,
        modelVersion,
        latencyMs: Number(process.hrtime.bigint() - start) / 1e6,
        status: res.statusCode,
        instances: captured?.instances,
        predictions: captured?.predictions,
      });
    });
    return next();
  };
}
