import { screen } from '@testing-library/react';
import { renderWithEntity } from './__testUtils__/testApp';
import { mlopsApiRef } from './api';
import {
  EntityMlopsModelVersionsCard,
  isMlopsAvailable,
  mlopsPlugin,
} from './index';
import { mlopsEntity, plainEntity } from './__fixtures__';

describe('legacy frontend system plugin', () => {
  it('provides the mlops API factory', () => {
    expect(mlopsPlugin.getId()).toBe('mlops');
    const apis = Array.from(mlopsPlugin.getApis());
    expect(apis.map(f => f.api.id)).toEqual([mlopsApiRef.id]);
  });

  it('tells which entities get the tab', () => {
    expect(isMlopsAvailable(mlopsEntity)).toBe(true);
    expect(isMlopsAvailable(plainEntity)).toBe(false);
  });

  it('renders a lazy card extension', async () => {
    await renderWithEntity(<EntityMlopsModelVersionsCard />);
    expect(
      await screen.findByRole(
        'table',
        { name: 'Model versions' },
        { timeout: 30_000 },
      ),
    ).toBeInTheDocument();
  });
});
