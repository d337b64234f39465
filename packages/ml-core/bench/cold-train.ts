/* eslint-disable no-console */
/**
 * One training in a fresh process, as `mlops-ml train` and the engine's
 * worker run it (no warm-up): reads train/validation matrix files, trains
 * once, prints {"seconds", "cpuSeconds", "bestIteration"} as JSON.
 * With --warm-up, warmUpTrainer() runs first (as in the engine's spare worker).
 * Run: node -r tsx/cjs bench/cold-train.ts <dir> '<params JSON>' [--warm-up]
 */
import { join } from 'path';
import { readMatrixFile, trainXGBoost, warmUpTrainer } from '../src';

async function main() {
  const [dir, params, warm] = process.argv.slice(2);
  const warmUpSeconds = warm === '--warm-up' ? warmUpTrainer() : undefined;
  const train = await readMatrixFile(join(dir, 'train.mat'));
  const validation = await readMatrixFile(join(dir, 'validation.mat'));
  const c0 = process.cpuUsage();
  const r = trainXGBoost(JSON.parse(params), train, validation);
  const c = process.cpuUsage(c0);
  console.log(
    JSON.stringify({
      seconds: r.seconds,
      cpuSeconds: (c.user + c.system) / 1e6,
      bestIteration: r.bestIteration,
      warmUpSeconds,
    }),
  );
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
