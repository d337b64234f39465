import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';

/** The current entity's ref, e.g. `component:default/churn-model`. */
export function useEntityRef(): string {
  const { entity } = useEntity();
  return stringifyEntityRef(entity);
}
