import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { screen, waitFor } from '@testing-library/react';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  createMockMlopsApi,
  createPermissionApi,
} from './__testUtils__/testApp';
import { mlopsApiRef } from './api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { mlopsEntity, plainEntity } from './__fixtures__';
import plugin, { mlopsEntityContent, mlopsOverviewPage } from './alpha';

describe('new frontend system plugin', () => {
  it('is the mlops plugin with the API, entity tab and page', () => {
    expect(plugin.id).toBe('mlops');
  });

  it('adds an "MLOps" tab at mlops only on annotated entities', () => {
    const tester = createExtensionTester(mlopsEntityContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('MLOps');
    expect(tester.get(coreExtensionData.routePath)).toBe('mlops');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(mlopsEntity)).toBe(true);
    expect(filter(plainEntity)).toBe(false);
  });

  it('mounts the overview page at /mlops with a sidebar title', () => {
    const tester = createExtensionTester(mlopsOverviewPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/mlops');
    expect(tester.get(coreExtensionData.title)).toBe('MLOps');
  });
});

describe('new frontend system rendering', () => {
  it('renders the MLOps tab inside an entity page of a test app', async () => {
    const api = createMockMlopsApi();
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: mlopsEntity }),
        mlopsEntityContent,
      ],
      apis: [
        [mlopsApiRef, api],
        [permissionApiRef, createPermissionApi(true)],
      ],
    });
    // The tab is lazy-loaded, which takes a while on a busy machine.
    expect(
      await screen.findByRole(
        'table',
        { name: 'Model versions' },
        { timeout: 30_000 },
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(api.listModelVersions).toHaveBeenCalledWith(
        'component:default/abalone-age-predictor',
      ),
    );
  });
});
