import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';

// Other features (MLOps, org, notifications, signals, user settings) are
// discovered from package.json dependencies (`app.packages: all`).
export default createApp({
  features: [catalogPlugin, navModule],
});
