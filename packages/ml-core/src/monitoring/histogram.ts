export interface HistogramBin {
  lower: number;
  upper: number;
  count: number;
}

/**
 * Equal-width bins from min to max; the last bin includes the maximum.
 * A constant input gives one bin [v, v]; no values give no bins.
 */
export function equalWidthHistogram(
  values: ArrayLike<number>,
  bins: number,
): HistogramBin[] {
  const n = values.length;
  if (n === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  if (min === max) return [{ lower: min, upper: max, count: n }];
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    counts[Math.min(bins - 1, Math.floor((values[i] - min) / width))]++;
  }
  return counts.map((count, b) => ({
    lower: min + b * width,
    upper: b === bins - 1 ? max : min + (b + 1) * width,
    count,
  }));
}
