/**
 * Test entities that name a demo system's spec the way the demo catalog
 * does (`mlops.io/spec: ./ml-system.yaml` next to the entity's catalog
 * file), and the config + reader a test backend needs to read it. Test-only.
 */
import type { Entity } from '@backstage/catalog-model';
import path from 'path';
import { DEMO_SYSTEMS_DIR, type DemoSystemName } from './demoSystems';
import { abaloneEntity, testEntities } from './fixtures';

/** `entity` as if defined in packages/demo-systems/<system>/catalog-info.yaml, naming its spec. */
export function withDemoSpec(entity: Entity, system: DemoSystemName): Entity {
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...entity.metadata.annotations,
        'backstage.io/managed-by-location': `file:${path.join(
          DEMO_SYSTEMS_DIR,
          system,
          'catalog-info.yaml',
        )}`,
        'mlops.io/spec': './ml-system.yaml',
      },
    },
  };
}

/** The fixtures' entities, the Abalone one naming its spec. */
export const specTestEntities: Entity[] = testEntities.map(e =>
  e === abaloneEntity ? withDemoSpec(e, 'abalone') : e,
);

/** `mlops.specs` of a test backend: the demo systems' folder may be read. */
export const DEMO_SPECS_CONFIG = { allowedDirs: [DEMO_SYSTEMS_DIR] };
