import type { Entity } from '@backstage/catalog-model';
import {
  ApiBlueprint,
  coreExtensionData,
  type ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import { screen, waitFor, within } from '@testing-library/react';
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
import { MlopsClient, mlopsApiRef } from './api';
import { mlopsEntity, plainEntity } from './__fixtures__';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import plugin, {
  mlopsApi,
  mlopsDatasetUploadCard,
  mlopsDeploymentsCard,
  mlopsDriftCard,
  mlopsEndpointMonitoringCard,
  mlopsEntityContent,
  mlopsMetricsCard,
  mlopsModelVersionsCard,
  mlopsOverviewPage,
  mlopsPipelineCard,
  mlopsPredictionCard,
  mlopsReleaseCard,
  mlopsRunsCard,
  mlopsStatusCard,
} from './alpha';

const CARD_IDS = [
  'entity-card:mlops/status',
  'entity-card:mlops/release',
  'entity-card:mlops/pipeline',
  'entity-card:mlops/runs',
  'entity-card:mlops/model-versions',
  'entity-card:mlops/metrics',
  'entity-card:mlops/prediction',
  'entity-card:mlops/dataset-upload',
  'entity-card:mlops/deployments',
  'entity-card:mlops/endpoint-monitoring',
  'entity-card:mlops/drift',
] as const;

// In the order of CARD_IDS, which is the order of the tab.
const mlopsEntityCards: ExtensionDefinition<any>[] = [
  mlopsStatusCard,
  mlopsReleaseCard,
  mlopsPipelineCard,
  mlopsRunsCard,
  mlopsModelVersionsCard,
  mlopsMetricsCard,
  mlopsPredictionCard,
  mlopsDatasetUploadCard,
  mlopsDeploymentsCard,
  mlopsEndpointMonitoringCard,
  mlopsDriftCard,
];

describe('new frontend system plugin', () => {
  it('is the mlops plugin with the API, entity tab and page', () => {
    expect(plugin.id).toBe('mlops');
    // the ids adopters enable and order in app-config (README), each the named export
    expect(String(plugin.getExtension('api:mlops'))).toBe(String(mlopsApi));
    expect(String(plugin.getExtension('entity-content:mlops'))).toBe(
      String(mlopsEntityContent),
    );
    expect(String(plugin.getExtension('page:mlops'))).toBe(
      String(mlopsOverviewPage),
    );
    // the API extension provides the MLOps client for mlopsApiRef
    const factory = createExtensionTester(mlopsApi).get(
      ApiBlueprint.dataRefs.factory,
    );
    expect(factory.api).toBe(mlopsApiRef);
    expect(Object.keys(factory.deps).sort()).toEqual([
      'discoveryApi',
      'fetchApi',
    ]);
    const client = factory.factory({
      discoveryApi: { getBaseUrl: async () => 'http://backend/api/mlops' },
      fetchApi: { fetch: jest.fn() },
    } as any);
    expect(client).toBeInstanceOf(MlopsClient);
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

describe('new frontend system entity cards', () => {
  it('are extensions of the plugin, one per card of the tab', () => {
    CARD_IDS.forEach((id, i) => {
      const extension = String(plugin.getExtension(id));
      expect(extension).toContain(`kind=entity-card,name=${id.split('/')[1]},`);
      // The named export is the plugin's extension.
      expect(extension).toBe(String(mlopsEntityCards[i]));
    });
    expect(() =>
      plugin.getExtension('entity-card:mlops/nonexistent' as any),
    ).toThrow();
  });

  it.each(CARD_IDS.map((id, i) => [id, mlopsEntityCards[i]] as const))(
    '%s shows only on annotated entities, in the main column',
    (_id, card) => {
      const tester = createExtensionTester(card);
      const filter = tester.get(
        EntityCardBlueprint.dataRefs.filterFunction,
      ) as (entity: Entity) => boolean;
      expect(filter(mlopsEntity)).toBe(true);
      expect(filter(plainEntity)).toBe(false);
      expect(tester.get(EntityCardBlueprint.dataRefs.type)).toBe('content');
    },
  );

  it('renders a card on an entity page of a test app', async () => {
    const api = createMockMlopsApi();
    renderTestApp({
      features: [plugin],
      extensions: [createTestEntityPage({ entity: mlopsEntity })],
      // Cards are off by default; enabled the way the README tells adopters
      // to. The tab (which has every card too) is off to see the card alone.
      config: {
        app: {
          baseUrl: 'http://localhost:3000',
          extensions: [
            'entity-card:mlops/model-versions',
            { 'entity-card:mlops/status': false },
            { 'entity-content:mlops': false },
          ],
        },
        backend: { baseUrl: 'http://localhost:7007' },
      },
      apis: [
        [mlopsApiRef, api],
        [permissionApiRef, createPermissionApi(true)],
      ],
    });
    const table = await screen.findByRole(
      'table',
      { name: 'Model versions' },
      { timeout: 30_000 },
    );
    expect(
      await within(table).findByTestId('approval-status-3'),
    ).toHaveTextContent('Pending approval');
    // The card loads only what it shows.
    expect(api.listModelVersions).toHaveBeenCalledTimes(1);
    expect(api.listRuns).not.toHaveBeenCalled();
  });
});

describe('new frontend system status card', () => {
  it('is on by default on the Overview tab and answers what serves and what waits', async () => {
    const api = createMockMlopsApi();
    renderTestApp({
      features: [plugin],
      extensions: [createTestEntityPage({ entity: mlopsEntity })],
      config: {
        app: {
          baseUrl: 'http://localhost:3000',
          extensions: [{ 'entity-content:mlops': false }],
        },
        backend: { baseUrl: 'http://localhost:7007' },
      },
      apis: [
        [mlopsApiRef, api],
        [permissionApiRef, createPermissionApi(true)],
      ],
    });
    await waitFor(
      () =>
        expect(screen.getByTestId('glance-serving')).toHaveTextContent(
          /Version 2/,
        ),
      { timeout: 30_000 },
    );
    expect(screen.getByTestId('glance-waiting')).toHaveTextContent(
      'Version 3 awaits approval',
    );
    // Off the tab, Review leads to the tab's review panel of that version.
    expect(screen.getByTestId('glance-review')).toHaveAttribute(
      'href',
      expect.stringMatching(/\/mlops\?version=3$/),
    );
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
        { limit: 50 },
      ),
    );
  });
});
