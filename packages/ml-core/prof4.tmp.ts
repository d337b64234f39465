import { preprocess, REFERENCE_HYPERPARAMETERS, trainXGBoost } from './src';
import { loadAbalone } from './bench/common';
import { replicate } from './bench/speed';
(async () => {
  const records = replicate(await (loadAbalone as any)(), 100);
  const out = preprocess(records, { seed: 0 });
  const params = { ...REFERENCE_HYPERPARAMETERS, nthread: 1 } as any;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    trainXGBoost(params, out.train, out.validation);
    console.log('train', ((performance.now() - t) / 1000).toFixed(3));
  }
})();
