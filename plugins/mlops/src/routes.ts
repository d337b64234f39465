import { createRouteRef } from '@backstage/core-plugin-api';

/** The overview page (`/mlops` in the app). */
export const rootRouteRef = createRouteRef({ id: 'mlops' });

/** The entity tab's mount point in legacy apps. */
export const entityContentRouteRef = createRouteRef({
  id: 'mlops:entity-content',
});
