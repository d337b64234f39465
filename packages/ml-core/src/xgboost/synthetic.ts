/** Synthetic training rows for warming up and priming the trainer. */
import type { LabeledMatrix } from '../preprocess';
import { mulberry32 } from '../random';

/**
 * Rows with the column kinds real tables have, so every branch the trainer
 * takes on them has run (a branch first met in the real training deopts
 * its function back to the slow tiers): measurements with and without
 * missing values, one-hot 0/1 columns and small integers (few distinct
 * values: one bin each). Labels are 0/1 (valid for every objective).
 */
export function syntheticRows(
  rows: number,
  cols: number,
  seed: number,
): LabeledMatrix {
  const rng = mulberry32(seed);
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const hot = Math.floor(rng() * 3);
    for (let c = 0; c < cols; c++) {
      let v: number;
      if (c < 3) v = rng() < 0.01 ? NaN : rng() * 2 - 1;
      else if (c < 5) v = rng() * 2 - 1;
      else if (c < 8) v = c - 5 === hot ? 1 : 0;
      else v = Math.floor(rng() * 20);
      data[r * cols + c] = v;
    }
  }
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = (data[r * cols] || 0) + rng() > 0.5 ? 1 : 0;
  }
  return { rows, cols, data, labels };
}
