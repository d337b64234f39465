/** XGBoost's kRtEps: a split must improve the loss by more than this. */
export const RT_EPS = 1e-6;

export interface RegParams {
  lambda: number;
  alpha: number;
  min_child_weight: number;
}

/** L1 soft-thresholding of the gradient sum (XGBoost's ThresholdL1). */
export function thresholdL1(g: number, alpha: number): number {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

/** Optimal leaf weight −T(G)/(H+λ); 0 when the node is lighter than min_child_weight. */
export function calcWeight(p: RegParams, g: number, h: number): number {
  if (h < p.min_child_weight || h <= 0) return 0;
  return -thresholdL1(g, p.alpha) / (h + p.lambda);
}

/** Structure score T(G)²/(H+λ) (XGBoost's CalcGain, without the ½ factor; gamma is compared against differences of it). */
export function calcGain(p: RegParams, g: number, h: number): number {
  if (h < p.min_child_weight) return 0;
  const t = thresholdL1(g, p.alpha);
  return (t * t) / (h + p.lambda);
}

/** Loss change of splitting (G,H) into (GL,HL) and the rest. */
export function splitGain(
  p: RegParams,
  gl: number,
  hl: number,
  g: number,
  h: number,
): number {
  return calcGain(p, gl, hl) + calcGain(p, g - gl, h - hl) - calcGain(p, g, h);
}
