import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
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
